SELECT rule_group, rule, labels, annotations, state, value, active_at, fired_at,
       resolved_at, last_sent_at, keep_firing_since
FROM alert_state
ORDER BY rule_group, rule, fingerprint;
