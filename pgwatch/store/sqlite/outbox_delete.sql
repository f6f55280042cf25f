DELETE FROM outbox WHERE id = :id;
