DELETE FROM {schema}.outbox WHERE id = %(id)s;
