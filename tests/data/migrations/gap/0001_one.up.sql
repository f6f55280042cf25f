-- A table.
CREATE TABLE public.gap_one (id integer PRIMARY KEY);
