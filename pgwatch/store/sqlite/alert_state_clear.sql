DELETE FROM alert_state WHERE owner = :owner;
