"""pgwatch's PromQL engine: the subset alert rules use, with Prometheus 2.42's semantics.

``parse`` turns text into pgwatch's own AST (refusing what is not supported), ``evaluate``
computes it at one instant over a ``Storage`` such as ``SeriesWindow``. See ``engine`` for
where the semantics are subtle (lookback, staleness, range edges).

Modules: ``parser`` (the one adapter over promql-parser) and ``strict`` (2.42's stricter
number and duration syntax) build ``ast``; ``engine`` evaluates it with ``binops``,
``aggregate`` and ``functions``; ``gomath`` and ``golibm`` compute floats as Go does;
``matchers`` compiles label regexes with RE2; ``storage`` holds ``SeriesWindow``;
``series_notation`` reads promtool's input notation; ``formatting`` prints as Go prints.
"""

from __future__ import annotations

from pgwatch.alerting.promql.analysis import (
    metric_names,
    names_every_metric,
    walk,
    window_needed_ms,
)
from pgwatch.alerting.promql.ast import Expr
from pgwatch.alerting.promql.engine import LOOKBACK_MS, evaluate
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.formatting import format_float_e, format_value
from pgwatch.alerting.promql.matchers import Matcher, MatchOp
from pgwatch.alerting.promql.parser import parse
from pgwatch.alerting.promql.storage import SeriesWindow, Storage, StoredSeries
from pgwatch.alerting.promql.values import (
    STALE_NAN,
    Labels,
    Matrix,
    MatrixSeries,
    Scalar,
    String,
    Value,
    Vector,
    VectorSample,
    is_stale,
    labels_text,
)

__all__ = [
    "LOOKBACK_MS",
    "STALE_NAN",
    "Expr",
    "Labels",
    "MatchOp",
    "Matcher",
    "Matrix",
    "MatrixSeries",
    "PromQLError",
    "Scalar",
    "SeriesWindow",
    "Storage",
    "StoredSeries",
    "String",
    "Value",
    "Vector",
    "VectorSample",
    "evaluate",
    "format_float_e",
    "format_value",
    "is_stale",
    "labels_text",
    "metric_names",
    "names_every_metric",
    "parse",
    "walk",
    "window_needed_ms",
]
