DELETE FROM {schema}.texts WHERE last_used < %(horizon)s;
