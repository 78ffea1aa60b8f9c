"""Package an archive directory as one WACZ 1.1.1 file, streamed file by file.

Layout (https://specs.webrecorder.net/wacz/1.1.1/):

    archive/<name>.warc.gz     the WARC files, stored (not deflated) so replay can seek
    indexes/index.cdx.gz       the CDXJ index (archive/cdxj.py) in gzip blocks, names relative
                               to archive/ (stored: readers seek into it)
    indexes/index.idx          its secondary index: one line per block, as py-wacz writes it
    pages/pages.jsonl          one line per captured HTML page: id, url, ts, title, text
    data/...                   the extract's records and their schemas, when DIR/data/ has
                               them (pages.jsonl, documents.jsonl: the strategy PDFs' content)
    datapackage.json           every file above with its sha256 and size
    datapackage-digest.json    the sha256 of datapackage.json

Each file is copied into the ZIP in blocks while its sha256 is computed, so
neither the WARCs nor the WACZ are ever held in memory; pages are parsed one
at a time. The package is written as ``NAME.wacz.tmp`` and renamed when whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from archive.cdxj import run_index, write_compressed
from archive.console import Console
from archive.decoding import decode_html
from archive.errors import ArchiveError
from archive.folder import (
    DOCUMENT_SCHEMA_FILE,
    SCHEMA_FILE,
    __version__,
    data_dir,
    documents_file,
    pages_file,
    warc_dir,
    warc_relative,
)
from archive.page import read_page, record_id
from archive.reader import ArchiveReader, warc_files

logger = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
BLOCK = 1024 * 1024
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}
# Longest page text kept for full-text search (characters); the WARC holds the rest.
MAX_PAGE_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class Resource:
    """One file of the package, as datapackage.json lists it."""

    path: str
    hash: str
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": os.path.basename(self.path).lower(), "path": self.path,
                "hash": self.hash, "bytes": self.bytes}


class _HashingWriter:
    """Write through to a ZIP member, hashing and counting on the way."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.out.write(data)


