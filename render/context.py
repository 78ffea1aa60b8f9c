"""From a page record to what its templates show: banner, sections, rewritten links.

Kept apart from the builder so the rules (heading levels, which links go
where) can be read and tested without building a site.
"""

from __future__ import annotations

import json
from typing import Any

from . import successors
from .environment import http_date
from .linkmap import LinkMap, epoch
from .paths import CapturePaths

# Interned chains: every record normally carries the same succession chain,
# so summaries share one copy instead of holding 20 000.
_CHAINS: dict[str, list[dict[str, Any]]] = {}


def banner(record: dict[str, Any], nav: list[dict[str, str]]) -> dict[str, Any]:
    """The banner's facts for one capture, with its navigation links."""
    successor, chain = successors.resolve(record)
    chain = _CHAINS.setdefault(json.dumps(chain, sort_keys=True), chain)
    return {
        "captured_at": record["captured_at"],
        "successor": successor,
        "chain": chain,
        "transitions": successors.transitions(chain),
        "nav": nav,
    }


def known_chains() -> list[list[dict[str, Any]]]:
    """Every distinct chain met so far, first met first (a worker hands them back)."""
    return list(_CHAINS.values())


def remember_chains(chains: list[list[dict[str, Any]]]) -> None:
    for chain in chains:
        _CHAINS.setdefault(json.dumps(chain, sort_keys=True), chain)


def known_chain() -> list[dict[str, Any]] | None:
    """The succession chain the records carried (the first one met), for the front page."""
    return next(iter(_CHAINS.values()), None)


def sections(record: dict[str, Any], links: LinkMap) -> list[dict[str, Any]]:
    """Sections with heading levels put in order (h2 after the h1, no skipped level)."""
    out = []
    prev = 1
    when = epoch(record["captured_at"])
    title = (record.get("title") or "").strip()
    for sec in record["sections"] or []:
        heading = (sec.get("heading") or "").strip()
        try:
            level = int(sec.get("level") or 2)
        except (TypeError, ValueError):
            level = 2
        if heading and level <= 1 and heading == title:
            heading = ""  # the title is the page's h1 already
        if heading:
            level = max(2, min(level, prev + 1, 6))
            prev = level
        blocks = []
        for block in sec.get("blocks") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "image":
                block = dict(block)
                target = links.resolve(block.get("src") or "", record["url"], when, "file")
                block["local"] = target.path if target.kind == "file" else None
            blocks.append(block)
        out.append({"heading": heading, "level": level, "blocks": blocks})
    return out


def page_links(items: list[dict[str, Any]], record: dict[str, Any], links: LinkMap,
               label_key: str) -> list[dict[str, Any]]:
    """Links or documents of a record, each resolved to a Target-like dict, deduplicated."""
    when = epoch(record["captured_at"])
    seen = set()
    out = []
    for item in items or []:
        url = (item.get("url") or "").strip() if isinstance(item, dict) else ""
        if not url or url in seen:
            continue
        seen.add(url)
        target = links.resolve(url, record["url"], when, "page")
        out.append({"kind": target.kind, "path": target.path, "url": target.url or url,
                    "label": (item.get(label_key) or "").strip() or url})
    return out


def record_json(record: dict[str, Any], paths: CapturePaths, bann: dict[str, Any]) -> dict[str, Any]:
    """The record as published next to its page, with the archive's machine-readable facts."""
    out = dict(record)
    out["archive"] = {
        "original": record["url"],
        "memento_datetime": http_date(record["captured_at"]),
        "successor_version": bann["successor"],
        "dcterms:isReplacedBy": bann["successor"],
        "succession": bann["chain"],
        "page": paths.page,
        "original_view": paths.original,
        "captures": paths.captures,
    }
    return out
