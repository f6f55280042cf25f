"""Config files under tests/data/config, one case per file; the first line says what to expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.config import load_config, parse_duration, target_dsn
from pgwatch.config.models import Config
from pgwatch.errors import ConfigError

CASES = sorted((Path(__file__).parent.parent / "data" / "config").glob("*.yaml"))


def _expectation(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must say what to expect"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_config_case(case: Path) -> None:
    expected = _expectation(case)
    if expected == "ok":
        assert isinstance(load_config(case, environ={}), Config)
        return
    with pytest.raises(ConfigError) as caught:
        load_config(case, environ={})
    message = str(caught.value).replace(str(case), case.name)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_example_config_is_valid() -> None:
    example = Path(__file__).parent.parent.parent / "config.example.yaml"
    config = load_config(example, environ={"PGWATCH_PASSWORD": "s3cret"})
    assert config.targets[0].name == "primary"


def test_interpolation_default_and_escape(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("targets:\n  - name: a\n    host: ${PGHOST_X:-db1}\n    dbname: $${literal}\n"
                    "    port: ${PORT_X}\n")
    config = load_config(path, environ={"PORT_X": "6543"})
    target = config.targets[0]
    assert (target.host, target.dbname, target.port) == ("db1", "${literal}", 6543)


def test_empty_variable_takes_the_default(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("targets:\n  - name: a\n    host: ${H:-fallback}\n")
    assert load_config(path, environ={"H": ""}).targets[0].host == "fallback"


def test_password_file_is_read_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("pa ss'word\n")
    path = tmp_path / "c.yaml"
    path.write_text("targets:\n  - name: a\n    host: h\n    user: u\n    password_file: secret\n")
    dsn = target_dsn(load_config(path).targets[0], tmp_path)
    assert "password='pa ss\\'word'" in dsn


def test_missing_password_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("targets:\n  - name: a\n    host: h\n    password_file: nope\n")
    with pytest.raises(ConfigError) as caught:
        target_dsn(load_config(path).targets[0], tmp_path)
    assert str(caught.value) == (f"{path}:4: targets[0].password_file: cannot read "
                                 f"{tmp_path / 'nope'}: No such file or directory")


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read: No such file"):
        load_config(tmp_path / "missing.yaml")


def test_collector_settings_merge_target_over_defaults() -> None:
    config = load_config(Path(__file__).parent.parent / "data" / "config" / "valid_full.yaml",
                         environ={})
    main, replica = config.targets
    assert config.collector_for(main, "statements").interval == 30.0
    assert config.collector_for(main, "bloat").enabled is False
    assert config.collector_for(replica, "tables").interval == 300.0
    assert config.collector_for(replica, "bloat").enabled is True


@pytest.mark.parametrize(("text", "seconds"), [("30", 30.0), ("500ms", 0.5), ("5m", 300.0),
                                               ("1h", 3600.0), ("7d", 604800.0), (2.5, 2.5)])
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-5s", "0", True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_store_sample_interval_is_the_policy_of_the_store(tmp_path: Path) -> None:
    from pgwatch.store.configured import open_configured_store

    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: a\n    host: 127.0.0.1\n    user: x\n"
                    "store:\n  path: h.db\n  sample_interval: 5s\n")
    store = open_configured_store(load_config(path, environ={}), tmp_path)
    try:
        assert store.policy.min_sample_interval_s == 5  # type: ignore[attr-defined]
    finally:
        store.close()
    assert (tmp_path / "h.db").exists()
