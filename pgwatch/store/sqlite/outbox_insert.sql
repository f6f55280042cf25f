INSERT INTO outbox (owner, receiver, created_at, payload, next_attempt_at)
VALUES (:owner, :receiver, :created_at, :payload, 0);
