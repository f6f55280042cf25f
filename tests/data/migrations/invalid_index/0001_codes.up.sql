-- A table whose codes are meant to be unique, though nothing enforces it yet.
CREATE TABLE public.codes (id integer PRIMARY KEY, code text NOT NULL);
