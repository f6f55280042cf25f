"""Per-object snapshots as one compressed blob; long texts kept once, by digest.

A snapshot of 10,000 statements repeats the same query texts every time: the blob holds
a digest in their place and the texts live once in their own table.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pgwatch.store.layout import RowLayout

# PostgreSQL text never contains NUL, so a leading NUL cannot be confused with real text.
_TEXT_REF = "\x00"


@dataclass(frozen=True, slots=True)
class EncodedSnapshot:
    """A snapshot's rows ready to store: the blob and the texts it refers to."""

    row_count: int
    body: bytes
    texts: Mapping[str, str]


def encode_rows(rows: Sequence[Any], layout: RowLayout, min_chars: int) -> EncodedSnapshot:
    """Column names plus row values as compressed JSON; long text fields become digests."""
    texts: dict[str, str] = {}
    encoded = []
    for row in rows:
        values = []
        for name in layout.all_fields:
            value = _plain(getattr(row, name))
            if name in layout.text_fields and isinstance(value, str) and len(value) >= min_chars:
                digest = hashlib.sha256(value.encode()).hexdigest()[:32]
                texts[digest] = value
                value = _TEXT_REF + digest
            values.append(value)
        encoded.append(values)
    document = {"fields": list(layout.all_fields), "rows": encoded}
    body = zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)
    return EncodedSnapshot(len(rows), body, texts)


def text_refs(body: bytes) -> tuple[list[str], list[list[Any]], set[str]]:
    """Decode a blob: field names, rows, and the digests the rows refer to."""
    document = json.loads(zlib.decompress(body))
    rows: list[list[Any]] = document["rows"]
    refs = {v[1:] for row in rows for v in row if isinstance(v, str) and v.startswith(_TEXT_REF)}
    return list(document["fields"]), rows, refs


def decode_rows(fields: Sequence[str], rows: Sequence[Sequence[Any]],
                texts: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    """Rows as dicts, with digests replaced by their texts (timestamps stay ISO strings)."""
    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(_TEXT_REF):
            return texts.get(value[1:])
        return value
    return tuple({name: resolve(v) for name, v in zip(fields, row, strict=True)} for row in rows)


def _plain(value: Any) -> Any:
    match value:
        case None | bool() | int() | float() | str():
            return value
        case Decimal():
            return float(value)
        case datetime() | date():
            return value.isoformat()
    return str(value)
