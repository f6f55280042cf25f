"""Plan analysis: one typed plan tree from any EXPLAIN format, and findings on it."""
