"""Run one harvest from a web archive in this process, and the archive's politeness.

A harvest is a crawl of a web archive's captures rather than of the site:
the CDX listing says what it holds, the ``id_`` replay gives each capture's
bytes (crawler/spiders/harvest.py). It shares everything else with a crawl
(crawler/run.py): the WARC writer and recording handler, ``.open`` recovery,
the crawl state file, and revisit records for payloads already held in the
archive directory or in ``--dedup-against`` archives.

- a harvest that did not finish is resumed: captures already in the WARCs
  (same original URL and date) are not fetched again;
- after a finished harvest or crawl, a new harvest fetches its captures
  again and writes ``revisit`` records for payloads already held.

A shared public archive is asked gently, below its published limits (the
Wayback Machine: about 60 CDX and 600 replay requests a minute; docs/wayback-facts.md,
section 3): the CDX API and replay are paced apart at 80% of them or less, as
EDGI's client does (``HARVEST_CDX_DELAY``, ``HARVEST_DELAY``). When the archive
itself refuses (429, 503...), the whole harvest pauses, at least a minute for a
429 that gives no ``Retry-After``; refused connections are the archive's block
(ignored 429s turn into an hour without connections), and the harvest pauses
for it and says so (:class:`BackoffMiddleware`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, cast

from scrapy import Request, Spider
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.folder import finished_in, report_file, warc_dir
from crawler.handler import ConnectFailed, ConnectionReset, NoResponse
from crawler.report import report_extension
from crawler.resume import write_state
from crawler.run import crawl_settings, prepare, start
from crawler.spiders.harvest import CDX_SLOT, REPLAY_SLOT, HarvestSpider
from crawler.warcfile import warc_extension

logger = logging.getLogger(__name__)

# The harvest's own downloader middlewares: no site scope or robots.txt (the
# requests go to the archive, whose API is meant for this), backoff instead of
# Scrapy's immediate retries of HTTP errors.
HARVEST_MIDDLEWARES = {
    "crawler.scope.ScopeMiddleware": None,
    "crawler.robots.SiteRobotsMiddleware": None,
    "crawler.harvest.BackoffMiddleware": 560,
}


# What a blocking archive looks like from here: no connection, or one dropped unanswered.
CONNECTION_FAILURES = (ConnectFailed, ConnectionReset, NoResponse)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffMiddleware:
    """Wait and retry when the archive itself refuses (429, 503...): not a replayed capture.

    A replayed capture carries ``Memento-Datetime``; a capture of a page that
    answered 503 when it was captured is kept like any other. The archive's own
    refusals pause the whole harvest (the engine stops scheduling) for as long
    as ``Retry-After`` says, else ``HARVEST_BACKOFF`` seconds doubled on each
    retry, at most ``HARVEST_BACKOFF_MAX``; after ``HARVEST_RETRY_TIMES``
    retries the answer goes to the spider, which reports the capture as failed.
    """

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        if not s.get("HARVEST_ARCHIVE"):
            raise NotConfigured
        self.crawler = crawler
        self.codes = {int(c) for c in s.getlist("HARVEST_RETRY_HTTP_CODES")}
        self.retries = s.getint("HARVEST_RETRY_TIMES")
        self.base = s.getfloat("HARVEST_BACKOFF")
        self.cap = s.getfloat("HARVEST_BACKOFF_MAX")
        self.block_pause = s.getfloat("HARVEST_BLOCK_PAUSE")
        self.block_retries = s.getint("HARVEST_BLOCK_RETRIES")
        self.block_after = max(s.getint("HARVEST_BLOCK_AFTER"), 1)
        self.failures_in_a_row = 0
        self.blocks = 0
        self.block_until = 0.0  # monotonic time the current block pause ends
        self.paused = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Request | Response:
        self.failures_in_a_row = 0  # an answer: the archive is not blocking us
        if response.status not in self.codes or response.headers.get(b"Memento-Datetime"):
            return response
        tries = request.meta.get("backoff_tries", 0) + 1
        stats = self.crawler.stats
        if tries > self.retries:
            stats.inc_value(f"harvest/backoff_gave_up/{response.status}")
            return response
        asked = retry_after((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
        wait = min(asked if asked is not None else self.base * 2 ** (tries - 1), self.cap)
        stats.inc_value(f"harvest/backoff/{response.status}")
        # seconds, fractional: the stats add any number (inc_value is typed int only)
        stats.inc_value("harvest/backoff_seconds", cast(int, wait))
        logger.warning("The archive answered %s for %s; waiting %.1f s (retry %d of %d)",
                       response.status, request.url, wait, tries, self.retries)
        await self.pause(wait, f"the archive answered {response.status}")
        retry = request.copy()
        retry.meta["backoff_tries"] = tries
        retry.dont_filter = True
        return retry

    async def process_exception(self, request: Request, exception: Exception,
                                spider: Spider | None = None) -> Request | None:
        """Connections refused or dropped unanswered, again and again: the archive's block.

        One such failure is retried as any network error is (Scrapy's retries);
        ``HARVEST_BLOCK_AFTER`` in a row, with no answer between them, are a block:
        the harvest pauses ``HARVEST_BLOCK_PAUSE`` seconds, doubled each time, and
        stops (``archive_blocked``, resumable) after ``HARVEST_BLOCK_RETRIES`` pauses.
        """
        if not isinstance(exception, CONNECTION_FAILURES):
            return None
        left = self.block_until - time.monotonic()
        if left > 0:  # a request that was in flight when the block was seen: wait with it
            await asyncio.sleep(left)
            retry = request.copy()
            retry.dont_filter = True
            return retry
        self.failures_in_a_row += 1
        if self.failures_in_a_row < self.block_after:
            return None
        self.failures_in_a_row = 0
        stats = self.crawler.stats
        self.blocks += 1
        if self.blocks > self.block_retries:
            logger.error("The archive still refuses connections after %d pauses: stopping; "
                         "run the same command later to resume", self.block_retries)
            stats.set_value("harvest/blocked", True)
            engine = self.crawler.engine
            if engine is not None:
                deferred_from_coro(engine.close_spider_async(reason="archive_blocked"))
            return None
        wait = self.block_pause * 2 ** (self.blocks - 1)
        stats.inc_value("harvest/blocks")
        stats.inc_value("harvest/blocked_seconds", wait)
        logger.warning("The archive refuses connections (%s): it blocks this address after "
                       "ignored 429s; the harvest pauses %.0f s (pause %d of %d)",
                       exception, wait, self.blocks, self.block_retries)
        self.block_until = time.monotonic() + wait
        await self.pause(wait, "the archive refuses connections")
        retry = request.copy()
        retry.dont_filter = True
        return retry

    async def pause(self, seconds: float, why: str) -> None:
        """Stop the whole harvest from sending requests for ``seconds`` (the live line says why)."""
        engine = self.crawler.engine
        report = report_extension(self.crawler)
        if report is not None:
            report.waiting(seconds, why)
        self.paused += 1
        if engine is not None:
            engine.pause()
        try:
            await asyncio.sleep(seconds)
        finally:
            self.paused -= 1
            if engine is not None and not self.paused:
                engine.unpause()


def _steady() -> dict[str, Any]:
    """A download slot's delay without random variation, in the installed Scrapy's words.

    Newer Scrapy calls it ``jitter`` (a magnitude) and warns on the older
    ``randomize_delay`` (a flag), which the oldest Scrapy this runs on knows alone.
    """
    from scrapy.core.downloader import Slot

    if "jitter" in inspect.signature(Slot.__init__).parameters:
        return {"jitter": 0}
    return {"randomize_delay": False}


STEADY = _steady()


def harvested(warc_dir: Path) -> set[tuple[str, str]]:
    """(original URL, capture date) of every capture a harvest put in ``warc_dir``."""
    held: set[tuple[str, str]] = set()
    for path in finished_in(warc_dir):
        try:
            with path.open("rb") as fh:
                for record in ArchiveIterator(fh):
                    h = record.rec_headers
                    if record.rec_type in ("response", "revisit") and \
                            h.get_header("WARC-Source-URI"):
                        held.add((h.get_header("WARC-Target-URI"), h.get_header("WARC-Date")))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            logger.warning("Stopped reading %s at a damaged record: %s", path.name, exc)
    return held


def harvest_counts(raw: dict[str, Any]) -> dict[str, Any]:
    """The harvest's account of the listing: what became of every capture in range.

    ``in_range`` is the sum of the outcomes after it; ``accounted`` says whether
    it is (a harvest stopped early leaves some captures with no outcome).
    """
    n = {key: int(raw.get(key, 0)) for key in (
        "listed", "listed_repeats", "listed_out_of_range", "in_range", "captures",
        "captures_reached_by_archive_redirect", "revisits_from_listing", "already_held",
        "unchanged_skipped", "older_skipped", "unplayable", "failed", "digest_mismatch",
        "archive_redirects", "blocks")}
    counts: dict[str, Any] = {
        "listed": n["listed"],  # distinct lines of the listing
        "repeated_lines": n["listed_repeats"],
        "out_of_range": n["listed_out_of_range"],
        "in_range": n["in_range"],
        "harvested": n["captures"] - n["captures_reached_by_archive_redirect"],
        "revisits_from_listing": n["revisits_from_listing"],
        "already_held": n["already_held"],
        "unchanged_skipped": n["unchanged_skipped"],
        "older_skipped": n["older_skipped"],
        "unplayable": n["unplayable"],
        "failed": n["failed"],
        # not listed in range, reached when the archive redirected a listed capture
        "reached_by_archive_redirect": n["captures_reached_by_archive_redirect"],
        "digest_mismatch": n["digest_mismatch"],
        "archive_errors": {k.removeprefix("archive_errors/"): v for k, v in raw.items()
                           if k.startswith("archive_errors/")},
        "waited_seconds": round(float(raw.get("backoff_seconds", 0))
                                + float(raw.get("blocked_seconds", 0)), 1),
        "blocks": n["blocks"],
    }
    outcomes = ("harvested", "revisits_from_listing", "already_held", "unchanged_skipped",
                "older_skipped", "unplayable", "failed")
    counts["accounted"] = counts["in_range"] == sum(counts[k] for k in outcomes)
    return counts


def harvest_settings(archive_dir: Path, overrides: dict[str, Any]) -> Any:
    """A crawl's settings, turned to the archive: its pace, its middlewares, its warcinfo."""
    settings = crawl_settings(archive_dir, overrides)
    archive = settings.get("HARVEST_ARCHIVE")
    prefix = settings.get("HARVEST_URL_PREFIX")
    concurrency = max(settings.getint("HARVEST_CONCURRENCY"), 1)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"), **HARVEST_MIDDLEWARES)
    delay = settings.getfloat("HARVEST_DELAY")
    derived = {
        "DOWNLOAD_DELAY": delay,
        # the CDX API and replay each at their own pace (crawler/spiders/harvest.py)
        "DOWNLOAD_SLOTS": {
            CDX_SLOT: {"concurrency": 1, **STEADY,
                       "delay": max(settings.getfloat("HARVEST_CDX_DELAY"), delay)},
            REPLAY_SLOT: {"concurrency": concurrency, "delay": delay, **STEADY},
        },
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS": concurrency + 1,
        "ROBOTSTXT_OBEY": False,
        "RETRY_HTTP_CODES": [],  # HTTP answers: BackoffMiddleware; network errors: Scrapy
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "WARC_DESCRIPTION": f"Captures of {prefix} harvested from the web archive {archive} "
                            "(CDX API listing, id_ replay)",
    }
    for key, value in derived.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_harvest(archive: str, archive_dir: Path, overrides: dict[str, Any],
                resume: bool | None = None,
                dedup_against: list[Path] | None = None) -> dict[str, Any]:
    """Harvest ``archive``'s captures into ``archive_dir/warc``; return the harvest report.

    ``overrides`` are settings (``HARVEST_URL_PREFIX``, ``HARVEST_FROM``,
    ``HARVEST_TO``, ``HARVEST_LATEST``, ``HARVEST_DELAY``...) over the defaults.
    """
    archive_dir.mkdir(parents=True, exist_ok=True)
    overrides = dict(overrides, HARVEST_ARCHIVE=archive)
    seeds = [archive]
    mode, state, notes = prepare(archive_dir, seeds, resume, dedup_against)
    done = harvested(warc_dir(archive_dir)) if mode == "resume" else set()
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    write_state(archive_dir, status="running", mode=mode, kind="harvest", seeds=seeds,
                started_at=started)
    settings = harvest_settings(archive_dir, overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(HarvestSpider)
    process.crawl(crawler, done=done, dedup_state=state)
    start(process, settings)
    warc = warc_extension(crawler)
    if warc is not None:
        warc.file.close()
    report_path = report_file(archive_dir)
    report: dict[str, Any] = {}
    if report_path.exists():
        report = json.loads(report_path.read_text(encoding="utf-8"))
    report.setdefault("finish_reason", "killed")
    stats = crawler.stats.get_stats() if crawler.stats else {}
    report["mode"] = mode
    report["recovered"] = notes
    report["harvest"] = {k.removeprefix("harvest/"): v for k, v in stats.items()
                         if k.startswith("harvest/")}
    report["harvest"]["counts"] = harvest_counts(report["harvest"])
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
                           encoding="utf-8")
    complete = bool(stats.get("harvest/listing_complete"))
    status = "finished" if report["finish_reason"] == "finished" and complete else "interrupted"
    write_state(archive_dir, status=status, mode=mode, kind="harvest", seeds=seeds,
                started_at=started, finish_reason=report["finish_reason"])
    return report
