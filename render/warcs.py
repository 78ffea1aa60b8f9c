"""What the renderer needs from the WARC files: an index, and payloads by offset.

The index pass reads record headers only (warcio skips unread payloads), so
it is cheap and keeps no bodies. Payloads are then fetched one at a time by
(file, offset), which is also how page records point at their capture
(``provenance.offset``). Revisit records are resolved to the response that
holds the payload, by the rule of ``archive/revisits.py`` (the record it names,
else the first response with its payload digest).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive import revisits
from archive.folder import finished_warcs, locate_warc
from archive.members import CUT_SHORT, ends_inside_member

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexEntry:
    """One response (or resolved revisit) in the WARCs: where it is and what it is."""

    url: str
    captured_at: str
    status: int
    content_type: str
    warc_file: str  # name relative to the archive's warc/ folder
    offset: int
    length: int
    record_id: str
    payload_digest: str
    location: str | None = None  # Location header of a redirect
    ip_address: str | None = None  # WARC-IP-Address: the peer the response came from


Where = tuple[str, int, int, str]  # WARC file, offset, length, content type of a response


class OriginalsMap(Protocol):
    """Responses seen so far, for revisits: by target URI and date, and by payload digest."""

    def remember(self, uri: str, date: str, digest: str, where: Where) -> Any: ...

    def original_at(self, uri: str, date: str) -> Where | None: ...

    def original_with(self, digest: str) -> Where | None: ...


class MemoryOriginals:
    """An :class:`OriginalsMap` in memory (the builder keeps one on disk, its store)."""

    def __init__(self) -> None:
        self.targets: dict[tuple[str, str], Where] = {}
        self.digests: dict[str, Where] = {}

    def remember(self, uri: str, date: str, digest: str, where: Where) -> None:
        self.targets.setdefault((uri, date), where)
        self.digests.setdefault(digest, where)

    def original_at(self, uri: str, date: str) -> Where | None:
        return self.targets.get((uri, date))

    def original_with(self, digest: str) -> Where | None:
        return self.digests.get(digest)


def iter_index(archive_dir: Path, damaged: list[str] | None = None,
               by_digest: OriginalsMap | None = None) -> Iterator[IndexEntry]:
    """Yield response and revisit records of every WARC, resolving revisits.

    A revisit whose original is not in the archive is skipped with a warning. A
    damaged file is read up to the damage, named in ``damaged``, and the index
    goes on with the next file: one bad file never hides the others. ``by_digest``
    (in memory by default) is where revisits are resolved; a builder passes one on
    disk, since it holds an entry per response.
    """
    if by_digest is None:
        by_digest = MemoryOriginals()
    for path in finished_warcs(archive_dir):
        last: int | None = None
        try:
            with path.open("rb") as fh:
                it = ArchiveIterator(fh)
                for rec in it:
                    last = it.get_record_offset()
                    entry = _entry(path, it, rec, by_digest)
                    if entry is not None:
                        yield entry
            if ends_inside_member(path, last):
                raise ValueError(CUT_SHORT)
        except Exception as exc:  # noqa: BLE001 - a damaged WARC raises anything (warcio, zlib, gzip): a damage note, never a traceback
            reason = f"{path.name}: damaged after offset {last or 0}: " + (
                str(exc).splitlines() or [type(exc).__name__])[0][:200]
            logger.warning("%s", reason)
            if damaged is not None:
                damaged.append(reason)


def _entry(path: Path, it: ArchiveIterator, rec: ArcWarcRecord,
           by_digest: OriginalsMap) -> IndexEntry | None:
    """The index entry of one record (None: not a capture, or an unresolvable revisit)."""
    if rec.rec_type not in ("response", "revisit"):
        return None
    h = rec.rec_headers
    http = rec.http_headers
    url = h.get_header("WARC-Target-URI") or ""
    digest = h.get_header("WARC-Payload-Digest") or ""
    code = http.get_statuscode() if http else ""
    status = int(code) if code and code.isdigit() else 0  # unparseable answers too
    ctype = (http.get_header("Content-Type") if http else None) or ""
    location = http.get_header("Location") if http else None
    offset, length = it.get_record_offset(), it.get_record_length()
    if rec.rec_type == "response":
        it.read_to_end(rec)
        if getattr(rec.raw_stream, "limit", 0) > 0:
            raise ValueError(f"record at offset {offset} cut short")
        length = it.get_record_length()
        by_digest.remember(url, h.get_header("WARC-Date") or "", digest,
                           (path.name, offset, length, ctype))
        where = (path.name, offset, length)
    else:
        found = revisits.resolve(by_digest, revisits.refers_to(h))
        if not found:
            logger.warning("revisit of %s: original payload %s not in archive", url, digest)
            return None
        where = found[:3]
        ctype = ctype or found[3]
    return IndexEntry(
        url=url,
        captured_at=h.get_header("WARC-Date") or "",
        status=status,
        content_type=ctype,
        warc_file=where[0],
        offset=where[1],
        length=where[2],
        record_id=h.get_header("WARC-Record-ID") or "",
        payload_digest=digest,
        location=location,
        ip_address=h.get_header("WARC-IP-Address"),
    )


# Largest decoded body read back (bytes): a gzip bomb must not inflate in memory.
MAX_PAYLOAD = 100 * 1024 * 1024
COPY_BLOCK = 1 << 16  # bytes per block when a file is copied out of a WARC


class PayloadTooLarge(ValueError):
    """The decoded body is over MAX_PAYLOAD; its original view is left out."""


@contextmanager
def _payload_stream(archive_dir: Path, warc_file: str, offset: int) -> Iterator[IO[bytes]]:
    """The decoded HTTP body of the response record at ``offset``, as a stream.

    Raises ValueError (or OSError) for anything unreadable, damaged bytes included:
    warcio fails on those in many ways, and one bad record must not stop a build.
    """
    path = locate_warc(archive_dir, warc_file)
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            for rec in ArchiveIterator(fh):
                if rec.rec_type not in ("response", "resource"):
                    raise ValueError(f"{warc_file}@{offset} is a {rec.rec_type} record, "
                                     "not a response")
                yield rec.content_stream()
                return
    except (ValueError, OSError):
        raise
    except Exception as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise ValueError(f"{warc_file}@{offset}: damaged record ({first})") from exc
    raise ValueError(f"no WARC record at {warc_file}@{offset}")


def read_payload(archive_dir: Path, warc_file: str, offset: int) -> bytes:
    """The HTTP body of the response record at ``offset``: de-chunked and decompressed."""
    with _payload_stream(archive_dir, warc_file, offset) as stream:
        data = stream.read(MAX_PAYLOAD + 1)
    if len(data) > MAX_PAYLOAD:
        raise PayloadTooLarge(f"{warc_file}@{offset}: body over {MAX_PAYLOAD} bytes")
    return data


def copy_payload(archive_dir: Path, warc_file: str, offset: int, dest: IO[bytes]) -> int:
    """Stream the body of the response record at ``offset`` into ``dest``; its length.

    A file is copied in blocks, never held whole: an archive's sitemap or a
    large PDF grows with the site, and memory must not.
    """
    total = 0
    with _payload_stream(archive_dir, warc_file, offset) as stream:
        while block := stream.read(COPY_BLOCK):
            total += len(block)
            if total > MAX_PAYLOAD:
                raise PayloadTooLarge(f"{warc_file}@{offset}: body over {MAX_PAYLOAD} bytes")
            dest.write(block)
    return total
