"""Plain or JSON logging for the daemon and the CLI; secrets never reach a log line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, get_args

from pgwatch.errors import PgwatchError

LogFormat = Literal["plain", "json"]
LOG_LEVELS = ("debug", "info", "warning", "error")
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup_logging(fmt: str = "plain", level: str = "INFO") -> None:
    """Send pgwatch's logs to stderr in the chosen format; quiet the chatty libraries."""
    if fmt.lower() not in get_args(LogFormat):
        raise PgwatchError(f"log format {fmt!r}: choose plain or json")
    if level.lower() not in LOG_LEVELS:
        raise PgwatchError(f"log level {level!r}: choose one of {', '.join(LOG_LEVELS)}")
    handler = logging.StreamHandler(sys.stderr)
    if fmt.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The pool logs each failed reconnection on two lines; the daemon already says, once and
    # in one line, that the target is down and when it is back.
    debug = level.lower() == "debug"
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING if debug else logging.ERROR)
