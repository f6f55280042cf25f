"""SQL of the data generator."""
