"""Property: any text given as a config file loads or fails with one clean ConfigError."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pgwatch.config import load_config
from pgwatch.errors import ConfigError
from tests.unit.fuzzing import BILLION_LAUGHS, budget, clean, corpus, mutated

CONFIGS = corpus("config.example.yaml", "tests/data/config/*.yaml")


def _load(text: str) -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pgwatch.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        outcome = clean(lambda: load_config(path, environ={"PGWATCH_PASSWORD": "x"}))
    if isinstance(outcome, Exception):
        assert isinstance(outcome, ConfigError), type(outcome)
        assert str(outcome).startswith(str(path)), str(outcome)
    return outcome


@budget(300)
@given(mutated(CONFIGS))
def test_a_mutated_config_loads_or_is_refused_cleanly(text: str) -> None:
    _load(text)


@budget(100)
@given(st.text(max_size=300))
def test_any_text_loads_or_is_refused_cleanly(text: str) -> None:
    _load(text)


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    """Nine lines whose aliases stand for a billion values (a target's labels)."""
    began = time.monotonic()
    outcome = _load(BILLION_LAUGHS.replace("\n", "\n  ").replace("a: &a", "x-a: &a", 1)
                    .join(("x:\n  ", "\ntargets:\n  - name: a\n    host: h\n"
                           "    labels: *i\n")))
    assert isinstance(outcome, ConfigError)
    assert "more than 100000 values" in str(outcome)
    assert time.monotonic() - began < 5
