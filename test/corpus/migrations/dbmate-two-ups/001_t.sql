-- migrate:up
CREATE TABLE t (id int);
-- migrate:up
CREATE TABLE u (id int);
