CREATE TABLE users2 (id int);
