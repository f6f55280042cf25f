"""The JSON file ``pgwatch bench --json`` writes and ``--baseline`` reads back.

``{"format": "pgwatch-bench", "version": 2, ...}``: a file without these two keys, or with
other values, is refused with one line naming the file (exit status 2) rather than
compared field by field with something it is not. Version 2 added each scenario's ``form``
("live" or "tuned") and the run's ``refresh_seconds``; a version 1 file is still read, every
row of it a live form.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pgwatch.errors import PgwatchError
from pgwatch.workload import stats
from pgwatch.workload.catalog import LIVE_SUFFIX
from pgwatch.workload.results import BenchRun, PhaseResult, ScenarioResult

FORMAT = "pgwatch-bench"
VERSION = 2
READABLE_VERSIONS = (1, 2)


class BaselineError(PgwatchError):
    """A baseline file cannot be read or is not a pgwatch-bench file of a known version."""


def to_json(run: BenchRun) -> dict[str, Any]:
    """The document for ``run``; NaN (a scenario without successful calls) becomes null."""
    body = asdict(run)
    for phase in body["phases"]:
        for scenario in phase["scenarios"]:
            for key, value in scenario.items():
                if isinstance(value, float) and math.isnan(value):
                    scenario[key] = None
    return {"format": FORMAT, "version": VERSION, **body}


def write(run: BenchRun, path: Path) -> None:
    """Write ``run`` to ``path`` as indented JSON."""
    path.write_text(json.dumps(to_json(run), indent=1) + "\n", encoding="utf-8")


def load(path: Path) -> BenchRun:
    """Read a results file (a baseline, or a side of compare-scales), or raise BaselineError
    naming the file and what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read bench results: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a JSON bench results file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise BaselineError(f"{path}: not a pgwatch bench results file (format {found!r}, "
                            f"expected {FORMAT!r})")
    if document.get("version") not in READABLE_VERSIONS:
        raise BaselineError(f"{path}: bench results format version {document.get('version')!r} is "
                            "not supported (this pgwatch reads versions "
                            f"{', '.join(map(str, READABLE_VERSIONS))})")
    try:
        return _run(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{path}: malformed bench results: "
                            f"{type(exc).__name__} {exc}") from None


def _run(document: dict[str, Any]) -> BenchRun:
    phases = tuple(PhaseResult(str(phase["name"]),
                               tuple(_scenario(item) for item in phase["scenarios"]))
                   for phase in document["phases"])
    if not phases:
        raise ValueError("no phases")
    return BenchRun(str(document["created_at"]), str(document["server_version"]),
                    float(document["scale"]), float(document["duration_s"]),
                    int(document["concurrency"]),
                    None if document.get("load_seconds") is None
                    else float(document["load_seconds"]),
                    phases, {str(k): int(v) for k, v in document.get("rows", {}).items()},
                    None if document.get("migrate_seconds") is None
                    else float(document["migrate_seconds"]),
                    {str(k): float(v) for k, v in document.get("refresh_seconds", {}).items()})


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _scenario(item: dict[str, Any]) -> ScenarioResult:
    return ScenarioResult(
        str(item["name"]), str(item["category"]), int(item["calls"]), int(item["errors"]),
        float(item["seconds"]), _number(item["p50_ms"]), _number(item["p95_ms"]),
        _number(item["p99_ms"]), _number(item["mean_ms"]), float(item["throughput_per_s"]),
        str(item["grade"]), tuple(float(v) for v in item["samples_ms"]),
        str(item.get("first_error", "")), _form(item.get("form", "live")))


def _form(value: Any) -> str:
    if value not in ("live", "tuned"):
        raise ValueError(f"form {value!r} is neither 'live' nor 'tuned'")
    return str(value)


def _key(result: ScenarioResult) -> tuple[str, str]:
    return result.name.removesuffix(LIVE_SUFFIX), result.form


@dataclass(frozen=True, slots=True)
class ScenarioVerdict:
    """A scenario of the new run set against the same scenario in the baseline."""

    name: str
    baseline_p50_ms: float
    current_p50_ms: float
    comparison: stats.Comparison


def compare(current: BenchRun, baseline: BenchRun, *, alpha: float = stats.DEFAULT_ALPHA,
            min_slowdown: float = stats.DEFAULT_MIN_SLOWDOWN) -> list[ScenarioVerdict]:
    """Compare the last phase of both runs, scenario by scenario, the same form with itself.

    ``x:live`` and a live ``x`` are the same query, so an older run's live ``x`` is compared
    with a newer run's ``x:live``; a tuned form is only compared with a tuned form.
    """
    old_rows = {_key(r): r for r in baseline.last.scenarios}
    verdicts = []
    for result in current.last.scenarios:
        old = old_rows.get(_key(result))
        if old is None:
            continue
        verdict = stats.compare(result.samples_ms, old.samples_ms, alpha=alpha,
                                min_slowdown=min_slowdown)
        verdicts.append(ScenarioVerdict(result.name, old.p50_ms, result.p50_ms, verdict))
    return verdicts
