"""The document records (``data/documents.jsonl``) in the site: reading views, links, search.

A captured document (mostly a strategy PDF) is copied into ``files/`` like any
file (``assets.py``); its record, when the extract wrote one, also gets a
reading view under ``documents/`` (title, metadata, sections, the strategy, the
pages that link to it, provenance, and a link to the copied file) and a JSON
record beside it. The records are streamed twice, as the page records are:
once to learn every view's path (a summary per record goes to the build
store, so pages and lists can link it), once to render.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from jinja2 import Environment

from . import context
from .citation import Citations
from .linkmap import LinkMap, _nearest, epoch
from .paths import CapturePaths, document_paths, url_key
from .records import numbered_documents
from .search_index import IndexWriter, document_kind, kept_text, page_weights
from .store import BuildStore

# Fields of a document's strategy kept in its summary (what the strategies table shows).
STRATEGY_SUMMARY = ("title", "period", "goal", "priorities")
# Captures of one document listed on its reading view.
CAPTURES_LISTED = 50


class DocumentBuilder(Protocol):
    """What the document views need of a build (``render/build.py`` has it all)."""

    @property
    def store(self) -> BuildStore: ...
    @property
    def links(self) -> LinkMap: ...
    @property
    def env(self) -> Environment: ...
    @property
    def citations(self) -> Citations: ...

    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None:
        """Render ``template`` to the site-relative path ``rel``."""

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` to ``rel``."""

    def _claim(self, path: str) -> bool:
        """Reserve a file name; False if another capture has it."""


def file_name_title(url: str) -> str:
    """The file name of a URL, decoded: a title for a record that has none."""
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return name or url


def copied_file(links: LinkMap, url: str, captured_at: str) -> str | None:
    """Site path of the copied file of this capture (the nearest capture of the URL when
    the WARCs hold another one only); None when the file was not copied."""
    try:
        entries = links.store.targets("file", url_key(url))
    except ValueError:
        return None
    if not entries:
        return None
    when = epoch(captured_at)
    exact = [path for t, path in entries if t == when]
    return exact[0] if exact else _nearest(entries, when)


def summary_of(rec: dict[str, Any], paths: CapturePaths, file: str | None) -> dict[str, Any]:
    """What links, lists and the strategies table need of a document record: small."""
    strategy = rec.get("strategy")
    meta = rec.get("metadata") or {}
    return {
        "id": rec["id"], "url": rec["url"], "captured_at": rec["captured_at"],
        "title": (rec.get("title") or "").strip() or file_name_title(rec["url"]),
        "format": (rec.get("format") or "").lower(), "pages": rec.get("pages"),
        "reason": rec.get("reason"), "language": rec.get("language") or "nb",
        "created": meta.get("created"), "view": paths.page, "record": paths.record,
        "file": file, "legacy": bool(rec.get("legacy")),
        "strategy": {k: strategy.get(k) for k in STRATEGY_SUMMARY}
        if isinstance(strategy, dict) else None,
    }


def scan_documents(b: DocumentBuilder, path: Any) -> int:
    """Give every document record its paths and a summary in the store; return the count.

    Runs after the page records are scanned and the WARCs indexed, so a record
    finds its copied file; a record whose URL cannot be archived is skipped.
    """
    count = 0
    for n, rec in numbered_documents(path):
        try:
            paths = document_paths(rec["url"], rec["captured_at"])
            key = url_key(rec["url"])
        except ValueError:
            continue
        if not b._claim(paths.page):
            paths = document_paths(rec["url"], rec["captured_at"], rec["id"])
            if not b._claim(paths.page):
                continue  # the very same record twice
        file = copied_file(b.links, rec["url"], rec["captured_at"])
        b.store.add_document(n, summary_of(rec, paths, file), key, epoch(rec["captured_at"]))
        count += 1
    return count


def for_link(store: BuildStore, record_id: str | None, url: str,
             when: int) -> dict[str, Any] | None:
    """The document record a link means: the one it names, else the URL's capture nearest
    in time to the linking page."""
    if record_id:
        found = store.document(record_id)
        if found is not None:
            return found
    try:
        entries = store.documents_of(url_key(url))
    except ValueError:
        return None
    if not entries:
        return None
    best = min(entries, key=lambda e: abs(e[0] - when))
    return best[1]


def newest_of(store: BuildStore, url: str) -> dict[str, Any] | None:
    """The newest document record of a URL."""
    try:
        entries = store.documents_of(url_key(url))
    except ValueError:
        return None
    return entries[-1][1] if entries else None


