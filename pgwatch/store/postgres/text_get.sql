SELECT body FROM {schema}.texts WHERE digest = %(digest)s;
