"""Rendezvous sharding: deterministic, balanced, and adding a process moves about 1/N."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.sharding import Shard, ShardError, owner
from tests.cli import run_cli

TARGETS = [f"db-{i:04d}.prod" for i in range(3000)]


def test_every_target_has_exactly_one_owner_and_the_answer_is_stable() -> None:
    shards = [Shard(i, 4) for i in range(1, 5)]
    for target in TARGETS[:200]:
        assert sum(s.owns(target) for s in shards) == 1
    # Fixed by the names alone: the same in every process, on every host, in every run.
    assert [owner(t, 4) for t in TARGETS[:8]] == [owner(t, 4) for t in list(TARGETS[:8])]


@pytest.mark.parametrize("count", [2, 3, 5, 10])
def test_adding_a_process_moves_about_one_in_n_plus_one(count: int) -> None:
    before = {t: owner(t, count) for t in TARGETS}
    after = {t: owner(t, count + 1) for t in TARGETS}
    moved = [t for t in TARGETS if before[t] != after[t]]
    # Only to the new shard, never between the old ones.
    assert all(after[t] == count + 1 for t in moved)
    share = len(moved) / len(TARGETS)
    assert abs(share - 1 / (count + 1)) < 0.03, share


def test_shards_are_balanced() -> None:
    loads = [sum(owner(t, 4) == i for t in TARGETS) for i in range(1, 5)]
    assert all(abs(load - len(TARGETS) / 4) < 0.1 * len(TARGETS) / 4 for load in loads), loads


def test_one_shard_owns_everything() -> None:
    assert all(Shard(1, 1).owns(t) for t in TARGETS[:50])


@pytest.mark.parametrize(("text", "message"), [
    ("3/2", "--shard: '3/2': the shard must be from 1 to the number of shards (2)"),
    ("0/2", "--shard: '0/2': the shard must be from 1 to the number of shards (2)"),
    ("1/0", "--shard: '1/0': the shard must be from 1 to the number of shards (0)"),
    ("two", "--shard: 'two' is not I/N (this process's shard I of N, e.g. 1/2)"),
])
def test_bad_shards_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ShardError) as raised:
        Shard.parse(text)
    assert str(raised.value) == message


def test_parse() -> None:
    assert Shard.parse(" 2 / 3 ") == Shard(2, 3)
    assert str(Shard(2, 3)) == "2/3"


def test_run_refuses_a_bad_shard_in_one_line_before_anything_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pgwatch.yaml"
    config.write_text(f"targets:\n  - {{name: a, host: h}}\nstore: {{path: {tmp_path / 's.db'}}}\n")
    done = run_cli(capsys, "run", "-c", str(config), "--shard", "3/2")
    assert done.status == 2
    assert done.err == ("pgwatch: error: --shard: '3/2': the shard must be from 1 to the "
                        "number of shards (2)\n")
    assert not (tmp_path / "s.db").exists()
