"""``pgwatch demo`` starts, examines and stops an embedded server, leaving nothing behind."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_demo_runs_for_a_duration_and_cleans_up() -> None:
    done = subprocess.run([sys.executable, "-m", "pgwatch", "demo", "--duration", "1"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "[3/3] examining the server" in done.stdout
    assert "0 warning(s)" in done.stdout
    socket_dir = re.search(r"DSN:  host=(\S+) ", done.stdout)
    assert socket_dir is not None
    assert not Path(socket_dir.group(1)).parent.exists()
    assert "stopped; nothing left running" in done.stdout
    assert "password" not in done.stdout
