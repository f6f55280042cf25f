SELECT ts, value FROM {schema}.samples
WHERE series_id = %(series_id)s AND ts >= %(since)s AND ts <= %(until)s
ORDER BY ts;
