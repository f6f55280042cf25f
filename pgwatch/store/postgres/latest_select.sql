-- The rows written last (after a step back of the wall clock they have the earlier taken_at).
SELECT taken_at, body FROM {schema}.latest_rows
WHERE target = %(target)s AND collector = %(collector)s;
