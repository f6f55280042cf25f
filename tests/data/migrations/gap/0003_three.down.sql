-- Drops it.
DROP TABLE public.gap_three;
