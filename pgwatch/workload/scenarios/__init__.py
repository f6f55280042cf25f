"""The scenario catalog: one .sql file per named scenario."""
