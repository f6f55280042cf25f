"""``pgwatch alerts [--url URL]``: the firing and pending alerts of a running daemon, as a table.

Reads the daemon's ``/api/v1/alerts`` (Prometheus' JSON shape, so ``--url`` may also point
at a Prometheus); credentials for basic auth go in the URL (``http://user:pass@host:9187``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from pgwatch.errors import PgwatchError

DEFAULT_URL = "http://127.0.0.1:9187"
_COLUMNS = ("ALERTNAME", "STATE", "SEVERITY", "LABELS", "ACTIVE FOR", "VALUE", "SUMMARY")
_SUMMARY_WIDTH = 60


class AlertsUnavailableError(PgwatchError):
    """The daemon's alerts could not be read; the message names the URL."""


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts)


def alerts(url: Annotated[str, typer.Option(help="The pgwatch (or Prometheus) to ask.")]
           = DEFAULT_URL) -> None:
    """Firing and pending alerts of a running pgwatch, most urgent first."""
    rows = alert_rows(fetch_alerts(url), datetime.now(UTC).timestamp())
    if not rows:
        typer.echo("no alerts firing or pending")
        return
    for line in table(rows):
        typer.echo(line)


def fetch_alerts(url: str) -> list[dict[str, Any]]:
    import httpx

    where = f"--url {_shown(url)}"
    try:
        answer = httpx.get(url.rstrip("/") + "/api/v1/alerts", timeout=10.0)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
        raise AlertsUnavailableError(f"{where}: not an http(s) URL") from None
    except httpx.HTTPError as exc:
        raise AlertsUnavailableError(f"{where}: cannot connect: {_reason(exc)}") from None
    if answer.status_code != 200:
        raise AlertsUnavailableError(f"{where}: /api/v1/alerts answered HTTP "
                                     f"{answer.status_code}")
    try:
        return list(answer.json()["data"]["alerts"])
    except (ValueError, KeyError, TypeError):
        raise AlertsUnavailableError(f"{where}: /api/v1/alerts is not Prometheus' alerts "
                                     "JSON") from None


def alert_rows(found: list[dict[str, Any]], now: float) -> list[tuple[str, ...]]:
    """One row per alert: firing before pending, then by severity and name."""
    rank = {"critical": 0, "warning": 1, "info": 2}
    ordered = sorted(found, key=lambda a: (a.get("state") != "firing",
                                           rank.get(a["labels"].get("severity", ""), 3),
                                           a["labels"].get("alertname", "")))
    return [_row(a, now) for a in ordered]


def _row(alert: dict[str, Any], now: float) -> tuple[str, ...]:
    labels = dict(alert.get("labels", {}))
    name, severity = labels.pop("alertname", ""), labels.pop("severity", "")
    summary = " ".join(str(alert.get("annotations", {}).get("summary", "")).split())
    if len(summary) > _SUMMARY_WIDTH:
        summary = summary[: _SUMMARY_WIDTH - 1] + "…"
    return (name, str(alert.get("state", "")), severity,
            ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
            _active_for(str(alert.get("activeAt", "")), now), str(alert.get("value", "")),
            summary)


def _active_for(active_at: str, now: float) -> str:
    try:
        since = datetime.fromisoformat(active_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return "?"
    seconds = max(0, int(now - since))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    first = next((i for i, (n, _) in enumerate(parts) if n), len(parts) - 1)
    return "".join(f"{n}{unit}" for n, unit in parts[first:first + 2])  # 3h0m, 12m5s, 4s


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [_COLUMNS, *rows]]


def _shown(url: str) -> str:
    """The URL without credentials, for messages."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
