"""Progress bars of ``pgwatch bench`` on stderr; imported only when a benchmark runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from pgwatch.workload import bench
from pgwatch.workload.catalog import Scenario
from pgwatch.workload.generate import WEIGHTS


class ProgressEvents(bench.Events):
    """Shows the load, the migrations and each phase's scenarios as progress bars on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.load_task: TaskID | None = None
        self.phase_task: TaskID | None = None
        self.started = False

    def loading(self, step: str, weight: int) -> None:
        if self.load_task is None:
            self.load_task = self.progress.add_task("loading data", total=sum(WEIGHTS.values()))
        self.progress.update(self.load_task, advance=weight, description=f"loading: {step}")

    def migrating(self, target: str) -> None:
        self.progress.console.print(f"applying migrations up to {target}")

    def phase(self, name: str, scenarios: int) -> None:
        self.phase_task = self.progress.add_task(f"phase {name}", total=scenarios)
        self.started = False

    def scenario(self, scenario: Scenario) -> None:
        if self.phase_task is not None:
            # Called as each scenario starts: the previous one is then done.
            self.progress.update(self.phase_task, advance=1 if self.started else 0,
                                 description=scenario.name)
            self.started = True

    def phase_done(self, name: str) -> None:
        if self.phase_task is not None:
            total = self.progress.tasks[self.phase_task].total
            self.progress.update(self.phase_task, completed=total, description=f"phase {name}")


@contextmanager
def progress_events() -> Iterator[ProgressEvents]:
    """Progress bars on stderr while the block runs (none when stderr is not a terminal)."""
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console,
                  disable=not console.is_terminal) as progress:
        yield ProgressEvents(progress)
