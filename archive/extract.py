"""``extract DIR``: every HTML capture to one JSON line in DIR/data/pages.jsonl, every document to documents.jsonl.

Captures stream from the reader into the parser and out to the file, one at
a time; documents are read first (``archive.document_pass``) so that pages can
point to them. Files are written under ``.open`` names and renamed when
complete, so a crash never leaves a half-written pages.jsonl behind.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from archive.boilerplate import HashSample, ProfileLearner, SiteProfile
from archive.console import Console
from archive.decoding import decode_html, has_mojibake
from archive.document_pass import DocumentCounts, DocumentPass
from archive.documents import is_document_type
from archive.folder import (
    DOCUMENT_SCHEMA_FILE,
    EXTRACT_REPORT_FILE,
    SCHEMA_FILE,
    data_dir,
    documents_file,
    open_name,
    pages_file,
)
from archive.model import PageRecord, document_schema_text, dumps, schema_text
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
    document_records: DocumentCounts = field(default_factory=DocumentCounts)
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
        d = self.document_records
        if d.read:
            reasons = ", ".join(f"{k}: {v}" for k, v in sorted(d.reasons.items()))
            out.append(f"document records: {d.read}; with a strategy: {d.strategies}; "
                       f"not fully read: {reasons or 'none'}")
        if d.strategy_pages:
            out.append(f"strategy pages pointing to their document: {d.strategy_pages}; "
                       f"disagreeing with it: {d.conflict_count}")
            out += [f"  {u}" for u in d.conflicts[:20]]
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
    documents: DocumentPass | None = None,
    console: Console | None = None,
) -> Iterator[PageRecord]:
    """Page records of an archive, streamed; counts go into ``report`` when given.

    With ``documents``, the archive's documents are read into it before the first
    page, and each page record is linked to them. ``console`` shows the progress.
    """
    report = report or ExtractReport(str(archive_dir), "")
    reader = ArchiveReader(archive_dir)
    sample = HashSample()
    responses = 0

    def offer(uri: str, content_type: str, ref: RecordRef) -> None:
        nonlocal responses
        responses += 1
        sample.offer(uri, content_type, ref)
        if documents is not None:
            documents.offer(uri, content_type, ref)

    task = console.task("extract", "captures") if console else None
    if console and task:
        console.update(task, state=f"reading {len(reader.files)} WARC files")
    index = reader.index(offer)
    if documents is not None:
        if console and task:
            console.update(task, state=f"reading {len(documents.refs)} documents")
        documents.read_found()
    if console and task:
        console.update(task, total=responses, state="pages")
    profile = learn_profile(archive_dir, sample.chosen())
    report.site_pages = dict(profile.pages)
    status: Counter[str] = Counter()
    templates: Counter[str] = Counter()
    non_html: Counter[str] = Counter()
    try:
        for capture in reader.captures():
            if console and task and capture.record_type == "response" and capture.status == 200:
                console.update(task, 1)
            status[str(capture.status)] += 1
            if capture.record_type == "revisit" and capture.refers_to is not None:
                report.revisits += 1
            if not capture.is_html and capture.status is not None and 200 <= capture.status < 300:
                non_html[capture.mime_type or "unknown"] += 1
                if _is_document(capture):
                    report.documents += 1
                    if documents is not None and capture.record_type == "revisit":
                        documents.read_revisit(capture)
                continue
            if not capture.is_html or capture.status is None or not 200 <= capture.status < 300:
                continue
            if capture.payload is None:
                continue  # unreadable or unresolved: already in reader.damaged
            record, page, text = build_record(capture, index.holds, profile)
            if documents is not None:
                documents.link(record)
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
        if documents is not None:
            report.document_records = documents.counts
            report.damaged += [asdict(d) for d in documents.damaged]


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


def _is_document(capture: Capture) -> bool:
    if capture.status is None or not 200 <= capture.status < 300:
        return False
    mime = capture.mime_type
    return is_document_type(mime)


def run_extract(archive_dir: Path, console: Console | None = None) -> ExtractReport:
    """Write DIR/data/pages.jsonl, documents.jsonl, the schema and a report; return the report."""
    archive_dir = Path(archive_dir)
    out_dir = data_dir(archive_dir)
    pages_path = pages_file(archive_dir)
    report = ExtractReport(str(archive_dir), str(pages_path))
    ArchiveReader(archive_dir)  # fail early and clearly on a bad directory
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = DocumentPass(archive_dir, out_dir)
    try:
        with AtomicWriter(pages_path) as fh, AtomicWriter(documents_file(archive_dir)) as docs:
            for record in iter_records(archive_dir, report, documents, console):
                fh.write(dumps(record))
                fh.write("\n")
            documents.write(docs)
    finally:
        documents.close()
    with AtomicWriter(out_dir / SCHEMA_FILE) as fh:
        fh.write(schema_text())
    with AtomicWriter(out_dir / DOCUMENT_SCHEMA_FILE) as fh:
        fh.write(document_schema_text())
    with AtomicWriter(out_dir / EXTRACT_REPORT_FILE) as fh:
        fh.write(json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n")
    if console is not None:
        console.stop()
    for line in report.lines():
        logger.info("%s", line)
    return report


__all__ = ["Damage", "ExtractReport", "iter_records", "run_extract"]
