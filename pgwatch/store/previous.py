"""The previous snapshot's counters, kept as two flat arrays instead of one object per row.

At 60,000 objects a dict of per-object arrays costs tens of megabytes in small Python
objects, rebuilt at every snapshot and scattered among the rows being read, which keeps
the allocator from giving memory back. Two arrays (the identities' hashes and the numbers,
row after row) are two allocations, freed as a whole when the next snapshot replaces them.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Previous:
    """``width`` numbers per object, found by the hash of the object's identity string.

    Hashes are 64-bit and only compared within one process: two identities sharing one
    among tens of thousands is a chance of about 1 in 10^10, and would cost one delta.
    """

    width: int = 0
    hashes: array[int] = field(default_factory=lambda: array("q"))
    numbers: array[float] = field(default_factory=lambda: array("d"))

    def lookup(self) -> Lookup:
        """A finder for one read of a snapshot (a dict from hash to position, dropped after)."""
        return Lookup(self, dict(zip(self.hashes, range(len(self.hashes)), strict=True)))

    def __len__(self) -> int:
        return len(self.hashes)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Position of each remembered object, for the duration of one read."""

    previous: Previous
    positions: dict[int, int]

    def get(self, identity: str) -> array[float] | None:
        """The remembered numbers of ``identity``, or None for an object not seen before."""
        position = self.positions.get(hash(identity))
        if position is None:
            return None
        width = self.previous.width
        return self.previous.numbers[position * width:(position + 1) * width]
