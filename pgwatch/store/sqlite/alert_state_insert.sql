INSERT OR IGNORE INTO alert_state (owner, rule_group, rule, fingerprint, labels, annotations, state,
    value, active_at, fired_at, resolved_at, last_sent_at, keep_firing_since)
VALUES (:owner, :rule_group, :rule, :fingerprint, :labels, :annotations, :state,
    :value, :active_at, :fired_at, :resolved_at, :last_sent_at, :keep_firing_since);
