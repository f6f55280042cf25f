SELECT receiver, count(*) FROM {schema}.outbox
WHERE %(owner)s::text IS NULL OR owner = %(owner)s
GROUP BY receiver ORDER BY receiver;
