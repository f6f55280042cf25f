"""Mile Quest workload: data generator, scenario catalog, benchmark harness, baselines."""
