"""No traceback from a signal handler reaches the terminal: one line, counted in the report.

Scrapy catches what a signal handler raises and logs it with its traceback
("Error caught on signal handler"). The crawl turns that into one line and a
``signal_error/<handler>/<type>`` count in the report's ``errors_by_reason``.
The crawls run a small extension whose handlers raise, enabled by settings
(the EXTENSIONS setting of the Scrapy project; no code of the crawl is
replaced), against the replica, and check what they archived with warcio.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPLICA_HOSTS, ROOT, SEED, connect_to, records
from scrapy import Spider
from scrapy.utils.test import get_crawler

import crawler.settings
from crawler.report import install_filter

RAISING = '''
from scrapy import signals


class Raising:
    """Signal handlers that raise, as a buggy extension's would."""

    def __init__(self, crawler):
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        raise ValueError("cannot open\\nsecond line")

    def response_received(self, response, request, spider):
        raise KeyError(response.url)

    def spider_closed(self, spider, reason):
        raise RuntimeError("cannot close")
'''
OPENED = "signal_error/Raising.spider_opened/ValueError"
RECEIVED = "signal_error/Raising.response_received/KeyError"
CLOSED = "signal_error/Raising.spider_closed/RuntimeError"
LINE = "Error in signal handler "


# -- the filter on Scrapy's own signal dispatch -------------------------------------------------


def broken_handler(spider: Any = None) -> None:
    raise ValueError("first line\nsecond line")


@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
def test_a_handler_error_is_one_counted_line(caplog: pytest.LogCaptureFixture,
                                             level: str) -> None:
    crawl = get_crawler(Spider, {"LOG_LEVEL": level})
    install_filter(crawl)
    signal = object()  # a signal of its own: the default extensions listen to Scrapy's
    crawl.signals.connect(broken_handler, signal=signal)
    with caplog.at_level(logging.ERROR, logger="scrapy.utils.signal"):
        crawl.signals.send_catch_log(signal, spider=None)
    [record] = [r for r in caplog.records if r.name == "scrapy.utils.signal"]
    key = "signal_error/broken_handler/ValueError"
    assert record.getMessage() == (f"{LINE}broken_handler: ValueError: first line "
                                   f"(counted in the crawl report as {key})")
    assert crawl.stats.get_value(key) == 1
    # --debug keeps the traceback, as it does everywhere else
    assert ("Traceback" in caplog.text) == (level == "DEBUG")


# -- crawls of the replica with a raising extension -----------------------------------------------


@pytest.fixture
def raising_module(tmp_path: Path) -> Path:
    folder = tmp_path / "ext"
    folder.mkdir()
    (folder / "raising_ext.py").write_text(RAISING, encoding="utf-8")
    return folder


def extensions() -> dict[str, Any]:
    """The project's extensions and the raising one (a setting replaces the whole dict)."""
    return {**crawler.settings.EXTENSIONS, "raising_ext.Raising": 900}


def run(argv: list[str], module: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=f"{ROOT}{os.pathsep}{module}")
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env, check=False)


def response_urls(archive_dir: Path) -> set[str]:
    return {rec.rec_headers.get_header("WARC-Target-URI")
            for _n, rec in records(archive_dir) if rec.rec_type == "response"}


def assert_counted(proc: subprocess.CompletedProcess[str], out: Path,
                   reference: Path) -> dict[str, Any]:
    """No traceback, one log line per error, each counted; the pages all archived."""
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    errors = report["errors_by_reason"]
    assert errors[OPENED] == 1 and errors[CLOSED] == 1
    assert errors[RECEIVED] == report["responses"] > 100
    lines = [line for line in proc.stderr.splitlines() if LINE in line]
    assert len(lines) == errors[OPENED] + errors[RECEIVED] + errors[CLOSED]
    assert all(" ERROR: " in line for line in lines)
    assert response_urls(out) == response_urls(reference)
    return report


def test_scrapy_crawl_reports_handler_errors_in_one_line_each(
        tmp_path: Path, raising_module: Path, replica: Any, replica_crawl: Path) -> None:
    """``scrapy crawl akershus`` (README), at Scrapy's log level INFO."""
    out = tmp_path / "out"
    route = ",".join(f"{host}:80:127.0.0.1:{replica.port}" for host in REPLICA_HOSTS)
    proc = run([sys.executable, "-m", "scrapy", "crawl", "akershus", "-a", f"urls={SEED}",
                "-s", f"ARCHIVE_DIR={out}", "-s", f"WIRE_CONNECT_TO={route}",
                "-s", "DOWNLOAD_DELAY=0", "-s", f"EXTENSIONS={json.dumps(extensions())}"],
               raising_module)
    assert_counted(proc, out, replica_crawl)
    assert "cannot open" in proc.stderr and "second line" not in proc.stderr


CLI_CRAWL = """
import json, sys
from pathlib import Path
from akershus_archive.cli import build_parser, crawl_overrides
from crawler.report import summary
from crawler.run import run_crawl
args = build_parser().parse_args(sys.argv[2:])
args.quiet, args.debug = getattr(args, "quiet", False), False  # as main() does
overrides = dict(crawl_overrides(args), EXTENSIONS=json.loads(sys.argv[1]))
print(summary(run_crawl(args.urls, Path(args.out), overrides)))
"""


@pytest.mark.parametrize("quiet", [False, True])
def test_the_cli_crawl_reports_handler_errors_in_one_line_each(
        tmp_path: Path, raising_module: Path, replica: Any, replica_crawl: Path,
        quiet: bool) -> None:
    """The CLI's crawl (its settings, crawler/run.py); --quiet shows the errors only."""
    out = tmp_path / "out"
    argv = ["crawl", SEED, "--out", str(out), *connect_to(replica.port), "--delay", "0",
            "--concurrency", "4", *(["--quiet"] if quiet else [])]
    proc = run([sys.executable, "-c", CLI_CRAWL, json.dumps(extensions()), *argv],
               raising_module)
    assert_counted(proc, out, replica_crawl)
    if quiet:  # nothing but the error lines
        assert all(LINE in line for line in proc.stderr.splitlines())
    assert "signal handler errors: Raising.spider_opened/ValueError: 1" in proc.stdout
