DELETE FROM alert_state;
