"""Crawl progress on a terminal and the crawl report at the end.

The report (``ARCHIVE_DIR/crawl-report.json``) is what an archivist files
with the WARCs: what was captured by status and type, how many bytes, how
long it took, and every URL left out with the reason why.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.internet.task import LoopingCall

# How many example URLs to keep per skip reason (the counts are always complete).
SKIPPED_EXAMPLES = 50


class ReportExtension:
    """Counts what the crawl did; shows progress; writes the JSON report."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.archive_dir = Path(settings.get("ARCHIVE_DIR"))
        self.show_progress = settings.getbool("REPORT_PROGRESS") and sys.stderr.isatty()
        self.interval = settings.getfloat("REPORT_INTERVAL")
        self.status: Counter[int] = Counter()
        self.types: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.skipped_examples: dict[str, list[str]] = defaultdict(list)
        self.bytes = 0
        self.pages = 0
        self.started = time.monotonic()
        self.started_at = datetime.now(timezone.utc)
        self._live: Any = None
        self._loop: LoopingCall | None = None
        self.path = self.archive_dir / report_name(settings)
        crawler.report = self  # type: ignore[attr-defined]
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportExtension:
        return cls(crawler)

    def skip(self, url: str, reason: str) -> None:
        self.skipped[reason] += 1
        examples = self.skipped_examples[reason]
        if len(examples) < SKIPPED_EXAMPLES and url not in examples:
            examples.append(url)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.status[response.status] += 1
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        ctype = ctype.split(";")[0].strip().lower() or "unknown"
        self.types[ctype] += 1
        self.bytes += len(response.body)
        if ctype in {"text/html", "application/xhtml+xml"} and response.status == 200:
            self.pages += 1

    # -- progress -----------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        if not self.show_progress:
            return
        from rich.console import Console
        from rich.live import Live

        self._live = Live(self._line(), console=Console(stderr=True), refresh_per_second=4,
                          transient=True)
        self._live.start()
        self._loop = LoopingCall(lambda: self._live.update(self._line()))
        self._loop.start(self.interval, now=False)

    def _line(self) -> str:
        stats = self.crawler.stats
        engine = self.crawler.engine
        queued = 0
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        if slot is not None and getattr(slot, "scheduler", None) is not None:
            queued = len(slot.scheduler)
        errors = sum(
            v for k, v in stats.get_stats().items()
            if k.startswith("downloader/exception_type_count/")
        )
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"pages {self.pages}  responses {sum(self.status.values())}  "
            f"{self.bytes / 1e6:.1f} MB  queued {queued}  errors {errors}  "
            f"skipped {sum(self.skipped.values())}  {self.pages / elapsed:.1f} pages/s"
        )

    # -- the report -----------------------------------------------------------------
    def as_dict(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        duration = time.monotonic() - self.started
        errors = {
            k.removeprefix("downloader/exception_type_count/"): v
            for k, v in stats.items() if k.startswith("downloader/exception_type_count/")
        }
        warc = getattr(self.crawler, "warc", None)
        return {
            "started_at": self.started_at.isoformat().replace("+00:00", "Z"),
            "finished_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "finish_reason": reason,
            "duration_seconds": round(duration, 3),
            "seeds": list(getattr(self.crawler.spider, "seeds", [])),
            "pages": self.pages,
            "responses": sum(self.status.values()),
            "pages_per_second": round(self.pages / duration, 3) if duration else None,
            "by_status": {str(k): v for k, v in sorted(self.status.items())},
            "by_type": dict(self.types.most_common()),
            "bytes": self.bytes,
            "warc_bytes_recorded": stats.get("warc/response_bytes", 0),
            "warc_records": stats.get("warc/records", 0),
            "warc_files": [p.name for p in warc.file.closed_files] if warc else [],
            "truncated": {k.removeprefix("warc/truncated/"): v for k, v in stats.items()
                          if k.startswith("warc/truncated/")},
            "retries": stats.get("retry/count", 0),
            "errors": errors,
            "errors_by_reason": {k.removeprefix("wire/error/"): v for k, v in stats.items()
                                 if k.startswith("wire/error/")},
            "skipped": dict(self.skipped.most_common()),
            "skipped_examples": dict(self.skipped_examples),
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._live is not None:
            self._live.stop()
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        data = self.as_dict(reason)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(self.path)


def report_name(settings: Any) -> str:
    """One report per crawl; one per worker when several share a crawl on Redis."""
    if settings.get("REDIS_URL"):
        from crawler.distributed import WORKER

        return f"crawl-report-{WORKER}.json"
    return "crawl-report.json"


def summary(report: dict[str, Any]) -> str:
    """A few lines for stdout: what the crawl archived and what it left out."""
    lines = []
    if report.get("mode") == "resume":
        lines.append("Resumed an unfinished crawl from the WARC files it had written.")
    for note in report.get("recovered", []):
        lines.append(f"Recovered {note}")
    lines += [
        f"Crawl {report['finish_reason']}: {report['pages']} pages, "
        f"{report['responses']} responses, {report['bytes'] / 1e6:.2f} MB "
        f"in {report['duration_seconds']:.1f} s",
        "  by status: " + ", ".join(f"{k}: {v}" for k, v in report["by_status"].items()),
        "  by type:   " + ", ".join(f"{k}: {v}" for k, v in report["by_type"].items()),
    ]
    if report["skipped"]:
        lines.append("  skipped:   " + ", ".join(f"{k}: {v}" for k, v in report["skipped"].items()))
    if report["errors"]:
        lines.append("  errors:    " + ", ".join(f"{k}: {v}" for k, v in report["errors"].items()))
    if report["truncated"]:
        lines.append("  truncated: " + ", ".join(f"{k}: {v}" for k, v in report["truncated"].items()))
    lines.append("  WARC files: " + ", ".join(report["warc_files"]))
    return "\n".join(lines)
