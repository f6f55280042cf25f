"""A generic webhook receiving Alertmanager's webhook payload (version 4), over httpx.

httpx rather than urllib: connection reuse across deliveries, per-request timeouts that
cover connect, read and write, and redirects that are refused instead of followed blindly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import httpx

from pgwatch.alerting.notifiers import DeliveryError, Outgoing, first_line, mask_url, rfc3339

_SUCCESS = range(200, 300)


class JsonPoster:
    """POSTs JSON bodies to one URL; anything but a 2xx answer is a ``DeliveryError``."""

    def __init__(self, where: str, url: str, timeout_s: float,
                 auth: tuple[str, str] | None = None) -> None:
        self.where = where
        self._url = url
        self._client = httpx.Client(timeout=timeout_s, auth=auth, follow_redirects=False,
                                    headers={"User-Agent": "pgwatch"})

    def post(self, body: str) -> None:
        try:
            answer = self._client.post(self._url, content=body.encode(),
                                       headers={"Content-Type": "application/json"})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{self.where}: "
                                f"{first_line(exc, self._url) or type(exc).__name__}") from None
        if answer.status_code not in _SUCCESS:
            detail = " ".join(answer.text.split())[:200]
            raise DeliveryError(f"{self.where}: answered HTTP {answer.status_code}: {detail}")

    def close(self) -> None:
        self._client.close()


def alert_json(alert: Outgoing, generator_url: str = "") -> dict[str, object]:
    return {"status": alert.status, "labels": dict(alert.labels),
            "annotations": dict(alert.annotations), "startsAt": rfc3339(alert.starts_at),
            "endsAt": rfc3339(alert.ends_at) if alert.ends_at else "0001-01-01T00:00:00Z",
            "generatorURL": generator_url, "fingerprint": alert.fingerprint}


def common(alerts: Sequence[Outgoing], which: str) -> dict[str, str]:
    """Labels (or annotations) every alert shares, as Alertmanager's commonLabels."""
    sets: list[Mapping[str, str]] = [dict(getattr(a, which)) for a in alerts]
    if not sets:
        return {}
    shared = dict(sets[0])
    for other in sets[1:]:
        shared = {k: v for k, v in shared.items() if other.get(k) == v}
    return shared


def webhook_payload(receiver: str, alerts: Sequence[Outgoing], external_url: str) -> str:
    status = "firing" if any(a.status == "firing" for a in alerts) else "resolved"
    body = {"version": "4", "groupKey": f"{{}}:{{receiver={receiver!r}}}", "truncatedAlerts": 0,
            "status": status, "receiver": receiver, "groupLabels": {},
            "commonLabels": common(alerts, "labels"),
            "commonAnnotations": common(alerts, "annotations"), "externalURL": external_url,
            "alerts": [alert_json(a) for a in alerts]}
    return json.dumps(body, sort_keys=True)


class WebhookNotifier:
    """POSTs the Alertmanager webhook payload to a URL (which may carry a token)."""

    def __init__(self, name: str, url: str, timeout_s: float, external_url: str = "") -> None:
        self.name = name
        self.external_url = external_url
        self._poster = JsonPoster(f"receiver {name} ({mask_url(url)})", url, timeout_s)

    def render(self, alerts: Sequence[Outgoing], now: float) -> str:
        return webhook_payload(self.name, alerts, self.external_url)

    def deliver(self, payload: str) -> None:
        self._poster.post(payload)

    def close(self) -> None:
        self._poster.close()
