-- Drop the oldest entries of one receiver beyond the newest ones it may keep.
DELETE FROM outbox
WHERE owner = :owner AND receiver = :receiver
  AND id <= (SELECT id FROM outbox WHERE owner = :owner AND receiver = :receiver
             ORDER BY id DESC LIMIT 1 OFFSET :keep);
