"""From a page record to what its templates show: banner, sections, rewritten links.

Kept apart from the builder so the rules (heading levels, which links go
where) can be read and tested without building a site.
"""

from __future__ import annotations

import json
import re
from typing import Any

from archive import notices

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
            elif block.get("type") == "paragraph" and record.get("links"):
                pieces = in_text_links(str(block.get("text") or ""), record, links, when)
                if pieces is not None:
                    block = dict(block, pieces=pieces)
            blocks.append(block)
        out.append({"heading": heading, "level": level, "blocks": blocks})
    return out


# Kinds of link target written as a link inside a paragraph (the rest stay text: a
# mailto/tel address, a fragment, a dropped scheme are shown by the links list instead).
IN_TEXT_KINDS = ("page", "file", "missing", "external")
# Shortest link text matched inside a paragraph: shorter texts ("Les", "her") match anywhere.
IN_TEXT_MIN = 3


def in_text_links(text: str, record: dict[str, Any], links: LinkMap,
                  when: int) -> list[dict[str, Any]] | None:
    """A paragraph cut into text and links: each link of the record (in record order)
    at the first occurrence of its text in the paragraph, as a whole word and not inside
    another link; None when no link text occurs. The record keeps paragraphs as plain
    text and its links apart, so this puts back what the page linked (the archived
    target, the "not archived" page or a marked external link)."""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for item in record.get("links") or []:
        if not isinstance(item, dict):
            continue
        label = " ".join(str(item.get("text") or "").split())
        url = str(item.get("url") or "").strip()
        if len(label) < IN_TEXT_MIN or not url:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(label) + r"(?!\w)", text):
            start, end = m.span()
            if any(start < e and s < end for s, e, _ in spans):
                continue
            target = links.resolve(url, record["url"], when, "page")
            if target.kind in IN_TEXT_KINDS:
                spans.append((start, end, {"kind": target.kind, "path": target.path,
                                           "url": target.url or url, "label": m.group()}))
            break
    if not spans:
        return None
    spans.sort(key=lambda sp: sp[0])
    pieces: list[dict[str, Any]] = []
    at = 0
    for start, end, link in spans:
        if start > at:
            pieces.append({"text": text[at:start]})
        pieces.append({"text": text[start:end], "link": link})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:]})
    return pieces


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
        if target.kind == "contact":  # shown as text, never a link
            scheme, address = notices.contact_address(target.url or url)
            out[-1].update(url="", address=address, contact=notices.contact_kind(scheme))
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
