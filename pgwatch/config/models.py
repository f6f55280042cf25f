"""The configuration schema: pydantic models that reject unknown keys and explain bad values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from pgwatch.collectors import registry
from pgwatch.discovery import DatabaseRule, compile_pattern

COLLECTOR_NAMES = registry.NAMES

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """``30``, ``"30s"``, ``"500ms"``, ``"5m"``, ``"1h"``, ``"7d"`` -> seconds."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 30s, 5m, 1h or 7d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"must be a duration such as 30s, 5m, 1h or 7d, not {value!r}")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("must be a positive duration")
    return seconds


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("must be between 1 and 65535")
    return value


Duration = Annotated[float, BeforeValidator(parse_duration)]
Port = Annotated[int, AfterValidator(_port)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,63}$")]


class Section(BaseModel):
    """Every section forbids unknown keys, so a typo is an error and not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # "file:line: key.path" of each key, set by the loader: errors found after loading (an
    # unreadable password file, a bad DSN) then say where the key is.
    _where: dict[str, str] = PrivateAttr(default_factory=dict)

    def location(self, key: str) -> str:
        """Where ``key`` of this section is, ``pgwatch.yaml:16: targets[0].password_file``."""
        return self._where.get(key, key)


class CollectorSettings(Section):
    enabled: bool = True
    interval: Duration | None = None
    timeout: Duration | None = None
    # Keyword arguments of the collector, e.g. pgstattuple: {enabled: true, max_bytes: 1e8}.
    options: dict[str, int | float | bool | str] = Field(default_factory=dict)


def _check_collector_names(value: dict[str, CollectorSettings]) -> dict[str, CollectorSettings]:
    unknown = sorted(set(value) - set(COLLECTOR_NAMES))
    if unknown:
        raise ValueError(f"unknown collector {unknown[0]!r}; known: {', '.join(COLLECTOR_NAMES)}")
    for name, settings in value.items():
        if settings.options:
            try:
                registry.create([name], {name: settings.options})
            except TypeError as exc:
                raise ValueError(f"{name}.options: {exc}") from None
    return value


Collectors = Annotated[dict[str, CollectorSettings], AfterValidator(_check_collector_names)]


class ConnectionSettings(Section):
    statement_timeout: Duration = 5.0
    lock_timeout: Duration = 1.0
    idle_in_transaction_timeout: Duration = 60.0
    connect_timeout: Duration = 5.0
    pool_size: Annotated[int, Field(ge=1, le=20)] = 2
    # Every connection pgwatch opens to the instance, discovered databases included.
    max_connections: Annotated[int, Field(ge=1, le=100)] = 3


def _pattern(value: str) -> str:
    compile_pattern(value)  # raises ValueError naming the pattern
    return value


Pattern = Annotated[str, AfterValidator(_pattern)]


class DatabasesSettings(Section):
    """Watch every database of the instance that these patterns choose (see pgwatch.discovery)."""

    include: list[Pattern] = Field(default_factory=lambda: ["*"])
    exclude: list[Pattern] = Field(default_factory=list)
    max: Annotated[int, Field(ge=1, le=10_000)] = 100
    templates: bool = False
    rediscover: Duration = 300.0

    def rule(self) -> DatabaseRule:
        return DatabaseRule(tuple(self.include), tuple(self.exclude), self.max, self.templates)


class PgBouncerSettings(Section):
    dsn: str
    password: SecretStr | None = None
    password_file: Path | None = None


class TargetConfig(Section):
    """One monitored server: a DSN, or host/port/dbname/user."""

    name: Name
    dsn: str | None = None
    host: str | None = None
    port: Port = 5432
    dbname: str | None = None
    user: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None \
        = None
    pgbouncer: PgBouncerSettings | None = None
    labels: dict[Name, str] = Field(default_factory=dict)
    collectors: Collectors = Field(default_factory=dict)
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)
    # An instance rather than one database: per-database collectors run in each discovered one.
    databases: DatabasesSettings | None = None

    @model_validator(mode="after")
    def _one_way_to_connect(self) -> TargetConfig:
        if self.dsn is None and self.host is None:
            raise ValueError("give either dsn or host")
        if self.dsn is not None and self.host is not None:
            raise ValueError("give either dsn or host, not both")
        if self.password is not None and self.password_file is not None:
            raise ValueError("give either password or password_file, not both")
        return self


class StoreConfig(Section):
    backend: Literal["sqlite", "postgresql"] = "sqlite"
    path: Path = Path("pgwatch.db")
    dsn: str | None = None
    raw_retention: Duration = 7 * 86400.0
    rollup_retention: Duration = 90 * 86400.0
    top_n: Annotated[int, Field(ge=1, le=100_000)] = 20
    # No series is written more often, whatever the collector's interval.
    sample_interval: Duration = 60.0

    @field_validator("sample_interval")
    @classmethod
    def _sample_interval_range(cls, value: float) -> float:
        if not 1.0 <= value <= 3600.0:
            raise ValueError("must be between 1s and 1h")
        return value

    @model_validator(mode="after")
    def _dsn_for_postgresql(self) -> StoreConfig:
        if self.backend == "postgresql" and not self.dsn:
            raise ValueError("backend postgresql needs a dsn")
        return self


class HttpConfig(Section):
    listen: str = Field(default="127.0.0.1:9187", pattern=r"^\[?[0-9A-Za-z.:-]*\]?:\d{1,5}$")
    tls_cert: Path | None = None
    tls_key: Path | None = None
    basic_auth: dict[str, str] = Field(default_factory=dict)
    # /healthz without credentials, for a container's or load balancer's health check
    healthz_without_auth: bool = False

    @field_validator("basic_auth")
    @classmethod
    def _bcrypt_hashes(cls, value: dict[str, str]) -> dict[str, str]:
        for user, digest in value.items():
            if not re.match(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$", digest):
                raise ValueError(f"user {user!r}: must be a bcrypt hash ($2b$...), not a password")
        return value

    @model_validator(mode="after")
    def _cert_and_key(self) -> HttpConfig:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        return self


class MetricsConfig(Section):
    """How much of each target /metrics shows; the rest is summed into __other__ series."""

    statements_top_n: Annotated[int, Field(ge=1, le=10_000)] = 100
    objects_top_n: Annotated[int, Field(ge=1, le=100_000)] = 100
    # pgwatch_statements_baseline_mean_seconds: each statement's mean over this period of the
    # store's history (ending an hour ago), recomputed every baseline_refresh.
    baseline_period: Duration = 7 * 86400.0
    baseline_refresh: Duration = 900.0


class AlertingBasicAuth(Section):
    """Credentials pgwatch sends to an Alertmanager (``password`` may be ``${VAR}``)."""

    username: str
    password: SecretStr | None = None
    password_file: Path | None = None

    @model_validator(mode="after")
    def _one_password(self) -> AlertingBasicAuth:
        if (self.password is None) == (self.password_file is None):
            raise ValueError("give either password or password_file")
        return self


class AlertmanagerConfig(Section):
    url: Annotated[str, Field(pattern=r"^https?://")]
    timeout: Duration = 10.0
    path_prefix: str = ""
    basic_auth: AlertingBasicAuth | None = None


_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$')


def _matcher(value: str) -> str:
    match = _MATCHER.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a matcher such as severity=\"critical\" or "
                         "team=~\"db|ops\"")
    if match.group(2) in ("=~", "!~"):
        try:
            re.compile(match.group(3).strip('"'))
        except re.error as exc:
            raise ValueError(f"{value!r}: bad regular expression: {exc}") from None
    return value


Matcher = Annotated[str, AfterValidator(_matcher)]


class WebhookTarget(Section):
    """An HTTP endpoint; ``url_file`` keeps a URL carrying a token out of the config file."""

    url: SecretStr | None = None
    url_file: Path | None = None
    timeout: Duration = 10.0

    @model_validator(mode="after")
    def _one_url(self) -> WebhookTarget:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("give either url or url_file")
        if self.url is not None and not re.match(r"^https?://", self.url.get_secret_value()):
            raise ValueError("url must start with http:// or https://")
        return self


class EmailTarget(Section):
    """SMTP with STARTTLS (``starttls: false`` only for a local relay) and optional login."""

    host: str
    port: Port = 587
    sender: Annotated[str, Field(alias="from")]
    to: Annotated[list[str], Field(min_length=1)]
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    starttls: bool = True
    ca_file: Path | None = None
    timeout: Duration = 10.0

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _login(self) -> EmailTarget:
        if self.password is not None and self.password_file is not None:
            raise ValueError("give either password or password_file, not both")
        if self.username is None and (self.password or self.password_file):
            raise ValueError("a password needs a username")
        return self


class ReceiverConfig(Section):
    """A direct receiver for teams without Alertmanager: one of webhook, slack or email."""

    name: Name
    matchers: list[Matcher] = Field(default_factory=list)
    repeat_interval: Duration = 4 * 3600.0
    send_resolved: bool = True
    webhook: WebhookTarget | None = None
    slack: WebhookTarget | None = None
    email: EmailTarget | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ReceiverConfig:
        kinds = [k for k in ("webhook", "slack", "email") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of webhook, slack or email")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("webhook", "slack", "email") if getattr(self, k) is not None)


class OutboxConfig(Section):
    """Retries of undelivered notifications, per receiver: exponential back-off with jitter."""

    retry_initial: Duration = 1.0
    retry_max: Duration = 300.0
    max_entries: Annotated[int, Field(ge=10, le=1_000_000)] = 10_000


class AlertingConfig(Section):
    """Rules to evaluate and where alerts go; no rules (the default) means no evaluator."""

    rules: list[Path] = Field(default_factory=list)
    evaluation_interval: Duration = 30.0
    resend_delay: Duration = 60.0
    external_labels: dict[Name, str] = Field(default_factory=dict)
    external_url: str = ""
    alertmanagers: list[AlertmanagerConfig] = Field(default_factory=list)
    # The one-Alertmanager spelling of earlier versions; folded into ``alertmanagers``.
    alertmanager: AlertmanagerConfig | None = None
    receivers: list[ReceiverConfig] = Field(default_factory=list)
    outbox: OutboxConfig = Field(default_factory=OutboxConfig)
    # Whose alert state and outbox these are when several pgwatch share a PostgreSQL store.
    instance: Annotated[str, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _fold_alertmanager(self) -> AlertingConfig:
        names = [r.name for r in self.receivers]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise ValueError(f"receiver name {duplicate!r} is used twice")
        if self.alertmanager is not None:
            object.__setattr__(self, "alertmanagers", [self.alertmanager, *self.alertmanagers])
            object.__setattr__(self, "alertmanager", None)
        hosts = [urlsplit(a.url).netloc.rpartition("@")[2] for a in self.alertmanagers]
        twice = next((h for h in hosts if hosts.count(h) > 1), None)
        if twice:  # each Alertmanager has its own queue, named by its host and port
            raise ValueError(f"alertmanager {twice} is listed twice")
        return self


class ReportsConfig(Section):
    """Scheduled tuning reports: every ``interval`` into ``directory``, the newest ``keep``
    per target kept; each covers the ``window`` before it."""

    directory: Path = Path("reports")
    interval: Duration | None = None
    window: Duration = 86400.0
    keep: Annotated[int, Field(ge=1, le=10_000)] = 30
    forecast_database_bytes: Annotated[float, Field(gt=0)] = 100 * 2.0**30
    forecast_table_bytes: Annotated[float, Field(gt=0)] = 10 * 2.0**30


class Defaults(Section):
    collectors: Collectors = Field(default_factory=dict)
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)


class Config(Section):
    """The whole file."""

    targets: Annotated[list[TargetConfig], Field(min_length=1)]
    defaults: Defaults = Field(default_factory=Defaults)
    store: StoreConfig = Field(default_factory=StoreConfig)
    http: HttpConfig = Field(default_factory=HttpConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    alerting: AlertingConfig = Field(default_factory=AlertingConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)

    def connection_for(self, target: TargetConfig) -> ConnectionSettings:
        """The target's own connection settings, else the defaults."""
        if "connection" in target.model_fields_set:
            return target.connection
        return self.defaults.connection

    def collector_for(self, target: TargetConfig, name: str) -> CollectorSettings:
        """A collector's settings on a target: target keys over defaults over built-ins."""
        merged: dict[str, object] = {}
        for layer in (self.defaults.collectors.get(name), target.collectors.get(name)):
            if layer is not None:
                merged.update({k: getattr(layer, k) for k in layer.model_fields_set
                               if k != "options"})
                merged["options"] = {**merged.get("options", {}), **layer.options}  # type: ignore[dict-item]
        return CollectorSettings.model_validate(merged)

    @model_validator(mode="after")
    def _room_for_databases(self) -> Config:
        for target in self.targets:
            if target.databases is not None and self.connection_for(target).max_connections < 2:
                raise ValueError(f"target {target.name!r}: connection.max_connections must be at "
                                 "least 2 with databases (the instance's own and one taking "
                                 "turns among the databases)")
        return self

    @field_validator("targets")
    @classmethod
    def _unique_names(cls, value: list[TargetConfig]) -> list[TargetConfig]:
        seen: set[str] = set()
        for target in value:
            if target.name in seen:
                raise ValueError(f"target name {target.name!r} is used twice")
            seen.add(target.name)
        return value
