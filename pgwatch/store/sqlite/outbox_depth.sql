SELECT receiver, count(*) FROM outbox GROUP BY receiver ORDER BY receiver;
