INSERT INTO alert_sent (owner, receiver, fingerprint, sent_at, resolved)
VALUES (:owner, :receiver, :fingerprint, :sent_at, :resolved)
ON CONFLICT (owner, receiver, fingerprint) DO UPDATE
SET sent_at = excluded.sent_at, resolved = excluded.resolved;
