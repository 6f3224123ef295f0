-- created by hand
CREATE TABLE early (id int);
-- migrate:up
CREATE TABLE t (id int);
-- migrate:down
DROP TABLE t;
