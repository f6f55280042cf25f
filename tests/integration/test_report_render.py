"""``pgwatch report`` against a live PostgreSQL that ran the Mile Quest workload, and against
a store the daemon filled: parsed as HTML5, opened in headless Chromium, injection cases,
the three formats agreeing, and bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import html5lib
import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.collectors import registry
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.daemon import Daemon
from pgwatch.embedded import free_port
from pgwatch.report.build import build_report
from pgwatch.report.render import render
from pgwatch.report.store_source import open_source
from pgwatch.service import Service, default_catalog
from pgwatch.store import StorePolicy, open_store
from pgwatch.store.alert_rows import Evaluation
from pgwatch.workload import bench, catalog
from pgwatch.workload.runner import RunSettings, run_phase
from tests.cli import run_cli
from tests.integration.pgbouncer_fixture import running_pgbouncer
from tests.servers import PgServer
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version

EVIL_TABLE = "<img src=x onerror=alert(1)>"
EVIL_ALIAS = "</script><script>alert(2)</script>"
CHROMIUM = "/usr/bin/chromium"
HTML_NS = "{http://www.w3.org/1999/xhtml}"
SCENARIOS = ("dashboard.user_summary", "leaderboard.global_weekly", "write.activity_insert",
             "team.search")


@dataclass(frozen=True)
class Filled:
    dsn: str
    config: Path
    store: Path
    dead_after: int


def _evil_table(conn: psycopg.Connection[Any], rows: int, deleted: int) -> None:
    name = sql.Identifier("public", EVIL_TABLE)
    conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, note text)"
                         " WITH (autovacuum_enabled = off)").format(name))
    conn.execute(sql.SQL("INSERT INTO {} SELECT g, md5(g::text) FROM generate_series(1, %s) g")
                 .format(name), (rows,))
    conn.execute(sql.SQL("DELETE FROM {} WHERE id <= %s").format(name), (deleted,))
    conn.execute(sql.SQL("ANALYZE {}").format(name))
    # Slow enough to be among the top queries by total time.
    conn.execute(sql.SQL("SELECT pg_sleep(1.5) AS {}").format(sql.Identifier(EVIL_ALIAS)))


@pytest.fixture(scope="module")
def workload_db(pg_server: PgServer) -> Iterator[str]:
    """A database that ran the Mile Quest workload (all migrations) at a small scale."""
    with pg_server.fresh_database() as dsn:
        bench.run(bench.BenchOptions(dsn, 0.01, RunSettings(duration_s=0.2, concurrency=1),
                                     catalog.load_catalog(), fresh=True))
        with psycopg.connect(dsn, autocommit=True) as conn:
            _evil_table(conn, 6_000, 4_000)
        yield dsn


def write_config(path: Path, dsn: str, extra: str = "", bouncer: str | None = None) -> Path:
    params = conninfo_to_dict(dsn)
    every = "".join(f"      {n}: {{interval: 1s}}\n" for n in registry.NAMES
                    if bouncer is not None or not reads_pgbouncer(n))
    pool = "" if bouncer is None else f"    pgbouncer: {{dsn: '{bouncer}'}}\n"
    path.write_text(
        "targets:\n"
        f"  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: {params.get('password', '')}\n{pool}"
        f"    collectors:\n{every}"
        f"store:\n  path: {path.parent / 'history.db'}\n"
        f"{extra}")
    return path


@pytest.fixture(scope="module")
def filled(pg_server: PgServer, workload_db: str,
           tmp_path_factory: pytest.TempPathFactory) -> Filled:
    """A store the daemon filled while the workload ran, with a PgBouncer in front of the
    server holding one client; dead rows grew after the first snapshot; one alert fired."""
    folder = tmp_path_factory.mktemp("filled")
    with running_pgbouncer(pg_server.admin_dsn) as bouncer, \
            psycopg.connect(bouncer.pooled_dsn(str(conninfo_to_dict(workload_db)["dbname"])),
                            autocommit=True) as client:
        client.execute("SELECT 1")
        config = write_config(folder / "pgwatch.yaml", workload_db, bouncer=bouncer.admin_dsn)
        _fill(folder, config, workload_db)
    return Filled(workload_db, config, folder / "history.db", 5_000)


def _fill(folder: Path, config: Path, workload_db: str) -> None:
    policy = StorePolicy(min_sample_interval_s=1, object_series_interval_s=1)
    store = open_store(folder / "history.db", policy)
    daemon = Daemon(config, default_catalog(), sinks=(store.write,))
    scenarios = tuple(s for s in catalog.load_catalog() if s.name in SCENARIOS)
    daemon.start()
    try:
        wait_until(lambda: all(j.runs_total >= 1 for j in _running(daemon)), 60)
        with psycopg.connect(workload_db, autocommit=True) as conn:
            conn.execute(sql.SQL("DELETE FROM {} WHERE id <= 5000").format(
                sql.Identifier("public", EVIL_TABLE)))
        _traffic(workload_db, scenarios, 4.0)
        marks = {j.collector: j.runs_total for j in _running(daemon)}
        wait_until(lambda: all(j.runs_total >= marks[j.collector] + 2 for j in _running(daemon)),
              60)
    finally:
        daemon.stop()
    now = time.time()
    alert = Alert("ReportTestDeadRows", "report", (("alertname", "ReportTestDeadRows"),
                                                   ("severity", "warning"),
                                                   ("relname", EVIL_TABLE)),
                  (("summary", f"dead rows pile up in {EVIL_TABLE}"),), AlertState.FIRING,
                  5000.0, now - 600, fired_at=now - 540)
    elsewhere = Alert("ReportTestOtherTarget", "report", (("alertname", "ReportTestOtherTarget"),
                                                         ("target", "elsewhere")), (),
                      AlertState.FIRING, 1.0, now - 60, fired_at=now - 30)
    store.commit_evaluation(Evaluation([alert, elsewhere], [], [], now, 100))
    store.close()


def _running(daemon: Daemon) -> list[Any]:
    """The jobs that run (a collector skipped on this server never does)."""
    return [j for j in daemon.state.jobs() if not j.skipped_reason]


def _traffic(dsn: str, scenarios: tuple[Any, ...], seconds: float) -> None:
    from pgwatch.db import connect
    from pgwatch.workload.params import PoolParameters, load_pools

    with connect(dsn) as conn:
        params = PoolParameters(load_pools(conn))
    worker = threading.Thread(target=run_phase, args=(
        dsn, "traffic", scenarios, params, RunSettings(duration_s=seconds / len(scenarios),
                                                       concurrency=1)))
    worker.start()
    worker.join(timeout=120)




def parse_html(text: str) -> Any:
    """A strict HTML5 parse: any parse error fails the test."""
    return html5lib.HTMLParser(strict=True).parse(text)


def texts(element: Any) -> str:
    return "".join(element.itertext())


def html_tables(doc: Any) -> dict[str, list[list[str]]]:
    found = {}
    for table in doc.iter(f"{HTML_NS}table"):
        key = table.get("data-table")
        if key:
            found[key] = [[" ".join(texts(td).split()) for td in tr.findall(f"{HTML_NS}td")]
                          for tr in table.iter(f"{HTML_NS}tr")
                          if tr.findall(f"{HTML_NS}td")]
    return found


def test_live_report_html_parses_and_shows_the_advice(
        workload_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "live.html"
    result = run_cli(capsys, "report", "--dsn", workload_db, "--output", str(out))
    assert result.status == 0, result.err
    text = out.read_text()
    doc = parse_html(text)
    assert doc.find(f".//{HTML_NS}script") is None
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    grade = doc.find(f".//{HTML_NS}div[@id='grade']")
    assert grade is not None and texts(grade) in "ABCDF"
    tables = html_tables(doc)
    advice = tables["indexes/index advice"]
    assert advice and any(row[1].startswith(("CREATE INDEX", "DROP INDEX", "REINDEX"))
                          for row in advice)
    queries = tables["queries/top queries"]
    assert len(queries) >= 10
    section = doc.find(f".//{HTML_NS}section[@id='alerts']")
    assert section is not None and "needs pgwatch report -c" in texts(section)
    assert "needs the daemon's history" in texts(doc.find(f".//{HTML_NS}section[@id='queries']"))
    # The sections that need history are named first, each a section of this report.
    sections = list(doc.iter(f"{HTML_NS}section"))
    assert [s.get("id") for s in sections[:2]] == ["summary", "history"]
    titles = {texts(h) for h in doc.iter(f"{HTML_NS}h2")}
    needs = tables["history/sections that need history"]
    assert len(needs) >= 6 and {row[0] for row in needs} <= titles
    for key in ("indexes", "mile_quest", "capacity"):
        shown = texts(doc.find(f".//{HTML_NS}section[@id='{key}']"))
        assert "statistics reset" in shown or "needs the daemon's history" in shown, key


def test_injection_cases_show_as_text(workload_db: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "live.html"
    assert run_cli(capsys, "report", "--dsn", workload_db, "-o", str(out)).status == 0
    text = out.read_text()
    doc = parse_html(text)
    assert doc.find(f".//{HTML_NS}img") is None and doc.find(f".//{HTML_NS}script") is None
    body = texts(doc)
    assert f"public.{EVIL_TABLE}" in body  # the dead-rows table lists it, as text
    assert EVIL_ALIAS in body  # the query text, as text
    assert EVIL_TABLE not in text and "</script><script>" not in text  # escaped in the source


def _chromium(page: Path, folder: Path) -> tuple[str, str, Path]:
    """Open ``page`` headless: the rendered DOM, Chromium's log, a screenshot, a PDF.

    Each run has a profile of its own (a run still exiting holds its profile's lock, which
    failed the next one in a loaded combined run), /dev/shm is not used (small in CI), and
    the time allowed is generous: three renderings on a loaded 2-core machine.
    """
    assert shutil.which(CHROMIUM), "Debian's chromium is needed for the report tests"

    def run(name: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", "--disable-background-networking",
                   "--no-first-run", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={folder / f'profile-{name}'}", "--enable-logging=stderr",
                   "--v=0", "--hide-scrollbars", *args, page.as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=300,
                              check=False)

    shot = folder / "report.png"
    taken = run("shot", "--window-size=1280,2000", f"--screenshot={shot}")
    assert shot.is_file(), taken.stderr[-2000:]
    dom = run("dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    pdf = folder / "report.pdf"  # the print stylesheet applies
    printed = run("pdf", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.is_file(), printed.stderr[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    return dom.stdout, taken.stderr + dom.stderr + printed.stderr, shot


def test_store_report_in_chromium_and_formats_agree(
        filled: Filled, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "report.html"
    result = run_cli(capsys, "report", "-c", str(filled.config), "--since", "1h",
                     "--output", str(page))
    assert result.status == 0, result.err
    dom, log, shot = _chromium(page, tmp_path)
    assert shot.stat().st_size > 20_000
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Refused" in line
               or "Content Security Policy" in line]
    assert console == []
    rendered = parse_html(dom)
    summary = texts(rendered.find(f".//{HTML_NS}section[@id='summary']"))
    assert "How the grade was reached" in summary and "cache hit ratio" in summary
    advice = html_tables(rendered)["indexes/index advice"]
    assert advice and all(row[1].startswith(("CREATE INDEX", "DROP INDEX", "REINDEX"))
                          and row[1].endswith(";") for row in advice)
    # One model, three renderings: built once, as make_report builds it.
    source = open_source(filled.config, None, datetime.now(UTC))
    try:
        report = build_report(source, timedelta(hours=1))
    finally:
        source.close()
    tables = html_tables(parse_html(render(report, "html")))
    document = json.loads(render(report, "json"))
    _agree(document, tables, render(report, "md"))
    dead = {row["table"]: row for row in _json_table(document, "maintenance", "dead rows")}
    assert dead[f"public.{EVIL_TABLE}"]["dead rows"] >= filled.dead_after  # the newest rows
    assert "history" not in [s["key"] for s in document["sections"]]  # it has history
    alerts = _json_table(document, "alerts", "alerts")
    assert [a["alert"] for a in alerts] == ["ReportTestDeadRows"]
    queries = _json_table(document, "queries", "top queries")
    assert any(isinstance(q["trend"], list) and len(q["trend"]) >= 2 for q in queries)
    growth = _json_table(document, "capacity", "growth")
    assert growth[0]["object"].startswith("database ")
    pools = _json_table(document, "connections", "PgBouncer pools")
    dbname = str(conninfo_to_dict(filled.dsn)["dbname"])
    assert [p["database"] for p in pools if p["database"] == dbname] == [dbname]


def _json_table(document: dict[str, Any], section: str, name: str) -> list[dict[str, Any]]:
    found = next(s for s in document["sections"] if s["key"] == section)
    return list(next(t for t in found["tables"] if t["name"] == name)["rows"])


_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4, "µs": 1e-6,
          "ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400, "%": 0.01}


def shown_number(text: str) -> float | None:
    """The number a cell shows, in base units (``1.5 MB``, ``12.3 %``, ``1,234``, ``×1.20``)."""
    match = re.fullmatch(r"×?(-?[\d,]*\.?\d+)\s*([a-zµ%A-Z]*)", text.strip())
    if not match or match.group(2) not in ("", *_UNITS):
        return None
    return float(match.group(1).replace(",", "")) * _UNITS.get(match.group(2), 1)


def _agree(document: dict[str, Any], html: dict[str, list[list[str]]], markdown: str) -> None:
    """Every number of the JSON is the number the HTML shows, and the Markdown shows it too."""
    compared = 0
    for section in document["sections"]:
        for table in section["tables"]:
            shown = html.get(f"{section['key']}/{table['name']}", [])
            assert len(shown) == len(table["rows"]), table["name"]
            for row, cells in zip(table["rows"], shown, strict=True):
                for (column, value), text in zip(row.items(), cells, strict=True):
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        number = shown_number(text)
                        assert number is not None, (column, text)
                        assert abs(number - value) <= max(abs(value) * 0.06, 0.06), \
                            (table["name"], column, text, value)
                        assert text.replace("|", "\\|") in markdown, (column, text)
                        compared += 1
    assert compared > 50


def test_bad_input_is_one_line_and_writes_nothing(
        filled: Filled, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    cases = [
        (["-c", str(filled.config), "--since", "yesterday", "-o", str(out)], "--since"),
        (["-c", str(filled.config), "-o", str(tmp_path / "missing" / "r.html")],
         "does not exist"),
        (["-c", str(filled.config), "-o", "/sys/r.html"], "not writable"),
    ]
    not_a_store = tmp_path / "other.db"
    not_a_store.write_bytes(b"not a database at all")
    config = tmp_path / "bad.yaml"
    config.write_text(filled.config.read_text().replace(str(filled.store), str(not_a_store)))
    cases.append((["-c", str(config), "-o", str(out)], "not a pgwatch store"))
    for args, expected in cases:
        result = run_cli(capsys, "report", *args)
        assert result.status == 2, result
        assert result.err.count("\n") == 1 and expected in result.err, result.err
    assert list(tmp_path.glob("*.html")) == [] and not (tmp_path / "missing").exists()
    assert not_a_store.read_bytes() == b"not a database at all"


def test_report_notes_when_written_and_how_long(filled: Filled, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    began = datetime.now(UTC)
    result = run_cli(capsys, "report", "-c", str(filled.config), "--format", "json",
                     "-o", str(out))
    assert result.status == 0 and "wrote" in result.out
    document = json.loads(out.read_text())
    assert datetime.fromisoformat(document["generated_at"]) >= began.replace(microsecond=0)
    assert document["mode"] == "store" and document["summary"]["grade"] in "ABCDF"
    assert document["summary"]["rubric"][0]["criterion"] == "cache hit ratio"


def test_daemon_schedules_reports_and_serves_them(filled: Filled, tmp_path: Path) -> None:
    store = tmp_path / "history.db"
    shutil.copy(filled.store, store)
    port = free_port()
    config = write_config(tmp_path / "pgwatch.yaml", filled.dsn,
                          f"http: {{listen: '127.0.0.1:{port}'}}\n"
                          "reports: {interval: 2s, directory: out, keep: 2, window: 1h}\n")
    service = Service.from_config(config)
    service.start()
    try:
        wait_until(lambda: len(list((tmp_path / "out").glob("*.html"))) >= 2, 90)
        wait_until(lambda: len(list((tmp_path / "out").glob("*.json"))) >= 2, 30)
        time.sleep(4.5)  # a third one, and the oldest pruned
        base = f"http://127.0.0.1:{port}"
        newest = httpx.get(f"{base}/report", timeout=10)
        listing = httpx.get(f"{base}/reports", timeout=10)
        names = re.findall(r'href="/reports/(report-main-[0-9TZ]+\.html)"', listing.text)
        one = httpx.get(f"{base}/reports/{names[-1]}", timeout=10)
        escape = httpx.get(f"{base}/reports/..%2Fpgwatch.yaml", timeout=10)
    finally:
        service.stop()
    assert newest.status_code == 200 and "PostgreSQL tuning report: main" in newest.text
    assert "default-src 'none'" in newest.headers["content-security-policy"]
    parse_html(newest.text)
    assert len(names) == 2 and sorted(names, reverse=True) == names
    assert one.status_code == 200 and one.text.startswith("<!DOCTYPE html>")
    assert escape.status_code == 404
    kept = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(kept) == 4 and not any(p.startswith(".") for p in kept)  # no temporary left
    latest = json.loads((tmp_path / "out" / kept[-1]).read_text())
    assert latest["summary"]["previous"] is not None  # compared with the one before
