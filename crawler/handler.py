"""Scrapy download handler that fetches over the recording client and archives each exchange.

Every exchange a server answered is written before Scrapy sees it: robots.txt,
redirects, 404s and 5xx included, so the archive holds the crawl as it
happened, not only what the spider liked. The response record's block is the
exact response head followed by the body as transferred; the request record
holds the exact request bytes.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from io import BytesIO
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.statusandheaders import StatusAndHeadersParser

from archive.digest import payload_digest
from crawler.replay import decoded_by_archive, original_exchange
from crawler.resume import Revisitable
from crawler.warcfile import RawHeaders, WarcExtension, warc_date, warc_extension
from crawler.wire import Exchange, WireClient, WireError, parse_connect_to

logger = logging.getLogger(__name__)

# WARC 1.1 names for why a record holds less than the server meant to send;
# anything else (the wire's "framing": broken chunked framing) is "unspecified".
TRUNCATED_VALUES = {"length": "length", "time": "time", "disconnect": "disconnect"}


# Fetches that gave Scrapy no response, one class per reason so the crawl
# report's ``errors`` (Scrapy's exception counts) names the reason; the
# ``wire/error/<reason>`` stats count the same. All are retried (RETRY_EXCEPTIONS).
class WireFetchError(DownloadFailedError):
    """Base: the server answered nothing usable as an HTTP response."""


class ConnectFailed(WireFetchError, DownloadConnectionRefusedError):
    """No connection could be made."""


class ResponseTimeout(WireFetchError, DownloadTimeoutError):
    """No complete response head within DOWNLOAD_TIMEOUT."""


class ConnectionReset(WireFetchError):
    """The connection failed before a complete response head."""


class NoResponse(WireFetchError):
    """The server closed the connection before a complete response head."""


class BadStatusLine(WireFetchError):
    """The answer has no readable HTTP status line (misspelt, or HTTP/0.9-style)."""


class HeadTooLarge(WireFetchError):
    """The response head is larger than WIRE_MAX_HEAD_SIZE."""


WIRE_ERRORS: dict[str, type[WireFetchError]] = {
    "connect": ConnectFailed, "timeout": ResponseTimeout, "reset": ConnectionReset,
    "no_response": NoResponse, "bad_status_line": BadStatusLine,
    "head_too_large": HeadTooLarge,
}


class _UnparsedHead(RawHeaders):
    """The head part of an answer that is not well-formed HTTP, kept byte for byte.

    warcio treats a head without status text or headers as absent and would drop
    its bytes from the record; these bytes are what the server sent.
    """

    def __bool__(self) -> bool:
        return bool(self.headers_buff)


def split_unparsed(data: bytes) -> tuple[RawHeaders, bytes]:
    """Split an answer that is not well-formed HTTP into (head, payload) as readers will.

    The split is made by warcio's own lenient parser, the one ``warcio check``,
    pywb and the archive reader use to read a response record back, so the
    payload digest written is the one they compute.
    """
    stream = BytesIO(data)
    try:
        parsed = StatusAndHeadersParser([], verify=False).parse(stream)
    except EOFError:
        return _UnparsedHead("", [], "", b""), data
    cut = stream.tell()
    return _UnparsedHead(parsed.statusline, parsed.headers, parsed.protocol, data[:cut]), \
        data[cut:]


@functools.lru_cache(maxsize=256)
def peer_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The peer's address as Scrapy's responses carry it, parsed once per address."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class RecordingDownloadHandler(BaseDownloadHandler):
    """Fetch with :class:`WireClient`, write request and response records, return a Response."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self._warc: WarcExtension | None = None
        self._pacer: Any = None  # the shared politeness middleware of a distributed crawl
        self.default_maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.default_timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        # One client, and so one pool of kept connections, for the whole crawl;
        # never more connections to a host than requests Scrapy lets run at once.
        self.client = WireClient(
            parse_connect_to(settings.getlist("WIRE_CONNECT_TO")),
            max_head=settings.getint("WIRE_MAX_HEAD_SIZE"),
            verify_tls=settings.getbool("WIRE_VERIFY_TLS"),
            max_per_host=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            keep_alive=settings.getbool("WIRE_KEEP_ALIVE"),
            idle_timeout=settings.getfloat("WIRE_IDLE_TIMEOUT"),
            connect_interval=settings.getfloat("WIRE_CONNECT_INTERVAL"),
        )

    def _before_send(self, request: Request) -> Callable[[], Awaitable[None]] | None:
        """A distributed crawl's shared delay, held when the bytes are sent (else None).

        The shared politeness middleware took a concurrency slot for the request
        (``_polite_slot``); the start-time slot is reserved only now, with the
        connection ready, so the server sees the delay between requests.
        """
        slot = request.meta.get("_polite_slot")
        if not slot:
            return None
        if self._pacer is None:
            from crawler.distributed import SharedPoliteness

            self._pacer = self.crawler.get_downloader_middleware(SharedPoliteness)
        if self._pacer is None:
            return None
        return functools.partial(self._pacer.pace, slot[0])

    async def download_request(self, request: Request) -> Response:
        replay = request.meta.get("replay_of")
        warc = self.warc
        refusal = warc.file.refusal() if warc is not None else None
        if refusal is not None and not request.meta.get("dont_archive"):
            raise refusal  # the disk refused a write: fetch nothing that cannot be archived
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in request.headers.items()
            for value in values
        ]
        try:
            exchange = await self.client.fetch(
                request.url, headers, request.method,
                max_size=request.meta.get("download_maxsize", self.default_maxsize),
                timeout=request.meta.get("download_timeout", self.default_timeout),
                before_send=self._before_send(request))
        except WireError as exc:
            self._count_connections()
            self.crawler.stats.inc_value(f"wire/error/{exc.reason}")
            if exc.exchange is not None and (exc.exchange.head or exc.exchange.raw_body) \
                    and not request.meta.get("dont_archive") and replay is None \
                    and warc is not None:
                # Some bytes arrived: archive them as received before reporting the failure.
                request.meta["warc"] = self.archive(exc.exchange)
            raise WIRE_ERRORS.get(exc.reason, WireFetchError)(
                f"{exc.reason}: {exc} ({request.url})") from exc
        self._count_connections()
        if request.meta.get("dont_archive") or warc is None:
            # a web archive's CDX listing (not a capture), or WARC writing switched off
            return self.to_response(request, exchange)
        if replay is not None and not exchange.header("Memento-Datetime"):
            # The web archive's own answer (rate limit, error, redirect to another
            # capture), not a replayed capture: never archived as the site's.
            self.crawler.stats.inc_value(f"harvest/archive_answer/{exchange.status}")
            return self.to_response(request, exchange)
        if replay is not None and not request.meta.get("accept_encoding_retry"):
            coding = decoded_by_archive(exchange.headers)
            if coding:  # not the original bytes: the spider asks again, accepting the coding
                request.meta["archive_decoded"] = coding
                self.crawler.stats.inc_value("harvest/archive_decoded")
                return self.to_response(request, exchange)
        request.meta["warc"] = self.archive(exchange, replay)
        return self.to_response(request, exchange)

    def _count_connections(self) -> None:
        stats, pool = self.crawler.stats, self.client.pool.stats
        stats.set_value("wire/connections/opened", pool.connects)
        stats.set_value("wire/connections/reused", pool.reused)
        stats.set_value("wire/connections/stale", pool.stale)

    async def close(self) -> None:
        self.client.close()

    @property
    def warc(self) -> WarcExtension | None:
        """The WARC writer, found once the crawl runs; None when WarcExtension is off."""
        if self._warc is None:
            self._warc = warc_extension(self.crawler)
        return self._warc

    def archive(self, ex: Exchange, replay: dict[str, str] | None = None) -> dict[str, Any]:
        """Write the response and request records; return where they went."""
        warc = self.warc
        assert warc is not None
        fetched = warc_date(ex.started_at)
        provenance: dict[str, str] = {}
        uri, date = ex.url, fetched
        if replay is not None:
            uri, date, provenance = replay_target(replay, ex, fetched)
        common = {"WARC-Date": date}
        if ex.ip_address:
            common["WARC-IP-Address"] = ex.ip_address
        resp_headers = dict(common, **provenance)
        if ex.truncated:
            resp_headers["WARC-Truncated"] = TRUNCATED_VALUES.get(ex.truncated, "unspecified")
        original = None
        if replay is not None and ex.status:
            # The site's exchange as the archive preserved it, not the archive's answer
            # (crawler/replay.py); the answer's head goes in the metadata record beside.
            original = original_exchange(ex.status, ex.reason, ex.headers, bytes(ex.body))
            status_line = f"{original.status} {original.reason}".rstrip()
            http_headers = RawHeaders(status_line, original.headers, ex.protocol,
                                      original.head(ex.protocol))
            payload = original.body
        elif ex.status:
            status_line = f"{ex.status} {ex.reason}".rstrip()
            http_headers = RawHeaders(status_line, ex.headers, ex.protocol, bytes(ex.head))
            payload = bytes(ex.raw_body)
        else:
            # No parseable HTTP head (misspelt status line, HTTP/0.9-style body, a head
            # cut short or over WIRE_MAX_HEAD_SIZE). Still a ``response`` record holding
            # the bytes exactly as received, like any other answer: it is what the
            # server said, and WARC readers (warcio, pywb) read response records
            # leniently. WARC-Truncated says when it stopped short.
            http_headers, payload = split_unparsed(bytes(ex.raw_body))
        # of the entity body: chunk framing removed, gzip kept (archive/digest.py)
        digest = payload_digest(payload, http_headers.get_header("Transfer-Encoding"))
        earlier = warc.digests.get(digest) if 200 <= ex.status < 300 and payload else None
        if earlier is not None and not ex.truncated:
            # Same bytes already archived: a revisit record, headers only (WARC 1.1, 6.7.2).
            resp_headers.update(earlier.revisit_headers(digest))
            response = warc.new_record(uri, "revisit", b"", resp_headers,
                                       http_headers=http_headers,
                                       content_type="application/http; msgtype=response")
            self.crawler.stats.inc_value("warc/revisits")
        else:
            resp_headers["WARC-Payload-Digest"] = digest
            response = warc.new_record(uri, "response", payload, resp_headers,
                                       http_headers=http_headers,
                                       content_type="application/http; msgtype=response")
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        req_headers = dict(common, **{"WARC-Concurrent-To": response_id, "WARC-Date": fetched})
        head, _, body = ex.request_bytes.partition(b"\r\n\r\n")
        req_status = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = req_status.partition(" ")
        target, _, protocol = rest.rpartition(" ")
        request_http = RawHeaders(f"{method} {target}", [], protocol, head + b"\r\n\r\n")
        request = warc.new_record(ex.url, "request", body, req_headers,
                                  http_headers=request_http,
                                  content_type="application/http; msgtype=request")
        name, offset = warc.file.write(response, request)
        if earlier is None and 200 <= ex.status < 300 and payload and not ex.truncated:
            # only once the pair is on disk: a revisit never refers to a missing record
            warc.digests[digest] = Revisitable(uri, date, response_id)
        stats = self.crawler.stats
        stats.inc_value("warc/records", 2)
        stats.inc_value("warc/response_bytes", len(ex.head) + len(ex.raw_body))
        if ex.truncated:
            stats.inc_value(f"warc/truncated/{ex.truncated}")
        return {
            "warc_file": name,
            "offset": offset,
            "record_id": response_id,
            "payload_digest": digest,
            "revisit": response.rec_type == "revisit",
            "date": date,
            "fetched": fetched,
            "truncated": ex.truncated,
            **({"archive_head": bytes(ex.head), "archive_added": original.added,
                "rewritten_location": original.rewritten_location} if original else {}),
        }

    def to_response(self, request: Request, ex: Exchange) -> Response:
        # the bytes as received (parsed as latin-1): Scrapy would encode a str as UTF-8
        headers = Headers([(name.encode("latin-1"), value.encode("latin-1"))
                           for name, value in ex.headers])
        body = bytes(ex.body)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        ip = peer_address(ex.ip_address) if ex.ip_address else None
        flags = [f"truncated:{ex.truncated}"] if ex.truncated else []
        response = respcls(url=request.url, status=ex.status, body=body, flags=flags,
                           request=request, ip_address=ip, protocol=ex.protocol)
        response.headers = headers  # kept as built: the constructor would copy them
        return response


# -- Harvests (crawler/spiders/harvest.py) ----------------------------------------------
# A capture replayed from a web archive (``<archive>/<timestamp>id_/<url>``) is recorded
# under its original URL and capture date, as pywb does when it records from a remote
# archive: the bytes are the archive's answer exactly as received, WARC-Source-URI is
# the replay URL, WARC-Creation-Date when we fetched it. The request record keeps the
# request as sent to the archive (its own URL and time).


def replay_target(replay: dict[str, str], ex: Exchange,
                  fetched: str) -> tuple[str, str, dict[str, str]]:
    """(WARC-Target-URI, WARC-Date, provenance fields) of a replayed capture."""
    date = replay.get("date") or fetched
    memento = ex.header("Memento-Datetime")  # the archive's own statement of the date
    if memento:
        try:
            date = parsedate_to_datetime(memento).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (TypeError, ValueError):
            pass
    return replay["url"], date, {"WARC-Source-URI": ex.url, "WARC-Creation-Date": fetched}
