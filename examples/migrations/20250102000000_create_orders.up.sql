CREATE TABLE orders (
  id integer PRIMARY KEY,
  customer_id integer REFERENCES customers (id),
  total numeric(10, 2),
  placed_at timestamp,
  note text
);
CREATE INDEX orders_customer_id ON orders (customer_id);
