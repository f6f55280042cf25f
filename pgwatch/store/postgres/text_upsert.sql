INSERT INTO {schema}.texts (digest, body, last_used)
VALUES (%(digest)s, %(body)s, %(last_used)s)
ON CONFLICT (digest) DO UPDATE SET last_used = GREATEST(texts.last_used, EXCLUDED.last_used);
