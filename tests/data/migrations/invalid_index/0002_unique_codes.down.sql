-- Undoes the unique index.

-- pgwatch:step
COMMENT ON TABLE public.codes IS NULL;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.codes_code_unique;

-- pgwatch:step
DROP TABLE public.code_audit;
