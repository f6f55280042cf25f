"""Build hook: the top-level ``rules/``, ``dashboards/`` and ``docs/runbooks.md`` ship inside
the package, where ``pgwatch.alerting.rules.default_rules_dir`` looks for them when installed.
Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TOP_LEVEL_DATA = ("rules", "dashboards", "docs/runbooks.md")


class BuildPyWithData(build_py):
    """``build_py``, then the top-level data copied into ``pgwatch/`` in the build tree."""

    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "pgwatch"
        for name in TOP_LEVEL_DATA:
            source, target = ROOT / name, package / name
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildPyWithData})
