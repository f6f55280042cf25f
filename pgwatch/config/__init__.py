"""Configuration: the schema, the YAML loader and what a target's settings turn into."""

from pgwatch.config.loader import format_key_path, load_config
from pgwatch.config.models import COLLECTOR_NAMES, Config, TargetConfig, parse_duration
from pgwatch.config.targets import pgbouncer_dsn, session_settings, target_dsn

__all__ = ["COLLECTOR_NAMES", "Config", "TargetConfig", "format_key_path", "load_config",
           "parse_duration", "pgbouncer_dsn", "session_settings", "target_dsn"]
