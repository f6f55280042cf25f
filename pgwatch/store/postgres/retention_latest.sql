-- A target or collector that stopped writing keeps its newest rows as long as snapshots.
DELETE FROM {schema}.latest_rows WHERE taken_at < %(horizon)s;
