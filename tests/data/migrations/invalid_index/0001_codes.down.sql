-- Drops the table.
DROP TABLE public.codes;
