SELECT receiver, count(*) FROM outbox
WHERE :owner IS NULL OR owner = :owner
GROUP BY receiver ORDER BY receiver;
