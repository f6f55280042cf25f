-- Drop the oldest entries of one receiver beyond the newest ones it may keep.
DELETE FROM {schema}.outbox
WHERE owner = %(owner)s AND receiver = %(receiver)s
  AND id <= (SELECT id FROM {schema}.outbox WHERE owner = %(owner)s AND receiver = %(receiver)s
             ORDER BY id DESC OFFSET %(keep)s LIMIT 1);
