-- migrate:down
DROP TABLE t;
