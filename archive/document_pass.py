"""The extract's documents: read before the pages, linked both ways, written after them.

Documents are read first, from the locations the header pass found, so that
each page record can name the record of every document it links (the capture
nearest in time to the page's) and a strategy page can point to the document
that holds its strategy, with what the two disagree on. A document's
``linked_from`` is only known once every page has been read, so the document
records wait in a temporary file (one JSON line each, not in memory) and are
written to ``documents.jsonl`` at the end with it filled in.
"""

from __future__ import annotations

import bisect
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from archive.document_record import build_document, is_pdf
from archive.documents import is_document_type
from archive.model import DocumentRecord, PageRecord, Strategy, dumps
from archive.pdf_read import DocumentLimits
from archive.pdf_worker import DocumentReader
from archive.reader import ArchiveReader, Capture, Damage, RecordRef
from archive.strategy import differences

# Conflicts listed by page URL in the report (the count is complete).
LISTED = 1000


def url_key(url: str) -> str:
    """A URL without its scheme: a page links http:// to a file captured as https:// and back."""
    return url.split(":", 1)[1] if ":" in url else url


@dataclass(slots=True)
class DocumentCounts:
    """What the document pass did, for the extract report."""

    read: int = 0
    strategies: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    strategy_pages: int = 0  # strategy pages pointing to their document's strategy
    conflicts: list[str] = field(default_factory=list)  # the first LISTED
    conflict_count: int = 0


class DocumentPass:
    """Document records of one extract: read, indexed by URL, linked from pages, written."""

    def __init__(self, archive_dir: Path, spool_dir: Path,
                 limits: DocumentLimits | None = None) -> None:
        self.limits = limits or DocumentLimits()
        self.reader = ArchiveReader(archive_dir, want_payload=is_document_type,
                                    max_payload=self.limits.max_bytes + 1)
        self.pdf = DocumentReader(self.limits)
        self.refs: list[RecordRef] = []
        self._spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in write()
            "w+", encoding="utf-8", dir=spool_dir, prefix=".documents-", suffix=".jsonl")
        self._by_url: dict[str, list[tuple[str, str]]] = {}  # key -> sorted (captured_at, id)
        self._strategies: dict[str, Strategy] = {}
        self._linked: dict[str, set[str]] = {}
        self._reasons: Counter[str] = Counter()
        self.counts = DocumentCounts()

    @property
    def damaged(self) -> list[Damage]:
        return self.reader.damaged

    def offer(self, uri: str, content_type: str, ref: RecordRef) -> None:
        """From the header pass: note where a document's response lives."""
        if is_document_type(content_type.split(";", 1)[0].strip().lower()):
            self.refs.append(ref)

    def read_found(self) -> None:
        """Read every document the header pass found (before any page)."""
        for ref in self.refs:
            capture = self.reader.capture_at(ref)
            if capture is not None and capture.payload is not None:
                self._add(capture, capture.payload)

    def read_revisit(self, capture: Capture) -> None:
        """A revisit of a document, met in the main pass: its record, from the payload it refers to."""
        if capture.refers_to is None:
            return  # unresolved: the reader reported it
        found = self.reader.read_record(capture.refers_to)
        if found is not None and found[1] is not None:
            self._add(capture, found[1])

    def _add(self, capture: Capture, payload: bytes) -> None:
        content = self.pdf.read(payload) if is_pdf(capture) else None
        record = build_document(capture, content)
        self._spool.write(dumps(record) + "\n")
        self.counts.read += 1
        if record.reason:
            self._reasons[record.reason] += 1
        if record.strategy is not None:
            self.counts.strategies += 1
            self._strategies[record.id] = record.strategy
        bisect.insort(self._by_url.setdefault(url_key(record.url), []),
                      (record.captured_at, record.id))

    def nearest(self, url: str, when: str) -> str | None:
        """The id of the capture of ``url`` nearest in time to ``when`` (ISO 8601 UTC)."""
        found = self._by_url.get(url_key(url))
        if not found:
            return None
        i = bisect.bisect_left(found, (when, ""))
        near = [found[j] for j in (i - 1, i) if 0 <= j < len(found)]
        return min(near, key=lambda c: _distance(c[0], when))[1]

    def link(self, page: PageRecord) -> None:
        """Fill a page's document pointers and its strategy's document; note its links."""
        for d in page.documents:
            if not d.captured:
                continue
            d.record = self.nearest(d.url, page.captured_at)
            if d.record is not None:
                self._linked.setdefault(url_key(d.url), set()).add(page.url)
        strategy = page.strategy
        if strategy is None:
            return
        for d in page.documents:
            own = self._strategies.get(d.record or "")
            if own is not None:
                strategy.document = d.record
                strategy.differences = differences(strategy, own)
                self.counts.strategy_pages += 1
                if strategy.differences:
                    self.counts.conflict_count += 1
                    if len(self.counts.conflicts) < LISTED:
                        self.counts.conflicts.append(page.url)
                return

    def write(self, out: IO[str]) -> None:
        """The document records, ``linked_from`` filled, in the order they were read."""
        self.pdf.close()
        self.counts.reasons = dict(self._reasons)
        self._spool.seek(0)
        for line in self._spool:
            record = json.loads(line)
            record["linked_from"] = sorted(self._linked.get(url_key(record["url"]), ()))
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._spool.close()

    def close(self) -> None:
        self.pdf.close()
        if not self._spool.closed:
            self._spool.close()


def _distance(a: str, b: str) -> float:
    """Seconds between two ISO 8601 times (an unreadable one counts as far away)."""
    try:
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds())
    except (ValueError, TypeError):
        return float("inf")


__all__ = ["DocumentCounts", "DocumentPass", "DocumentRecord", "url_key"]
