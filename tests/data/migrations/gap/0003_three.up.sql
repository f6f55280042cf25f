-- A table.
CREATE TABLE public.gap_three (id integer PRIMARY KEY);
