"""Turning a target's configuration into a connection string and session settings."""

from __future__ import annotations

from pathlib import Path

from psycopg.conninfo import make_conninfo

from pgwatch.config.models import ConnectionSettings, TargetConfig
from pgwatch.db.session import SessionSettings, parse_dsn
from pgwatch.errors import ConfigError


def target_dsn(target: TargetConfig, base_dir: Path | None = None) -> str:
    """The libpq DSN for ``target``, with its password resolved from ``password_file``."""
    if target.dsn is not None:
        params: dict[str, str | int] = dict(parse_dsn(target.dsn, target.location("dsn")))
    else:
        params = {"host": target.host or "localhost", "port": target.port}
        if target.dbname:
            params["dbname"] = target.dbname
        if target.user:
            params["user"] = target.user
    if target.sslmode:
        params["sslmode"] = target.sslmode
    if target.password is not None:
        # An empty one (${PGWATCH_PASSWORD:-} unset) is none: libpq then reads ~/.pgpass.
        if target.password.get_secret_value():
            params["password"] = target.password.get_secret_value()
    elif target.password_file is not None:
        params["password"] = read_password_file(target.password_file, base_dir,
                                                target.location("password_file"))
    return make_conninfo("", **params)


def pgbouncer_dsn(target: TargetConfig, base_dir: Path | None = None) -> str | None:
    """The DSN of the target's PgBouncer admin console, or None when it has none."""
    bouncer = target.pgbouncer
    if bouncer is None:
        return None
    params: dict[str, str | int] = dict(parse_dsn(bouncer.dsn, bouncer.location("dsn")))
    if bouncer.password is not None:
        if bouncer.password.get_secret_value():
            params["password"] = bouncer.password.get_secret_value()
    elif bouncer.password_file is not None:
        params["password"] = read_password_file(bouncer.password_file, base_dir,
                                                bouncer.location("password_file"))
    return make_conninfo("", **params)


def read_password_file(path: Path, base_dir: Path | None, where: str) -> str:
    """The first line of a password file (relative paths are relative to the config file).

    ``where`` is the key's location, ``pgwatch.yaml:16: targets[0].password_file``.
    """
    full = path if path.is_absolute() or base_dir is None else base_dir / path
    try:
        lines = full.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{where}: cannot read {full}: {reason}") from None
    if not lines or not lines[0]:
        raise ConfigError(f"{where}: {full} is empty (the password is its first line)")
    return lines[0]


def session_settings(connection: ConnectionSettings) -> SessionSettings:
    """Map the configured timeouts (seconds) onto the session's (milliseconds)."""
    return SessionSettings(
        statement_timeout_ms=round(connection.statement_timeout * 1000),
        lock_timeout_ms=round(connection.lock_timeout * 1000),
        idle_in_transaction_timeout_ms=round(connection.idle_in_transaction_timeout * 1000),
        connect_timeout_s=max(1, round(connection.connect_timeout)),
    )
