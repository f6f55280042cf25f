DELETE FROM alert_sent WHERE owner = :owner;
