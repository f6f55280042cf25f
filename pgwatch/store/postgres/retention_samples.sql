DELETE FROM {schema}.samples WHERE ts < %(horizon)s;
