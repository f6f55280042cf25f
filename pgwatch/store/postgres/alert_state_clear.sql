DELETE FROM {schema}.alert_state WHERE owner = %(owner)s;
