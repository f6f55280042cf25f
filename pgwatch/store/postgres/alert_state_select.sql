SELECT rule_group, rule, labels, annotations, state, value, active_at, fired_at,
       resolved_at, last_sent_at, keep_firing_since
FROM {schema}.alert_state
WHERE %(owner)s::text IS NULL OR owner = %(owner)s
ORDER BY rule_group, rule, fingerprint;
