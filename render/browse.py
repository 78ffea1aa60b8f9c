"""The ways into the archive: front page, tree, strategies, press, documents, A–Å, search, data.

Everything here works with JavaScript off; only the search page uses a
script, and the A–Å index stands in for it. Long lists are split (the tree by
top-level section, A–Å by letter) so no page grows with the whole archive.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote

from archive.folder import finished_warcs

from . import context, documents, successors
from .assets import Asset
from .environment import page_csp
from .paths import encode_host, encode_segment, split_url, url_key
from .records import PageSummary
from .report import RenderReport
from .search_index import fold
from .store import UNDER, BuildStore, under

# Norwegian alphabet order: æ, ø, å after z.
_NB_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})
LETTERS = [(c, c.upper()) for c in "abcdefghijklmnopqrstuvwxyz"] + [
    ("ae", "Æ"), ("oe", "Ø"), ("aa", "Å"), ("0-9", "0–9"), ("other", "Andre")]
_LETTER_FILE = {"æ": "ae", "ø": "oe", "å": "aa"}
NEWS_TEMPLATES = frozenset({"news", "press", "press-release"})
# Largest section listed on one tree page; a larger one is split by its sub-folders.
TREE_PAGE_MAX = 2000
# Entries on one page of a long list (an A–Å letter, the press releases); more are paged.
LIST_PAGE_MAX = 1000


class SiteBuilder(Protocol):
    """What the ways in need of a build (the builder in ``render/build.py`` has it all): a
    Protocol, so this module never imports the builder that imports it."""

    @property
    def archive_dir(self) -> Path: ...
    @property
    def out(self) -> Path: ...
    @property
    def store(self) -> BuildStore: ...
    @property
    def assets(self) -> Sequence[Asset]: ...
    @property
    def documents(self) -> dict[str, dict[str, Any]]: ...
    @property
    def report(self) -> RenderReport: ...

    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None:
        """Render ``template`` to the site-relative path ``rel``."""

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` to the site-relative path ``rel``."""


def sort_key(title: str) -> str:
    """Sort titles the Norwegian way (case and accents folded, æøå last)."""
    return fold(title).strip().translate(_NB_ORDER)


def letter_of(title: str) -> str:
    first = fold(title).strip()[:1]
    if first.isdigit():
        return "0-9"
    if "a" <= first <= "z":
        return first
    return _LETTER_FILE.get(first, "other")


def placement(s: PageSummary) -> dict[str, Any]:
    """Where a capture is listed: host, top-level section and folder of the tree, A–Å letter,
    title sort key, press or not (kept with the capture so each list is one query)."""
    parts = split_url(s.url)
    segs = _segments(parts.path)
    return {"host": parts.netloc, "section": segs[0] if segs else "", "tree": "/".join(segs),
            "letter": letter_of(s.title or s.url),
            "sortkey": f"{sort_key(s.title or s.url)}\x00{s.url}", "press": _is_press(s)}


def _segments(path: str) -> list[str]:
    segs = path.split("/")[1:]
    if segs and segs[-1] == "":
        segs = segs[:-1]
    return segs


def write_all(b: SiteBuilder, crawl: dict[str, Any]) -> None:
    """Write every browse page, the front page, the search page and the data page."""
    store = b.store
    sections = _write_tree(b)
    strategies = _write_strategies(b)
    press = _write_press(b)
    documents_listed = _write_documents(b)
    _write_az(b)
    b.write("search.html", "search.html", csp=page_csp(scripts=True))
    data_files = sorted(p.name for p in (b.out / "data").glob("*")) \
        if (b.out / "data").is_dir() else []
    b.write("data.html", "data.html", files=data_files)
    b.write("browse/index.html", "browse_index.html", hosts=sections,
            counts={"strategies": strategies, "press": press,
                    "documents": documents_listed})
    chain = context.known_chain() or successors.default_chain()
    languages = store.groups("language")
    stats = {
        "captures": store.count(), "urls": store.url_count(), "files": b.report.files,
        "documents": len(b.documents), "missing": store.missing_count(),
        "languages": sorted(languages, key=lambda lc: (-lc[1], lc[0])),
        "hosts": [h for h, _ in store.groups("host")],
        "warcs": sorted({a.warc_file for a in b.assets} | _warc_names(b)),
        "first": crawl.get("first"), "last": crawl.get("last"),
    }
    b.write("index.html", "index.html", stats=stats, chain=chain,
            transitions=successors.transitions(chain))


