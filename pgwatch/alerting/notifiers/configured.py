"""Notifiers and routes from the ``alerting`` configuration, secrets read from files or env."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from pgwatch.alerting.notifiers import Notifier
from pgwatch.alerting.notifiers.alertmanager import AlertmanagerNotifier
from pgwatch.alerting.notifiers.email import EmailNotifier, SmtpSettings
from pgwatch.alerting.notifiers.routing import Matcher, Route
from pgwatch.alerting.notifiers.slack import SlackNotifier
from pgwatch.alerting.notifiers.webhook import WebhookNotifier
from pgwatch.config.models import (
    AlertingConfig,
    AlertmanagerConfig,
    EmailTarget,
    ReceiverConfig,
    WebhookTarget,
)
from pgwatch.errors import ConfigError


def alertmanagers(config: AlertingConfig, base_dir: Path) -> list[Notifier]:
    return [_alertmanager(am, base_dir, config.external_url) for am in config.alertmanagers]


def receivers(config: AlertingConfig, base_dir: Path) -> list[tuple[Route, Notifier]]:
    return [(_route(r), _receiver(r, base_dir, config.external_url)) for r in config.receivers]


def _route(receiver: ReceiverConfig) -> Route:
    return Route(receiver.name, tuple(Matcher.parse(m) for m in receiver.matchers),
                 receiver.repeat_interval, receiver.send_resolved)


def _alertmanager(am: AlertmanagerConfig, base_dir: Path, external_url: str) -> Notifier:
    auth = None
    if am.basic_auth is not None:
        secret = _secret(am.basic_auth.password, am.basic_auth.password_file, base_dir,
                         "alerting.alertmanagers.basic_auth")
        auth = (am.basic_auth.username, secret or "")
    return AlertmanagerNotifier(am.url, am.path_prefix, am.timeout, auth, external_url)


def _receiver(receiver: ReceiverConfig, base_dir: Path, external_url: str) -> Notifier:
    where = f"alerting.receivers.{receiver.name}"
    if receiver.email is not None:
        return EmailNotifier(receiver.name, _smtp(receiver.email, base_dir, where))
    hook: WebhookTarget | None = receiver.webhook or receiver.slack
    assert hook is not None  # the model requires exactly one kind
    url = _secret(hook.url, hook.url_file, base_dir, f"{where}.{receiver.kind}") or ""
    if receiver.slack is not None:
        return SlackNotifier(receiver.name, url, hook.timeout)
    return WebhookNotifier(receiver.name, url, hook.timeout, external_url)


def _smtp(email: EmailTarget, base_dir: Path, where: str) -> SmtpSettings:
    password = _secret(email.password, email.password_file, base_dir, f"{where}.email")
    ca_file = email.ca_file
    if ca_file is not None and not ca_file.is_absolute():
        ca_file = base_dir / ca_file
    return SmtpSettings(email.host, email.port, email.sender, tuple(email.to), email.username,
                        password, email.starttls, ca_file, email.timeout)


def _secret(value: SecretStr | None, file: Path | None, base_dir: Path, where: str) -> str | None:
    if value is not None:
        return value.get_secret_value()
    if file is None:
        return None
    path = file if file.is_absolute() else base_dir / file
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {path}: {exc.strerror}") from None
