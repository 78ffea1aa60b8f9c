"""Who took over from the old site: the succession chain as the banners tell it.

The chain is data, kept once in ``archive/succession.py``. A record's own
``superseded_by`` and ``succession`` fields win; the archive's successor table
comes next; its chain and fallback successor are used when the table is
unusable, so a bare record still renders a truthful banner. The banner's
templates spell an entry ``{name, url, from, to, note}``; records spell it as
the extractor writes it, ``{name, site, start, end, note}`` (older or hand-made
records may use either): :func:`normalize_entry` reads both.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, is_dataclass
from itertools import pairwise
from typing import Any

from archive import succession

logger = logging.getLogger(__name__)

DEFAULT_SUCCESSOR = succession.FALLBACK


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
    """Ask the archive's successor table (a broken successors.csv is logged, not fatal)."""
    try:
        return succession.superseded_by(url), list(succession.chain())
    except Exception as exc:  # noqa: BLE001 - any broken successors.csv: logged, the built-in chain
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
    return successor or DEFAULT_SUCCESSOR, [normalize_entry(e) for e in chain or default_chain()]


def default_chain() -> list[dict[str, Any]]:
    """The archive's succession chain in the banner's spelling."""
    return [normalize_entry(e) for e in succession.CHAIN]


def transitions(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs of (ended body, successor, date): the sentences the banner tells."""
    return [{"old": before, "new": after, "date": after.get("from") or before.get("to")}
            for before, after in pairwise(chain)]
