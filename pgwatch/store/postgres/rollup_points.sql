SELECT hour, n, min, max, avg, last, increase FROM {schema}.rollups
WHERE series_id = %(series_id)s AND hour >= %(since)s AND hour <= %(until)s
ORDER BY hour;
