-- migrate:up
CREATE TABLE t (id int);
-- migrate:down
DROP TABLE t;
-- migrate:down
DROP TABLE t;
