CREATE TABLE accounts (id int);
