"""The history store a configuration asks for."""

from __future__ import annotations

from pathlib import Path

from pgwatch.config import Config
from pgwatch.store import Store, StorePolicy, open_store


def open_configured_store(config: Config, base_dir: Path) -> Store:
    """The history store the configuration asks for (a relative path is the config's)."""
    settings = config.store
    policy = StorePolicy(raw_retention_s=round(settings.raw_retention),
                         rollup_retention_s=round(settings.rollup_retention),
                         top_n=settings.top_n,
                         min_sample_interval_s=max(1, round(settings.sample_interval)))
    if settings.backend == "postgresql" and settings.dsn:
        return open_store(settings.dsn, policy)
    path = settings.path if settings.path.is_absolute() else base_dir / settings.path
    return open_store(path, policy)
