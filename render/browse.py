"""The ways into the archive: front page, tree, strategies, press, documents, A–Å, search, data.

Everything here works with JavaScript off; only the search page uses a
script, and the A–Å index stands in for it. Long lists are split (the tree by
top-level section, A–Å by letter) so no page grows with the whole archive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import context, successors
from .environment import page_csp
from .paths import encode_host, encode_segment, split_url
from .records import PageSummary
from .search_index import fold

if TYPE_CHECKING:
    from .build import SiteBuilder

# Norwegian alphabet order: æ, ø, å after z.
_NB_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})
LETTERS = [(c, c.upper()) for c in "abcdefghijklmnopqrstuvwxyz"] + [
    ("ae", "Æ"), ("oe", "Ø"), ("aa", "Å"), ("0-9", "0–9"), ("other", "Andre")]
_LETTER_FILE = {"æ": "ae", "ø": "oe", "å": "aa"}
NEWS_TEMPLATES = frozenset({"news", "press", "press-release"})


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


def write_all(b: SiteBuilder, crawl: dict[str, Any]) -> None:
    """Write every browse page, the front page, the search page and the data page."""
    newest = b.newest()
    sections = _write_tree(b, newest)
    strategies = _write_strategies(b, newest)
    press = _write_press(b, newest)
    _write_documents(b)
    _write_az(b, newest)
    b.write("search.html", "search.html", csp=page_csp(scripts=True))
    data_files = sorted(p.name for p in (b.out / "data").glob("*")) \
        if (b.out / "data").is_dir() else []
    b.write("data.html", "data.html", files=data_files)
    b.write("browse/index.html", "browse_index.html", hosts=sections,
            counts={"strategies": strategies, "press": press, "documents": len(b.documents)})
    chain = context.known_chain() or successors.DEFAULT_CHAIN
    stats = {
        "captures": len(b.pages()), "urls": len(newest), "files": b.report.files,
        "documents": len(b.documents), "missing": len(b.links.missing),
        "languages": Counter(s.language for s in newest).most_common(),
        "hosts": sorted({split_url(s.url).netloc for s in newest}),
        "warcs": sorted({a.warc_file for a in b.assets} | _warc_names(b)),
        "first": crawl.get("first"), "last": crawl.get("last"),
    }
    b.write("index.html", "index.html", stats=stats, chain=chain,
            transitions=successors.transitions(chain))


def _warc_names(b: SiteBuilder) -> set[str]:
    return {p.name for p in (b.archive_dir / "warc").glob("*.warc*")}


def _node(label: str) -> dict[str, Any]:
    return {"label": label, "pages": [], "children": {}}


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    """Children dict -> sorted list, and a page count, for the template."""
    kids = [_finish(k) for k in node["children"].values()]
    kids.sort(key=lambda k: sort_key(k["label"]))
    node["pages"].sort(key=lambda s: (split_url(s.url).query is not None, s.url))
    return {"label": node["label"], "pages": node["pages"], "kids": kids,
            "count": len(node["pages"]) + sum(k["count"] for k in kids)}


def _write_tree(b: SiteBuilder, newest: list[PageSummary]) -> list[dict[str, Any]]:
    hosts: dict[str, dict[str, Any]] = {}
    for s in newest:
        parts = split_url(s.url)
        segs = parts.path.split("/")[1:]
        if segs and segs[-1] == "":
            segs = segs[:-1]
        host = hosts.setdefault(parts.netloc, {"pages": [], "sections": {}})
        if not segs:
            host["pages"].append(s)
            continue
        node = host["sections"].setdefault(segs[0], _node(unquote(segs[0])))
        for seg in segs[1:]:
            node = node["children"].setdefault(seg, _node(unquote(seg)))
        node["pages"].append(s)
    out = []
    for name in sorted(hosts):
        host = hosts[name]
        sections = []
        for raw, node in sorted(host["sections"].items(), key=lambda kv: sort_key(kv[1]["label"])):
            tree = _finish(node)
            path = f"browse/tree/{encode_host(name)}/{encode_segment(raw)}.html"
            b.write(path, "browse_section.html", host=name, tree=tree)
            sections.append({"label": tree["label"], "path": path, "count": tree["count"],
                             "pages": tree["pages"]})
        out.append({"host": name, "pages": host["pages"], "sections": sections})
    return out


def _write_strategies(b: SiteBuilder, newest: list[PageSummary]) -> int:
    rows = [s for s in newest if s.strategy]
    rows.sort(key=lambda s: (str((s.strategy or {}).get("period") or ""), sort_key(s.title)))
    b.write("browse/strategies.html", "strategies.html", rows=rows)
    return len(rows)


def _is_press(s: PageSummary) -> bool:
    if s.template in NEWS_TEMPLATES:
        return True
    parts = split_url(s.url)
    return (not s.template and "/pressemeldinger/" in parts.path and parts.query is None
            and not parts.path.endswith("/pressemeldinger/"))


def _write_press(b: SiteBuilder, newest: list[PageSummary]) -> int:
    items = [s for s in newest if _is_press(s)]
    items.sort(key=lambda s: (s.published or s.captured_at or ""), reverse=True)
    years: dict[str, list[PageSummary]] = defaultdict(list)
    for s in items:
        years[(s.published or s.captured_at or "????")[:4]].append(s)
    b.write("browse/press.html", "press.html", years=sorted(years.items(), reverse=True),
            total=len(items))
    return len(items)


def _write_documents(b: SiteBuilder) -> None:
    docs = sorted(b.documents.values(), key=lambda d: sort_key(d["title"]))
    b.write("browse/documents.html", "documents.html", docs=docs)


def _write_az(b: SiteBuilder, newest: list[PageSummary]) -> None:
    groups: dict[str, list[PageSummary]] = defaultdict(list)
    for s in newest:
        groups[letter_of(s.title or s.url)].append(s)
    letters = []
    for slug, label in LETTERS:
        items = sorted(groups.get(slug, []), key=lambda s: (sort_key(s.title or s.url), s.url))
        path = f"browse/a-z/{slug}.html"
        if items:
            b.write(path, "az_letter.html", letter=label, items=items)
        letters.append({"slug": slug, "label": label, "count": len(items),
                        "path": path if items else None})
    b.write("browse/a-z.html", "az_index.html", letters=letters)
