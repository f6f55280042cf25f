-- Whether this session may set session_replication_role (superuser only).
SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER;
