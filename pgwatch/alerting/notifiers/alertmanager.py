"""Alertmanager's API v2: ``POST /api/v2/alerts`` with the alerts Prometheus would send."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pgwatch.alerting.notifiers import Outgoing, mask_url, rfc3339
from pgwatch.alerting.notifiers.webhook import JsonPoster


def alertmanager_payload(alerts: Sequence[Outgoing], generator_url: str) -> str:
    """The JSON list of postable alerts (startsAt, endsAt, labels, annotations)."""
    body = [{"labels": dict(a.labels), "annotations": dict(a.annotations),
             "startsAt": rfc3339(a.starts_at), "endsAt": rfc3339(a.ends_at),
             "generatorURL": generator_url} for a in alerts]
    return json.dumps(body, sort_keys=True)


def alerts_url(url: str, path_prefix: str) -> str:
    prefix = path_prefix.strip("/")
    return url.rstrip("/") + (f"/{prefix}" if prefix else "") + "/api/v2/alerts"


class AlertmanagerNotifier:
    """One Alertmanager of the configured set (each gets every alert, as Prometheus does)."""

    def __init__(self, url: str, path_prefix: str, timeout_s: float,
                 auth: tuple[str, str] | None = None, generator_url: str = "") -> None:
        self.name = f"alertmanager {mask_url(url).removesuffix('/…')}"
        self.generator_url = generator_url
        self._poster = JsonPoster(self.name, alerts_url(url, path_prefix), timeout_s, auth)

    def render(self, alerts: Sequence[Outgoing], now: float) -> str:
        return alertmanager_payload(alerts, self.generator_url)

    def deliver(self, payload: str) -> None:
        self._poster.post(payload)

    def close(self) -> None:
        self._poster.close()
