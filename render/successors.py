"""Who took over from the old site: the succession chain used by banners.

The chain is data. A record's own ``superseded_by`` and ``succession`` fields
win; the archive package's successor table comes next; the small default
below is used only when neither is available, so a bare record still renders
a truthful banner.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, is_dataclass
from itertools import pairwise
from typing import Any

logger = logging.getLogger(__name__)

# Public facts: Akershus became part of Viken on 1 January 2020; Viken was
# dissolved on 1 January 2024 and Akershus fylkeskommune re-established (afk.no).
DEFAULT_CHAIN: list[dict[str, Any]] = [
    {"name": "Akershus fylkeskommune", "url": "http://www.akershus.no/",
     "from": None, "to": "2019-12-31", "note": ""},
    {"name": "Viken fylkeskommune", "url": "https://www.viken.no/",
     "from": "2020-01-01", "to": "2023-12-31", "note": ""},
    {"name": "Akershus fylkeskommune", "url": "https://afk.no/",
     "from": "2024-01-01", "to": None, "note": ""},
]
DEFAULT_SUCCESSOR = "https://www.viken.no/"


def normalize_entry(entry: Any) -> dict[str, Any]:
    """One chain entry in the banner's terms, whichever spelling the record used.

    The extractor writes ``{name, site, start, end, note}``; older or hand-made
    records may say ``{name, url, from, to, note}``.
    """
    if is_dataclass(entry) and not isinstance(entry, type):
        entry = asdict(entry)
    if not isinstance(entry, dict):
        return {"name": str(entry), "url": None, "from": None, "to": None, "note": ""}
    return {
        "name": entry.get("name") or "",
        "url": entry.get("url") or entry.get("site"),
        "from": entry.get("from") or entry.get("start"),
        "to": entry.get("to") or entry.get("end"),
        "note": entry.get("note") or "",
    }


def _archive_lookup(url: str) -> tuple[str | None, list[Any] | None]:
    """Ask the archive package's successor table, if it offers one."""
    try:
        from archive import succession  # optional: render must work without it
    except ImportError:
        return None, None
    try:
        return succession.superseded_by(url), list(succession.chain())
    except Exception as exc:
        logger.warning("successor table unusable (%s); using the built-in chain", exc)
        return None, None


def resolve(record: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Return (page-level successor URL, succession chain) for a record."""
    successor = record.get("superseded_by") or None
    chain = record.get("succession") or None
    if not successor or not chain:
        found_successor, found_chain = _archive_lookup(record.get("url", ""))
        successor = successor or found_successor
        chain = chain or found_chain
    return successor or DEFAULT_SUCCESSOR, [normalize_entry(e) for e in chain or DEFAULT_CHAIN]


def transitions(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs of (ended body, successor, date): the sentences the banner tells."""
    return [{"old": before, "new": after, "date": after.get("from") or before.get("to")}
            for before, after in pairwise(chain)]
