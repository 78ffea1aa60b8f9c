"""WARC files of a crawl: naming, ``.open`` files, rotation, the warcinfo record.

Records are written with warcio, gzip per record. A file is written under
``NAME.warc.gz.open`` and renamed when closed (Heritrix's convention), so a
reader never mistakes a file still being written for a finished one.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.folder import __version__, final_name, open_name, warc_dir, warc_name
from crawler.deflate import member, stored_from

logger = logging.getLogger(__name__)


class RawHeaders(StatusAndHeaders):
    """Headers whose bytes are written exactly as received, not re-serialised."""

    def __init__(self, statusline: str, headers: list[tuple[str, str]], protocol: str,
                 raw: bytes) -> None:
        super().__init__(statusline, headers, protocol=protocol)
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        """Keep the recorded bytes (warcio would otherwise rebuild them)."""


class RecordWriter(WARCWriter):
    """warcio's writer, with no payload digest on metadata records or bodiless requests.

    WARC 1.1 (5.9): WARC-Payload-Digest "shall not be used on records that do not
    have a well-defined payload"; a metadata record's block is warc-fields, not a
    payload (FastWARC's check -p fails records that carry one), nor is a request
    without a body. warcio leaves it off warcinfo only; revisits get theirs from
    the record they refer to.
    """

    NO_PAYLOAD_DIGEST_TYPES = (*WARCWriter.NO_PAYLOAD_DIGEST_TYPES, "metadata")

    def ensure_digest(self, record: Any, block: bool = True, payload: bool = True) -> None:
        """No payload digest on a request without a body (a GET): it has no payload."""
        if record.rec_type == "request" and not record.length:
            payload = False
        super().ensure_digest(record, block, payload)


# A write refused for want of room (the disk, or the user's quota): free space, run again.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def errno_name(error: OSError) -> str:
    """``ENOSPC``, ``EIO``...: the name of an OS error, as the report and messages give it."""
    return errno.errorcode.get(error.errno or 0, type(error).__name__)


def warc_date(moment: datetime) -> str:
    """WARC 1.1 dates carry microseconds so fetches in one second stay ordered."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcFile:
    """The WARC file being written; rotates when it grows past ``max_size``.

    A call of :meth:`write` puts its records (a response and its request) in
    the file whole or not at all: they are compressed in memory and handed to
    the file in one go, and a write that fails (disk full, I/O error) is cut
    back to where it began. The file is then sealed (later writes raise
    :class:`WriteError` and leave it alone) and still closes as a valid WARC,
    so a crawl stopped by a full disk resumes like an interrupted one.
    """

    class WriteError(Exception):
        """A write the disk refused; the file was cut back to where the write began."""

        def __init__(self, file: str, error: OSError, offset: int, cut: int,
                     refused: bool = False) -> None:
            self.file = file
            self.error = error
            self.offset = offset
            self.cut = cut
            self.reason = errno_name(error)
            self.disk_full = error.errno in DISK_FULL
            what = "not written: an earlier write to" if refused else "writing"
            super().__init__(f"{self.reason} {what} {file}: {error.strerror or error} "
                             f"(cut back to offset {offset}, {cut} bytes)")

        @property
        def finish_reason(self) -> str:
            """The crawl's finish reason when this write stopped it."""
            return "disk_full" if self.disk_full else "write_error"

        def as_dict(self) -> dict[str, Any]:
            """For the crawl report."""
            return {"file": self.file, "error": self.reason,
                    "message": self.error.strerror or str(self.error),
                    "offset": self.offset, "cut_bytes": self.cut}

    def __init__(self, directory: Path, prefix: str, max_size: int,
                 warcinfo: dict[str, Any], gzip_level: int = 6) -> None:
        self.directory = directory
        self.gzip_level = gzip_level
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = warcinfo
        self.serial = 0
        self.host = socket.gethostname().replace("-", "_") or "host"
        self.path: Path | None = None
        self._fh: Any = None
        self._writer: WARCWriter | None = None
        self._damaged = False  # a failed write could not be cut back
        self.closed_files: list[Path] = []
        # The first failed write (no write is tried after it) and who is told of it.
        self.failure: WarcFile.WriteError | None = None
        self.on_failure: Any = None
        directory.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def opener(path: Path) -> Any:
        """A new file, unbuffered: write() hands it whole records (tests swap in a faulty one)."""
        return open(path, "xb", buffering=0)

    @property
    def name(self) -> str:
        assert self.path is not None
        return final_name(self.path.name)

    def _open(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        while True:
            self.serial += 1
            name = warc_name(self.prefix, stamp, self.serial, self.host, os.getpid())
            path = self.directory / open_name(name)
            if not path.exists() and not (self.directory / name).exists():
                break
        try:
            self._fh = self.opener(path)
        except OSError as exc:
            self._failed(self.WriteError(name, exc, 0, 0))
        self.path = path
        # Records are written plain and compressed one by one in _put.
        self._writer = RecordWriter(None, gzip=False, warc_version="1.1")
        self._write_warcinfo(name)

    def _write_warcinfo(self, name: str) -> None:
        assert self._writer is not None
        info = {k: str(v) for k, v in self.warcinfo.items() if v not in (None, "")}
        record = self._writer.create_warcinfo_record(name, info)
        self._put([record])

    @property
    def writer(self) -> WARCWriter:
        return self._ready()

    def refusal(self) -> WarcFile.WriteError | None:
        """What a write gets once one has failed (the crawl is stopping), else None."""
        failure = self.failure
        if failure is None:
            return None
        return self.WriteError(failure.file, failure.error, failure.offset, failure.cut,
                               refused=True)

    def _ready(self) -> WARCWriter:
        """The writer of an open file with room left; WriteError once a write has failed."""
        if self._writer is not None and self._fh.tell() >= self.max_size:
            self.close()
        refusal = self.refusal()
        if refusal is not None:
            raise refusal
        if self._writer is None:
            self._open()
        assert self._writer is not None
        return self._writer

    def tell(self) -> int:
        return self._fh.tell() if self._fh else 0

    def write(self, *records: Any) -> tuple[str, int]:
        """Write records back to back in this file, all or none; returns (file name, offset)."""
        self._ready()
        return self.name, self._put(records)

    def _put(self, records: Any) -> int:
        """Compress ``records`` in memory, then write them at the end of the file.

        Each record is one gzip member at WARC_GZIP_LEVEL; a payload that is
        compressed already is stored in it, not deflated again (crawler/deflate.py).
        """
        assert self._writer is not None
        offset = self._fh.tell()
        members = []
        for record in records:
            plain = self._writer.out = BytesIO()
            try:
                self._writer.write_record(record)
            finally:
                self._writer.out = None
            buffer = plain.getbuffer()
            members.append(member(buffer, self.gzip_level, stored_from(buffer, record)))
        self._write_all(memoryview(b"".join(members)), offset)
        return offset

    def _write_all(self, data: memoryview, offset: int) -> None:
        """Write ``data`` whole; if the disk refuses part of it, cut back to ``offset``."""
        done = 0
        try:
            while done < len(data):  # a nearly full disk may take only part of a write
                done += self._fh.write(data[done:])
        except OSError as exc:
            self._cut_back(offset, exc)

    def _cut_back(self, offset: int, error: OSError) -> None:
        """Truncate a failed write back to ``offset``, then seal the file and raise."""
        cut = self._fh.tell() - offset
        try:
            self._fh.truncate(offset)
            self._fh.seek(offset)
        except OSError:
            self._damaged = True  # left .open at close: the next run's recovery cuts it
        self._failed(self.WriteError(self.name, error, offset, cut))

    def _failed(self, failure: WarcFile.WriteError) -> None:
        """Seal the file, tell the crawl (it stops), raise."""
        self._note(failure)
        raise failure from failure.error

    def _note(self, failure: WarcFile.WriteError) -> None:
        self.failure = failure
        logger.info("WARC write failed, no more writes: %s", failure)
        if self.on_failure is not None:
            self.on_failure(failure)

    def close(self) -> None:
        """Sync, close and rename to the final name; a file that cannot be synced stays .open."""
        if self._fh is None:
            return
        fh, path = self._fh, self.path
        assert path is not None
        final = path.with_name(self.name)
        self._fh = self._writer = self.path = None
        try:
            empty = fh.tell() == 0
            os.fsync(fh.fileno())
            fh.close()
        except OSError as exc:  # it may not all be on disk: the next run's recovery decides
            try:
                fh.close()
            except OSError:
                pass
            if self.failure is None:
                self._note(self.WriteError(final.name, exc, 0, 0))
            return
        if empty:  # not even its warcinfo record could be written
            path.unlink()
        elif not self._damaged:
            os.replace(path, final)
            self.closed_files.append(final)
            logger.info("Closed %s", final)


class WarcExtension:
    """Owns the crawl's WARC file; the download handler and spider write through it."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.archive_dir = Path(settings.get("ARCHIVE_DIR"))
        robots = "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"
        warcinfo = {
            "software": f"akershus-archive/{__version__} (Scrapy, warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "operator": settings.get("WARC_OPERATOR"),
            "description": settings.get("WARC_DESCRIPTION"),
            "robots": robots,
            "http-header-user-agent": settings.get("USER_AGENT"),
            "crawl-settings": json.dumps(_crawl_settings(settings), sort_keys=True),
        }
        self.file = WarcFile(
            warc_dir(self.archive_dir),
            settings.get("WARC_PREFIX"),
            settings.getint("WARC_MAX_FILE_SIZE"),
            warcinfo,
            settings.getint("WARC_GZIP_LEVEL"),
        )
        # Payload digest -> first capture, for revisit records (see crawler/resume.py);
        # shared in Redis when several workers crawl together (crawler/distributed.py).
        self.digests: Any = {}
        if settings.get("REDIS_URL"):
            from scrapy_redis.connection import from_settings

            from crawler.distributed import SharedDigests

            self.digests = SharedDigests(from_settings(settings),
                                         settings.get("DISTRIBUTED_KEY") + ":digests", crawler)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        return cls(crawler)

    def new_record(self, uri: str, rec_type: str, payload: bytes,
                   headers: dict[str, str], http_headers: StatusAndHeaders | None = None,
                   content_type: str = "") -> Any:
        """A record with the usual header order: type, id, date, then the rest."""
        ordered = {"WARC-Type": rec_type, "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>"}
        ordered.update(headers)
        record = self.file.writer.create_warc_record(
            uri, rec_type, payload=BytesIO(payload), length=len(payload),
            warc_headers_dict=ordered, http_headers=http_headers,
            warc_content_type=content_type,
        )
        return record

    def spider_opened(self, spider: Any) -> None:
        state = getattr(spider, "dedup_state", None)
        if state is not None:
            self.digests.update(state.digests)

    def spider_closed(self, spider: Any) -> None:
        self.file.close()


# Every setting that shapes what a crawl or harvest captures (which URLs, which
# bytes, how the server was asked), named in each WARC's warcinfo record so a
# WARC says which rules made it; tests/test_settings_documented.py checks that
# each setting of crawler/settings.py is either here or not of that kind.
CAPTURE_SETTINGS = (
    "USER_AGENT", "DEFAULT_REQUEST_HEADERS", "ROBOTSTXT_OBEY", "COOKIES_ENABLED",
    "DOWNLOAD_DELAY", "DOWNLOAD_DELAY_JITTER", "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE",
    "RETRY_ENABLED", "RETRY_TIMES", "RETRY_HTTP_CODES", "METAREFRESH_ENABLED", "DEPTH_LIMIT",
    "SCOPE_EXTRA_HOSTS", "SCOPE_URL_PREFIXES", "SCOPE_INCLUDE", "SCOPE_EXCLUDE",
    "SCOPE_REQUISITE_DOMAINS", "SCOPE_MAX_SEGMENT_REPEATS", "SCOPE_MAX_PATH_DEPTH",
    "SCOPE_MAX_QUERY_HOPS", "SCOPE_MAX_QUERY_VARIANTS", "SCOPE_MAX_QUERY_PARAMS",
    "SCOPE_MAX_URL_LENGTH", "SCOPE_MAX_DEPTH", "SCOPE_MAX_PAGES",
    "WIRE_CONNECT_TO", "WIRE_MAX_HEAD_SIZE", "WIRE_VERIFY_TLS", "WIRE_KEEP_ALIVE",
    "WIRE_IDLE_TIMEOUT", "WIRE_CONNECT_INTERVAL",
    "SHARED_DOWNLOAD_DELAY", "SHARED_CONCURRENT_REQUESTS_PER_DOMAIN",
    "HARVEST_ARCHIVE", "HARVEST_CDX_URL", "HARVEST_URL_PREFIX", "HARVEST_FROM", "HARVEST_TO",
    "HARVEST_LATEST", "HARVEST_FILTERS", "HARVEST_CHANGES_ONLY", "HARVEST_DELAY",
    "HARVEST_CDX_DELAY", "HARVEST_CONCURRENCY",
)


def _crawl_settings(settings: Any) -> dict[str, Any]:
    """The settings that shape what was captured, for the warcinfo record."""
    keys = [k for k in CAPTURE_SETTINGS
            if not (k.startswith("HARVEST_") and not settings.get("HARVEST_ARCHIVE"))
            and not (k.startswith("SHARED_") and not settings.get("REDIS_URL"))]
    out: dict[str, Any] = {}
    for key in keys:
        value = settings.get(key)
        if hasattr(value, "copy_to_dict"):
            value = value.copy_to_dict()
        out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


def warc_extension(crawler: Crawler) -> WarcExtension | None:
    """The crawl's WARC writer (Scrapy's own lookup), or None when WarcExtension is off.

    Also None before Scrapy has built its extensions (an extension's own
    ``__init__``): look it up at ``spider_opened`` or later.
    """
    try:
        return crawler.get_extension(WarcExtension)
    except RuntimeError:
        return None
