"""``extract DIR``: every HTML capture of an archive to one JSON line in DIR/data/pages.jsonl.

Captures stream from the reader into the parser and out to the file, one at
a time. Files are written under ``.open`` names and renamed when complete,
so a crash never leaves a half-written pages.jsonl behind.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from archive.boilerplate import HashSample, ProfileLearner, SiteProfile
from archive.decoding import decode_html, has_mojibake
from archive.documents import is_document_type
from archive.folder import (
    DOCUMENTS_FILE,
    EXTRACT_REPORT_FILE,
    SCHEMA_FILE,
    data_dir,
    open_name,
    pages_file,
)
from archive.model import PageRecord, dumps, schema_text
from archive.page import build_record
from archive.parse import parse_document
from archive.reader import ArchiveReader, Capture, Damage, RecordRef, record_content_type

logger = logging.getLogger(__name__)

# URLs listed by name in the report per finding (the counts are complete): the
# report must not grow with the archive (a 2000s archive matches no template at all).
LISTED = 1000


@dataclass
class ExtractReport:
    """What an extract run did; ``lines()`` is the summary the CLI prints."""

    archive_dir: str
    pages_file: str
    pages: int = 0
    strategies: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_template: dict[str, int] = field(default_factory=dict)
    non_html: dict[str, int] = field(default_factory=dict)
    revisits: int = 0
    documents: int = 0
    unmatched_template: list[str] = field(default_factory=list)  # the first LISTED
    unmatched_count: int = 0
    site_pages: dict[str, int] = field(default_factory=dict)
    mojibake: list[str] = field(default_factory=list)  # the first LISTED
    mojibake_count: int = 0
    damaged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was damaged."""
        return not self.damaged

    def lines(self) -> list[str]:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_status.items()))
        templates = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_template.items()))
        out = [
            f"{self.pages} pages -> {self.pages_file}",
            f"captures by status: {statuses or 'none'}",
            f"pages by template: {templates or 'none'}",
            f"strategy pages: {self.strategies}; revisits resolved: {self.revisits}",
            f"non-HTML captures: {sum(self.non_html.values())}; documents: {self.documents}",
        ]
        profiles = ", ".join(f"{h}: {n}" for h, n in sorted(self.site_pages.items()))
        out.append("boilerplate learned from: " + (
            f"{profiles} pages" if profiles else "no site (too few pages: per-page rules only)"))
        if self.unmatched_template:
            out.append(f"{self.unmatched_count} pages matched no known template "
                       "(content found by its shape):")
            out += [f"  {u}" for u in self.unmatched_template[:20]]
        if self.mojibake:
            out.append(f"{self.mojibake_count} pages show signs of a wrong charset:")
            out += [f"  {u}" for u in self.mojibake[:20]]
        if self.damaged:
            out.append(f"{len(self.damaged)} damaged records skipped:")
            out += [f"  {d['warc_file']} @{d['offset']}: {d['reason']}" for d in self.damaged]
        return out


class AtomicWriter:
    """A text file written under NAME.open and renamed to NAME when closed cleanly."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(open_name(path.name))
        self.fh: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        self.fh = self.tmp.open("w", encoding="utf-8", newline="\n")
        return self.fh

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.fh is not None
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def iter_records(
    archive_dir: Path,
    report: ExtractReport | None = None,
    on_document: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[PageRecord]:
    """Page records of an archive, streamed; counts go into ``report`` when given.

    ``on_document`` is called with each captured document (PDF etc.) met on the way.
    """
    report = report or ExtractReport(str(archive_dir), "")
    reader = ArchiveReader(archive_dir)
    sample = HashSample()
    index = reader.index(sample.offer)
    profile = learn_profile(archive_dir, sample.chosen())
    report.site_pages = dict(profile.pages)
    status: Counter[str] = Counter()
    templates: Counter[str] = Counter()
    non_html: Counter[str] = Counter()
    try:
        for capture in reader.captures():
            status[str(capture.status)] += 1
            if capture.record_type == "revisit" and capture.refers_to is not None:
                report.revisits += 1
            if not capture.is_html and capture.status is not None and 200 <= capture.status < 300:
                non_html[capture.mime_type or "unknown"] += 1
                if _is_document(capture):
                    report.documents += 1
                    if on_document is not None:
                        on_document(document_entry(capture))
                continue
            if not capture.is_html or capture.status is None or not 200 <= capture.status < 300:
                continue
            if capture.payload is None:
                continue  # unreadable or unresolved: already in reader.damaged
            record, page, text = build_record(capture, index.holds, profile)
            templates[record.template] += 1
            if not page.matched:
                report.unmatched_count += 1
                if len(report.unmatched_template) < LISTED:
                    report.unmatched_template.append(record.url)
            if has_mojibake(text):
                report.mojibake_count += 1
                if len(report.mojibake) < LISTED:
                    report.mojibake.append(record.url)
            report.strategies += record.strategy is not None
            report.pages += 1
            yield record
    finally:
        report.by_status = dict(status)
        report.by_template = dict(templates)
        report.non_html = dict(non_html)
        report.damaged = [asdict(d) for d in reader.damaged]


def learn_profile(archive_dir: Path, refs: list[RecordRef]) -> SiteProfile:
    """The site profile, learned from the sampled captures (read back by their locations)."""
    learner = ProfileLearner()
    reader = ArchiveReader(archive_dir)  # its own reader: damage is reported by the main pass
    for ref in refs:
        found = reader.read_record(ref)
        if found is None:
            continue
        record, payload = found
        if payload is None:
            continue
        decoded = decode_html(payload, record_content_type(record) or None)
        doc = parse_document(decoded.text)
        body = doc.find("body") if doc is not None else None
        if body is not None:
            learner.add(body, record.rec_headers.get_header("WARC-Target-URI") or "")
    return learner.profile()


def document_entry(capture: Capture) -> dict[str, Any]:
    """Where a captured document is, without its bytes."""
    return {
        "url": capture.url,
        "captured_at": capture.captured_at,
        "content_type": capture.content_type,
        "length": _int(capture.header("Content-Length")),
        "warc_file": capture.warc_file,
        "offset": capture.offset,
        "record_id": capture.record_id,
    }


def _is_document(capture: Capture) -> bool:
    if capture.status is None or not 200 <= capture.status < 300:
        return False
    mime = capture.mime_type
    return is_document_type(mime)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def run_extract(archive_dir: Path) -> ExtractReport:
    """Write DIR/data/pages.jsonl, documents.jsonl, the schema and a report; return the report."""
    archive_dir = Path(archive_dir)
    out_dir = data_dir(archive_dir)
    pages_path = pages_file(archive_dir)
    report = ExtractReport(str(archive_dir), str(pages_path))
    ArchiveReader(archive_dir)  # fail early and clearly on a bad directory
    out_dir.mkdir(parents=True, exist_ok=True)
    with AtomicWriter(pages_path) as fh, AtomicWriter(out_dir / DOCUMENTS_FILE) as docs:

        def write_document(entry: dict[str, Any]) -> None:
            docs.write(json.dumps(entry, ensure_ascii=False) + "\n")

        for record in iter_records(archive_dir, report, write_document):
            fh.write(dumps(record))
            fh.write("\n")
    with AtomicWriter(out_dir / SCHEMA_FILE) as fh:
        fh.write(schema_text())
    with AtomicWriter(out_dir / EXTRACT_REPORT_FILE) as fh:
        fh.write(json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n")
    for line in report.lines():
        logger.info("%s", line)
    return report


__all__ = ["Damage", "ExtractReport", "iter_records", "run_extract"]
