"""Who took over from the old site: the succession chain used by banners.

The chain is data. A record's own ``superseded_by`` and ``succession`` fields
win; the archive package's successor table comes next; the small default
below is used only when neither is available, so a bare record still renders
a truthful banner.
"""

from __future__ import annotations

from typing import Any

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


def _archive_lookup(url: str) -> tuple[str | None, list[dict[str, Any]] | None]:
    """Ask the archive package's successor table, if it offers one."""
    try:
        from archive import succession  # optional: render must work without it
    except ImportError:
        return None, None
    successor = None
    chain = None
    for name in ("successor_for", "successor", "lookup"):
        fn = getattr(succession, name, None)
        if callable(fn):
            try:
                found = fn(url)
            except Exception:  # a table the archivists are editing must not stop a build
                found = None
            if isinstance(found, str):
                successor = found
            elif isinstance(found, dict):
                successor = found.get("url") or found.get("successor")
            break
    for name in ("CHAIN", "SUCCESSION", "succession_chain", "chain"):
        value = getattr(succession, name, None)
        value = value() if callable(value) else value
        if isinstance(value, list) and value:
            chain = [c if isinstance(c, dict) else dict(vars(c)) for c in value]
            break
    return successor, chain


def resolve(record: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Return (page-level successor URL, succession chain) for a record."""
    successor = record.get("superseded_by") or None
    chain = record.get("succession") or None
    if not successor or not chain:
        found_successor, found_chain = _archive_lookup(record.get("url", ""))
        successor = successor or found_successor
        chain = chain or found_chain
    return successor or DEFAULT_SUCCESSOR, chain or DEFAULT_CHAIN


def transitions(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs of (ended body, successor, date): the sentences the banner tells."""
    out = []
    for before, after in zip(chain, chain[1:]):
        out.append({"old": before, "new": after, "date": after.get("from") or before.get("to")})
    return out
