"""Run one crawl in this process and return its report.

The Twisted reactor cannot be restarted, so a process runs one crawl; tests
and the CLI run crawls in a subprocess or as the last reactor user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.spiders.akershus import AkershusSpider


def crawl_settings(archive_dir: Path, overrides: dict[str, Any]) -> Settings:
    """The project's documented defaults, then the caller's overrides."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(seeds: list[str], archive_dir: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """Crawl ``seeds`` into ``archive_dir/warc``; return the crawl report."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(archive_dir, overrides)
    process = CrawlerProcess(settings)
    process.crawl(AkershusSpider, urls=seeds)
    process.start()
    report_path = archive_dir / "crawl-report.json"
    return json.loads(report_path.read_text(encoding="utf-8"))