def _warc_names(b: SiteBuilder) -> set[str]:
    return {p.name for p in finished_warcs(b.archive_dir)}


class TreeEntry(NamedTuple):
    """What a tree page shows of a page: a few strings, not a whole summary."""

    url: str
    title: str
    page: str


def _node(label: str) -> dict[str, Any]:
    return {"label": label, "pages": [], "children": {}}


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    """Children dict -> sorted list, and a page count, for the template."""
    kids = [_finish(k) for k in node["children"].values()]
    kids.sort(key=lambda k: sort_key(k["label"]))
    node["pages"].sort(key=lambda s: (split_url(s.url).query is not None, s.url))
    return {"label": node["label"], "pages": node["pages"], "kids": kids,
            "count": len(node["pages"]) + sum(k["count"] for k in kids)}


def _under(folder: str) -> tuple[str, tuple[str, ...]]:
    """SQL condition (and its arguments after the host) for the pages in ``folder`` or
    below it."""
    return f"host = ? AND {UNDER}", under(folder)


def _write_tree(b: SiteBuilder) -> list[dict[str, Any]]:
    """One page per top-level section of each host, written one at a time; a folder
    with more than TREE_PAGE_MAX pages lists its sub-folders as links to pages of
    their own, to any depth, so no tree page grows with the archive."""
    out = []
    for name, _ in b.store.groups("host"):
        pages = list(b.store.newest("host = ? AND section = ''", (name,)))
        raws = [raw for (raw,) in b.store.db.execute(
            "SELECT section FROM capture WHERE host = ? AND section != '' GROUP BY section "
            "ORDER BY min(key)", (name,))]
        sections = []
        for raw in sorted(raws, key=lambda r: sort_key(unquote(r))):
            path = f"browse/tree/{encode_host(name)}/{encode_segment(raw)}.html"
            entry = _write_folder(b, name, [raw], path, None)
            sections.append({"label": entry["label"], "path": path, "count": entry["count"]})
        out.append({"host": name, "pages": pages, "sections": sections})
    return out


def _write_folder(b: SiteBuilder, host: str, segs: list[str], path: str,
                  parent: dict[str, Any] | None) -> dict[str, Any]:
    """The tree page of one folder at ``path``; returns its label and page count.

    Up to TREE_PAGE_MAX pages, the folder's whole tree is on its page. Above,
    the page lists the folder's own pages and links each sub-folder to a page
    of its own (written by the same rule), LIST_PAGE_MAX entries to a page.
    """
    folder = "/".join(segs)
    where, args = _under(folder)
    label = unquote(segs[-1])
    count = b.store.count_newest(where, (host, *args))
    if count <= TREE_PAGE_MAX:
        tree = _finish(_subtree(b, label, len(segs), where, (host, *args)))
        b.write(path, "browse_section.html", stream=True, host=host, tree=tree, parent=parent)
        return {"label": label, "count": tree["count"]}
    own = [TreeEntry(s.url, s.title, s.page) for s in b.store.newest(
        "host = ? AND tree = ?", (host, folder))]
    own.sort(key=lambda e: (split_url(e.url).query is not None, e.url))
    children = b.store.child_folders(host, folder)
    here = {"label": label, "path": path}
    kids = []
    for child in sorted(children, key=lambda c: (sort_key(unquote(c)), c)):
        child_path = f"{path[:-5]}/{encode_segment(child)}.html"
        entry = _write_folder(b, host, [*segs, child], child_path, here)
        kids.append({"label": entry["label"], "path": child_path, "pages": [], "kids": [],
                     "count": entry["count"]})
    entries: Iterator[tuple[str, Any]] = iter([*(("page", e) for e in own),
                                               *(("folder", k) for k in kids)])
    for page_path, chunk, pager in _paged(path[:-5], entries, len(own) + len(kids),
                                          suffix="~p"):
        tree = {"label": label, "count": count,
                "pages": [e for kind, e in chunk if kind == "page"],
                "kids": [e for kind, e in chunk if kind == "folder"]}
        b.write(page_path, "browse_section.html", stream=True, host=host, tree=tree,
                parent=parent, pager=pager)
    return {"label": label, "count": count}


