-- Drops it.
DROP TABLE public.gap_one;
