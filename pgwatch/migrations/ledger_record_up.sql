-- Records a migration as applied.
INSERT INTO pgwatch_meta.schema_migrations
    (version, name, up_checksum, down_checksum, duration_ms)
VALUES (%(version)s, %(name)s, %(up_checksum)s, %(down_checksum)s, %(duration_ms)s)
