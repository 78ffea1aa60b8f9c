"""Reading extracted page records (``data/pages.jsonl``) and document records
(``data/documents.jsonl``) as streams of dicts.

The JSON Lines file is the contract with the extractor: one record per
captured HTML page. It is read line by line, never whole, and each record is
given defaults for any field an older extractor did not write, so a template
never meets a missing key.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_DEFAULTS: dict[str, Any] = {
    "id": "",
    "url": "",
    "captured_at": "",
    "status": 200,
    "content_type": "text/html",
    "charset": "utf-8",
    "language": "nb",
    "title": "",
    "template": "",
    "notice": False,
    "notice_text": "",
    "superseded_by": None,
    "succession": [],
    "sections": [],
    "links": [],
    "documents": [],
    "strategy": None,
    "provenance": {},
    "text": "",
    "published": None,
    "modified": None,
    "description": "",
}
_PROVENANCE = ("warc_file", "offset", "length", "record_id", "payload_digest", "captured_at")
LANGUAGES = ("nb", "nn", "en")


def normalize(record: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults in place (and return the record); keep unknown fields."""
    for key, default in _DEFAULTS.items():
        if record.get(key) is None:
            record[key] = copy.copy(default)
    prov = record["provenance"] = dict(record.get("provenance") or {})
    for key in _PROVENANCE:
        prov.setdefault(key, None)
    if not prov["captured_at"]:
        prov["captured_at"] = record["captured_at"]
    if record["language"] not in LANGUAGES:
        record["language"] = "nb"
    return record


def numbered_records(path: Path, shares: int = 1, share: int = 0
                     ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of each record on the lines ``n % shares == share``.

    Numbering by line, not by good record, lets a worker parse only its own
    share of the lines and still agree with every other reader on the numbers.
    A broken line is logged and skipped.
    """
    with path.open("r", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n % shares != share or not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                logger.warning("%s:%d: skipped, not JSON (%s)", path, n + 1, exc)
                continue
            if not isinstance(record, dict) or not record.get("url"):
                logger.warning("%s:%d: skipped, not a page record", path, n + 1)
                continue
            yield n, normalize(record)


@dataclass(slots=True)
class PageSummary:
    """What the builder keeps of a page after rendering it: small, per capture."""

    id: str
    url: str
    key: str
    captured_at: str
    title: str
    language: str
    template: str
    status: int
    page: str  # site-relative path of the reading view
    original: str | None
    published: str | None = None
    strategy: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- document records (data/documents.jsonl) ----------------------------------

_DOCUMENT_DEFAULTS: dict[str, Any] = {
    "id": "",
    "url": "",
    "captured_at": "",
    "status": 200,
    "content_type": "",
    "format": "",
    "reason": None,
    "detail": None,
    "title": "",
    "title_source": "",
    "pages": None,
    "language": "nb",
    "metadata": {},
    "title_page": [],
    "word_count": 0,
    "sections": [],
    "text": "",
    "strategy": None,
    "linked_from": [],
    "extraction": None,
    "provenance": {},
}
_METADATA = ("title", "author", "subject", "keywords", "creator", "producer", "created",
             "modified")


def _document_id(url: str, captured_at: str) -> str:
    """The extractor's id rule (``archive.page.record_id``), for records written without one."""
    return hashlib.sha1(f"{url} {captured_at}".encode()).hexdigest()[:16]


def normalize_document(record: dict[str, Any]) -> dict[str, Any]:
    """Fill a document record's defaults in place (and return it); keep unknown fields.

    An older extract wrote only where each document's capture was (``url``,
    ``captured_at``, ``content_type``, ``length``, ``warc_file``, ``offset``,
    ``record_id``): such a line is marked ``legacy`` (its content was never read)
    and its location becomes its provenance.
    """
    legacy = "sections" not in record and "title" not in record and "reason" not in record
    flat = {key: record.get(key) for key in ("warc_file", "offset", "length", "record_id")}
    for key, default in _DOCUMENT_DEFAULTS.items():
        if record.get(key) is None:
            record[key] = copy.copy(default)
    if not record["id"]:
        record["id"] = _document_id(record["url"], record["captured_at"])
    meta = record["metadata"] = dict(record["metadata"]) if isinstance(
        record["metadata"], dict) else {}
    for key in _METADATA:
        meta.setdefault(key, None)
    prov = record["provenance"] = dict(record["provenance"]) if isinstance(
        record["provenance"], dict) else {}
    for key, value in flat.items():
        if prov.get(key) is None:
            prov[key] = value
    for key in _PROVENANCE:
        prov.setdefault(key, None)
    if not prov["captured_at"]:
        prov["captured_at"] = record["captured_at"]
    if record["language"] not in LANGUAGES:
        record["language"] = "nb"
    for key in ("title_page", "sections", "linked_from"):
        if not isinstance(record[key], list):
            record[key] = []
    if not isinstance(record["strategy"], dict):
        record["strategy"] = None
    if not isinstance(record["extraction"], dict):
        record["extraction"] = None
    record["legacy"] = legacy
    return record


def numbered_documents(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of each document record; nothing when the file is absent.

    Read line by line, as the page records are; a broken line is logged and skipped.
    """
    if not path.is_file():
        return
    with path.open("r", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                logger.warning("%s:%d: skipped, not JSON (%s)", path, n + 1, exc)
                continue
            if (not isinstance(record, dict) or not isinstance(record.get("url"), str)
                    or not record.get("url") or not isinstance(record.get("captured_at"), str)):
                logger.warning("%s:%d: skipped, not a document record", path, n + 1)
                continue
            yield n, normalize_document(record)
