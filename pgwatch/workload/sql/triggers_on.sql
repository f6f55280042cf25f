-- Undo triggers_off.sql, in the same transaction as the load.
ALTER TABLE public.activities ENABLE TRIGGER USER;
