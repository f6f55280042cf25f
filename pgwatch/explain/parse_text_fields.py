"""The ``Key: value`` lines of a text plan: a node's details and the plan's trailer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pgwatch.explain.plan import PlanError

_CONDITIONS = {
    "Filter": "filter", "Join Filter": "join_filter", "Index Cond": "index_cond",
    "Recheck Cond": "recheck_cond", "Hash Cond": "hash_cond", "Merge Cond": "merge_cond",
    "One-Time Filter": "one_time_filter",
}
_NUMBERS = {
    "Rows Removed by Filter": "rows_removed_by_filter",
    "Rows Removed by Join Filter": "rows_removed_by_join_filter",
    "Rows Removed by Index Recheck": "rows_removed_by_index_recheck",
    "Heap Fetches": "heap_fetches",
}
_COUNTS = {"Workers Planned": "workers_planned", "Workers Launched": "workers_launched"}
_LISTS = {"Output": "output", "Sort Key": "sort_key", "Presorted Key": "presorted_key",
          "Group Key": "group_key"}
_BUFFER_WORDS = {("shared", "hit"): "shared_hit", ("shared", "read"): "shared_read",
                 ("shared", "dirtied"): "shared_dirtied", ("shared", "written"): "shared_written",
                 ("local", "hit"): "local_hit", ("local", "read"): "local_read",
                 ("local", "dirtied"): "local_dirtied", ("local", "written"): "local_written",
                 ("temp", "read"): "temp_read", ("temp", "written"): "temp_written"}
_IO_WORDS = {("shared", "read"): "io_read_ms", ("shared", "write"): "io_write_ms",
             ("temp", "read"): "temp_io_read_ms", ("temp", "write"): "temp_io_write_ms"}
_SIZE = re.compile(r"(\d+)kB")
_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9 /()-]*?):(?:\s+(?P<value>.*))?$")


def split_key(text: str) -> tuple[str, str] | None:
    """``("Filter", "(a = 1)")`` from ``Filter: (a = 1)``; None when the line has no key."""
    match = _KEY.match(text.strip())
    if match is None:
        return None
    return match.group("key"), (match.group("value") or "").strip()


def node_fields(key: str, value: str, where: str) -> dict[str, Any] | None:
    """Typed fields for one detail line of a node; None when pgwatch keeps it as extra."""
    if key in _CONDITIONS:
        return {_CONDITIONS[key]: value}
    try:
        if key in _NUMBERS:
            return {_NUMBERS[key]: float(value)}
        if key in _COUNTS:
            return {_COUNTS[key]: int(value)}
        reader = _READERS.get(key)
    except ValueError:
        raise PlanError(f"{where}: {key}: not a number: {value!r}") from None
    if key in _LISTS:
        return {_LISTS[key]: tuple(split_list(value))}
    if reader is None:
        return None
    return reader(value, where)


def _sort_method(value: str, where: str) -> dict[str, Any]:
    # "quicksort  Memory: 25kB", "external merge  Disk: 1208kB"
    method, _, rest = value.partition("  ")
    fields: dict[str, Any] = {"sort_method": method.strip()}
    space = re.search(r"(Memory|Disk):\s*(\d+)kB", rest)
    if space:
        fields["sort_space_type"] = space.group(1)
        fields["sort_space_kb"] = int(space.group(2))
    return fields


def _buckets(value: str, where: str) -> dict[str, Any]:
    # "Buckets: 131072 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 3841kB"
    text = f"Buckets: {value}"
    fields: dict[str, Any] = {}
    for name, key in (("Buckets", "hash_buckets"), ("Batches", "hash_batches")):
        match = re.search(rf"{name}: (\d+)(?: \(originally (\d+)\))?", text)
        if match:
            fields[key] = int(match.group(1))
            fields[f"original_{key}"] = int(match.group(2) or match.group(1))
    memory = re.search(r"Memory Usage: (\d+)kB", text)
    if memory:
        fields["peak_memory_kb"] = int(memory.group(1))
    return fields


def _hashagg(value: str, where: str) -> dict[str, Any]:
    # "Planned Partitions: 4  Batches: 5  Memory Usage: 4145kB  Disk Usage: 12345kB"
    fields: dict[str, Any] = {}
    for name, key in (("Batches", "hash_batches"), ("Memory Usage", "peak_memory_kb"),
                      ("Disk Usage", "disk_usage_kb")):
        match = re.search(rf"(?:^|\s){name}: (\d+)", value)
        if match:
            fields[key] = int(match.group(1))
    return fields


def _heap_blocks(value: str, where: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for word, key in (("exact", "exact_heap_blocks"), ("lossy", "lossy_heap_blocks")):
        match = re.search(rf"{word}=(\d+)", value)
        if match:
            fields[key] = float(match.group(1))
    return fields


def buffer_counts(value: str, where: str) -> dict[str, Any]:
    """``shared hit=2 read=3, temp read=5 written=6`` as Buffers fields."""
    return {"buffers": _grouped(value, _BUFFER_WORDS, int, where)}


def io_times(value: str, where: str) -> dict[str, Any]:
    """``shared read=1.2 write=0.3, temp read=..`` (16+) or ``read=1.2 write=0.3`` (older)."""
    if not value.startswith(("shared", "local", "temp")):
        value = f"shared {value}"
    return {"io": _grouped(value, _IO_WORDS, float, where)}


def _wal(value: str, where: str) -> dict[str, Any]:
    found = {k: int(v) for k, v in re.findall(r"(records|fpi|bytes)=(\d+)", value)}
    return {"wal": found}


def _grouped(value: str, names: dict[tuple[str, str], str], kind: Callable[[str], Any],
             where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        group = words[0]
        for pair in words[1:]:
            word, _, number = pair.partition("=")
            name = names.get((group, word))
            if name is None:
                continue
            try:
                out[name] = kind(number)
            except ValueError:
                raise PlanError(f"{where}: not a number: {pair!r}") from None
    return out


_READERS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "Sort Method": _sort_method, "Buckets": _buckets, "Heap Blocks": _heap_blocks,
    "Buffers": buffer_counts, "I/O Timings": io_times, "WAL": _wal,
    "Batches": lambda value, where: _hashagg(f"Batches: {value}", where),
    "Planned Partitions": _hashagg,
}


def split_list(value: str) -> list[str]:
    """Split ``a, lower(b), (c, d)`` at top-level commas, as EXPLAIN joins Output and keys."""
    items: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(value[start:index].strip())
            start = index + 1
    tail = value[start:].strip()
    if tail:
        items.append(tail)
    return items


def milliseconds(value: str, where: str) -> float:
    """``0.123 ms`` → 0.123."""
    match = re.fullmatch(r"([\d.]+) ms", value.strip())
    if match is None:
        raise PlanError(f"{where}: expected a time like '0.123 ms', found {value!r}")
    return float(match.group(1))


def jit_timing(value: str) -> dict[str, float]:
    """``Generation 0.7 ms (Deform 0.1 ms), Inlining 0.0 ms, ..., Total 5.6 ms``."""
    value = re.sub(r"\([^)]*\)", "", value)
    return {name.lower(): float(ms)
            for name, ms in re.findall(r"([A-Z][a-z]+) ([\d.]+) ms", value)}


def settings(value: str) -> tuple[tuple[str, str], ...]:
    """``work_mem = '64kB', random_page_cost = '1.1'`` as pairs."""
    return tuple((name, text.replace("''", "'"))
                 for name, text in re.findall(r"(\S+) = '((?:[^']|'')*)'", value))


def size_kb(value: str) -> int | None:
    match = _SIZE.search(value)
    return int(match.group(1)) if match else None