def _linked_from(b: DocumentBuilder, rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages that link to the document, each to its reading view where captured."""
    when = epoch(rec["captured_at"])
    out = []
    for url in rec.get("linked_from") or []:
        if not isinstance(url, str) or not url:
            continue
        target = b.links.resolve(url, url, when, "page")
        out.append({"kind": target.kind, "path": target.path, "url": target.url or url,
                    "label": _page_title(b.store, target.url or url, target.path) or url})
    return out


def _page_title(store: BuildStore, url: str, path: str) -> str:
    """The title of the capture whose reading view is ``path``, else of the URL's newest."""
    try:
        captures = store.captures_of(url_key(url))
    except ValueError:
        return ""
    for s in captures:
        if s.page == path:
            return s.title
    return captures[0].title if captures else ""


def _captures(store: BuildStore, rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every record of the same URL, newest first (this one marked)."""
    try:
        entries = store.documents_of(url_key(rec["url"]))
    except ValueError:
        return []
    rows = [dict(s, current=s["id"] == rec["id"]) for _, s in reversed(entries)]
    return rows[:CAPTURES_LISTED]


def render_documents(b: DocumentBuilder, path: Any, search: IndexWriter | None) -> None:
    """Reading view and JSON record of every scanned document record; search entries."""
    for n, rec in numbered_documents(path):
        summary = b.store.document_at(n)
        if summary is None or summary["url"] != rec["url"]:
            continue
        paths = CapturePaths(summary["view"].rsplit("/", 1)[0],
                             summary["view"].rsplit("/", 1)[1][:-5])
        nav = [{"path": "browse/documents.html", "nb": "Alle dokumenter", "en": "All documents"},
               {"path": "index.html", "nb": "Arkivets forside", "en": "Archive home"}]
        if summary["file"]:
            nav.insert(0, {"path": summary["file"], "nb": "Originalfilen",
                           "en": "Original file"})
        bann = context.banner(rec, nav)
        rec["title"] = summary["title"]
        # cited like a page; its view runs no script, so the copy buttons stay hidden
        cite = dict(b.citations.for_capture(rec, paths, bann["chain"][0]["name"]), script=False)
        b.citations.write_downloads(b, cite, rec)
        b.write(paths.page, "document.html", lang=rec["language"], record=rec, doc=summary,
                banner=bann, paths=paths, cite=cite, sections=context.sections(rec, b.links),
                linked_from=_linked_from(b, rec), captures=_captures(b.store, rec))
        b.write_bytes(paths.record, json.dumps(record_json(rec, summary, bann),
                                               ensure_ascii=False).encode("utf-8"))
        if search is not None:
            entry, weights = search_entry(rec, summary)
            search.add_weights(entry, weights)


def record_json(rec: dict[str, Any], summary: dict[str, Any],
                bann: dict[str, Any]) -> dict[str, Any]:
    """The record as published beside its reading view, with the archive's facts."""
    out = {k: v for k, v in rec.items() if k != "legacy"}
    out["archive"] = {
        "original": rec["url"], "successor_version": bann["successor"],
        "succession": bann["chain"], "reading_view": summary["view"],
        "file": summary["file"],
    }
    return out


def search_entry(rec: dict[str, Any], summary: dict[str, Any]
                 ) -> tuple[list[Any], dict[str, int]]:
    """What the search index holds of a document: its result line and its terms."""
    text = rec.get("text") or " ".join(
        str(b.get("text") or " ".join(map(str, b.get("items") or [])))
        for sec in rec.get("sections") or [] if isinstance(sec, dict)
        for b in sec.get("blocks") or [] if isinstance(b, dict))
    headings = [str(sec.get("heading") or "") for sec in rec.get("sections") or []
                if isinstance(sec, dict)]
    date = (summary.get("created") or rec["captured_at"] or "")[:10]
    doc = [summary["title"], summary["view"], date, summary["language"], rec["url"],
           kept_text(text), document_kind(rec.get("strategy"))]
    return doc, page_weights(summary["title"], headings, text)


def listing(store: BuildStore, linked: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents list: the documents pages link to (with the newest record's view) and
    then every documented URL no page links to."""
    out = []
    seen = set()
    for entry in linked.values():
        doc = newest_of(store, entry["url"])
        out.append(dict(entry, view=doc["view"] if doc else None,
                        reason=doc["reason"] if doc else None))
        try:
            seen.add(url_key(entry["url"]))
        except ValueError:
            continue
    newest: dict[str, dict[str, Any]] = {}
    for doc in store.iter_documents():
        key = url_key(doc["url"])
        if key not in seen:
            have = newest.get(key)
            if have is None or epoch(doc["captured_at"]) >= epoch(have["captured_at"]):
                newest[key] = doc
    for doc in newest.values():
        out.append({"url": doc["url"], "title": doc["title"],
                    "kind": "file" if doc["file"] else "unread", "path": doc["file"] or "",
                    "pages": [], "view": doc["view"], "reason": doc["reason"]})
    return out


def views(store: BuildStore) -> Iterator[str]:
    """Every document reading view's path (the link check requires them reachable)."""
    for doc in store.iter_documents():
        yield doc["view"]
