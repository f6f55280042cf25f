SELECT rule_group, rule, labels, annotations, state, value, active_at, fired_at,
       resolved_at, last_sent_at, keep_firing_since
FROM alert_state
WHERE :owner IS NULL OR owner = :owner
ORDER BY rule_group, rule, fingerprint;
