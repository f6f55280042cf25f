INSERT INTO {schema}.alert_sent (owner, receiver, fingerprint, sent_at, resolved)
VALUES (%(owner)s, %(receiver)s, %(fingerprint)s, %(sent_at)s, %(resolved)s)
ON CONFLICT (owner, receiver, fingerprint) DO UPDATE
SET sent_at = excluded.sent_at, resolved = excluded.resolved;
