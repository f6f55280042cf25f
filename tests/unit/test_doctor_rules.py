"""Doctor rules on ServerInfo values, and the refusal of unsupported versions."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from pgwatch.db.probe import ServerInfo, check_supported
from pgwatch.doctor import Status, diagnose, quote_ident, worst
from pgwatch.errors import UnsupportedServerError


def _info(**changes: object) -> ServerInfo:
    values: dict[str, object] = {
        "version_num": 170_002, "version": "17.2", "in_recovery": False, "database": "app",
        "role": "pgwatch", "superuser": False, "member_of": frozenset({"pg_monitor"}),
        "settings": MappingProxyType({"shared_preload_libraries": "pg_stat_statements",
                                      "track_io_timing": "on", "compute_query_id": "auto",
                                      "track_activity_query_size": "4096",
                                      "pg_stat_statements.max": "10000"}),
        "installed": MappingProxyType({"pg_stat_statements": "1.11"}),
        "available": frozenset({"pg_stat_statements", "pgstattuple"}),
    }
    values.update(changes)
    return ServerInfo(**values)  # type: ignore[arg-type]


def test_a_well_set_up_server_has_no_warning() -> None:
    assert worst(diagnose(_info())) is Status.INFO


@pytest.mark.parametrize("version_num", [130_011, 190_000, 90_624])
def test_unsupported_versions_are_refused(version_num: int) -> None:
    with pytest.raises(UnsupportedServerError, match="is not supported"):
        check_supported(_info(version_num=version_num, version=str(version_num)))


def test_hidden_preload_list_keeps_existing_libraries() -> None:
    info = _info(settings=MappingProxyType({}), installed=MappingProxyType({}))
    fixes = " ".join(c.fix for c in diagnose(info))
    assert "keep any libraries already listed" in fixes
    assert "GRANT pg_read_all_settings TO pgwatch;" in fixes


def test_existing_preload_libraries_are_kept_in_the_fix() -> None:
    info = _info(settings=MappingProxyType({"shared_preload_libraries": "auto_explain"}))
    fix = next(c.fix for c in diagnose(info) if c.status is Status.WARN)
    assert "'auto_explain,pg_stat_statements'" in fix


@pytest.mark.parametrize(("name", "quoted"), [("pgwatch", "pgwatch"), ("Mon", '"Mon"'),
                                              ('a"b', '"a""b"'), ("x-y", '"x-y"')])
def test_role_names_are_quoted_in_printed_sql(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted
