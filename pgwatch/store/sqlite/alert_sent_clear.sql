DELETE FROM alert_sent;
