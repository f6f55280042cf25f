-- Drop the oldest entries of one receiver beyond the newest ones it may keep.
DELETE FROM outbox
WHERE receiver = :receiver
  AND id <= (SELECT id FROM outbox WHERE receiver = :receiver
             ORDER BY id DESC LIMIT 1 OFFSET :keep);
