SELECT receiver, count(*) FROM {schema}.outbox GROUP BY receiver ORDER BY receiver;
