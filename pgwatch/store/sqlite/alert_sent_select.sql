SELECT receiver, fingerprint, sent_at, resolved FROM alert_sent WHERE owner = :owner;
