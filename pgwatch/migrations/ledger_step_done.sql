-- Records one finished step of an incomplete migration.
INSERT INTO pgwatch_meta.migration_steps (version, direction, step, checksum)
VALUES (%(version)s, %(direction)s, %(step)s, %(checksum)s)
ON CONFLICT (version, direction, step) DO UPDATE SET checksum = EXCLUDED.checksum
