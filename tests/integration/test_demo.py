"""``pgwatch demo`` as a user runs it: everything comes up, /metrics serves the Mile Quest
server under load, the idle-in-transaction alert fires and resolves, and the duration (or
Ctrl-C) stops it all, leaving nothing behind."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pgwatch.embedded import free_port


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pgwatch", "demo", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    seen = ""
    while marker not in seen:
        line = process.stdout.readline()
        assert line, f"demo ended early: {seen}{process.communicate()[1]}"
        seen += line
    return seen


def _metrics(url: str, within: float = 60) -> str:
    deadline = time.monotonic() + within
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                body = str(answer.read().decode())
        except OSError as exc:
            last = str(exc)
        else:
            if "pgwatch_mile_quest_triggers_sampled_calls_total" in body:
                return body
        time.sleep(1)
    raise AssertionError(f"no Mile Quest metrics in time ({last})")


def test_demo_serves_metrics_fires_and_resolves_an_alert_then_stops_by_itself() -> None:
    port = free_port()
    # The idle session is held 40 s: its alert fires after ~25 s and resolves after ~45 s.
    process = _start("--duration", "60", "--port", str(port))
    shown = _read_until(process, "Everything stops by itself")
    assert "[4/6] applying the tuning migrations" in shown
    assert f"metrics:    http://127.0.0.1:{port}/metrics" in shown
    body = _metrics(f"http://127.0.0.1:{port}/metrics")
    assert 'pgwatch_up{target="demo",env="demo"} 1.0' in body
    assert 'pgwatch_statements_calls_total{' in body
    socket_dir = re.search(r"database:   host=(\S+) ", shown)
    assert socket_dir is not None
    rest, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    assert "stopped; nothing left running" in rest
    assert not Path(socket_dir.group(1)).parent.exists()
    assert "password" not in shown + rest
    told = [line.split()[:3] for line in rest.splitlines() if line.startswith("alert ")]
    idle = [t[1] for t in told if t[2] == "DemoIdleInTransaction"]
    assert idle == ["FIRING:", "RESOLVED:"], rest


def test_ctrl_c_stops_the_demo_cleanly() -> None:
    process = _start("--port", str(free_port()), "--scale", "0.005")
    shown = _read_until(process, "Ctrl-C stops everything")
    socket_dir = re.search(r"database:   host=(\S+) ", shown)
    assert socket_dir is not None
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    assert "stopped; nothing left running" in rest
    assert not Path(socket_dir.group(1)).parent.exists()