def _subtree(b: SiteBuilder, label: str, depth: int, where: str,
             args: tuple[Any, ...]) -> dict[str, Any]:
    """The folder tree of the newest captures matching ``where``, rooted ``depth`` deep."""
    top = _node(label)
    for s in b.store.newest(where, args):
        node = top
        for seg in _segments(split_url(s.url).path)[depth:]:
            node = node["children"].setdefault(seg, _node(unquote(seg)))
        node["pages"].append(TreeEntry(s.url, s.title, s.page))
    return top


def _period_key(st: dict[str, Any]) -> str:
    period = st.get("period")
    if isinstance(period, dict):
        return f"{period.get('start') or ''}-{period.get('end') or ''}"
    return str(period or "")


def strategy_rows(store: BuildStore) -> list[dict[str, Any]]:
    """The strategies table: each strategy page (its document's strategy preferred, where the
    page names the document that holds it), then each document strategy no page names."""
    rows: list[dict[str, Any]] = []
    named: set[str] = set()
    for s in store.newest("strategy IS NOT NULL"):
        st = s.strategy or {}
        ref = st.get("document")
        doc = store.document(ref) if isinstance(ref, str) and ref else None
        if doc is not None:
            named.add(doc["id"])
            named.add(url_key(doc["url"]))
        shown = doc["strategy"] if doc is not None and doc["strategy"] else st
        rows.append({"title": shown.get("title") or st.get("title") or s.title,
                     "period": shown.get("period"), "priorities": shown.get("priorities") or [],
                     "goal": shown.get("goal") or st.get("goal"),
                     "page": s.page, "page_title": s.title or s.url, "page_url": s.url,
                     "document": doc, "from_document": shown is not st,
                     "captured_at": doc["captured_at"] if doc is not None and shown is not st
                     else s.captured_at,
                     "differences": [str(d) for d in st.get("differences") or []]})
    newest: dict[str, dict[str, Any]] = {}
    for doc in store.iter_documents():
        key = url_key(doc["url"])
        if not doc["strategy"] or doc["id"] in named or key in named:
            continue
        have = newest.get(key)
        if have is None or doc["captured_at"] >= have["captured_at"]:
            newest[key] = doc
    for doc in newest.values():
        st = doc["strategy"]
        rows.append({"title": st.get("title") or doc["title"], "period": st.get("period"),
                     "priorities": st.get("priorities") or [], "goal": st.get("goal"),
                     "page": None, "page_title": None, "page_url": None,
                     "document": doc, "from_document": True,
                     "captured_at": doc["captured_at"], "differences": []})
    rows.sort(key=lambda r: (_period_key(r), sort_key(r["title"] or "")))
    return rows


STRATEGY_DOWNLOADS = {"csv": "browse/strategies.csv", "json": "browse/strategies.json"}


def _write_strategies(b: SiteBuilder) -> int:
    rows = strategy_rows(b.store)
    table = strategy_table(rows)
    b.write_bytes(STRATEGY_DOWNLOADS["json"],
                  json.dumps(table, ensure_ascii=False, indent=1).encode("utf-8"))
    b.write_bytes(STRATEGY_DOWNLOADS["csv"], strategy_csv(table).encode("utf-8"))
    b.write("browse/strategies.html", "strategies.html", rows=rows,
            downloads=STRATEGY_DOWNLOADS)
    return len(rows)


STRATEGY_COLUMNS = ("title", "period_start", "period_end", "goal", "priorities", "source",
                    "captured_at", "page_url", "page", "document_title", "document_url",
                    "document_view", "differences")


