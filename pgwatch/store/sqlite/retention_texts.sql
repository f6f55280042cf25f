DELETE FROM texts WHERE last_used < :horizon;
