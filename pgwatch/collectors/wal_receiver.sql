-- The WAL receiver of a standby (no row on a primary): how far replay trails what was
-- received, and how long since the primary was last heard from.
SELECT COALESCE(w.status, '') AS status,
       COALESCE(w.slot_name, '') AS slot_name,
       COALESCE(w.sender_host, '') AS sender_host,
       w.sender_port,
       w.received_tli AS timeline,
       pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(),
                                  pg_catalog.pg_last_wal_replay_lsn())::float8
           AS replay_lag_bytes,
       pg_catalog.date_part('epoch', now() - w.last_msg_receipt_time) AS last_message_age_seconds,
       pg_catalog.date_part('epoch', now() - pg_catalog.pg_last_xact_replay_timestamp())
           AS replay_delay_seconds
  FROM pg_catalog.pg_stat_wal_receiver AS w
