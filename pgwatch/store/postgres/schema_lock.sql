-- Serializes migrations when several pgwatch instances share one store.
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(%(schema)s));
