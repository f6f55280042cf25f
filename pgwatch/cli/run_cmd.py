"""``pgwatch run -c FILE``: the daemon in the foreground until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Annotated, Literal

import typer

from pgwatch.log import LogFormat, setup_logging

LogLevel = Literal["debug", "info", "warning", "error"]
log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    config: Annotated[Path, typer.Option("--config", "-c", help="pgwatch config file.")],
    log_format: Annotated[LogFormat, typer.Option(
        "--log-format", case_sensitive=False,
        help="plain or json (one object per line).")] = "plain",
    log_level: Annotated[LogLevel, typer.Option(
        "--log-level", case_sensitive=False, help="The least severe level logged.")]
    = "info",
    duration: Annotated[float, typer.Option(help="Stop after this many seconds (0: never).",
                                            min=0)] = 0,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="I/N: watch only the targets shard I of N owns (rendezvous hashing "
        "of the target names; see docs/scale-out.md).")] = None,
) -> None:
    """Collect on schedule, keep history and serve /metrics. SIGHUP reloads the config and
    the rule files."""
    from pgwatch.memory import limit_malloc_arenas
    from pgwatch.service import Service
    from pgwatch.sharding import Shard
    from pgwatch.shutdown import stop_event

    owned = Shard.parse(shard) if shard is not None else None
    setup_logging(log_format, log_level)
    limit_malloc_arenas()
    service = Service.from_config(config, shard=owned)
    with stop_event() as stop, stop_event(signal.SIGHUP) as hangup:
        service.start()
        try:
            service.run_until(stop, hangup, duration)
        finally:
            # Collections under way finish first; jobs still waiting for their turn give it
            # up, so a target that is down costs at most one connect_timeout.
            log.info("stopping: waiting for the collections under way")
            service.stop()
