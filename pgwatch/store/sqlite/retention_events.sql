DELETE FROM events WHERE at < :horizon;
