-- +goose Down
DROP TABLE t;
