"""Where a reader is in the archive: breadcrumbs, captures in time, what changed.

* Breadcrumbs: the page's address, folder by folder, each folder linked to the
  reading view of its capture nearest in time when it is archived.
* Captures in time: on a page with several captures, the previous and next
  capture and a timeline of all of them (oldest first).
* What changed: for each capture that has an older one, a view of the text
  that changed between the two records (``difflib``, written at render time, so
  no server is needed). Only URLs with several captures get one, one per
  consecutive pair, so the cost grows with the captures, never with their square.
"""

from __future__ import annotations

import difflib
import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any, Protocol
from urllib.parse import unquote

from .linkmap import LinkMap, _nearest, epoch
from .paths import split_url, url_key
from .records import PageSummary
from .store import BuildStore

logger = logging.getLogger(__name__)

# Captures shown on a reading view's timeline (those nearest the capture shown); the
# captures list has them all.
TIMELINE_MAX = 30
# Lines of a record compared in a "what changed" view; a longer record is cut (and says so).
DIFF_LINES = 5000
CHANGES_SUFFIX = ".changes.html"


class ReaderBuilder(Protocol):
    """What the "what changed" views need of a build (``render/build.py`` has it all)."""

    @property
    def store(self) -> BuildStore: ...
    @property
    def out(self) -> Any: ...

    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None:
        """Render ``template`` to the site-relative path ``rel``."""


def changes_path(page: str) -> str:
    """The "what changed" view of a capture (against the capture before it)."""
    return page[:-5] + CHANGES_SUFFIX


def record_path(page: str) -> str:
    return page[:-5] + ".json"


# -- breadcrumbs -------------------------------------------------------------

def breadcrumbs(url: str, when: int, links: LinkMap, store: BuildStore) -> list[dict[str, Any]]:
    """The archive home, the host, then each folder above the page: label and path (None
    where that address was not archived). The page itself is the last entry."""
    parts = split_url(url)
    segs = [seg for seg in parts.path.split("/")[1:] if seg]
    base = f"{parts.scheme}://{parts.netloc}"
    crumbs: list[dict[str, Any]] = [{"label": "Arkivets forside", "label_en": "Archive home",
                                     "path": "index.html"}]
    steps = [(base + "/", parts.netloc)]
    own = parts.path if parts.query is None else None
    for i, seg in enumerate(segs[:-1] if own is not None else segs):
        steps.append((base + "/" + "/".join(segs[:i + 1]) + "/", unquote(seg)))
    for step_url, label in steps:
        if own is not None and split_url(step_url).path == own:
            continue  # the page itself is the last crumb, not a link
        path = _archived_page(links, step_url, when)
        crumbs.append({"label": _title_of(store, step_url, path) or label, "path": path})
    return crumbs


def _archived_page(links: LinkMap, url: str, when: int) -> str | None:
    """The reading view of ``url``'s capture nearest ``when``, or None; unlike a link's
    resolution, an address never archived gets no "not archived" page of its own here."""
    try:
        key = url_key(url)
    except ValueError:
        return None
    entries = links.store.targets("page", key) or (
        links.store.targets("page", key.rstrip("/")) if key.endswith("/") else [])
    return _nearest(entries, when) + ".html" if entries else None


def _title_of(store: BuildStore, url: str, path: str | None) -> str:
    if path is None:
        return ""
    try:
        captures = store.captures_of(url_key(url))
    except ValueError:
        return ""
    for s in captures:
        if s.page == path.split("#", 1)[0]:
            return s.title
    return ""


# -- captures in time --------------------------------------------------------

