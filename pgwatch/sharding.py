"""Sharding the targets over processes: ``pgwatch run --shard I/N`` by rendezvous hashing.

Each target goes to the shard whose hash of (shard, target name) is highest. Every process
computes the same answer from the target names alone, and going from N to N + 1 shards
moves only the targets the new shard wins: about 1/(N + 1) of them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pgwatch.errors import PgwatchError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(PgwatchError):
    """A --shard that is not I/N with 1 <= I <= N."""


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (both from 1)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str, where: str = "--shard") -> Shard:
        match = _SHARD.match(text)
        if not match:
            raise ShardError(f"{where}: {text!r} is not I/N (this process's shard I of N, "
                             "e.g. 1/2)")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise ShardError(f"{where}: {text!r}: the shard must be from 1 to the number of "
                             f"shards ({count})")
        return cls(index, count)

    def owns(self, target: str) -> bool:
        return self.count == 1 or owner(target, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def weight(target: str, shard: int) -> int:
    """The rendezvous weight of ``target`` on ``shard``: stable across processes and hosts."""
    digest = hashlib.blake2b(f"{shard}\x00{target}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def owner(target: str, count: int) -> int:
    """The shard (1 to ``count``) that owns ``target``."""
    return max(range(1, count + 1), key=lambda shard: weight(target, shard))
