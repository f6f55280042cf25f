-- One of the benchmark's distinct statements: each table gives a query id of its own.
SELECT count(*) FROM {table} WHERE v = %(v)s AND id > %(id)s
