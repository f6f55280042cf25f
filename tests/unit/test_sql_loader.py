"""The SQL loader picks the newest variant not above the server's major version."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgwatch.sql import load_sql, variants


@pytest.fixture
def sql_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    package = tmp_path / "fake_sql_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "view.sql").write_text("-- base\n")
    (package / "view.pg16.sql").write_text("-- 16: pg_stat_io\n")
    (package / "view.pg17.sql").write_text("-- 17: checkpointer split\n")
    (package / "other.sql").write_text("-- other\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_sql_pkg"
    sys.modules.pop("fake_sql_pkg", None)
    variants.cache_clear()
    load_sql.cache_clear()


@pytest.mark.parametrize(("version_num", "expected"), [
    (140_010, "-- base\n"), (150_004, "-- base\n"), (160_000, "-- 16: pg_stat_io\n"),
    (170_002, "-- 17: checkpointer split\n"), (180_001, "-- 17: checkpointer split\n"),
])
def test_variant_for_version(sql_package: str, version_num: int, expected: str) -> None:
    assert load_sql(sql_package, "view", version_num) == expected


def test_variants_do_not_mix_names(sql_package: str) -> None:
    assert variants(sql_package, "other") == {0: "other.sql"}


def test_missing_sql_is_an_error(sql_package: str) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.sql"):
        load_sql(sql_package, "nothing", 160_000)
