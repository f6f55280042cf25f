"""A Slack-compatible incoming webhook: one message per notification, one attachment per alert."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pgwatch.alerting.notifiers import Outgoing, mask_url
from pgwatch.alerting.notifiers.webhook import JsonPoster

_COLORS = {"critical": "danger", "warning": "warning", "info": "#439FE0"}


def slack_payload(alerts: Sequence[Outgoing]) -> str:
    firing = [a for a in alerts if a.status == "firing"]
    resolved = len(alerts) - len(firing)
    head = (f"[FIRING:{len(firing)}]" if firing else f"[RESOLVED:{resolved}]")
    names = sorted({a.label("alertname") for a in alerts})
    text = f"{head} {', '.join(names)}" + (f" ({resolved} resolved)" if firing and resolved
                                           else "")
    return json.dumps({"text": text, "attachments": [_attachment(a) for a in alerts]},
                      sort_keys=True)


def _attachment(alert: Outgoing) -> dict[str, object]:
    where = ", ".join(f"{k}={v}" for k, v in alert.labels if k not in ("alertname", "severity"))
    color = "good" if alert.status == "resolved" else _COLORS.get(alert.label("severity"),
                                                                  "warning")
    attachment: dict[str, object] = {
        "color": color,
        "title": f"{alert.status.upper()}: {alert.label('alertname')} "
                 f"({alert.label('severity') or 'no severity'})",
        "text": "\n".join(t for t in (alert.annotation("summary"),
                                      alert.annotation("description"), where) if t),
        "fallback": f"{alert.status}: {alert.label('alertname')} {where}",
    }
    if alert.annotation("runbook_url"):
        attachment["title_link"] = alert.annotation("runbook_url")
    return attachment


class SlackNotifier:
    """POSTs Slack's incoming-webhook JSON to a URL (the URL is the secret)."""

    def __init__(self, name: str, url: str, timeout_s: float) -> None:
        self.name = name
        self._poster = JsonPoster(f"receiver {name} ({mask_url(url)})", url, timeout_s)

    def render(self, alerts: Sequence[Outgoing], now: float) -> str:
        return slack_payload(alerts)

    def deliver(self, payload: str) -> None:
        self._poster.post(payload)

    def close(self) -> None:
        self._poster.close()
