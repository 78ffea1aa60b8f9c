"""The site spider: follows the legacy site's pages, their requisites and documents.

Run as ``scrapy crawl akershus -a urls=http://www.akershus.no/ -s ARCHIVE_DIR=out``
or through ``akershus-archive crawl``. The spider decides what to follow; the
download handler has already archived every exchange by the time it sees one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.etree import LxmlError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from crawler.links import (
    Outlink,
    absolute,
    canonical,
    invalid_url_reason,
    request_url,
    response_outlinks,
    url_problem,
)
from crawler.report import report_extension
from crawler.resume import ArchiveState
from crawler.scope import PAGE, REQUISITE, SITEMAP, Scope, TrapRules, scope_from_settings
from crawler.warcfile import warc_extension

logger = logging.getLogger(__name__)

DEFAULT_SEEDS = ["http://www.akershus.no/"]
# Requisites jump the queue so a page and what it needs are captured close in time.
REQUISITE_PRIORITY = 10
# Error answers reach the spider too (after retries), so each request ends in one place.
HANDLED_ERRORS = list(range(400, 600))
# The root elements of the two kinds of sitemap (sitemaps.org).
SITEMAP_TYPES = {"urlset", "sitemapindex"}


class AkershusSpider(Spider):
    name = "akershus"
    # set in from_crawler, from the settings
    scope: Scope
    traps: TrapRules
    max_depth: int
    max_pages: int

    def __init__(self, urls: str | list[str] | None = None,
                 archive_state: ArchiveState | None = None,
                 dedup_state: ArchiveState | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(urls, str):
            urls = urls.replace(",", " ").split()
        # as requested (punycode, escaped): the form the archive and the scope compare
        self.seeds: list[str] = [request_url(u) for u in urls or DEFAULT_SEEDS]
        # Set when resuming: what the archive already holds is not fetched again.
        self.archive_state = archive_state
        # Payloads held already (this archive or --dedup-against): written as revisits.
        self.dedup_state = dedup_state
        self.done: set[str] = archive_state.done if archive_state else set()
        # What the archive holds, keyed as Scrapy's duplicate filter keys requests
        # (links.request_url): a link held under another spelling (%c3%a5 for
        # %C3%A5 in the path, dot segments) is not fetched again, as the live
        # crawl's filter would not have fetched it.
        self.done_keys: set[str] = set()
        for url in self.done:
            try:
                self.done_keys.add(request_url(url))
            except ValueError:  # an archived URL that is no request's: nothing to match
                pass
        self.pages_scheduled = archive_state.pages if archive_state else 0
        self.seen_pages: set[str] = set(self.done_keys)
        # Requisites requested (keys as above): a redirect asked again under its
        # canonical URL passes Scrapy's duplicate filter, so the spider keeps count.
        self.requested: set[str] = set()
        # Link URLs known to be repeats, for links (False) and embeds (True): see decide.
        self.repeats: tuple[set[str], set[str]] = (set(), set())

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AkershusSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.scope, spider.traps = scope_from_settings(spider.seeds, settings)
        spider.max_depth = settings.getint("SCOPE_MAX_DEPTH")
        spider.max_pages = settings.getint("SCOPE_MAX_PAGES")
        if settings.get("REDIS_URL"):
            from scrapy_redis.connection import from_settings

            from crawler.distributed import SharedFirstHops

            spider.traps.first_hops = SharedFirstHops(
                from_settings(settings), settings.get("DISTRIBUTED_KEY") + ":traphops", crawler)
        if spider.archive_state is not None:  # count the query variants already held
            known = spider.archive_state.known_hops(spider.seeds)
            for url in spider.done:
                if url in known:
                    spider.traps.check(url, known[url])
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        # a request the duplicate filter drops (a redirect to a URL already held) is done
        spider_ack = spider.ack
        crawler.signals.connect(lambda request, spider=None: spider_ack(request),
                                signal=signals.request_dropped, weak=False)
        return spider

    # -- what the crawl reports ------------------------------------------------
    def skipped(self, url: str, reason: str) -> None:
        """Count a URL not fetched, by reason (the crawl report lists them)."""
        self.crawler.stats.inc_value(f"skipped/{reason}")
        report = report_extension(self.crawler)
        if report is not None:
            report.skip(url, reason)

    # -- seeds, robots and sitemaps ----------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        if self.archive_state is not None:
            for link, hops in self.archive_state.frontier(self.seeds):
                for request in self.follow(link, hops):
                    yield request
            return
        for url in self.seeds:
            self.seen_pages.add(request_url(url))
            self.pages_scheduled += 1
            yield Request(url, callback=self.parse, errback=self.failed,
                          meta={"kind": PAGE, "hops": 0, "handle_httpstatus_list": HANDLED_ERRORS})

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Queue the sitemaps a seed host's robots.txt names (and /sitemap.xml)."""
        parts = urlsplit(request.url)
        if parts.netloc not in {urlsplit(u).netloc for u in self.seeds}:
            return
        urls = []
        rp = getattr(robotparser, "rp", None)
        if rp is not None and hasattr(rp, "sitemaps"):
            urls = list(rp.sitemaps)
        if not urls:
            urls = [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
        for url in urls:
            sitemap = self.sitemap_request(_joined(request.url, url))
            if sitemap is not None:
                self.crawler.engine.crawl(sitemap)

    def sitemap_request(self, url: str) -> Request | None:
        """A request for a sitemap, or None (counted) for a URL no request can be made for."""
        reason = url_problem(url)
        if reason:
            self.skipped(url, reason)
            return None
        return Request(url, callback=self.parse_sitemap, errback=self.failed,
                       meta={"kind": SITEMAP, "hops": 0})

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            yield from self._parse_sitemap(response)
        finally:
            self.ack(response.request)

    def _parse_sitemap(self, response: Response) -> Iterator[Request]:
        """The URLs a sitemap lists; a body that is no sitemap is one skip, never an error.

        Sites answer /sitemap.xml with whatever they have: an HTML error page
        with status 200, a CMS's binary, nothing. Scrapy's parser raises
        StopIteration (no element at all) or XMLSyntaxError (empty) on those,
        and reads an HTML page as XML with an ``html`` root.
        """
        try:
            sitemap = Sitemap(response.body)
        except (StopIteration, LxmlError):
            self.skipped(response.url, "sitemap:not_xml")
            return
        if sitemap.type not in SITEMAP_TYPES:
            self.skipped(response.url, "sitemap:not_sitemap")
            return
        for entry in sitemap:  # recovering parser: damage further on ends the entries, no error
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                request = self.sitemap_request(loc)
                if request is not None:
                    yield request
            else:  # a link like any other: resolved, without its fragment, as requested
                self.crawler.stats.inc_value("sitemap/urls")  # the live line's estimate
                url = absolute(response.url, loc)
                if url:
                    yield from self.follow(Outlink(request_url(url), "L", "sitemap/loc"), hops=0)

    # -- pages ---------------------------------------------------------------------
    def parse(self, response: Response) -> Iterable[Request]:
        try:
            yield from self._parse(response)
        finally:
            # finished: its links are queued (or it had none); see crawler/distributed.py
            self.ack(response.request)

    # Scrapy's own _parse (the callback of a request that names none) takes
    # **kwargs; every request here names its callback, so only parse() calls this
    def _parse(self, response: Response) -> Iterable[Request]:  # type: ignore[override]
        hops = response.meta.get("hops", 0)
        if not 200 <= response.status < 300:
            return
        outlinks = response_outlinks(response)
        if outlinks is None:
            return
        if b"css" not in (response.headers.get(b"Content-Type") or b"").lower():
            self.crawler.stats.inc_value("pages/html")
        decisions = [(link, *self.decide(link, hops + (1 if link.hop == "L" else 0)))
                     for link in outlinks]
        # The decisions are archived before they are acted on: a resumed crawl
        # reads them back and follows exactly what this crawl would have followed.
        self.write_outlinks(response, decisions)
        for _link, request, _reason in decisions:
            if request is not None:
                yield request

    def follow(self, link: Outlink, hops: int) -> Iterator[Request]:
        request, _reason = self.decide(link, hops)
        if request is not None:
            yield request

    def decide(self, link: Outlink, hops: int) -> tuple[Request | None, str | None]:
        """A request for ``link``, or None with the reason it is left out (None if a repeat)."""
        # A page's links are mostly links seen before (menus): once a link has been
        # asked for, or found held or asked for already, it is a repeat for good
        # (the sets only grow). Left-out links are judged, and counted, each time.
        repeats = self.repeats[link.hop == "E"]
        if link.url in repeats:
            return None, None
        request, reason = self._decide(link, hops)
        if reason is None:
            repeats.add(link.url)
        return request, reason

    def _decide(self, link: Outlink, hops: int) -> tuple[Request | None, str | None]:
        if link.url in self.done:
            return None, None
        try:
            canonical(link.url)  # raises for a URL no request can be made for
            key = request_url(link.url)
        except ValueError as exc:  # one bad link (a port of "N."): skipped, not the whole page
            bad = invalid_url_reason(exc)
            self.skipped(link.url, bad)
            return None, bad
        if key in self.done_keys:
            return None, None
        as_requisite = link.hop == "E" or link.is_document
        kind = REQUISITE if as_requisite else PAGE
        if key in (self.seen_pages if kind == PAGE else self.requested):
            return None, None
        reason = self.scope.check(link.url, kind)
        if reason is None and kind == PAGE:
            reason = self.traps.check(link.url, hops)
            if reason is None and self.max_depth and hops > self.max_depth:
                reason = "limit:max_depth"
            if reason is None and self.max_pages and self.pages_scheduled >= self.max_pages:
                reason = "limit:max_pages"
        if reason:
            self.skipped(link.url, reason)
            return None, reason
        if kind == PAGE:
            self.seen_pages.add(key)
            self.pages_scheduled += 1
        else:
            self.requested.add(key)
        # Breadth first: fewer hops first; requisites ahead of pages.
        priority = (REQUISITE_PRIORITY if as_requisite else 0) - hops
        request = Request(link.url, callback=self.parse, errback=self.failed,
                          meta={"kind": kind, "hops": hops,
                                "handle_httpstatus_list": HANDLED_ERRORS},
                          priority=priority)
        return request, None

    def failed(self, failure: Any) -> None:
        """A request that ended without a response to parse: count it, and let it go."""
        request = failure.request
        self.ack(request)
        if not failure.check(IgnoreRequest):  # scope and robots skips are counted already
            self.skipped(request.url, f"error:{type(failure.value).__name__}")

    def ack(self, request: Request | None) -> None:
        queue = getattr(self, "ack_queue", None)
        if queue is not None and request is not None:
            queue.ack(request)

    def write_outlinks(self, response: Response,
                       decisions: list[tuple[Outlink, Request | None, str | None]]) -> None:
        """A metadata record beside the response: its outlinks, and those left out and why."""
        warc = warc_extension(self.crawler)
        info = response.meta.get("warc")
        if warc is None or not info:
            return
        body = outlink_fields(response.meta.get("hops", 0), decisions)
        record = warc.new_record(
            response.url, "metadata", body,
            {"WARC-Date": info["date"], "WARC-Concurrent-To": info["record_id"]},
            content_type="application/warc-fields",
        )
        warc.file.write(record)
        self.crawler.stats.inc_value("warc/records")


def outlink_fields(hops: int,
                   decisions: list[tuple[Outlink, Request | None, str | None]]) -> bytes:
    """The body of a page's metadata record (``application/warc-fields``), as resume reads it."""
    lines = [f"hops: {hops}"]
    lines += [f"outlink: {o.url} {o.hop} {o.context}" for o, _, _ in decisions]
    lines += [f"skipped: {o.url} {reason}" for o, _, reason in decisions if reason]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _joined(base: str, ref: str) -> str:
    """A robots.txt ``Sitemap:`` line made absolute: sites write ``Sitemap: /sitemap.xml``
    (the protocol asks for a full URL; browsers and crawlers resolve it all the same)."""
    try:
        return urljoin(base, ref.strip())
    except ValueError:  # counted as an invalid URL by the request it cannot make
        return ref
