"""Connections to monitored servers: session settings, pools and the capability probe."""

from pgwatch.db.pool import TargetPool
from pgwatch.db.probe import ServerInfo, check_supported, probe
from pgwatch.db.session import SessionSettings, connect, describe, parse_dsn, redact

__all__ = ["ServerInfo", "SessionSettings", "TargetPool", "check_supported", "connect",
           "describe", "parse_dsn", "probe", "redact"]
