SELECT value FROM {schema}.meta WHERE key = %(key)s;
