INSERT INTO {schema}.events (target, kind, subject, detail, at)
VALUES (%(target)s, %(kind)s, %(subject)s, %(detail)s, %(at)s);
