-- Distinct values of two columns, alone and together, in a sample of the table's pages.
SELECT count(*) AS n,
       count(DISTINCT {a}) AS a,
       count(DISTINCT {b}) AS b,
       count(DISTINCT ({a}, {b})) AS pair
  FROM {table} TABLESAMPLE SYSTEM (%(percent)s)
