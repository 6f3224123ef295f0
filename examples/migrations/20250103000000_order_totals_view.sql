-- migrate:up
-- A view of revenue per customer; the semicolon in the string must not split the statement.
CREATE VIEW customer_totals AS
  SELECT c.id, c.name, 'total; incl. tax' AS label, COALESCE(SUM(o.total), 0) AS total
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id, c.name;

-- migrate:down
DROP VIEW customer_totals;
