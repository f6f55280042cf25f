"""``pgwatch config check FILE``: validate a configuration without connecting anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

config_app = typer.Typer(help="Configuration files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The YAML configuration file.")],
) -> None:
    """Validate FILE: YAML, ${VAR} interpolation, keys, types, password files."""
    from pgwatch.config import COLLECTOR_NAMES, load_config, pgbouncer_dsn, target_dsn
    from pgwatch.db.session import describe

    config = load_config(path)
    lines = []  # printed once the whole file passed: an error leaves no half-written output
    for target in config.targets:
        dsn = target_dsn(target, path.parent)
        pgbouncer_dsn(target, path.parent)  # its password file too
        enabled = [n for n in COLLECTOR_NAMES if config.collector_for(target, n).enabled]
        lines.append(f"target {target.name}: {describe(dsn)} ({len(enabled)} collectors enabled)")
    lines.append(f"{path}: ok, {len(config.targets)} target(s), store {config.store.backend}, "
                 f"http {config.http.listen}")
    typer.echo("\n".join(lines))
