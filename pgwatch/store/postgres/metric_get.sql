SELECT id, kind FROM {schema}.metrics WHERE name = %(name)s;
