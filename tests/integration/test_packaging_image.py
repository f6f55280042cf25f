"""The container image answers /healthz: built by scripts/build_image.sh (debootstrap + podman,
no registry), run from its own root filesystem as its own user with a config mounted.

In CI (or with PGWATCH_TEST_IMAGE=1) it builds the image of this checkout first, and fails
where buildah or podman is missing; elsewhere it runs on an image already built, or says why
it did not run. The run uses chroot isolation
(``buildah run --isolation chroot``): on machines without CAP_SYS_RESOURCE an OCI runtime
cannot start a container, but the image, its user, entrypoint and health check are the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from pgwatch import __version__
from pgwatch.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
IMAGE = f"localhost/pgwatch:{__version__}"


def _image() -> dict[str, object]:
    # CI (scripts/test installs buildah, podman and debootstrap) builds this checkout's image
    # every run, so what is tested is what the Dockerfile makes of the code under test.
    build = bool(os.environ.get("CI")) or os.environ.get("PGWATCH_TEST_IMAGE") == "1"
    if shutil.which("buildah") is None or shutil.which("podman") is None:
        if build:
            pytest.fail("buildah and podman are not installed (scripts/test installs them)")
        pytest.skip("buildah and podman are not installed")
    found = subprocess.run(["podman", "image", "exists", IMAGE], check=False).returncode == 0
    if build:
        subprocess.run(["bash", str(ROOT / "scripts" / "build_image.sh")], check=True,
                       env={**os.environ, "PGWATCH_BUILD_ISOLATION": "chroot"}, timeout=1800)
    elif not found:
        pytest.skip(f"{IMAGE} not built: run scripts/build_image.sh or PGWATCH_TEST_IMAGE=1")
    inspected = subprocess.run(["podman", "image", "inspect", IMAGE], check=True,
                               capture_output=True, text=True)
    image = json.loads(inspected.stdout)[0]
    config = image["Config"]
    assert isinstance(config, dict)
    return {**config, "Healthcheck": image.get("Healthcheck")}


def test_the_image_runs_as_its_user_and_answers_healthz(tmp_path: Path) -> None:
    config = _image()
    assert config["User"] == "10001:10001"
    entrypoint = config["Entrypoint"]
    assert entrypoint == ["pgwatch", "run", "--config", "/etc/pgwatch/config.yaml"]
    assert isinstance(entrypoint, list)
    health = config.get("Healthcheck")
    assert isinstance(health, dict), "no HEALTHCHECK in the image (built in OCI format?)"
    port = free_port()
    mounted = tmp_path / "config.yaml"
    mounted.write_text("targets:\n  - name: nowhere\n    host: 127.0.0.1\n    port: 1\n"
                       "    user: pgwatch\n"
                       "store:\n  path: /var/lib/pgwatch/pgwatch.db\n"
                       f"http:\n  listen: 127.0.0.1:{port}\n", encoding="utf-8")
    container = subprocess.run(["buildah", "from", "--pull-never", IMAGE], check=True,
                               capture_output=True, text=True).stdout.strip()
    run = ["buildah", "run", "--isolation", "chroot",
           "-v", f"{mounted}:/etc/pgwatch/config.yaml:ro", container, "--"]
    # buildah kills rather than forwards a signal: the daemon stops by itself.
    process = subprocess.Popen([*run, *entrypoint, "--log-format", "json", "--duration", "15"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert _healthz(port, process) == {"status": "ok"}
        test = health["Test"]
        assert isinstance(test, list) and test[0] == "CMD"
        # The image's own HEALTHCHECK command, inside the container, against its port.
        url = f"PGWATCH_HEALTH_URL=http://127.0.0.1:{port}/healthz"
        checked = subprocess.run([*run, "env", url, *test[1:]], check=False,
                                 capture_output=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        whoami = subprocess.run([*run, "id", "-u"], check=True, capture_output=True, text=True)
        assert whoami.stdout.strip() == "10001"
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        subprocess.run(["buildah", "rm", container], check=False, capture_output=True)
    assert process.returncode == 0, out.decode(errors="replace")[-2000:]
    assert b'"message": "pgwatch stopped"' in out


def _healthz(port: int, process: subprocess.Popen[bytes]) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0].decode(errors="replace")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the container never answered /healthz")
