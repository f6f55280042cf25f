"""E-mail over SMTP with STARTTLS and login, through the standard library's smtplib.

smtplib rather than a third-party client: it speaks STARTTLS and AUTH (PLAIN/LOGIN/CRAM-MD5),
works with ``ssl.create_default_context()`` for certificate checks, and needs no dependency.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from pgwatch.alerting.notifiers import DeliveryError, Outgoing, first_line, rfc3339


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    username: str | None
    password: str | None = field(repr=False)  # never in a log line or a traceback
    starttls: bool = True
    ca_file: Path | None = None
    timeout_s: float = 10.0


def email_payload(alerts: Sequence[Outgoing]) -> str:
    """Subject and plain-text body, as the outbox stores them."""
    firing = sum(a.status == "firing" for a in alerts)
    names = ", ".join(sorted({a.label("alertname") for a in alerts}))
    subject = (f"[FIRING:{firing}] {names}" if firing else f"[RESOLVED] {names}")
    return json.dumps({"subject": subject, "text": "\n\n".join(_block(a) for a in alerts)})


def _block(alert: Outgoing) -> str:
    lines = [f"{alert.status.upper()}: {alert.label('alertname')}",
             *(f"  {k}: {v}" for k, v in alert.labels if k != "alertname"),
             f"  since: {rfc3339(alert.starts_at)}"]
    if alert.status == "resolved" and alert.ends_at:
        lines.append(f"  resolved: {rfc3339(alert.ends_at)}")
    lines.extend(f"  {k}: {v}" for k, v in alert.annotations)
    return "\n".join(lines)


class EmailNotifier:
    """Sends one message per notification to the configured recipients."""

    def __init__(self, name: str, settings: SmtpSettings) -> None:
        self.name = name
        self.settings = settings

    def render(self, alerts: Sequence[Outgoing], now: float) -> str:
        return email_payload(alerts)

    def deliver(self, payload: str) -> None:
        body = json.loads(payload)
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.to)
        message["Subject"] = body["subject"]
        message.set_content(body["text"])
        where = f"receiver {self.name}: smtp {self.settings.host}:{self.settings.port}"
        try:
            self._send(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{where}: login as {self.settings.username!r} refused: "
                                f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{where}: {first_line(exc)}") from None

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            smtp.ehlo()
            if s.starttls:
                context = ssl.create_default_context(
                    cafile=str(s.ca_file) if s.ca_file else None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(message)

    def close(self) -> None:
        """Nothing held: each delivery opens its own connection."""


def _text(raw: bytes | str) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())
