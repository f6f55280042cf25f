-- Alerting: the state of every active alert, what each receiver was last told, and the
-- durable outbox of notifications not yet delivered (one ordered queue per receiver).
-- ``owner`` names the pgwatch instance (alerting.instance) when several share a store.
CREATE TABLE {schema}.alert_state (
    owner text NOT NULL DEFAULT '',
    rule_group text NOT NULL,
    rule text NOT NULL,
    fingerprint text NOT NULL,
    labels text NOT NULL,
    annotations text NOT NULL,
    state text NOT NULL,
    value text NOT NULL, -- repr() of the float, as in the SQLite store
    active_at double precision NOT NULL,
    fired_at double precision NOT NULL,
    resolved_at double precision NOT NULL,
    last_sent_at double precision NOT NULL,
    keep_firing_since double precision NOT NULL,
    PRIMARY KEY (owner, rule_group, rule, fingerprint)
);

CREATE TABLE {schema}.alert_sent (
    owner text NOT NULL DEFAULT '',
    receiver text NOT NULL,
    fingerprint text NOT NULL,
    sent_at double precision NOT NULL,
    resolved boolean NOT NULL,
    PRIMARY KEY (owner, receiver, fingerprint)
);

CREATE TABLE {schema}.outbox (
    owner text NOT NULL DEFAULT '',
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    receiver text NOT NULL,
    created_at double precision NOT NULL,
    payload text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL,
    last_error text NOT NULL DEFAULT ''
);

CREATE INDEX outbox_queue ON {schema}.outbox (owner, receiver, id);

INSERT INTO {schema}.schema_version (version, applied_at)
VALUES (3, extract(epoch FROM pg_catalog.now())::bigint);
