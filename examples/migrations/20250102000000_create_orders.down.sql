DROP INDEX orders_customer_id;
DROP TABLE orders;
