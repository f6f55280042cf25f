-- Enforces unique codes without blocking writers; fails while duplicates exist and leaves the
-- index INVALID.

-- pgwatch:step
CREATE TABLE public.code_audit (id integer PRIMARY KEY);

-- pgwatch:step no-transaction
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS codes_code_unique ON public.codes (code);

-- pgwatch:step
COMMENT ON TABLE public.codes IS 'codes are unique';
