"""``pgwatch rules check|test|export``: alert rules checked, unit-tested and exported.

``check`` lists every problem (``file:line: rule NAME: message``) and exits 2 if any;
``test`` runs promtool's rule unit-test files (exit 0 all pass, 1 a test failed, 2 a file
could not be read); ``export`` writes one rule file ``promtool check rules`` accepts.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

rules_app = typer.Typer(help="Alert rules: check, unit-test, export.", no_args_is_help=True)


class ExportFormat(StrEnum):
    PROMETHEUS = "prometheus"


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


_PATHS = typer.Argument(help="Rule files or directories (default: the shipped rules/; "
                        "$PGWATCH_RULES_DIR overrides it).", show_default=False)


@rules_app.command("check")
def check(paths: Annotated[list[Path] | None, _PATHS] = None) -> None:
    """Check rule files: YAML, keys, durations, PromQL subset, metric names, templates."""
    from pgwatch.alerting.rules import check_rules, default_rules_dir, load_rules, rule_files
    from pgwatch.exposition.reference import exposed_names

    targets = paths or [default_rules_dir()]
    problems = check_rules(targets, exposed_names())
    if problems:
        for problem in problems:
            typer.echo(f"pgwatch: error: {problem}", err=True)
        raise typer.Exit(2)
    groups = load_rules(targets)
    count = sum(len(g.rules) for g in groups)
    files = rule_files(targets)
    typer.echo(f"{', '.join(map(str, targets))}: ok, {count} rules in {len(groups)} groups "
               f"({len(files)} files)")


@rules_app.command("test")
def test(files: Annotated[list[Path], typer.Argument(help="promtool unit-test files.")]) -> None:
    """Run rule unit tests in promtool's format; the same verdict as `promtool test rules`."""
    from pgwatch.alerting.promtool import report, run_test_file

    # promtool evaluates with a silent logger; template failures show in the annotations.
    logging.getLogger("pgwatch.alerting").setLevel(logging.ERROR)
    status = 0
    for path in files:
        result = run_test_file(path)
        out, err = report(result)
        sys.stdout.write(out)
        sys.stdout.flush()
        sys.stderr.write(err)
        if result.bad_input:
            status = 2
        elif not result.passed and status == 0:
            status = 1
    raise typer.Exit(status)


@rules_app.command("export")
def export(
    paths: Annotated[list[Path] | None, _PATHS] = None,
    format_: Annotated[ExportFormat, typer.Option("--format", help="Output format.")]
    = ExportFormat.PROMETHEUS,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of stdout.")] = None,
) -> None:
    """Export every group as one Prometheus rule file."""
    from pgwatch.alerting.rule_export import export_prometheus
    from pgwatch.alerting.rules import default_rules_dir, load_rules, rule_files

    del format_  # one format today
    targets = paths or [default_rules_dir()]
    text = export_prometheus(load_rules(targets), [str(f) for f in rule_files(targets)])
    if output is None:
        typer.echo(text, nl=False)
        return
    _write_atomically(output, text)
    typer.echo(f"{output}: {text.count('- alert:')} rules written")


def _write_atomically(path: Path, text: str) -> None:
    from pgwatch.errors import PgwatchError

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise PgwatchError(f"{path}: cannot write: {exc.strerror or exc}") from None
