"""Stream captures out of the WARC files of an archive directory.

Records are read one at a time with warcio's ArchiveIterator; only the
payloads of HTML pages are held, one page at a time. A ``revisit`` record
carries no payload of its own: it is resolved by seeking to the record it
refers to (found by WARC-Refers-To-Target-URI/Date, else by payload digest)
and reading that one record again. A damaged file is reported and the
reader goes on with the next file, as warcio's checker does.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import logging
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive import folder, revisits
from archive.errors import ArchiveError
from archive.members import CUT_SHORT, ends_inside_member

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# A page body larger than this is not a page of this site; it is counted, not read.
MAX_PAGE_BYTES = 20 * 1024 * 1024
# Hashes of captured URLs collected before they are merged into the sorted index.
PENDING_MIN = 4096


class DamagedRecord(Exception):
    """A record that cannot be trusted: not WARC, or cut short."""


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where one WARC record lives: enough to read it back."""

    warc_file: str
    offset: int
    length: int
    record_id: str


@dataclass(slots=True)
class Capture:
    """One captured HTTP response, revisits already resolved to their payload."""

    url: str
    captured_at: str
    record_type: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    content_type: str
    warc_file: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None
    payload: bytes | None = None
    refers_to: RecordRef | None = None

    @property
    def mime_type(self) -> str:
        """The media type without parameters, lower case."""
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return is_html_type(self.content_type)

    def header(self, name: str) -> str | None:
        """First value of an HTTP header, case-insensitive."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Damage:
    """A record or file that could not be read."""

    warc_file: str
    offset: int
    reason: str


class CaptureIndex:
    """What a header-only pass learns: captured URLs and where payloads live.

    URLs are kept as sorted 64-bit hashes (8 bytes each, not a set of strings:
    the index of a 100 000-page archive stays under a megabyte); a clash would
    only call one uncaptured link captured, with odds of about n^2 / 2^64.
    Payload locations are kept only when revisits need them.
    """

    def __init__(self) -> None:
        self._hashes = array("q")  # sorted, without repeats
        self._pending: list[int] = []  # added since the last merge
        self.by_uri_date: dict[tuple[str, str], RecordRef] = {}
        self.by_digest: dict[str, RecordRef] = {}

    def add_url(self, uri: str) -> None:
        self._pending.append(stable_hash(uri))
        if len(self._pending) >= max(PENDING_MIN, len(self._hashes) // 8):
            self._merge()

    def add(self, uri: str, date: str, digest: str | None, ref: RecordRef) -> None:
        self.add_url(uri)
        self.by_uri_date[(uri, date)] = ref
        if digest:
            self.by_digest.setdefault(digest, ref)

    def _merge(self) -> None:
        """Fold the pending hashes into the sorted array.

        Sorting the whole array at once would hold every hash as a Python int
        (about 40 bytes each, and a set for the repeats); merging a small sorted
        batch into it holds only the batch, an eighth of the array at most.
        """
        self._pending.sort()
        merged = array("q")
        last = None
        for h in heapq.merge(self._hashes, self._pending):
            if h != last:
                merged.append(h)
                last = h
        self._hashes = merged
        self._pending = []

    def __len__(self) -> int:
        """How many distinct URLs have a successful capture."""
        if self._pending:
            self._merge()
        return len(self._hashes)

    def _has(self, url: str) -> bool:
        if self._pending:
            self._merge()
        h = stable_hash(url)
        i = bisect.bisect_left(self._hashes, h)
        return i < len(self._hashes) and self._hashes[i] == h

    def holds(self, url: str) -> bool:
        """True if the archive holds a successful capture of the URL (either scheme)."""
        if self._has(url):
            return True
        if url.startswith("https://"):
            return self._has("http://" + url[8:])
        if url.startswith("http://"):
            return self._has("https://" + url[7:])
        return False

    def original_at(self, uri: str, date: str) -> RecordRef | None:
        return self.by_uri_date.get((uri, date))

    def original_with(self, digest: str) -> RecordRef | None:
        return self.by_digest.get(digest)


def stable_hash(text: str) -> int:
    """A signed 64-bit hash that is the same in every process (SQLite's integer key)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "big", signed=True)


def is_html_type(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in HTML_TYPES


def warc_files(archive_dir: Path) -> list[Path]:
    """The WARC files of an archive directory (``DIR/warc/``), in sorted order."""
    if not archive_dir.is_dir():
        raise ArchiveError(
            f"archive directory {archive_dir} does not exist - "
            "give the directory a crawl wrote (it holds warc/)"
        )
    files = folder.finished_warcs(archive_dir)
    if not files:
        raise ArchiveError(
            f"no WARC files in {folder.warc_dir(archive_dir)} - run a crawl into {archive_dir} first, "
            "or copy *.warc.gz files into its warc/ folder"
        )
    return files


class ArchiveReader:
    """Iterates the captures of one archive directory."""

    def __init__(self, archive_dir: Path, want_payload: Callable[[str], bool] = is_html_type,
                 max_payload: int = MAX_PAGE_BYTES):
        self.archive_dir = archive_dir
        self.files = warc_files(archive_dir)
        self.want_payload = want_payload
        self.max_payload = max_payload  # payload bytes read at most (one more tells "larger")
        self.damaged: list[Damage] = []
        self._index: CaptureIndex | None = None

    def _name(self, path: Path) -> str:
        return folder.warc_relative(self.archive_dir, path)

    def index(self, on_response: Callable[[str, str, RecordRef], None] | None = None
              ) -> CaptureIndex:
        """Header-only pass over every file (payloads are skipped, not held).

        Where each payload lives is only needed to resolve revisit records, so
        it is kept only when the archive holds revisits (a second header pass):
        a plain crawl's index is the set of its URLs, nothing per record more.
        ``on_response`` sees (URL, content type, location) of every successful
        response of the first pass (the site profile draws its sample there).
        """
        if self._index is None:
            index = CaptureIndex()
            revisits = self._header_pass(index, keep_refs=False, on_response=on_response)
            if revisits:
                self._header_pass(index, keep_refs=True)
            self._index = index
        return self._index

    def _header_pass(self, index: CaptureIndex, keep_refs: bool,
                     on_response: Callable[[str, str, RecordRef], None] | None = None) -> int:
        """Add every successful response to ``index``; return how many revisits were seen."""
        revisits = 0
        for path in self.files:
            for record, ref, _ in self._records(path, with_payload=False):
                if record.rec_type == "revisit":
                    revisits += 1
                elif record.rec_type == "response" and _status(record) == 200:
                    h = record.rec_headers
                    uri = h.get_header("WARC-Target-URI") or ""
                    if keep_refs:
                        index.add(uri, h.get_header("WARC-Date") or "",
                                  h.get_header("WARC-Payload-Digest"), ref)
                    else:
                        index.add_url(uri)
                    if on_response is not None:
                        on_response(uri, record_content_type(record), ref)
        return revisits

    def captures(self, sample: Callable[[str], bool] | None = None) -> Iterator[Capture]:
        """Every response and revisit, in file order; revisits carry the payload they refer to.

        With ``sample``, only captures of URLs it accepts are read and yielded
        (the others are stepped over without decoding their payloads).
        """
        index = self.index()
        for path in self.files:
            for record, ref, payload in self._records(path, with_payload=True, sample=sample):
                if record.rec_type not in ("response", "revisit"):
                    continue
                if sample is not None and not sample(
                        record.rec_headers.get_header("WARC-Target-URI") or ""):
                    continue
                capture = _capture(record, ref, payload)
                if record.rec_type == "revisit":
                    self._resolve(capture, record, index)
                yield capture

    def _records(
        self, path: Path, with_payload: bool, sample: Callable[[str], bool] | None = None
    ) -> Iterator[tuple[ArcWarcRecord, RecordRef, bytes | None]]:
        """Yield each record with its location (and page payload); damage stops the file."""
        name = self._name(path)
        it: ArchiveIterator | None = None
        last: int | None = None
        try:
            with path.open("rb") as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    if record.format != "warc":
                        raise DamagedRecord(f"not a WARC record (read as {record.format})")
                    payload = None
                    if with_payload and record.rec_type == "response" and self.want_payload(
                        record_content_type(record)
                    ) and (sample is None
                           or sample(record.rec_headers.get_header("WARC-Target-URI") or "")):
                        payload = self._payload(record, name, it.offset)
                    it.read_to_end()
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        raise DamagedRecord(
                            f"record truncated: {record.raw_stream.limit} bytes of its block "
                            "missing - the file was cut short (an unfinished crawl?)"
                        )
                    ref = RecordRef(
                        name,
                        it.get_record_offset(),
                        it.get_record_length(),
                        record.rec_headers.get_header("WARC-Record-ID") or "",
                    )
                    last = ref.offset
                    yield record, ref, payload
                if ends_inside_member(path, last):
                    raise DamagedRecord(CUT_SHORT)
        except Exception as exc:  # noqa: BLE001 - a damaged WARC raises anything (warcio, zlib, gzip): a damage note, never a traceback
            if with_payload:
                offset = it.offset if it is not None else 0
                reason = _damage_reason(exc)
                logger.warning("damaged WARC %s at offset %d: %s", name, offset, reason)
                self.damaged.append(Damage(name, offset, reason))

    def _payload(self, record: ArcWarcRecord, name: str, offset: int) -> bytes | None:
        """The decoded payload (chunking and content-encoding undone), or None if unreadable."""
        try:
            return record.content_stream().read(self.max_payload)
        except Exception as exc:  # noqa: BLE001 - a damaged WARC raises anything (warcio, zlib, gzip): a damage note, never a traceback
            self.damaged.append(Damage(name, offset, f"payload unreadable: {exc}"))
            return None

    def _resolve(self, capture: Capture, record: ArcWarcRecord, index: CaptureIndex) -> None:
        """Fill a revisit's payload from the record it refers to."""
        ref = revisits.resolve(index, revisits.refers_to(record.rec_headers))
        if ref is None:
            self.damaged.append(Damage(
                capture.warc_file, capture.offset,
                f"revisit of {capture.url} refers to a record not in the archive - "
                "extract together with the WARCs of the earlier crawl it deduplicated against",
            ))
            return
        capture.refers_to = ref
        found = self.read_record(ref)
        if found is None:
            return
        original, payload = found
        if capture.status in (None, 304) or not capture.content_type:
            capture.status = _status(original)
            capture.reason = _reason(original)
            capture.headers = list(original.http_headers.headers) if original.http_headers else []
            capture.content_type = record_content_type(original)
        capture.payload_digest = capture.payload_digest or original.rec_headers.get_header(
            "WARC-Payload-Digest"
        )
        if self.want_payload(capture.content_type):
            capture.payload = payload

    def read_record(self, ref: RecordRef) -> tuple[ArcWarcRecord, bytes | None] | None:
        """Read one record back by its location, with its payload when it is a page."""
        path = folder.warc_dir(self.archive_dir) / ref.warc_file
        try:
            with path.open("rb") as fh:
                fh.seek(ref.offset)
                record = next(iter(ArchiveIterator(fh)))
                payload = None
                if self.want_payload(record_content_type(record)):
                    payload = self._payload(record, ref.warc_file, ref.offset)
                return record, payload
        except Exception as exc:  # noqa: BLE001 - a damaged WARC raises anything (warcio, zlib, gzip): a damage note, never a traceback
            self.damaged.append(Damage(ref.warc_file, ref.offset, _damage_reason(exc)))
            return None


    def capture_at(self, ref: RecordRef) -> Capture | None:
        """The capture whose record lives at ``ref`` (payload read when wanted), else None."""
        found = self.read_record(ref)
        if found is None:
            return None
        record, payload = found
        return _capture(record, ref, payload)


def _capture(record: ArcWarcRecord, ref: RecordRef, payload: bytes | None) -> Capture:
    h = record.rec_headers
    http = record.http_headers
    return Capture(
        url=h.get_header("WARC-Target-URI") or "",
        captured_at=iso_date(h.get_header("WARC-Date") or ""),
        record_type=record.rec_type,
        status=_status(record),
        reason=_reason(record),
        headers=list(http.headers) if http else [],
        content_type=record_content_type(record),
        warc_file=ref.warc_file,
        offset=ref.offset,
        length=ref.length,
        record_id=ref.record_id,
        payload_digest=h.get_header("WARC-Payload-Digest"),
        payload=payload,
    )


def record_content_type(record: ArcWarcRecord) -> str:
    http = record.http_headers
    return (http.get_header("Content-Type") if http else None) or ""


def _status(record: ArcWarcRecord) -> int | None:
    http = record.http_headers
    if not http or not http.statusline:
        return None
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return None


def _reason(record: ArcWarcRecord) -> str:
    http = record.http_headers
    if not http or not http.statusline:
        return ""
    parts = http.statusline.split(" ", 1)
    return parts[1] if len(parts) > 1 else ""


def iso_date(warc_date: str) -> str:
    """WARC-Date as ISO 8601 UTC with a ``Z`` (WARC 1.1 may add fractions; kept)."""
    date = warc_date.strip()
    if date.endswith("+00:00"):
        date = date[:-6] + "Z"
    return date


def _damage_reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "gzip" in text.lower() and "record" in text.lower():
        return (
            "not gzipped per record - run `warcio recompress IN OUT` to fix the file"
        )
    first = text.splitlines()[0]
    return f"{type(exc).__name__}: {first}"
