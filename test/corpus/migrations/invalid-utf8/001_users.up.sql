CREATE TABLE users (name varchar(10) DEFAULT 'café');
