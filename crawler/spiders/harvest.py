"""The harvest spider: fetches captures out of a web archive, fed by its CDX listing.

Run through ``akershus-archive harvest`` (crawler/harvest.py). The listing is
read page by page (resume keys, page numbers, or one answer, whichever the
server gives: crawler/cdx.py) and never archived; every capture in range is
fetched through the raw replay form ``<archive>/<timestamp>id_/<url>``. The
download handler records each replayed capture under its original URL and
date (``request.meta["replay_of"]``); this spider adds a ``metadata`` record
saying where it came from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.cdx import CdxCapture, CdxError, CdxQuery, cdx_endpoint, parse_cdx, timestamp_arg
from crawler.resume import ArchiveState

logger = logging.getLogger(__name__)

# Redirects the archive itself makes (to the nearest capture) followed at most this often.
MAX_ARCHIVE_REDIRECTS = 3
REPLAY_PATH = re.compile(r"/(\d{1,14})id_/(.+)$")


class HarvestSpider(Spider):
    name = "harvest"

    def __init__(self, archive: str = "", url_prefix: str = "", from_ts: str = "",
                 to_ts: str = "", latest: bool | str = False, filters: list[str] | None = None,
                 cdx_url: str = "", done: set[tuple[str, str]] | None = None,
                 dedup_state: ArchiveState | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.archive = archive.rstrip("/")
        self.url_prefix = url_prefix
        self.from_ts = from_ts
        self.to_ts = to_ts
        self.latest = latest in (True, "1", "true", "yes")
        self.filters = list(filters) if filters is not None else None
        self.cdx_url = cdx_url
        # (original URL, capture date) already in the archive: a resumed harvest skips them
        self.done: set[tuple[str, str]] = done or set()
        # payloads already held (this archive or --dedup-against): written as revisits
        self.dedup_state = dedup_state
        self.listed: set[tuple[str, str]] = set()
        self.newest: dict[str, CdxCapture] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> HarvestSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.archive = (spider.archive or s.get("HARVEST_ARCHIVE") or "").rstrip("/")
        if not spider.archive:
            raise ValueError("no archive to harvest from: set HARVEST_ARCHIVE or -a archive=URL")
        spider.url_prefix = spider.url_prefix or s.get("HARVEST_URL_PREFIX")
        spider.from_ts = timestamp_arg(spider.from_ts) if spider.from_ts else \
            (timestamp_arg(s.get("HARVEST_FROM")) if s.get("HARVEST_FROM") else "")
        spider.to_ts = timestamp_arg(spider.to_ts) if spider.to_ts else \
            (timestamp_arg(s.get("HARVEST_TO")) if s.get("HARVEST_TO") else "")
        spider.latest = spider.latest or s.getbool("HARVEST_LATEST")
        filters = spider.filters if spider.filters is not None else s.getlist("HARVEST_FILTERS")
        spider.pagination = s.get("HARVEST_PAGINATION")
        spider.query = CdxQuery(
            endpoint=spider.cdx_url or s.get("HARVEST_CDX_URL") or cdx_endpoint(spider.archive),
            url_prefix=spider.url_prefix, from_ts=spider.from_ts, to_ts=spider.to_ts,
            filters=tuple(filters),
            limit=s.getint("HARVEST_PAGE_SIZE") if spider.pagination == "resume" else 0,
        )
        return spider

    # -- the listing -------------------------------------------------------------------
    def listing(self, url: str, **meta: Any) -> Request:
        meta.update(dont_archive=True, handle_httpstatus_all=True)
        return Request(url, callback=self.parse_listing, errback=self.listing_failed,
                       meta=meta, dont_filter=True, priority=10)

    async def start(self) -> AsyncIterator[Request]:
        if self.pagination == "pages":
            yield self.listing(self.query.url(num_pages=True), step="num_pages")
        else:
            yield self.listing(self.query.url(), step="first")

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            self.crawler.stats.inc_value(f"harvest/listing_failed/{response.status}")
            raise CloseSpider(f"cdx_listing_{response.status}")
        try:
            page = parse_cdx(response.body)
        except CdxError as exc:
            logger.error("The CDX API at %s gave no listing: %s", response.url, exc)
            raise CloseSpider("cdx_unreadable") from None
        step = response.meta.get("step")
        self.crawler.stats.inc_value("harvest/listing_pages")
        if step == "num_pages" and page.num_pages is not None:
            if page.num_pages > 0:
                yield self.listing(self.query.url(page=0), step="page", page=0,
                                   pages=page.num_pages)
            else:
                yield from self.listing_done()
            return
        yield from self.take(page.captures)
        if page.resume_key:
            yield self.listing(self.query.url(resume_key=page.resume_key), step="resume")
        elif step == "page" and response.meta["page"] + 1 < response.meta["pages"]:
            n = response.meta["page"] + 1
            yield self.listing(self.query.url(page=n), step="page", page=n,
                               pages=response.meta["pages"])
        elif step == "first" and self.query.limit and len(page.captures) >= self.query.limit:
            # A full page and no resume key: the server (pywb) ignores showResumeKey.
            # Ask for the whole listing in one answer; what was listed is not fetched twice.
            logger.info("The CDX API gave no resume key; asking for the whole listing")
            yield self.listing(replace(self.query, limit=0).url(), step="whole")
        else:
            yield from self.listing_done()

    def take(self, captures: list[CdxCapture]) -> Iterator[Request]:
        stats = self.crawler.stats
        for capture in captures:
            key = (capture.timestamp, capture.original)
            if key in self.listed:
                continue
            self.listed.add(key)
            if not self.query.in_range(capture):
                stats.inc_value("harvest/listed_out_of_range")
                continue
            stats.inc_value("harvest/listed")
            if self.latest:
                held = self.newest.get(capture.urlkey)
                if held is None or capture.timestamp > held.timestamp:
                    self.newest[capture.urlkey] = capture
                continue
            yield from self.fetch(capture)

    def listing_done(self) -> Iterator[Request]:
        self.crawler.stats.set_value("harvest/listing_complete", True)
        for capture in self.newest.values():
            yield from self.fetch(capture)

    def listing_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("harvest/listing_failed/network")
        logger.error("The CDX listing could not be fetched: %s", failure.value)

    # -- the captures -------------------------------------------------------------------
    def fetch(self, capture: CdxCapture, replay_url: str | None = None,
              redirects: int = 0) -> Iterator[Request]:
        if (capture.original, capture.warc_date) in self.done:
            self.crawler.stats.inc_value("harvest/already_held")
            return
        url = replay_url or capture.replay_url(self.archive)
        yield Request(url, callback=self.parse_capture, errback=self.capture_failed,
                      dont_filter=True, meta={
                          "replay_of": {"url": capture.original, "date": capture.warc_date,
                                        "timestamp": capture.timestamp,
                                        "archive": self.archive},
                          "cdx": capture, "archive_redirects": redirects,
                          "dont_redirect": True, "handle_httpstatus_all": True,
                      })

    def parse_capture(self, response: Response) -> Iterator[Request]:
        capture: CdxCapture = response.meta["cdx"]
        stats = self.crawler.stats
        info = response.meta.get("warc")
        if info is not None:
            stats.inc_value("harvest/captures")
            self.write_provenance(response, capture, info)
            return
        location = response.headers.get(b"Location", b"").decode("latin-1")
        hops = response.meta.get("archive_redirects", 0)
        if 300 <= response.status < 400 and location and hops < MAX_ARCHIVE_REDIRECTS:
            # The archive sends us to another capture (the nearest it holds).
            target = urljoin(response.url, location)
            found = REPLAY_PATH.search(target)
            if found:
                stats.inc_value("harvest/archive_redirects")
                moved = CdxCapture(capture.urlkey, found.group(1), found.group(2),
                                   capture.mimetype, capture.statuscode, "", "")
                yield from self.fetch(moved, target, hops + 1)
                return
        stats.inc_value(f"harvest/failed/{response.status}")
        logger.warning("The archive gave %s for %s (not a capture)", response.status,
                       response.url)
        report = getattr(self.crawler, "report", None)
        if report is not None:
            report.skip(capture.original, f"archive:{response.status}")

    def capture_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("harvest/failed/network")
        request = getattr(failure, "request", None)
        logger.warning("Capture not fetched: %s (%s)", getattr(request, "url", "?"),
                       failure.value)

    def write_provenance(self, response: Response, capture: CdxCapture,
                         info: dict[str, Any]) -> None:
        """A metadata record beside the capture: which archive, which listing, which bytes."""
        warc = getattr(self.crawler, "warc", None)
        if warc is None:
            return
        lines = [
            f"via: {self.archive}",
            f"source-uri: {response.url}",
            f"cdx-api: {self.query.endpoint}",
            f"harvested-at: {info.get('fetched', '')}".rstrip(),
            f"record-type: {'revisit' if info.get('revisit') else 'response'}",
            f"payload-digest: {info.get('payload_digest', '')}",
        ]
        lines += [f"cdx-{name}: {value}" for name, value in asdict(capture).items() if value]
        body = ("\r\n".join(line for line in lines if not line.endswith(": ")) + "\r\n")
        record = warc.new_record(
            capture.original, "metadata", body.encode("utf-8"),
            {"WARC-Date": info["date"], "WARC-Concurrent-To": info["record_id"]},
            content_type="application/warc-fields",
        )
        warc.file.write(record)
        self.crawler.stats.inc_value("warc/records")
