DELETE FROM {schema}.alert_state;
