DELETE FROM snapshots WHERE taken_at < :horizon;
