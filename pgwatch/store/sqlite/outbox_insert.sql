INSERT INTO outbox (receiver, created_at, payload, next_attempt_at)
VALUES (:receiver, :created_at, :payload, 0);
