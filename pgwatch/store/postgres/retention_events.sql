DELETE FROM {schema}.events WHERE at < %(horizon)s;