def strategy_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strategies table as data (its CSV and JSON downloads): one object per row,
    ``STRATEGY_COLUMNS`` in order; site paths are relative to the site root."""
    out = []
    for r in rows:
        period = r["period"] if isinstance(r["period"], dict) else {}
        doc = r["document"] or {}
        out.append({
            "title": r["title"], "period_start": period.get("start"),
            "period_end": period.get("end"), "goal": r.get("goal"),
            "priorities": [str(p) for p in r["priorities"]],
            "source": "document" if r["from_document"] else "page",
            "captured_at": r.get("captured_at"), "page_url": r.get("page_url"),
            "page": r["page"], "document_title": doc.get("title"),
            "document_url": doc.get("url"), "document_view": doc.get("view"),
            "differences": r["differences"]})
    return out


def strategy_csv(table: list[dict[str, Any]]) -> str:
    """The table as CSV (RFC 4180, a header row; lists joined with "; ")."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(STRATEGY_COLUMNS)
    for row in table:
        writer.writerow(["; ".join(v) if isinstance(v, list) else "" if v is None else v
                         for v in (row[c] for c in STRATEGY_COLUMNS)])
    return buf.getvalue()


def _is_press(s: PageSummary) -> bool:
    if s.template in NEWS_TEMPLATES:
        return True
    parts = split_url(s.url)
    return (not s.template and "/pressemeldinger/" in parts.path and parts.query is None
            and not parts.path.endswith("/pressemeldinger/"))


def _write_press(b: SiteBuilder) -> int:
    """Press releases newest first, grouped by year, LIST_PAGE_MAX to a page."""
    total = b.store.count_newest("press = 1")
    items = b.store.newest("press = 1", (),
                           "coalesce(nullif(published, ''), nullif(captured_at, ''), '') DESC, key")

    def years(chunk: list[PageSummary]) -> list[tuple[str, list[PageSummary]]]:
        by_year: dict[str, list[PageSummary]] = defaultdict(list)
        for s in chunk:
            by_year[(s.published or s.captured_at or "????")[:4]].append(s)
        return sorted(by_year.items(), reverse=True)

    for path, chunk, pager in _paged("browse/press", items, total):
        b.write(path, "press.html", stream=True, years=years(chunk), total=total, pager=pager)
    return total


def _paged(base: str, rows: Iterator[Any], total: int, suffix: str = "-"
           ) -> Iterator[tuple[str, list[Any], dict[str, Any] | None]]:
    """A long list cut into pages of LIST_PAGE_MAX: (path, entries, pager) for each.

    The first page keeps the list's own name (``base``.html), so links to it hold
    however long the list grows; the others are ``base``+``suffix``+number (a
    suffix no encoded folder name can end in, where folders are listed). The
    pager is None when one page is enough.
    """
    count = max(1, -(-total // LIST_PAGE_MAX))
    paths = [f"{base}.html" if k == 0 else f"{base}{suffix}{k + 1}.html" for k in range(count)]
    for k, path in enumerate(paths):
        chunk = list(islice(rows, LIST_PAGE_MAX))
        pager = None if count == 1 else {
            "current": k + 1, "pages": [{"n": i + 1, "path": p} for i, p in enumerate(paths)],
            "first": k * LIST_PAGE_MAX + 1, "last": k * LIST_PAGE_MAX + len(chunk),
            "total": total}
        yield path, chunk, pager


def _write_documents(b: SiteBuilder) -> int:
    docs = sorted(documents.listing(b.store, b.documents), key=lambda d: sort_key(d["title"]))
    b.write("browse/documents.html", "documents.html", docs=docs)
    return len(docs)


def _write_az(b: SiteBuilder) -> None:
    """One list per letter, read from the store in title order as it is written, and
    paged when long."""
    letters = []
    for slug, label in LETTERS:
        total = b.store.count_newest("letter = ?", (slug,))
        path = f"browse/a-z/{slug}.html"
        if total:
            rows = b.store.newest("letter = ?", (slug,), "sortkey")
            for page_path, chunk, pager in _paged(f"browse/a-z/{slug}", rows, total):
                b.write(page_path, "az_letter.html", stream=True, letter=label, items=chunk,
                        pager=pager)
        letters.append({"slug": slug, "label": label, "count": total,
                        "path": path if total else None})
    b.write("browse/a-z.html", "az_index.html", letters=letters)
