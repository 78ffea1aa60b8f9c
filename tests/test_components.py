"""Each crawl component can be switched off in settings without breaking the others.

Components find each other through Scrapy's own lookups (``crawler.get_extension``),
so a crawl without the WARC writer still fetches and reports, and one without the
report still writes valid WARCs.
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
from conftest import SEED, records

from crawler import settings as defaults
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
CRAWL = """
import json, sys
from pathlib import Path
from crawler.run import run_crawl
out, overrides = Path(sys.argv[1]), json.loads(sys.argv[2])
report = run_crawl([sys.argv[3]], out, overrides)
import gc, logging
report["gc"] = {"threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}
report["root_log_level"] = logging.getLogger().level
print(json.dumps(report, default=str))
"""


def crawl(out: Path, port: int, **overrides: Any) -> dict[str, Any]:
    settings = {"WIRE_CONNECT_TO": [f"{h}:80:127.0.0.1:{port}" for h in (
        "www.akershus.no", "akershus.no", "static.akershus.no", "www.viken.no")],
        "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "SCOPE_MAX_PAGES": 20,
        "REPORT_PROGRESS": False, "LOG_LEVEL": "ERROR", **overrides}
    proc = subprocess.run([sys.executable, "-c", CRAWL, str(out), json.dumps(settings), SEED],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "AttributeError" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def without(setting: str, component: str) -> dict[str, Any]:
    return {setting: {**getattr(defaults, setting), component: None}}


@pytest.fixture(scope="module")
def server() -> Any:
    with ReplicaServer() as running:
        yield running


def test_crawl_without_the_warc_writer_fetches_and_reports(server: Any, tmp_path: Path) -> None:
    report = crawl(tmp_path, server.port,
                   **without("EXTENSIONS", "crawler.warcfile.WarcExtension"))
    assert report["finish_reason"] == "finished" and report["responses"] >= 20
    assert not list((tmp_path / "warc").glob("*.warc.gz"))


def test_crawl_without_the_report_writes_valid_warcs(server: Any, tmp_path: Path) -> None:
    crawl(tmp_path, server.port, **without("EXTENSIONS", "crawler.report.ReportExtension"))
    responses = [r for _n, r in records(tmp_path) if r.rec_type == "response"]
    assert len(responses) >= 20


@pytest.mark.parametrize("component", ["crawler.report.DownloadErrorStats",
                                       "crawler.robots.SiteRobotsMiddleware"])
def test_crawl_without_a_downloader_middleware(server: Any, tmp_path: Path,
                                               component: str) -> None:
    report = crawl(tmp_path, server.port, **without("DOWNLOADER_MIDDLEWARES", component))
    responses = [r for _n, r in records(tmp_path) if r.rec_type == "response"]
    assert len(responses) >= 20 and report["finish_reason"] == "finished"


def test_no_spider_callback_is_a_generator_that_returns_a_value() -> None:
    """Scrapy's per-response check is off (WARN_ON_GENERATOR_RETURN_VALUE): it is done here."""
    import inspect

    from scrapy.utils.misc import is_generator_with_return_value

    from crawler.spiders.akershus import AkershusSpider
    from crawler.spiders.harvest import HarvestSpider

    def returns_a_value():  # what the check exists to find
        yield 1
        return 2

    assert is_generator_with_return_value(returns_a_value)
    assert defaults.WARN_ON_GENERATOR_RETURN_VALUE is False
    checked = [f"{cls.__name__}.{name}" for cls in (AkershusSpider, HarvestSpider)
               for name, fn in inspect.getmembers(cls, inspect.isgeneratorfunction)]
    assert "AkershusSpider.parse" in checked and "HarvestSpider.parse_listing" in checked
    for cls in (AkershusSpider, HarvestSpider):
        for name, fn in inspect.getmembers(cls, inspect.isgeneratorfunction):
            assert not is_generator_with_return_value(fn), f"{cls.__name__}.{name}"


def test_the_stats_collector_is_scrapys_without_its_lookup_hook() -> None:
    from scrapy.statscollectors import MemoryStatsCollector, StatsCollector

    from crawler.stats import Stats

    assert defaults.STATS_CLASS == "crawler.stats.Stats"
    assert StatsCollector.__getattribute__ is not object.__getattribute__  # what is undone
    assert Stats.__getattribute__ is object.__getattribute__
    assert issubclass(Stats, MemoryStatsCollector)

    from scrapy.utils.test import get_crawler

    stats = Stats(get_crawler(settings_dict={"STATS_CLASS": defaults.STATS_CLASS}))
    stats.inc_value("pages/html")
    stats.inc_value("pages/html", 2)
    stats.max_value("depth", 3)
    stats.set_value("finish", "finished", spider=None)  # the old signature still takes spider
    assert stats.get_stats() == {"pages/html": 3, "depth": 3, "finish": "finished"}


@pytest.mark.parametrize(("log_level", "other", "expected"), [
    ("WARNING", None, logging.WARNING),
    ("ERROR", logging.ERROR, logging.ERROR),
    ("DEBUG", None, logging.DEBUG),
    ("WARNING", logging.DEBUG, logging.DEBUG),  # a test's capture handler keeps what it sees
])
def test_records_no_handler_shows_are_not_made(log_level: str, other: int | None,
                                               expected: int) -> None:
    from scrapy.settings import Settings

    from crawler.report import skip_unshown_records

    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    for handler in saved_handlers:
        root.removeHandler(handler)
    try:
        if other is not None:
            root.addHandler(logging.NullHandler(other))
        crawler = type("Crawler", (), {"settings": Settings({"LOG_LEVEL": log_level})})()
        skip_unshown_records(crawler)
        assert root.level == expected
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG) == (
            expected <= logging.DEBUG)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


@pytest.mark.parametrize("threshold", [None, 2000])
def test_the_crawl_runs_with_the_collector_tuned(server: Any, tmp_path: Path,
                                                 threshold: int | None) -> None:
    """Start-up's objects frozen, the young generation collected after GC_THRESHOLD objects."""
    overrides = {} if threshold is None else {"GC_THRESHOLD": threshold}
    report = crawl(tmp_path, server.port, **overrides)
    assert report["finish_reason"] == "finished"
    assert report["gc"]["threshold"] == (threshold or defaults.GC_THRESHOLD) != 700
    assert report["gc"]["frozen"] > 10_000


def test_the_crawl_makes_no_record_its_log_level_drops(server: Any, tmp_path: Path) -> None:
    """The root logger is at LOG_LEVEL during the crawl, not Scrapy's NOTSET."""
    report = crawl(tmp_path, server.port, LOG_LEVEL="WARNING")
    assert report["root_log_level"] == logging.WARNING
