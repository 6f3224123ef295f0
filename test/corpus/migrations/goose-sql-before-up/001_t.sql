CREATE TABLE early (id int);
-- +goose Up
CREATE TABLE t (id int);
