"""Who succeeded the legacy site: the page successor table and the organisation chain.

``successors.csv`` (columns ``old_prefix,new_url,note``) maps path prefixes of
the old site to the page that took over; the longest matching prefix wins,
and a URL no row matches goes to the Viken front page, the address the
post-2020 notice itself gave. Add a row when a successor page is known;
prefixes are paths (host-independent), so a replica or an http capture of
the same path resolves the same way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from archive.model import Successor

SUCCESSORS_CSV = Path(__file__).parent / "successors.csv"
FALLBACK = "https://www.viken.no/"

# The succession chain (SITE-FACTS: the merger of 2020, the dissolution of 2024).
CHAIN: tuple[Successor, ...] = (
    Successor(
        name="Akershus fylkeskommune",
        site="https://www.akershus.no/",
        start=None,
        end="2019-12-31",
        note="the legacy site archived here",
    ),
    Successor(
        name="Viken fylkeskommune",
        site="https://www.viken.no/",
        start="2020-01-01",
        end="2023-12-31",
        note="Akershus, Buskerud and Østfold merged; dissolved 1 January 2024",
    ),
    Successor(
        name="Akershus fylkeskommune",
        site="https://afk.no/",
        start="2024-01-01",
        end=None,
        note="the county re-established with a new site",
    ),
)


@dataclass(frozen=True, slots=True)
class SuccessorRow:
    old_prefix: str
    new_url: str
    note: str


@cache
def table(path: Path = SUCCESSORS_CSV) -> tuple[SuccessorRow, ...]:
    """The successor rows, longest prefix first."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [SuccessorRow(r["old_prefix"], r["new_url"], r["note"]) for r in csv.DictReader(fh)]
    return tuple(sorted(rows, key=lambda r: len(r.old_prefix), reverse=True))


def superseded_by(url: str) -> str:
    """The successor URL of an old page: longest matching path prefix, else the fallback."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return FALLBACK
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    for row in table():
        if path.startswith(row.old_prefix):
            return row.new_url
    return FALLBACK


def chain() -> list[Successor]:
    """A fresh copy of the succession chain for one record."""
    return [Successor(s.name, s.site, s.start, s.end, s.note) for s in CHAIN]
