"""Where alerts go: Alertmanager's API, a webhook, a Slack incoming webhook, e-mail.

Each notifier renders a payload when a notification is queued (the outbox stores the body,
never a secret) and delivers a stored payload later; a failure raises ``DeliveryError``
whose message names the receiver and shows a URL only as scheme, host and port.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from pgwatch.alerting.model import Labels
from pgwatch.errors import PgwatchError


class DeliveryError(PgwatchError):
    """A receiver did not accept a notification; the outbox keeps it and retries."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert as a receiver is told about it."""

    labels: Labels  # alert labels with the external labels added
    annotations: Labels
    status: str  # "firing" or "resolved"
    starts_at: float
    ends_at: float  # 0: not given
    value: float

    @property
    def fingerprint(self) -> str:
        text = "\x1f".join(f"{k}={v}" for k, v in self.labels)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")

    def annotation(self, name: str) -> str:
        return dict(self.annotations).get(name, "")


class Notifier(Protocol):
    """One receiver: turns alerts into a stored payload, and delivers a payload."""

    name: str  # the receiver as logs and metrics name it (no secret in it)

    def render(self, alerts: Sequence[Outgoing], now: float) -> str:
        """The body to queue for ``alerts``."""

    def deliver(self, payload: str) -> None:
        """Send one queued body; raises ``DeliveryError`` when the receiver refuses it."""

    def close(self) -> None:
        """Release connections."""


def mask_url(url: str) -> str:
    """``https://hooks.example/services/T0/B0/secret?x=1`` -> ``https://hooks.example/…``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<url>"
    tail = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{host}{port}{tail}"


def rfc3339(ts: float) -> str:
    """A Unix time as Alertmanager's API writes it (UTC, milliseconds, ``Z``)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def first_line(exc: BaseException, secret: str = "") -> str:
    """An exception's first line, with ``secret`` (a URL) masked if it appears."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if secret and secret in text:
        text = text.replace(secret, mask_url(secret))
    return text