def _member(zf: zipfile.ZipFile, path: str, compress: int, mtime: float | None = None
            ) -> zipfile.ZipInfo:
    stamp = datetime.fromtimestamp(mtime, UTC) if mtime else datetime.now(UTC)
    info = zipfile.ZipInfo(path, date_time=stamp.timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _copy_file(zf: zipfile.ZipFile, source: Path, path: str, compress: int) -> Resource:
    """Copy a file in as one member, its size given up front.

    With the size known, ZIP64 fields are written only for a member that needs
    them (over 4 GiB), in its local header and the central directory alike.
    Forcing them on every member left local headers with 0xFFFFFFFF sizes and a
    ZIP64 field the central directory lacked, which ReplayWeb.page's zip reader
    cannot open (it takes the data offset from the central directory's view).
    """
    stat = source.stat()
    info = _member(zf, path, compress, stat.st_mtime)
    info.file_size = stat.st_size
    with source.open("rb") as src, zf.open(info, "w") as dst:
        writer = _HashingWriter(dst)
        while block := src.read(BLOCK):
            writer.write(block)
    return Resource(path, "sha256:" + writer.sha256.hexdigest(), writer.size)


def _write_lines(zf: zipfile.ZipFile, lines: Iterator[str], path: str, scratch: Path) -> Resource:
    """Lines into a member: spooled to ``scratch`` first, so the member's size is known."""
    with scratch.open("wb") as out:
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")
    try:
        return _copy_file(zf, scratch, path, zipfile.ZIP_DEFLATED)
    finally:
        scratch.unlink(missing_ok=True)


def page_lines(archive_dir: Path, main: dict[str, Any] | None = None) -> Iterator[str]:
    """pages.jsonl: its header, then one line per successful HTML capture (revisits too).

    ``main`` receives the url and ts of the site's front page: the first capture
    of a host's root (``/``), else the first page.
    """
    yield json.dumps(PAGES_HEADER)
    reader = ArchiveReader(archive_dir)
    for capture in reader.captures():
        if not capture.is_html or capture.status != 200 or capture.payload is None:
            continue
        decoded = decode_html(capture.payload, capture.content_type or None)
        page = read_page(decoded.text, capture.url, capture.header("Content-Language"))
        is_root = urlsplit(capture.url).path in ("", "/")
        if main is not None and (not main or (is_root and not main["root"])):
            main.update(url=capture.url, ts=capture.captured_at, root=is_root)
        yield json.dumps({
            "id": record_id(capture.url, capture.captured_at),
            "url": capture.url,
            "ts": capture.captured_at,
            "title": page.title or capture.url,
            "text": page.text[:MAX_PAGE_TEXT],
        }, ensure_ascii=False)


def extract_files(archive_dir: Path) -> list[Path]:
    """The extract's record files and schemas that exist (none before ``extract`` ran)."""
    data = data_dir(archive_dir)
    named = [pages_file(archive_dir), data / SCHEMA_FILE, documents_file(archive_dir),
             data / DOCUMENT_SCHEMA_FILE]
    return [p for p in named if p.is_file()]


def run_package(archive_dir: Path, output: Path, console: Console | None = None) -> Path:
    """Write the WACZ of ``archive_dir`` (its WARCs, a fresh index, its pages) to ``output``.

    ``console`` shows the files as they go in.
    """
    files = warc_files(archive_dir)
    task = console.task("package", "steps", total=len(files) + 3) if console else None

    def step(state: str, done: int = 1) -> None:
        if console is not None and task is not None:
            console.update(task, done, state=state)

    names = [warc_relative(archive_dir, p) for p in files]
    if len({n.lower() for n in names}) != len(names) or any("/" in n for n in names):
        raise ArchiveError(f"WARC files in {warc_dir(archive_dir)} must have distinct names and "
                           "no sub-folders to be packaged - move them into warc/ itself")
    step("indexing the WARC files", 0)
    index = run_index(archive_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    scratch = {name: tmp.with_name(f"{tmp.name}.{name}") for name in ("index.cdx.gz", "index.idx")}
    write_compressed(index, scratch["index.cdx.gz"], scratch["index.idx"])
    resources: list[Resource] = []
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for path, name in zip(files, names):
                step(f"copying {name}", 0)
                resources.append(_copy_file(zf, path, f"archive/{name}", zipfile.ZIP_STORED))
                step(f"copied {name}")
            for name, compress in (("index.cdx.gz", zipfile.ZIP_STORED),
                                   ("index.idx", zipfile.ZIP_DEFLATED)):
                resources.append(_copy_file(zf, scratch[name], f"indexes/{name}", compress))
            step("the index and the pages")
            main: dict[str, Any] = {}
            resources.append(_write_lines(zf, page_lines(archive_dir, main), "pages/pages.jsonl",
                                          tmp.with_name(tmp.name + ".pages")))
            step("the extract's records")
            for record_file in extract_files(archive_dir):
                resources.append(_copy_file(zf, record_file, f"data/{record_file.name}",
                                            zipfile.ZIP_DEFLATED))
            package = {
                "profile": "data-package",
                "resources": [r.as_dict() for r in resources],
                "wacz_version": WACZ_VERSION,
                "title": f"Archive of {archive_dir.name}",
                "software": f"akershus-archive {__version__}",
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if main:  # where a viewer opens the archive (ReplayWeb.page, py-wacz)
                package["mainPageUrl"], package["mainPageDate"] = main["url"], main["ts"]
            data = json.dumps(package, indent=2).encode("utf-8")
            zf.writestr(_member(zf, "datapackage.json", zipfile.ZIP_DEFLATED), data)
            digest = {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
            zf.writestr(_member(zf, "datapackage-digest.json", zipfile.ZIP_DEFLATED),
                        json.dumps(digest, indent=2).encode("utf-8"))
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        for path in scratch.values():
            path.unlink(missing_ok=True)
    step("done")
    if console is not None:
        console.stop()
    logger.info("Packaged %d WARC files into %s", len(files), output)
    return output
