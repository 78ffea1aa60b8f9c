"""The archive folder: the on-disk contract every stage reads and writes.

An archive directory ``DIR`` holds::

    DIR/warc/            the crawl's WARC files, PREFIX-TIMESTAMP-SERIAL-HOST-PID.warc.gz;
                         one being written is named NAME.open until it is closed
    DIR/crawl-state.json whether the last crawl finished (crawler/resume.py)
    DIR/crawl-report.json what the last crawl did (one per worker: crawl-report-WORKER.json)
    DIR/data/            the extracted records: pages.jsonl, documents.jsonl, the schema...
    DIR/indexes/         the CDXJ index
    DIR/site/            the offline site (built in site.partial/, then renamed)

It lives in ``archive/`` because that is the layer the crawler, the renderer
and the CLI may all import; it imports nothing but the standard library, so
the crawler loads no extraction code by naming a path. The project's version
string is here for the same reason: the crawler and the WACZ writer put it in
their records without importing the CLI's package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__version__ = "0.1.0"

WARC_DIR = "warc"
DATA_DIR = "data"
SITE_DIR = "site"
INDEXES_DIR = "indexes"
PAGES_FILE = "pages.jsonl"
# The other files extract writes beside pages.jsonl, and where export writes.
DOCUMENTS_FILE = "documents.jsonl"
SCHEMA_FILE = "page.schema.json"
DOCUMENT_SCHEMA_FILE = "document.schema.json"
EXTRACT_REPORT_FILE = "extract-report.json"
EXPORT_DIR = "export"
REPORT_FILE = "crawl-report.json"
STATE_FILE = "crawl-state.json"
INDEX_FILE = "index.cdxj"
# A file still being written (a WARC, a data file) carries this after its final name.
OPEN_SUFFIX = ".open"
# What a finished WARC file's name ends with: ours are gzipped per record, a copied-in
# file may be plain.
WARC_SUFFIXES = (".warc.gz", ".warc")
# The WARC name pattern: the timestamp is UTC to the 1/1000 s, then a serial per
# process, the host (hyphens made underscores) and the writing process id.
WARC_NAME = re.compile(r"^(?P<prefix>.+)-(?P<stamp>\d{17})-(?P<serial>\d{5,})"
                       r"-(?P<host>[^-]+)-(?P<pid>\d+)\.warc\.gz$")


def warc_dir(archive_dir: Path) -> Path:
    return archive_dir / WARC_DIR


def data_dir(archive_dir: Path) -> Path:
    return archive_dir / DATA_DIR


def pages_file(archive_dir: Path) -> Path:
    """``DIR/data/pages.jsonl``: one extracted record per HTML capture."""
    return archive_dir / DATA_DIR / PAGES_FILE


def documents_file(archive_dir: Path) -> Path:
    """``DIR/data/documents.jsonl``: one extracted record per document capture (PDFs...)."""
    return archive_dir / DATA_DIR / DOCUMENTS_FILE


def export_dir(archive_dir: Path) -> Path:
    """``DIR/data/export/``: the default home of ``export``'s files."""
    return archive_dir / DATA_DIR / EXPORT_DIR


def site_dir(archive_dir: Path) -> Path:
    return archive_dir / SITE_DIR


def partial_site_dir(archive_dir: Path) -> Path:
    """Where a site is built; renamed to ``site/`` when whole, so ``site/`` is never half-made."""
    return archive_dir / (SITE_DIR + ".partial")


def build_store_file(archive_dir: Path) -> Path:
    """The builder's scratch database, beside (never inside) the site being built."""
    return archive_dir / (SITE_DIR + ".partial.sqlite")


def indexes_dir(archive_dir: Path) -> Path:
    return archive_dir / INDEXES_DIR


def index_file(archive_dir: Path) -> Path:
    """``DIR/indexes/index.cdxj``."""
    return archive_dir / INDEXES_DIR / INDEX_FILE


def report_name(worker: str | None = None) -> str:
    """The crawl report's name; each worker of a shared (Redis) crawl writes its own."""
    return f"crawl-report-{worker}.json" if worker else REPORT_FILE


def report_file(archive_dir: Path, worker: str | None = None) -> Path:
    return archive_dir / report_name(worker)


def state_file(archive_dir: Path) -> Path:
    return archive_dir / STATE_FILE


# -- WARC file names ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarcName:
    """The parts of a WARC file name this project writes."""

    prefix: str
    stamp: str
    serial: int
    host: str
    pid: int

    def __str__(self) -> str:
        return warc_name(self.prefix, self.stamp, self.serial, self.host, self.pid)


def warc_name(prefix: str, stamp: str, serial: int, host: str, pid: int) -> str:
    """``PREFIX-TIMESTAMP-SERIAL-HOST-PID.warc.gz``: sorts by time, then serial."""
    return f"{prefix}-{stamp}-{serial:05d}-{host}-{pid}.warc.gz"


def parse_warc_name(name: str) -> WarcName | None:
    """The parts of a (finished or ``.open``) WARC name, None for a name not ours."""
    match = WARC_NAME.match(final_name(name))
    if match is None:
        return None
    return WarcName(match["prefix"], match["stamp"], int(match["serial"]), match["host"],
                    int(match["pid"]))


def open_name(name: str) -> str:
    """The name a file has while it is written."""
    return name + OPEN_SUFFIX


def final_name(name: str) -> str:
    """The name a file gets when closed (a finished name is returned as it is)."""
    return name.removesuffix(OPEN_SUFFIX)


def is_open(name: str) -> bool:
    return name.endswith(OPEN_SUFFIX)


def is_warc(name: str) -> bool:
    """A finished WARC file's name."""
    return name.endswith(WARC_SUFFIXES)


# -- listing ------------------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    """Entries that are not folders: a link that leads nowhere is listed, so that readers
    name it as unreadable instead of passing over it in silence."""
    return [p for p in folder.iterdir() if not p.is_dir()] if folder.is_dir() else []


def finished_in(folder: Path) -> list[Path]:
    """The finished WARC files of a warc folder, in name order (the order they were written:
    names begin with prefix and timestamp, rotation adds to the serial)."""
    return sorted((p for p in _files(folder) if is_warc(p.name)), key=lambda p: p.name)


def open_in(folder: Path) -> list[Path]:
    """The files of a warc folder still named ``.open`` (being written, or left by a crash)."""
    return sorted((p for p in _files(folder) if is_open(p.name)), key=lambda p: p.name)


def finished_warcs(archive_dir: Path) -> list[Path]:
    """The finished WARC files of an archive directory (``DIR/warc/``), in name order."""
    return finished_in(warc_dir(archive_dir))


def open_warcs(archive_dir: Path) -> list[Path]:
    return open_in(warc_dir(archive_dir))


def warc_relative(archive_dir: Path, path: Path) -> str:
    """A WARC file's name as records give it: relative to ``DIR/warc/``."""
    return path.relative_to(warc_dir(archive_dir)).as_posix()


def locate_warc(archive_dir: Path, warc_file: str) -> Path:
    """Find a WARC named by a record's provenance (a bare name or a relative path)."""
    name = Path(warc_file)
    folder = warc_dir(archive_dir)
    for candidate in (folder / name, folder / name.name, archive_dir / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"WARC file {warc_file!r} not found under {archive_dir}")
