"""A CDXJ index of an archive directory's WARC files, as pywb and ReplayWeb.page read it.

One line per capture: ``<SURT key> <14-digit timestamp> <JSON>``, the JSON
holding ``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset`` and
``filename`` (the WARC file's name, relative to ``DIR/warc/``), lines sorted
as plain strings so a reader can binary-search them. The records indexed and
the field values are those of the reference indexer used by py-wacz
(webrecorder's ``cdxj-indexer``): ``response``, ``revisit`` and ``resource``
records, and ``metadata`` records other than ``application/warc-fields`` (the
crawl's outlink and provenance notes are not captures); a revisit's ``mime``
is ``warc/revisit``. SURT keys come from the ``surt`` package, as pywb's.

Records are streamed with warcio; only the index lines are held, to sort them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

from archive.errors import ArchiveError
from archive.folder import index_file, warc_dir
from archive.reader import warc_files

logger = logging.getLogger(__name__)

INDEXED_TYPES = frozenset({"response", "revisit", "resource", "metadata"})
# Notes about the crawl (outlinks, provenance), not captures of a resource.
NOTE_TYPE = "application/warc-fields"


def url_key(url: str) -> str:
    """The SURT sort key of ``url``, as pywb computes it for lookups."""
    try:
        return str(surt.surt(url))
    except Exception:  # noqa: BLE001 - surt raises many kinds on odd URLs: the URL is its own key
        return url


def _mime(record: ArcWarcRecord) -> str:
    if record.rec_type == "revisit":
        return "warc/revisit"
    if record.rec_type in ("response", "request"):
        value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        value = record.rec_headers.get_header("Content-Type")
    if not value:
        return ""
    return value.replace(";", " ").split(None, 1)[0].strip() if value.strip() else ""


def _indexed(record: ArcWarcRecord) -> bool:
    if record.rec_type not in INDEXED_TYPES:
        return False
    return not (record.rec_type in ("resource", "metadata")
                and record.rec_headers.get_header("Content-Type") == NOTE_TYPE)


def index_lines(path: Path, filename: str) -> Iterator[str]:
    """The (unsorted) CDXJ lines of one WARC file, read record by record."""
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            if not _indexed(record):
                continue
            headers = record.rec_headers
            url = headers.get_header("WARC-Target-URI") or ""
            timestamp = iso_date_to_timestamp(headers.get_header("WARC-Date") or "")
            fields: dict[str, str] = {"url": url, "mime": _mime(record)}
            http = record.http_headers
            if record.rec_type in ("response", "revisit") and http and http.statusline:
                fields["status"] = http.get_statuscode()
            digest = headers.get_header("WARC-Payload-Digest")
            if digest:
                fields["digest"] = digest
            it.read_to_end(record)
            fields["length"] = str(it.get_record_length())
            fields["offset"] = str(it.get_record_offset())
            fields["filename"] = filename
            yield f"{url_key(url)} {timestamp} {json.dumps(fields)}"


def archive_index_lines(warc_dir: Path, paths: Iterable[Path]) -> list[str]:
    """Sorted CDXJ lines of ``paths`` (WARC files under ``warc_dir``)."""
    lines: list[str] = []
    for path in paths:
        lines.extend(index_lines(path, path.relative_to(warc_dir).as_posix()))
    lines.sort()
    return lines


def run_index(archive_dir: Path) -> Path:
    """Write ``archive_dir/indexes/index.cdxj`` for every WARC in ``archive_dir/warc/``."""
    files = warc_files(archive_dir)
    out = index_file(archive_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create {out.parent} ({exc.strerror}) - check the "
                           "directory's permissions") from None
    lines = archive_index_lines(warc_dir(archive_dir), files)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")
    os.replace(tmp, out)
    logger.info("Indexed %d captures of %d WARC files into %s", len(lines), len(files), out)
    return out


# Lines per gzip block of a compressed index (cdxj-indexer's and py-wacz's default).
BLOCK_LINES = 300


def write_compressed(index: Path, data_path: Path, idx_path: Path,
                     data_name: str = "index.cdx.gz") -> None:
    """``index`` as gzip blocks of BLOCK_LINES lines, and its secondary index, as py-wacz writes them.

    The ``.idx`` starts ``!meta 0 {"format": "cdxj-gzip-1.0", "filename": ...}`` and
    has one line per block: the block's first key and timestamp, then its offset,
    length and sha256 in the data file. ReplayWeb.page and pywb then read only the
    blocks a lookup needs; ``wb-manager add --unpack-wacz`` takes ``*.cdx.gz``.
    """
    with index.open(encoding="utf-8") as src, data_path.open("wb") as data, \
            idx_path.open("w", encoding="utf-8", newline="\n") as idx:
        idx.write("!meta 0 " + json.dumps({"format": "cdxj-gzip-1.0", "filename": data_name})
                  + "\n")
        offset = 0
        while block := list(islice(src, BLOCK_LINES)):
            packer = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
            blob = packer.compress("".join(block).encode("utf-8")) + packer.flush()
            where = {"offset": offset, "length": len(blob),
                     "digest": "sha256:" + hashlib.sha256(blob).hexdigest()}
            idx.write(block[0].split("{", 1)[0].strip() + " " + json.dumps(where) + "\n")
            data.write(blob)
            offset += len(blob)
