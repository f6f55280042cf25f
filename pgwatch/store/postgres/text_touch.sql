UPDATE {schema}.texts SET last_used = GREATEST(last_used, %(last_used)s)
WHERE digest = %(digest)s;
