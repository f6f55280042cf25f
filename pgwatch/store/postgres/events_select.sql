SELECT target, kind, subject, detail, at FROM {schema}.events
WHERE (%(target)s::text IS NULL OR target = %(target)s::text)
  AND (%(kind)s::text IS NULL OR kind = %(kind)s::text)
  AND at >= %(since)s AND at <= %(until)s
ORDER BY at, id
LIMIT %(limit)s;