def capture_nav(of_url: list[PageSummary], current: PageSummary) -> dict[str, Any] | None:
    """Previous and next capture, the timeline and the "what changed" link of one capture;
    None when the URL has one capture only. ``of_url`` is newest first."""
    if len(of_url) < 2:
        return None
    ordered = list(reversed(of_url))  # oldest first
    at = next((i for i, s in enumerate(ordered) if s.page == current.page), None)
    if at is None:
        return None

    def entry(s: PageSummary) -> dict[str, Any]:
        return {"captured_at": s.captured_at, "page": s.page, "title": s.title,
                "changes": changes_path(s.page)}

    lo = max(0, min(at - TIMELINE_MAX // 2, len(ordered) - TIMELINE_MAX))
    shown = ordered[lo:lo + TIMELINE_MAX]
    return {
        "count": len(ordered), "position": at + 1,
        "previous": entry(ordered[at - 1]) if at > 0 else None,
        "next": entry(ordered[at + 1]) if at + 1 < len(ordered) else None,
        "timeline": [dict(entry(s), current=s.page == current.page,
                          first=lo + k == 0) for k, s in enumerate(shown)],
        "cut": len(shown) < len(ordered),
        "changes": changes_path(current.page) if at > 0 else None,
    }


# -- what changed ------------------------------------------------------------

def record_lines(rec: dict[str, Any]) -> list[str]:
    """A page record's text as lines to compare: title, headings, each block's text."""
    lines = []
    if rec.get("title"):
        lines.append(f"# {str(rec['title']).strip()}")
    for sec in rec.get("sections") or []:
        if not isinstance(sec, dict):
            continue
        if sec.get("heading"):
            lines.append(f"## {str(sec['heading']).strip()}")
        for block in sec.get("blocks") or []:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "list":
                lines.extend(f"• {item}" for item in block.get("items") or [])
            elif kind == "table":
                lines.extend(" | ".join(map(str, row)) for row in block.get("rows") or [])
            elif kind == "image":
                if block.get("alt") or block.get("caption"):
                    lines.append(f"[{block.get('alt') or ''}] {block.get('caption') or ''}".strip())
            elif kind == "contact":
                lines.append(" · ".join(str(block[k]) for k in ("name", "title", "phone", "email")
                                        if block.get(k)) or str(block.get("text") or ""))
            elif block.get("text"):
                lines.append(" ".join(str(block["text"]).split()))
    return [line for line in lines if line.strip()]


def _words(old: str, new: str) -> list[dict[str, str]]:
    """A changed line as runs of kept, deleted and inserted words."""
    a, b = old.split(" "), new.split(" ")
    runs: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append({"op": "same", "text": " ".join(a[i1:i2])})
            continue
        if i2 > i1:
            runs.append({"op": "del", "text": " ".join(a[i1:i2])})
        if j2 > j1:
            runs.append({"op": "ins", "text": " ".join(b[j1:j2])})
    return runs


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: a list of hunks (kept lines are counted, not
    shown), each line either added, removed, or changed word by word."""
    a, b = record_lines(old)[:DIFF_LINES], record_lines(new)[:DIFF_LINES]
    cut = max(len(record_lines(old)), len(record_lines(new))) > DIFF_LINES
    hunks: list[dict[str, Any]] = []
    same = added = removed = changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same += i2 - i1
            hunks.append({"op": "same", "count": i2 - i1})
            continue
        lines: list[dict[str, Any]] = []
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            lines.append({"op": "changed", "runs": _words(a[i1 + k], b[j1 + k])})
            changed += 1
        for line in a[i1 + pairs:i2]:
            lines.append({"op": "removed", "text": line})
            removed += 1
        for line in b[j1 + pairs:j2]:
            lines.append({"op": "added", "text": line})
            added += 1
        hunks.append({"op": "edit", "lines": lines})
    return {"hunks": hunks, "same": same, "added": added, "removed": removed,
            "changed": changed, "cut": cut}


def multi_capture_keys(store: BuildStore) -> Iterator[str]:
    """The URL keys with more than one capture (the only ones with "what changed" views)."""
    for (key,) in store.db.execute(
            "SELECT key FROM capture GROUP BY key HAVING count(*) > 1 ORDER BY key"):
        yield key


def write_changes(b: ReaderBuilder) -> int:
    """A "what changed" view for each consecutive pair of captures of every URL captured
    more than once, from the JSON records written beside their reading views. Returns
    how many were written."""
    written = 0
    for key in multi_capture_keys(b.store):
        ordered = list(reversed(b.store.captures_of(key)))  # oldest first
        records: dict[str, dict[str, Any] | None] = {}
        for older, newer in itertools.pairwise(ordered):
            pair = []
            for s in (older, newer):
                if s.page not in records:
                    records[s.page] = _load(b, s.page)
                pair.append(records[s.page])
            records.pop(older.page, None)  # each record is needed for two pairs at most
            old_rec, new_rec = pair
            if old_rec is None or new_rec is None:
                continue
            b.write(changes_path(newer.page), "changes.html", lang=newer.language or "nb",
                    url=newer.url, title=newer.title or newer.url,
                    older=_capture(older), newer=_capture(newer),
                    diff=diff_records(old_rec, new_rec),
                    captures=changes_path(newer.page).rsplit("/", 1)[0] + "/index.html",
                    epoch_gap=epoch(newer.captured_at) - epoch(older.captured_at))
            written += 1
    return written


def _capture(s: PageSummary) -> dict[str, Any]:
    return {"captured_at": s.captured_at, "page": s.page, "title": s.title,
            "original": s.original, "record": record_path(s.page)}


def _load(b: ReaderBuilder, page: str) -> dict[str, Any] | None:
    path = b.out / record_path(page)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        logger.warning("%s: record unreadable for the changes view (%s)", path, exc)
        return None
    return data if isinstance(data, dict) else None
