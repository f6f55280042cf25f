-- Alerting: the state of every active alert, what each receiver was last told, and the
-- durable outbox of notifications not yet delivered (one ordered queue per receiver).
-- ``owner`` names the pgwatch instance (alerting.instance) when several share a store.
CREATE TABLE alert_state (
    owner TEXT NOT NULL DEFAULT '',
    rule_group TEXT NOT NULL,
    rule TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    labels TEXT NOT NULL,
    annotations TEXT NOT NULL,
    state TEXT NOT NULL,
    value TEXT NOT NULL, -- repr() of the float: SQLite would store NaN as NULL
    active_at REAL NOT NULL,
    fired_at REAL NOT NULL,
    resolved_at REAL NOT NULL,
    last_sent_at REAL NOT NULL,
    keep_firing_since REAL NOT NULL,
    PRIMARY KEY (owner, rule_group, rule, fingerprint)
) WITHOUT ROWID;

CREATE TABLE alert_sent (
    owner TEXT NOT NULL DEFAULT '',
    receiver TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    sent_at REAL NOT NULL,
    resolved INTEGER NOT NULL,
    PRIMARY KEY (owner, receiver, fingerprint)
) WITHOUT ROWID;

CREATE TABLE outbox (
    owner TEXT NOT NULL DEFAULT '',
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receiver TEXT NOT NULL,
    created_at REAL NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
);

CREATE INDEX outbox_queue ON outbox (owner, receiver, id);

INSERT INTO schema_version (version, applied_at) VALUES (3, unixepoch());
