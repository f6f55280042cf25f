DELETE FROM {schema}.snapshots WHERE taken_at < %(horizon)s;
