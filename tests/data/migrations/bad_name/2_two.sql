-- Not a migration name.
SELECT 1;
