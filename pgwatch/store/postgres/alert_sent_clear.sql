DELETE FROM {schema}.alert_sent;
