"""The harvest spider: fetches captures out of a web archive, fed by its CDX listing.

Run through ``akershus-archive harvest`` (crawler/harvest.py). The listing is
read page by page (resume keys, page numbers, or one answer, whichever the
server gives: crawler/cdx.py) and never archived; every capture in range is
fetched through the raw replay form ``<archive>/<timestamp>id_/<url>``. The
download handler records each replayed capture under its original URL and
date (``request.meta["replay_of"]``); this spider adds a ``metadata`` record
saying where it came from: the archive's answer head as received, the replay
URL, the CDX line, and whether the payload's digest is the listed one.

What the listing already says is not fetched again: a capture whose listed
digest is a payload already held (an earlier capture of this harvest, this
archive, ``--dedup-against``) becomes a ``revisit`` record from the listing.
When the archive answers a listed capture with its own redirect (no
``Memento-Datetime``: the capture cannot be played, or redirects to itself),
the redirect is resolved against the listing: a target in range is harvested
once under its own date, anything else leaves the listed capture
``unplayable``, with the archive's reason.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.cdx import (
    CdxCapture,
    CdxError,
    CdxQuery,
    cdx_endpoint,
    original_url,
    parse_cdx,
    timestamp_arg,
    url_key,
)
from crawler.replay import replay_parts
from crawler.report import report_extension
from crawler.resume import ArchiveState, Revisitable
from crawler.warcfile import warc_date, warc_extension

logger = logging.getLogger(__name__)

# The archive's raw replay, asked for the original bytes: the Wayback Machine gzips
# uncompressed originals for clients that accept gzip (docs/wayback-facts.md, section 2).
REPLAY_HEADERS = {"Accept-Encoding": "identity"}
# Download slots, paced apart: the CDX API and replay have their own limits
# (about 60 and 600 requests a minute; HARVEST_CDX_DELAY, HARVEST_DELAY).
CDX_SLOT, REPLAY_SLOT = "archive-cdx", "archive-replay"
# The archive's answers (no Memento-Datetime) that say a listed capture cannot be
# played: not in the archive after all (404), or excluded from replay (403).
UNPLAYABLE_STATUSES = frozenset({403, 404, 410})


class HarvestSpider(Spider):
    name = "harvest"
    # set in from_crawler, from the settings
    pagination: str | None
    query: CdxQuery

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
        # (timestamp, archive key) of every capture listed or reached: each is taken once
        self.listed: set[tuple[str, str]] = set()
        self.newest: dict[str, CdxCapture] = {}
        # archive key -> digest of the last capture listed (--changes-only)
        self.last_digest: dict[str, str] = {}
        # listed digest -> captures waiting for the fetch of an earlier one with it
        self.waiting: dict[str, list[CdxCapture]] = {}
        self.in_flight: set[str] = set()
        self.changes_only = False

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
        spider.changes_only = s.getbool("HARVEST_CHANGES_ONLY")
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
        meta.update(dont_archive=True, handle_httpstatus_all=True, download_slot=CDX_SLOT)
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
            key = (capture.timestamp, url_key(capture.original))
            if key in self.listed:
                stats.inc_value("harvest/listed_repeats")  # the same capture indexed twice
                continue
            self.listed.add(key)
            stats.inc_value("harvest/listed")
            if not self.query.in_range(capture):
                stats.inc_value("harvest/listed_out_of_range")
                continue
            stats.inc_value("harvest/in_range")
            if self.changes_only:
                digest, urlkey = capture.sha1, url_key(capture.original)
                if digest and self.last_digest.get(urlkey) == digest:
                    stats.inc_value("harvest/unchanged_skipped")
                    continue
                self.last_digest[urlkey] = digest
            if self.latest:
                held = self.newest.get(key[1])
                if held is None or capture.timestamp > held.timestamp:
                    if held is not None:
                        stats.inc_value("harvest/older_skipped")
                    self.newest[key[1]] = capture
                else:
                    stats.inc_value("harvest/older_skipped")
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
              reached_from: CdxCapture | None = None, accept: str = "") -> Iterator[Request]:
        """The replay request of a capture, unless the listing already says what it holds.

        ``accept``: ask again accepting this content coding (the archive decoded it).
        """
        stats = self.crawler.stats
        if not accept and (original_url(capture.original), capture.warc_date) in self.done:
            stats.inc_value("harvest/already_held")
            return
        digest = capture.sha1
        if digest and reached_from is None and not accept:
            if self.revisit_from_listing(capture):
                return
            if digest in self.in_flight:  # an earlier capture with it is being fetched
                self.waiting.setdefault(digest, []).append(capture)
                return
            self.in_flight.add(digest)
        url = replay_url or capture.replay_url(self.archive)
        yield Request(url, callback=self.parse_capture, errback=self.capture_failed,
                      headers={"Accept-Encoding": accept} if accept else REPLAY_HEADERS,
                      priority=5 if accept else 0,  # ahead of the listing's other captures
                      dont_filter=True, meta={
                          "accept_encoding_retry": bool(accept),
                          "replay_of": {"url": original_url(capture.original),
                                        "date": capture.warc_date,
                                        "timestamp": capture.timestamp,
                                        "archive": self.archive},
                          "cdx": capture, "reached_from": reached_from,
                          "download_slot": REPLAY_SLOT,
                          "dont_redirect": True, "handle_httpstatus_all": True,
                      })

    def parse_capture(self, response: Response) -> Iterator[Request]:
        capture: CdxCapture = response.meta["cdx"]
        stats = self.crawler.stats
        info = response.meta.get("warc")
        if info is not None:
            stats.inc_value("harvest/captures")
            if response.meta.get("reached_from") is not None:
                stats.inc_value("harvest/captures_reached_by_archive_redirect")
            matches = self.check_digest(capture, info)
            self.write_provenance(response, capture, info, matches)
            yield from self.release(capture.sha1, fetched=matches is not False)
            return
        reached = response.meta.get("reached_from") is not None
        coding = response.meta.get("archive_decoded")
        if coding:
            yield from self.fetch(capture, response.url, response.meta.get("reached_from"),
                                  accept=coding)
            return
        location = (response.headers.get(b"Location") or b"").decode("latin-1")
        if 300 <= response.status < 400 and location and not reached:
            yield from self.archive_redirect(response, capture, location)
            return
        # The archive's own answer after any retries (crawler/harvest.py): not a capture.
        stats.inc_value(f"harvest/archive_errors/{response.status}")
        logger.warning("The archive gave %s for %s (not a capture)", response.status,
                       response.url)
        if reached:  # the listed capture that led here is unplayable already
            stats.inc_value("harvest/archive_redirect_target_failed")
        elif response.status in UNPLAYABLE_STATUSES:
            self.unplayable(capture, f"unplayable:archive_{response.status}")
        else:
            self.failed(capture, f"failed:archive_{response.status}")
        yield from self.release(capture.sha1, fetched=False)

    def archive_redirect(self, response: Response, capture: CdxCapture,
                         location: str) -> Iterator[Request]:
        """The archive sends a listed capture's request to another capture (its nearest).

        That capture is harvested under its own date when the harvest wants it and
        has not listed it (else the listing brings it, once); the listed one was
        not played: it is reported ``unplayable`` with the archive's reason.
        """
        stats = self.crawler.stats
        stats.inc_value("harvest/archive_redirects")
        said = (response.headers.get(b"X-Archive-Redirect-Reason") or b"").decode("latin-1")
        target = urljoin(response.url, location)
        found = replay_parts(target)
        reason = "unplayable:archive_redirect" + (f" ({said})" if said else "")
        self.unplayable(capture, reason)
        if found:
            stamp, original = found
            moved = CdxCapture(url_key(original), stamp, original)
            key = (moved.timestamp, moved.urlkey)
            if key in self.listed:
                stats.inc_value("harvest/archive_redirect_to_listed")
            elif self.query.in_range(moved):
                self.listed.add(key)  # reached here: a later listing line of it is a repeat
                yield from self.fetch(moved, target, reached_from=capture)
                return
            else:
                stats.inc_value("harvest/archive_redirect_out_of_range")
        yield from self.release(capture.sha1, fetched=False)

    def unplayable(self, capture: CdxCapture, reason: str) -> None:
        self.crawler.stats.inc_value("harvest/unplayable")
        report = report_extension(self.crawler)
        if report is not None:
            report.skip(f"{capture.timestamp} {capture.original}", reason)

    def failed(self, capture: CdxCapture, reason: str) -> None:
        """Not harvested for a passing reason (overload, network): a new run tries again."""
        self.crawler.stats.inc_value("harvest/failed")
        report = report_extension(self.crawler)
        if report is not None:
            report.skip(f"{capture.timestamp} {capture.original}", reason)

    def capture_failed(self, failure: Failure) -> Iterator[Request]:
        request = getattr(failure, "request", None)
        logger.warning("Capture not fetched: %s (%s)", getattr(request, "url", "?"),
                       failure.value)
        capture = request.meta.get("cdx") if request is not None else None
        if capture is not None:
            assert request is not None  # the capture came from its meta
            if request.meta.get("reached_from") is None:
                self.failed(capture, "failed:network")
            yield from self.release(capture.sha1, fetched=False)

    def check_digest(self, capture: CdxCapture, info: dict[str, Any]) -> bool | None:
        """True when the payload has the listed digest, False when not, None when none is listed."""
        listed = capture.sha1
        if not listed or not info.get("payload_digest"):
            return None
        if info["payload_digest"].lower() == listed.lower():
            return True
        self.crawler.stats.inc_value("harvest/digest_mismatch")
        report = report_extension(self.crawler)
        if report is not None:
            report.skip(f"{capture.timestamp} {capture.original}", "digest_mismatch")
        logger.warning("Payload digest of %s at %s is %s, the listing says %s",
                       capture.original, capture.timestamp, info["payload_digest"], listed)
        return False

    # -- revisits from the listing ----------------------------------------------------------
    def held(self, digest: str) -> Revisitable | None:
        warc = warc_extension(self.crawler)
        return warc.digests.get(digest) if warc is not None else None

    def revisit_from_listing(self, capture: CdxCapture) -> bool:
        """Write a revisit record for a capture whose listed payload is already held."""
        earlier = self.held(capture.sha1)
        warc = warc_extension(self.crawler)
        if earlier is None or warc is None:
            return False
        uri, date = original_url(capture.original), capture.warc_date
        # No HTTP head: the listing gives none, and the record refers to the payload's
        # first capture, whose head readers use (WARC 1.1, 6.7.2: the block may be empty).
        record = warc.new_record(uri, "revisit", b"", {
            "WARC-Date": date,
            **earlier.revisit_headers(capture.sha1),
            "WARC-Source-URI": capture.replay_url(self.archive),
            "WARC-Creation-Date": warc_date(datetime.now(UTC)),
        }, content_type="application/http; msgtype=response")
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        lines = self.provenance_lines(capture, capture.replay_url(self.archive))
        lines += ["record-type: revisit",
                  f"revisit-from-listing: {earlier.uri} {earlier.date} holds the listed payload"]
        meta = self.metadata_record(uri, date, record_id, lines)
        warc.file.write(record, meta)
        self.crawler.stats.inc_value("warc/records", 2)
        self.crawler.stats.inc_value("harvest/revisits_from_listing")
        return True

    def release(self, digest: str, fetched: bool) -> Iterator[Request]:
        """The captures that waited for a fetch of ``digest``: revisits now, or fetched."""
        self.in_flight.discard(digest)
        for capture in self.waiting.pop(digest, []):
            if fetched and self.revisit_from_listing(capture):
                continue
            yield from self.fetch(capture)

    # -- provenance -----------------------------------------------------------------------
    def provenance_lines(self, capture: CdxCapture, source: str) -> list[str]:
        lines = [f"via: {self.archive}", f"source-uri: {source}",
                 f"cdx-api: {self.query.endpoint}"]
        lines += [f"cdx-{name}: {value}" for name, value in asdict(capture).items() if value]
        if capture.urlkey and capture.timestamp:
            lines.append("cdx-line: " + " ".join(
                v or "-" for v in (capture.urlkey, capture.timestamp, capture.original,
                                   capture.mimetype, capture.statuscode, capture.digest,
                                   capture.length)))
        return lines

    def metadata_record(self, uri: str, date: str, concurrent_to: str,
                        lines: list[str]) -> Any:
        warc = warc_extension(self.crawler)
        assert warc is not None  # both callers write only when the WARC writer is on
        body = "\r\n".join(line for line in lines if not line.endswith(": ")) + "\r\n"
        return warc.new_record(uri, "metadata", body.encode("utf-8"),
                               {"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
                               content_type="application/warc-fields")

    def write_provenance(self, response: Response, capture: CdxCapture,
                         info: dict[str, Any], matches: bool | None) -> None:
        """A metadata record beside the capture: which archive, which listing, which bytes.

        The archive's answer head is kept exactly, one ``archive-head`` field per
        line (joined with CRLF it is the bytes received); the response record holds
        the original exchange restored from it (crawler/replay.py).
        """
        warc = warc_extension(self.crawler)
        if warc is None:
            return
        lines = self.provenance_lines(capture, response.url)
        reached_from = response.meta.get("reached_from")
        if reached_from is not None:
            lines.append(f"reached-by-archive-redirect-from: {reached_from.timestamp} "
                         f"{reached_from.original}")
        lines += [
            f"harvested-at: {info.get('fetched', '')}".rstrip(),
            f"record-type: {'revisit' if info.get('revisit') else 'response'}",
            f"payload-digest: {info.get('payload_digest', '')}",
            "digest-check: " + {True: "matches the listing", None: "no digest listed",
                                False: f"digest_mismatch (listed {capture.sha1})"}[matches],
        ]
        if info.get("rewritten_location"):
            lines.append(f"archive-location: {info['rewritten_location']}")
        head = info.get("archive_head", b"").decode("latin-1")
        lines += [f"archive-head: {line}" for line in head.split("\r\n") if line]
        lines += [f"archive-added: {name}: {value}" for name, value in info.get("archive_added", [])]
        warc.file.write(self.metadata_record(original_url(capture.original),
                                             info["date"], info["record_id"], lines))
        self.crawler.stats.inc_value("warc/records")
