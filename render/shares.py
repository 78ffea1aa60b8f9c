"""A share of the captures: what rendering it learnt, and how the shares merge into one.

The captures are split by position (``n % workers == w``); each share's findings are
merged so the site is the same whatever the number of shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Pages listed as "linked from" under each document.
DOCUMENT_PAGES = 5


@dataclass
class Share:
    """What rendering one share of the captures learnt, for the builder to merge."""

    no_payload: int = 0
    first: str | None = None
    last: str | None = None
    newest: bool = False  # of the capture just rendered
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    referrers: list[tuple[str, str, int]] = field(default_factory=list)  # (missing, page, epoch)
    chains: list[list[dict[str, Any]]] = field(default_factory=list)


def merge_documents(shares: Iterable[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Documents met by every share, as one pass in record order would have listed them."""
    merged: dict[str, dict[str, Any]] = {}
    for docs in shares:
        for url, entry in docs.items():
            have = merged.get(url)
            if have is None:
                merged[url] = entry
                continue
            first = have if have["n"] <= entry["n"] else entry
            merged[url] = dict(first, pages=sorted(set(have["pages"]) | set(entry["pages"])))
    for entry in merged.values():
        entry["pages"] = [page for _, page in sorted(entry["pages"])[:DOCUMENT_PAGES]]
    return dict(sorted(merged.items(), key=lambda kv: kv[1]["n"]))
