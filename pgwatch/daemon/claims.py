"""Which process runs each shard against a store: two claiming the same one are found out.

HA replicas of a shard each have their own store (both collect the same targets); two
processes writing the same shard's targets into one store would interleave every series.
Each process records its claim (a random token, its host and pid) and a heartbeat in the
store's ``meta`` table; a second process finding a fresh heartbeat refuses to start, and a
running one that finds another's token on its shard logs it at every heartbeat.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import threading
import time

from pgwatch.errors import PgwatchError
from pgwatch.sharding import Shard
from pgwatch.store import Store
from pgwatch.store.sqlstore import SqlStore

log = logging.getLogger(__name__)
HEARTBEAT_S = 5.0
STALE_S = 20.0


class ShardClaimedError(PgwatchError):
    """Another live process already runs this shard against the same store."""


def _host_id() -> int:
    digest = hashlib.blake2b(socket.gethostname().encode(), digest_size=7).digest()
    return int.from_bytes(digest, "big")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ShardClaim:
    """This process's claim on ``shard`` in ``store`` (a connection of the claim's own)."""

    def __init__(self, store: Store, shard: Shard) -> None:
        if not isinstance(store, SqlStore):
            raise TypeError("shard claims need an SQL store")
        self.store, self.shard, self.where = store, shard, store.backend.where
        self.token = secrets.randbelow(2**62) + 1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _key(self, part: str) -> str:
        return f"shard {self.shard} {part}"

    def _read(self) -> dict[str, int]:
        backend = self.store.backend
        found = {}
        for part in ("token", "heartbeat", "host", "pid"):
            rows = backend.fetchall("meta_get", {"key": self._key(part)})
            found[part] = int(rows[0][0]) if rows else 0
        return found

    def _other(self, now: float) -> dict[str, int] | None:
        """The claim of another process that still looks alive, if any."""
        found = self._read()
        if found["token"] in (0, self.token) or now - found["heartbeat"] > STALE_S:
            return None
        if found["host"] == _host_id() and (found["pid"] == os.getpid()
                                            or not _alive(found["pid"])):
            return None  # this process's earlier service, or one that crashed here: void
        return found

    def _write(self, now: float) -> None:
        values = {"token": self.token, "heartbeat": int(now), "host": _host_id(),
                  "pid": os.getpid()}
        with self.store.backend.transaction():
            for part, value in values.items():
                self.store.backend.execute("meta_set", {"key": self._key(part), "value": value})

    def _describe(self, other: dict[str, int]) -> str:
        here = " (on this host)" if other["host"] == _host_id() else ""
        return (f"shard {self.shard} is already run against {self.where} by pid "
                f"{other['pid']}{here}, seen {time.time() - other['heartbeat']:.0f} s ago")

    @classmethod
    def take(cls, store: Store, shard: Shard) -> ShardClaim:
        """Claim ``shard`` in ``store`` (which the claim then owns and closes)."""
        claim = cls(store, shard)
        try:
            claim.acquire()
        except BaseException:
            store.close()
            raise
        return claim

    def acquire(self) -> None:
        """Claim the shard, or raise ShardClaimedError when another process holds it."""
        now = time.time()
        other = self._other(now)
        if other is not None:
            raise ShardClaimedError(f"{self._describe(other)}; give each process its own "
                                    "--shard, or each HA replica its own store")
        self._write(now)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name="pgwatch-shard-claim")
        self._thread.start()

    def _beat(self) -> None:
        failing = False
        while not self._stop.wait(HEARTBEAT_S):
            try:
                other = self._other(time.time())
                if other is not None:
                    log.error("%s, and by this process (pid %d): their writes interleave; "
                              "stop one of them", self._describe(other), os.getpid())
                self._write(time.time())
            except Exception as exc:
                if not failing:  # once per outage: the store's own writes say the rest
                    log.warning("shard %s: the claim heartbeat failed: %s", self.shard,
                                " ".join(str(exc).split()))
                failing = True
                continue
            failing = False

    def release(self) -> None:
        """Stop the heartbeat and give the shard up, so a restart need not wait."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            if self._read()["token"] == self.token:
                with self.store.backend.transaction():
                    self.store.backend.execute("meta_set", {"key": self._key("heartbeat"),
                                                            "value": 0})
        except Exception as exc:  # the claim then lapses on its own after STALE_S
            log.warning("shard %s: could not give the claim up: %s", self.shard,
                        " ".join(str(exc).split()))
        finally:
            try:
                self.store.close()
            except Exception:
                log.debug("closing the claim's store connection failed", exc_info=True)
