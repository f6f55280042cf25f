SELECT id FROM {schema}.objects
WHERE target = %(target)s AND collector = %(collector)s AND labels = %(labels)s;
