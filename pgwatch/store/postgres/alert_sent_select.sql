SELECT receiver, fingerprint, sent_at, resolved FROM {schema}.alert_sent WHERE owner = %(owner)s;
