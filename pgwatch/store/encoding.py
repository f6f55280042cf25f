"""Per-object snapshots as one compressed blob; long texts kept once, by digest.

A snapshot of 10,000 statements repeats the same query texts every time: the blob holds
a digest in their place and the texts live once in their own table.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from pgwatch.store.layout import RowLayout

_JSON_NATIVE = frozenset({type(None), bool, int, float, str})
# PostgreSQL text never contains NUL, so a leading NUL cannot be confused with real text.
_TEXT_REF = "\x00"


@dataclass(frozen=True, slots=True)
class EncodedSnapshot:
    """A snapshot's rows ready to store: the blob and the digests of the texts it refers to."""

    row_count: int
    body: bytes
    refs: frozenset[str]


TextMemory = dict[tuple[str, str], str]  # (RowLayout.ident, field) -> text or digest ref


def remember_texts(rows: Sequence[Any], keys: Sequence[str], layout: RowLayout,
                   min_chars: int, before: Mapping[tuple[str, str], str],
                   ) -> tuple[TextMemory, dict[str, str]]:
    """The last text of every (object, text field), and the long texts not stored before.

    A collector may send a text only once (query text is read for new query ids only);
    the store keeps it for the object's later snapshots. Objects gone from ``rows`` are
    forgotten. Long texts are remembered as a digest reference.
    """
    memory: TextMemory = {}
    new: dict[str, str] = {}
    if not layout.text_fields:
        return memory, new
    for row, key in zip(rows, keys, strict=True):
        for name in layout.text_fields:
            value = getattr(row, name)
            if value == "":
                continue  # the row carries it; 10,000 tables without options remember nothing
            if isinstance(value, str):
                stored = _stored_text(value, min_chars)
                if stored != value and before.get((key, name)) != stored:
                    new[stored[1:]] = value
                memory[(key, name)] = stored
            elif (key, name) in before:
                memory[(key, name)] = before[(key, name)]
    return memory, new


def encode_rows(rows: Sequence[Any], keys: Sequence[str], layout: RowLayout,
                texts: Mapping[tuple[str, str], str]) -> EncodedSnapshot:
    """Rows as compressed column-wise JSON; texts come from ``texts``.

    Columns compress better than rows (a column of idle counters is one repeated value),
    and LZMA at preset 1 is both smaller and faster than zlib on these documents. The
    document is compressed a column at a time: 10,000 statements make 4 MB of JSON, which
    is never held whole.
    """
    refs: set[str] = set()
    compressor = lzma.LZMACompressor(preset=1)
    parts = [compressor.compress(b'{"fields":' + _json(list(layout.all_fields))
                                 + b',"columns":[')]
    for position, name in enumerate(layout.all_fields):
        column = list(map(attrgetter(name), rows))
        if not set(map(type, column)) <= _JSON_NATIVE:  # most columns need no conversion
            column = list(map(_plain, column))
        if name in layout.text_fields:
            column = [texts.get((key, name), value) for key, value in zip(keys, column,
                                                                        strict=True)]
            refs.update(v[1:] for v in column if isinstance(v, str) and v.startswith(_TEXT_REF))
        parts.append(compressor.compress((b"," if position else b"") + _json(column)))
    parts.append(compressor.compress(b"]}"))
    parts.append(compressor.flush())
    return EncodedSnapshot(len(rows), b"".join(parts), frozenset(refs))


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _stored_text(value: str, min_chars: int) -> str:
    if len(value) < min_chars:
        return value
    return _TEXT_REF + hashlib.sha256(value.encode()).hexdigest()[:32]


def text_refs(body: bytes) -> tuple[list[str], list[list[Any]], set[str]]:
    """Decode a blob: field names, rows, and the digests the rows refer to."""
    document = json.loads(lzma.decompress(body))
    rows: list[list[Any]] = [list(row) for row in zip(*document["columns"], strict=True)]
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
