-- +goose Up
CREATE TABLE t (id int);
-- +goose Up
CREATE TABLE u (id int);
