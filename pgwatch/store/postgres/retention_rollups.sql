DELETE FROM {schema}.rollups WHERE hour < %(horizon)s;
