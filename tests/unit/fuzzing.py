"""Shared pieces of the property-based tests: the example budget, mutations of real input
files, and the one property every reader must have (a result or a clean PgwatchError)."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pgwatch.errors import PgwatchError

ROOT = Path(__file__).resolve().parents[2]
# CI runs a fixed set of examples (derandomized: the same ones every run, so a red build
# means a change, not luck); PGWATCH_FUZZ_EXAMPLES=N explores N fresh ones per test.
EXTRA = int(os.environ.get("PGWATCH_FUZZ_EXAMPLES", "0"))
PEAK_BYTES = 64 * 2**20


def budget(examples: int) -> settings:
    """Hypothesis settings: ``examples`` in CI, a 2-s deadline for each (no hangs)."""
    return settings(max_examples=EXTRA or examples, deadline=2000, derandomize=not EXTRA,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    database=None)


def clean(call: Callable[[], object]) -> object:
    """Run ``call``: a result, or a one-line PgwatchError; never another exception, never more
    than PEAK_BYTES of Python memory."""
    tracemalloc.start()
    try:
        return call()
    except PgwatchError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        assert "Traceback" not in message
        return exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB"


YAML_TOKENS = ("- ", ": ", "{", "}", "[", "]", "&a ", "*a", "<<: *a", "!!python/object:os.system",
               "!!binary", "\t", "'", '"', "#", "~", "null", "1e309", "-1", "0x10", "${HOME}",
               "${UNSET_VAR}", "$$", "\\x00", "\u00e9", "\u202e", "99999999999999999999", "..",
               "---\n", "? ", "|\n  ", ">-\n  ")


@st.composite
def mutated(draw: st.DrawFn, corpus: list[str]) -> str:
    """One corpus text with a few line-level edits: delete, duplicate, splice a token or
    random text, swap two lines, truncate."""
    lines = draw(st.sampled_from(corpus)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(("delete", "duplicate", "token", "text", "swap", "cut")))
        line = lines[at]
        column = draw(st.integers(0, len(line)))
        if edit == "delete":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, line)
        elif edit == "token":
            lines[at] = line[:column] + draw(st.sampled_from(YAML_TOKENS)) + line[column:]
        elif edit == "text":
            lines[at] = line[:column] + draw(st.text(max_size=12)) + line[column:]
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines = [*lines[:at], line[:column]]
    return "\n".join(lines) + "\n"


def corpus(*globs: str) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for g in globs for p in sorted(ROOT.glob(g))]
    assert texts, globs
    return texts


BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
) + "\n"
