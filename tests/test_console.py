"""One console for long commands: live lines on a terminal (a real pty), plain lines elsewhere."""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from archive.console import Console, Task

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SCRIPT = """
import logging, sys
from archive.console import Console
console = Console(quiet="--quiet" in sys.argv)
console.install(logging.INFO)
task = console.task("render", "pages", total=400)
for i in range(400):
    console.update(task, 1, state="link check" if i > 300 else "writing")
    if i == 200:
        logging.getLogger("scrapy.downloadermiddlewares.retry").error("Gave up retrying <GET /feil/>")
console.stop()
console.print("render done: 400 pages")
"""


def _in_a_terminal(*args: str) -> str:
    """Run SCRIPT with its standard error on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, *args], stdin=slave, stdout=slave,
                            stderr=slave, cwd=ROOT, env={**os.environ, "COLUMNS": "120",
                                                         "TERM": "xterm-256color"})
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other end closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    return out.decode("utf-8", "replace")


def _screen_lines(raw: str) -> list[str]:
    """The pieces of text between carriage returns and newlines, control sequences removed."""
    return [p.strip() for p in re.split(r"[\r\n]", ANSI.sub("", raw)) if p.strip()]


def test_on_a_terminal_log_lines_stay_above_the_live_line() -> None:
    raw = _in_a_terminal()
    assert "\x1b[" in raw  # drawn in place with control sequences
    lines = _screen_lines(raw)
    logged = [line for line in lines if "Gave up retrying" in line]
    assert logged and all("/400" not in line for line in logged), logged
    assert any("/400 pages" in line and "/s" in line for line in lines)
    assert any("link check" in line for line in lines)
    assert lines[-1] == "render done: 400 pages"


def test_quiet_terminal_shows_errors_only() -> None:
    lines = _screen_lines(_in_a_terminal("--quiet"))
    assert lines and all("Gave up retrying" in line for line in lines), lines


def test_not_a_terminal_gives_plain_lines_only() -> None:
    stream = io.StringIO()
    console = Console(stream=stream, plain_interval=0.0)
    log = logging.getLogger("test.console.plain")
    log.propagate = False
    log.addHandler(console.handler(logging.INFO))
    task = console.task("harvest", "captures", total=10)
    for _ in range(10):
        console.update(task, 1, state="waiting 60 s: the archive answered 429")
    log.warning("a warning")
    console.print("harvest done")
    text = stream.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert "harvest: 10/10 captures" in text and "(waiting 60 s: the archive answered 429)" in text
    assert "WARNING test.console.plain: a warning" in text
    assert text.splitlines()[-1] == "harvest done"


def test_quiet_plain_stream_prints_nothing_but_errors() -> None:
    stream = io.StringIO()
    console = Console(quiet=True, stream=stream, plain_interval=0.0)
    log = logging.getLogger("test.console.quiet")
    log.propagate = False
    log.addHandler(console.handler(logging.INFO))
    task = console.task("extract", "records", total=3)
    console.update(task, 3)
    log.warning("not shown")
    log.error("shown")
    console.print("not shown either")
    assert stream.getvalue() == "ERROR test.console.quiet: shown\n"


def test_task_line_with_an_estimated_total_and_eta() -> None:
    task = Task("crawl", "pages", total=200, estimated=True)
    task.done, task.started = 50, task.started - 10.0
    line = task.line()
    assert line.startswith("crawl: 50/~200 pages, 5.0 pages/s, ETA 0:00:30"), line
    assert Task("x", "pages").line().startswith("x: 0 pages")


def test_crawl_summary_speaks_in_words() -> None:
    from crawler.report import summary

    report = {
        "finish_reason": "finished", "pages": 3, "responses": 5, "bytes": 2_000_000,
        "duration_seconds": 2.0, "by_status": {"200": 4, "500": 1},
        "by_type": {"text/html": 5}, "skipped": {"out_of_scope": 7, "robots": 2,
                                                 "trap:query_hops": 1},
        "errors": {"scrapy.exceptions.IgnoreRequest": 2,
                   "twisted.internet.error.ConnectionRefusedError": 1,
                   "crawler.handler.ResponseTimeout": 3},
        "truncated": {}, "warc_files": ["a.warc.gz"],
    }
    text = summary(report)
    assert "left out:  outside the scope: 7, robots.txt: 2, trap rule query_hops: 1" in text
    assert "not recorded: connection refused: 1, no answer in time: 3" in text
    assert "IgnoreRequest" not in text and "scrapy." not in text and "twisted." not in text
    assert "by status: 200: 4, 500: 1" in text  # a recorded 500 is a status, not an error


def _crawl_args(out: Path, port: int, *extra: str) -> list[str]:
    from conftest import SEED, connect_to

    return [sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
            *connect_to(port), "--delay", "0", "--concurrency", "4", "--max-pages", "60", *extra]


def _run_on_a_pty(argv: list[str]) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
                            env={**os.environ, "COLUMNS": "120", "PYTHONPATH": str(ROOT)})
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=300) == 0, out[-3000:]
    return out.decode("utf-8", "replace")


def test_a_crawl_watched_in_a_terminal_piped_and_quiet(tmp_path: Path, replica: Any) -> None:
    raw = _run_on_a_pty(_crawl_args(tmp_path / "tty", replica.port))
    lines = _screen_lines(raw)
    live = [line for line in lines if line.startswith("crawl ") and "responses" in line]
    assert live and "\x1b[" in raw, lines[:20]
    assert any("pages," in line and "left out" in line for line in live)
    # the replica's sitemap lists its pages: the estimate of the total, and said so
    assert any(re.search(r"/(\d+) responses.*sitemaps list \1", line) for line in live), live
    assert lines[-1].startswith("next: akershus-archive extract"), lines[-5:]
    assert any(line.startswith("Crawl finished") for line in lines)
    assert not any("Traceback" in line for line in lines)
    piped = subprocess.run(_crawl_args(tmp_path / "piped", replica.port), cwd=ROOT,
                           capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "\x1b" not in piped.stdout + piped.stderr and "\r" not in piped.stdout + piped.stderr
    assert "left out:" in piped.stdout and piped.stdout.rstrip().splitlines()[-1].startswith(
        "next: ")
    quiet = _run_on_a_pty(_crawl_args(tmp_path / "quiet", replica.port, "--quiet"))
    assert _screen_lines(quiet) == []
    # an unfinished crawl run again resumes, and says so while it reads its WARC files
    state = tmp_path / "tty" / "crawl-state.json"
    state.write_text(state.read_text().replace('"finished"', '"running"'))
    lines = _screen_lines(_run_on_a_pty(_crawl_args(tmp_path / "tty", replica.port)))
    assert any(line.startswith("resume ") and "resuming: reading 1 WARC files" in line
               for line in lines), lines[:10]


def test_host_rates_of_a_multi_host_crawl() -> None:
    from collections import Counter

    from crawler.report import host_rates

    hosts = Counter({"www.akershus.no": 410, "static.akershus.no": 50, "a.no": 3, "b.no": 1})
    assert host_rates(hosts, 100.0) == ("www.akershus.no 4.1/s, static.akershus.no 0.5/s, "
                                        "a.no 0.0/s, 1 more hosts")


def test_extract_and_render_watched_in_a_terminal(tmp_path: Path, replica_crawl: Path) -> None:
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(replica_crawl / "warc", archive / "warc")
    cli = [sys.executable, "-m", "akershus_archive"]
    lines = _screen_lines(_run_on_a_pty([*cli, "extract", str(archive)]))
    assert any(line.startswith("extract ") and "captures" in line for line in lines), lines[:10]
    assert lines[-1] == f"next: akershus-archive render {archive}"
    lines = _screen_lines(_run_on_a_pty([*cli, "render", str(archive)]))
    stages = [line for line in lines if line.startswith("render ") and "stages" in line]
    assert any("/6 stages" in line and "rendering the captures" in line for line in stages)
    assert any("checking every link" in line for line in stages)
    # the captures rendered, counted as the workers go, up to all of them
    captures = [line for line in lines if re.match(r"captures .* (\d+)/(\d+) captures", line)]
    assert len(captures) > 1 and re.search(r" (\d+)/\1 captures", captures[-1]), captures
    assert not any(line.startswith("render ") for line in lines[-3:])  # the summary is last
    assert any(line.startswith("link check:") for line in lines[-4:])
    wacz = tmp_path / "a.wacz"
    lines = _screen_lines(_run_on_a_pty([*cli, "package", str(archive), "-o", str(wacz)]))
    assert any(line.startswith("package ") and "copying" in line for line in lines), lines
    assert lines[-1] == str(wacz) and wacz.is_file()
