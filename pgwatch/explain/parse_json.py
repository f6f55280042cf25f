"""``EXPLAIN (FORMAT JSON)`` output (any options) into a ``Plan``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from pgwatch.explain.plan import Buffers, Jit, Node, Plan, PlanError, Trigger, Wal

# Keys read into typed fields; anything else a node carries is kept in ``Node.extra``.
_STR_FIELDS = {
    "Parent Relationship": "parent_relationship", "Subplan Name": "subplan_name",
    "Relation Name": "relation", "Schema": "schema", "Alias": "alias",
    "Index Name": "index_name", "CTE Name": "cte_name", "Function Name": "function_name",
    "Join Type": "join_type", "Strategy": "strategy", "Partial Mode": "partial_mode",
    "Scan Direction": "scan_direction", "Filter": "filter", "Join Filter": "join_filter",
    "Index Cond": "index_cond", "Recheck Cond": "recheck_cond", "Hash Cond": "hash_cond",
    "Merge Cond": "merge_cond", "One-Time Filter": "one_time_filter",
    "Sort Method": "sort_method", "Sort Space Type": "sort_space_type",
}
_FLOAT_FIELDS = {
    "Startup Cost": "startup_cost", "Total Cost": "total_cost", "Plan Rows": "plan_rows",
    "Actual Startup Time": "actual_startup_ms", "Actual Total Time": "actual_total_ms",
    "Actual Rows": "actual_rows", "Rows Removed by Filter": "rows_removed_by_filter",
    "Rows Removed by Join Filter": "rows_removed_by_join_filter",
    "Rows Removed by Index Recheck": "rows_removed_by_index_recheck",
    "Heap Fetches": "heap_fetches", "Exact Heap Blocks": "exact_heap_blocks",
    "Lossy Heap Blocks": "lossy_heap_blocks",
}
_INT_FIELDS = {
    "Plan Width": "plan_width", "Actual Loops": "actual_loops",
    "Sort Space Used": "sort_space_kb", "Hash Buckets": "hash_buckets",
    "Original Hash Buckets": "original_hash_buckets", "Hash Batches": "hash_batches",
    "Original Hash Batches": "original_hash_batches", "Peak Memory Usage": "peak_memory_kb",
    "HashAgg Batches": "hash_batches", "Disk Usage": "disk_usage_kb",
    "Workers Planned": "workers_planned", "Workers Launched": "workers_launched",
}
_LIST_FIELDS = {"Output": "output", "Sort Key": "sort_key", "Presorted Key": "presorted_key",
                "Group Key": "group_key"}
BUFFER_KEYS = {
    "Shared Hit Blocks": "shared_hit", "Shared Read Blocks": "shared_read",
    "Shared Dirtied Blocks": "shared_dirtied", "Shared Written Blocks": "shared_written",
    "Local Hit Blocks": "local_hit", "Local Read Blocks": "local_read",
    "Local Dirtied Blocks": "local_dirtied", "Local Written Blocks": "local_written",
    "Temp Read Blocks": "temp_read", "Temp Written Blocks": "temp_written",
}
# PostgreSQL 17 renamed "I/O Read Time" to "Shared I/O Read Time" and added local ones.
_IO_KEYS = {
    "I/O Read Time": "io_read_ms", "Shared I/O Read Time": "io_read_ms",
    "I/O Write Time": "io_write_ms", "Shared I/O Write Time": "io_write_ms",
    "Temp I/O Read Time": "temp_io_read_ms", "Temp I/O Write Time": "temp_io_write_ms",
}
_WAL_KEYS = {"WAL Records": "records", "WAL FPI": "fpi", "WAL Bytes": "bytes"}
_CONSUMED = {"Node Type", "Plans", "Parallel Aware", *_STR_FIELDS, *_FLOAT_FIELDS,
             *_INT_FIELDS, *_LIST_FIELDS, *BUFFER_KEYS, *_IO_KEYS, *_WAL_KEYS}


def parse(text: str, *, source: str, first_line: int = 1) -> Plan:
    """Parse the JSON document EXPLAIN printed (a one-element array, or auto_explain's object).

    ``first_line`` is the number of the text's first line in the file, for error messages.
    """
    try:
        document = json.loads(text)
    except RecursionError:
        raise PlanError(f"{source}: JSON nested too deeply to be a plan") from None
    except json.JSONDecodeError as exc:
        line = exc.lineno + first_line - 1
        raise PlanError(f"{source}: line {line}: not valid JSON ({exc.msg}); "
                        "truncated or not EXPLAIN (FORMAT JSON) output") from None
    return from_document(document, source=source)


def from_document(document: Any, *, source: str) -> Plan:
    """A plan from decoded JSON: ``[{"Plan": ...}]`` or ``{"Plan": ...}``."""
    try:
        return _from_document(document, source)
    except PlanError:
        raise
    except RecursionError:
        raise PlanError(f"{source}: plan nested too deeply") from None
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        # EXPLAIN writes numbers, strings, lists and objects where this reads them.
        raise PlanError(f"{source}: not EXPLAIN (FORMAT JSON) output: a value of the wrong "
                        f"type ({exc})") from None


def _from_document(document: Any, source: str) -> Plan:
    if isinstance(document, list):
        if len(document) != 1:
            raise PlanError(f"{source}: expected one EXPLAIN result, found {len(document)}")
        document = document[0]
    if not isinstance(document, dict) or not isinstance(document.get("Plan"), dict):
        raise PlanError(f"{source}: JSON without a \"Plan\" object: not EXPLAIN (FORMAT JSON)")
    counter = itertools.count()
    return Plan(
        root=_node(document["Plan"], counter, source),
        source=source,
        format="json",
        planning_ms=_opt_float(document.get("Planning Time")),
        execution_ms=_opt_float(document.get("Execution Time")),
        jit=_jit(document.get("JIT")),
        settings=tuple((str(k), str(v)) for k, v in (document.get("Settings") or {}).items()),
        triggers=tuple(_trigger(t) for t in document.get("Triggers") or ()),
        planning_buffers=_buffers(document.get("Planning") or {}),
        query_text=document.get("Query Text"),
        extra=tuple((k, json.dumps(v)) for k, v in document.items()
                    if k not in {"Plan", "Planning Time", "Execution Time", "JIT", "Settings",
                                 "Triggers", "Planning", "Query Text"}),
    )


def _node(raw: Mapping[str, Any], counter: Iterator[int], source: str) -> Node:
    node_type = raw.get("Node Type")
    if not isinstance(node_type, str):
        raise PlanError(f"{source}: a plan node without \"Node Type\"")
    node_id = next(counter)
    values: dict[str, Any] = {}
    for key, name in _STR_FIELDS.items():
        if key in raw and raw[key] is not None:
            values[name] = str(raw[key])
    for key, name in _FLOAT_FIELDS.items():
        if key in raw:
            values[name] = _opt_float(raw[key])
    for key, name in _INT_FIELDS.items():
        if key in raw:
            values[name] = _opt_int(raw[key])
    for key, name in _LIST_FIELDS.items():
        if isinstance(raw.get(key), list):
            values[name] = tuple(str(item) for item in raw[key])
    loops = values.get("actual_loops")
    children = tuple(_node(child, counter, source) for child in raw.get("Plans") or ())
    return Node(
        node_id=node_id, node_type=node_type, parallel_aware=bool(raw.get("Parallel Aware")),
        never_executed=loops == 0, buffers=_buffers(raw), wal=_wal(raw),
        extra=tuple((k, _text(v)) for k, v in raw.items() if k not in _CONSUMED),
        children=children, **values,
    )


def _buffers(raw: Mapping[str, Any]) -> Buffers | None:
    values: dict[str, Any] = {name: int(raw[key]) for key, name in BUFFER_KEYS.items()
                              if key in raw}
    values.update((name, float(raw[key])) for key, name in _IO_KEYS.items() if key in raw)
    return Buffers(**values) if values else None


def _wal(raw: Mapping[str, Any]) -> Wal | None:
    values = {name: int(raw[key]) for key, name in _WAL_KEYS.items() if key in raw}
    return Wal(**values) if values else None


def _jit(raw: Any) -> Jit | None:
    if not isinstance(raw, dict):
        return None
    timing = raw.get("Timing") or {}
    options = raw.get("Options") or {}
    generation = timing.get("Generation")
    # PostgreSQL 17 made Generation an object with its Deform part and Total.
    if isinstance(generation, dict):
        generation = generation.get("Total")
    return Jit(
        functions=int(raw.get("Functions") or 0),
        generation_ms=_opt_float(generation),
        inlining_ms=_opt_float(timing.get("Inlining")),
        optimization_ms=_opt_float(timing.get("Optimization")),
        emission_ms=_opt_float(timing.get("Emission")),
        total_ms=_opt_float(timing.get("Total")),
        inlining=options.get("Inlining"),
        optimization=options.get("Optimization"),
    )


def _trigger(raw: Mapping[str, Any]) -> Trigger:
    return Trigger(name=str(raw.get("Trigger Name", "?")), relation=raw.get("Relation"),
                   time_ms=_opt_float(raw.get("Time")), calls=_opt_int(raw.get("Calls")),
                   constraint=raw.get("Constraint Name"))


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
