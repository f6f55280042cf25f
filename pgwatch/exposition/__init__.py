"""Prometheus exposition of the latest snapshots, and the HTTP listener that serves it."""
