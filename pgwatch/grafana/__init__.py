"""Grafana dashboards as data, rendered into ``dashboards/`` with their provisioning file."""
