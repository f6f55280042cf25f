-- Forgets the step progress of a migration once it is complete in one direction.
DELETE FROM pgwatch_meta.migration_steps WHERE version = %(version)s
