INSERT INTO {schema}.alert_state (owner, rule_group, rule, fingerprint, labels, annotations, state,
    value, active_at, fired_at, resolved_at, last_sent_at, keep_firing_since)
VALUES (%(owner)s, %(rule_group)s, %(rule)s, %(fingerprint)s, %(labels)s, %(annotations)s, %(state)s,
    %(value)s, %(active_at)s, %(fired_at)s, %(resolved_at)s, %(last_sent_at)s,
    %(keep_firing_since)s)
ON CONFLICT (owner, rule_group, rule, fingerprint) DO NOTHING;
