"""Reading extracted page records (``data/pages.jsonl``) as a stream of dicts.

The JSON Lines file is the contract with the extractor: one record per
captured HTML page. It is read line by line, never whole, and each record is
given defaults for any field an older extractor did not write, so a template
never meets a missing key.
"""

from __future__ import annotations

import copy
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
