CREATE TABLE customers (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP
);
