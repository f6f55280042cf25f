INSERT INTO alert_sent (receiver, fingerprint, sent_at, resolved)
VALUES (:receiver, :fingerprint, :sent_at, :resolved)
ON CONFLICT (receiver, fingerprint) DO UPDATE
SET sent_at = excluded.sent_at, resolved = excluded.resolved;
