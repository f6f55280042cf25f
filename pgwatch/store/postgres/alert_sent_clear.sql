DELETE FROM {schema}.alert_sent WHERE owner = %(owner)s;
