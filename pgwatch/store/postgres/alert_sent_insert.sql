INSERT INTO {schema}.alert_sent (receiver, fingerprint, sent_at, resolved)
VALUES (%(receiver)s, %(fingerprint)s, %(sent_at)s, %(resolved)s)
ON CONFLICT (receiver, fingerprint) DO UPDATE
SET sent_at = excluded.sent_at, resolved = excluded.resolved;
