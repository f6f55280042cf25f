"""Alerting: rules in Prometheus' format, evaluated over the series /metrics exposes.

``promql/`` parses and evaluates expressions over a window of series; ``rules`` loads rule
files; ``state`` runs each rule's pending -> firing -> resolved life cycle; ``templates``
expands labels and annotations; ``unittest`` reads and runs promtool's rule unit tests;
delivery (outbox and notifiers) consumes the ``Alert`` values those produce.
"""
