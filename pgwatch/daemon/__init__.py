"""The long-running collector: scheduler, target pools, run state, signals and reload."""

from pgwatch.daemon.core import Catalog, Daemon
from pgwatch.daemon.state import JobStatus, RunState

__all__ = ["Catalog", "Daemon", "JobStatus", "RunState"]
