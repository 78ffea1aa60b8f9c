"""Build ``DIR/site/`` from the WARCs and the extracted page records.

The build streams: the WARCs are indexed by headers, the records file is
read twice line by line (once to learn every capture's path, once to render),
and the per-capture facts (summaries, the link map, claimed file names) go to
a scratch SQLite file beside the site (``render/store.py``), so memory does
not grow with the archive. Order of work:

1. index the WARCs: files (CSS, images, PDFs) and redirects -> the link map;
2. scan the records: every HTML capture gets its paths -> the link map;
3. copy files, rewriting URLs inside stylesheets and sanitising SVG;
4. render each capture: reading view, JSON record, original view, search entry;
5. the ways in: captures lists, front page, browse pages, search page, data,
   "not archived" pages, the URL-to-file manifest;
6. check every link; the report says whether the site is whole.

The site is built in ``DIR/site.partial/`` and renamed when complete, so a
failed build never leaves a half-written ``site/``.
"""

from __future__ import annotations

import csv
import heapq
import json
import logging
import multiprocessing
import os
import resource
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO

from archive.decoding import decode_html
from archive.errors import ArchiveError
from archive.folder import (
    build_store_file,
    data_dir,
    pages_file,
    partial_site_dir,
    site_dir,
    warc_dir,
)
from archive.reader import stable_hash

from . import browse, context
from .css import rewrite_css
from .environment import make_environment, page_csp
from .forking import default_signals
from .linkcheck import LinkReport, check_site
from .linkmap import VIEW_SUFFIX, LinkMap, epoch
from .paths import (
    CapturePaths,
    capture_paths,
    file_path,
    inside,
    missing_path,
    relative,
    split_url,
    url_key,
)
from .records import PageSummary, numbered_records
from .sanitize import inert_svg, make_inert
from .search_index import IndexWriter, page_weights
from .store import BuildStore
from .warcs import copy_payload, iter_index, read_payload
from .workers import default_workers

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SITE_NAME = "Arkiv av www.akershus.no"
RENDER_WORKERS = 4  # processes that render captures by default, one per usable CPU up to this
CSV_COLUMNS = ["id", "url", "captured_at", "status", "language", "title", "template",
               "published", "site_page"]
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Pages listed as "linked from" under each document.
DOCUMENT_PAGES = 5
# Scripts are never copied: nothing from the archived site may run.
SKIP_TYPES = ("application/javascript", "text/javascript", "application/x-javascript")
# Characters of a streamed page collected before they are written out.
STREAM_BLOCK = 1 << 16


class RenderError(ArchiveError):
    """The archive cannot be rendered; the message says what to do (the CLI prints it)."""


@dataclass
class RenderReport:
    """What a build produced, and whether its links hold."""

    site_dir: Path
    captures: int = 0
    urls: int = 0
    files: int = 0
    documents: int = 0
    missing: int = 0
    no_payload: int = 0
    seconds: float = 0.0
    search: dict[str, int] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build step
    peaks: dict[str, float] = field(default_factory=dict)  # MB: this process's peak after each step
    linkcheck: LinkReport | None = None
    damaged: list[str] = field(default_factory=list)  # WARC files read only up to damage

    @property
    def ok(self) -> bool:
        """False when a WARC was damaged, a local link is broken or a page unreachable."""
        return not self.damaged and self.linkcheck is not None and self.linkcheck.ok

    @property
    def pages_per_second(self) -> float:
        return self.captures / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """The report as the CLI prints it."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """A short human-readable summary, one fact a line."""
        out = [
            f"site: {self.site_dir / 'index.html'}",
            (f"captures rendered: {self.captures} ({self.urls} URLs), files copied: "
             f"{self.files}, documents: {self.documents}, not-archived pages: {self.missing}"),
            (f"time: {self.seconds:.1f} s ({self.pages_per_second:.0f} pages/s; "
             + ", ".join(f"{k} {v:.1f}" for k, v in self.stages.items()) + ")"),
        ]
        if self.peaks:
            out.append("peak memory (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in self.peaks.items()))
        if self.no_payload:
            out.append(f"captures without HTML in the WARCs (original view is a stub): "
                       f"{self.no_payload}")
        for reason in self.damaged:
            out.append(f"damaged WARC, read up to the damage: {reason}")
        if self.linkcheck:
            out.extend(self.linkcheck.lines())
        return out


def run_render(archive_dir: Path, template_dir: Path | None = None,
               workers: int | None = None) -> RenderReport:
    """Build ``archive_dir/site/``; check ``report.ok`` (False -> exit non-zero).

    ``workers`` processes render the captures (default: one per usable CPU, at most
    ``RENDER_WORKERS``).
    """
    return SiteBuilder(Path(archive_dir), template_dir,
                       default_workers(RENDER_WORKERS) if workers is None else workers).run()


@dataclass
class _Asset:
    warc_file: str
    offset: int
    url: str
    captured_at: str
    content_type: str
    path: str


class SiteBuilder:
    """One build of one archive; the link map and the per-capture summaries are in its store."""

    def __init__(self, archive_dir: Path, template_dir: Path | None = None,
                 workers: int = 1) -> None:
        self.archive_dir = archive_dir
        self.records_path = pages_file(archive_dir)
        self.env = make_environment(template_dir)
        self.out = partial_site_dir(archive_dir)
        # Per-capture facts live on disk, beside (never inside) the site being built.
        self.store = BuildStore(build_store_file(archive_dir))
        self.workers = workers
        self.links = LinkMap(self.store)
        self.assets: list[_Asset] = []
        self.documents: dict[str, dict[str, Any]] = {}
        self.made_dirs: set[str] = set()  # a cache, cleared when large
        self.site = {"name": SITE_NAME, "software": _software()}
        self.report = RenderReport(site_dir(archive_dir))

    # -- entry point -------------------------------------------------------
    def run(self) -> RenderReport:
        try:
            return self._run()
        finally:
            self.store.close()

    def _run(self) -> RenderReport:
        if not self.records_path.is_file():
            raise RenderError(f"no page records at {self.records_path} - run extraction first")
        if not warc_dir(self.archive_dir).is_dir():
            raise RenderError(f"no warc/ folder in {self.archive_dir} - crawl first")
        started = time.perf_counter()
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        search = IndexWriter(self.out / "search", self.out / ".search-spool")
        crawl: dict[str, Any] = {}

        def pages() -> None:
            self.store.ready()
            crawl.update(self._render_captures(search))
            self.report.search = search.close()

        def ways_in() -> None:
            self._write_data()
            browse.write_all(self, crawl)
            self._write_missing()
            self._write_manifest()
            shutil.copytree(STATIC, self.out / "static", dirs_exist_ok=True)

        def linkcheck() -> None:
            self.report.linkcheck = check_site(self.out, self.store.iter_pages())

        for name, step in (("index", self._index_warcs), ("scan", self._scan_records),
                           ("files", self._copy_files), ("pages", pages),
                           ("ways_in", ways_in), ("linkcheck", linkcheck)):
            t = time.perf_counter()
            step()
            self.report.stages[name] = time.perf_counter() - t
            self.report.peaks[name] = _peak_mb(resource.RUSAGE_SELF)
        self.report.peaks["child processes"] = _peak_mb(resource.RUSAGE_CHILDREN)
        final = site_dir(self.archive_dir)
        if final.exists():
            shutil.rmtree(final)
        self.out.rename(final)
        self.report.seconds = time.perf_counter() - started
        self.report.captures = self.store.count()
        self.report.urls = self.store.url_count()
        return self.report

    # -- writing -----------------------------------------------------------
    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None:
        """Render ``template`` to the site-relative path ``rel``.

        ``stream`` writes the page as the template produces it, in blocks: for the
        long lists, whose whole text (and its pieces) would otherwise be in memory.
        """
        ctx.setdefault("lang", "nb")
        ctx.setdefault("csp", page_csp())
        tmpl = self.env.get_template(template)
        if not stream:
            self.write_bytes(rel, tmpl.render(here=rel, site=self.site, **ctx).encode("utf-8"))
            return
        with self.open_for_write(rel) as fh:
            pieces: list[str] = []
            size = 0
            for piece in tmpl.generate(here=rel, site=self.site, **ctx):
                pieces.append(piece)
                size += len(piece)
                if size >= STREAM_BLOCK:
                    fh.write("".join(pieces).encode("utf-8"))
                    pieces, size = [], 0
            fh.write("".join(pieces).encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> None:
        with self.open_for_write(rel) as fh:
            fh.write(data)

    def open_for_write(self, rel: str) -> BinaryIO:
        """A new file at the site-relative path ``rel`` (never outside the site)."""
        path = inside(self.out, rel)
        folder = str(path.parent)
        if folder not in self.made_dirs:
            if len(self.made_dirs) > 2048:
                self.made_dirs.clear()
            os.makedirs(folder, exist_ok=True)
            self.made_dirs.add(folder)
        return open(path, "wb")

    def _claim(self, path: str) -> bool:
        """Reserve a file name; False if another capture has it (case-insensitively).

        Names are kept as 64-bit hashes (memory per capture stays small); a hash
        clash only makes the second capture take a salted name, never share one.
        """
        return self.store.claim(stable_hash(path.lower()))

    # -- 1. WARC index -----------------------------------------------------
    def _index_warcs(self) -> None:
        for entry in iter_index(self.archive_dir, self.report.damaged, self.store):
            try:
                split_url(entry.url)
            except ValueError:
                continue
            ctype = entry.content_type.split(";", 1)[0].strip().lower()
            if 300 <= entry.status < 400 and entry.location:
                self.links.add_redirect(entry.url, entry.captured_at, entry.location)
            elif entry.status != 200 or ctype in SKIP_TYPES:
                continue
            elif ctype in HTML_TYPES:
                self.store.add_payload(entry.url, entry.captured_at, entry.warc_file,
                                       entry.offset)
            else:
                path = file_path(entry.url, entry.captured_at, ctype)
                if not self._claim(path):
                    path = file_path(entry.url, entry.captured_at, ctype, entry.record_id)
                    if not self._claim(path):
                        continue  # the very same record twice
                self.links.add_file(entry.url, entry.captured_at, path)
                self.assets.append(_Asset(entry.warc_file, entry.offset, entry.url,
                                          entry.captured_at, ctype, path))

    # -- 2. records scan ---------------------------------------------------
    def _scan_records(self) -> None:
        for n, rec in numbered_records(self.records_path):
            try:
                cp = capture_paths(rec["url"], rec["captured_at"])
            except ValueError:
                logger.warning("record %s: URL %r cannot be archived, skipped",
                               rec["id"], rec["url"])
                continue  # no row: positions stay aligned with the file
            if not self._claim(cp.page):
                cp = capture_paths(rec["url"], rec["captured_at"], rec["id"] or rec["captured_at"])
                self._claim(cp.page)
            self.links.add_page(rec["url"], rec["captured_at"], cp)
            strategy = rec.get("strategy")
            summary = PageSummary(
                id=rec["id"], url=rec["url"], key=url_key(rec["url"]),
                captured_at=rec["captured_at"],
                title=(rec["title"] or "").strip(), language=rec["language"],
                template=rec["template"] or "", status=int(rec["status"] or 0),
                page=cp.page, original=cp.original, published=rec.get("published"),
                strategy={k: strategy.get(k) for k in ("title", "period", "priorities")}
                if isinstance(strategy, dict) else None,
            )
            self.store.add_capture(n, summary, epoch(summary.captured_at),
                                   **browse.placement(summary))
        if not self.store.count():
            raise RenderError(f"{self.records_path} holds no page records - run extraction "
                              "again and check its report")

    @staticmethod
    def capture_list(of_url: list[PageSummary]) -> list[dict[str, Any]]:
        """A URL's captures (newest first) as its captures list shows them."""
        return [{"captured_at": s.captured_at, "page": s.page, "original": s.original,
                 "scheme": split_url(s.url).scheme, "status": s.status, "title": s.title}
                for s in of_url]

    # -- 3. files ----------------------------------------------------------
    def _copy_files(self) -> None:
        """Copy every archived file; stylesheets and SVG are rewritten, the rest streamed."""
        for asset in sorted(self.assets, key=lambda a: (a.warc_file, a.offset)):
            rewritten = asset.content_type in ("text/css", "image/svg+xml") or \
                asset.path.endswith(".svg")
            if not rewritten:
                with self.open_for_write(asset.path) as fh:
                    try:
                        copy_payload(self.archive_dir, asset.warc_file, asset.offset, fh)
                    except (OSError, ValueError) as exc:
                        logger.warning("%s: payload unreadable (%s); file not copied",
                                       asset.url, exc)
                        fh.truncate(0)
                self.report.files += 1
                continue
            try:
                data = read_payload(self.archive_dir, asset.warc_file, asset.offset)
            except (OSError, ValueError) as exc:
                logger.warning("%s: payload unreadable (%s); file not copied", asset.url, exc)
                data = b""
            if asset.content_type == "text/css":
                when = epoch(asset.captured_at)

                def resolve(ref: str, a: _Asset = asset, when: int = when) -> str | None:
                    t = self.links.resolve(ref, a.url, when, "file")
                    return relative(a.path, t.path) if t.kind == "file" else (
                        t.url if t.kind == "keep" else None)

                data = rewrite_css(decode_html(data, None).text, resolve).encode("utf-8")
            else:
                data = inert_svg(data)
                self.write(asset.path + VIEW_SUFFIX, "svg_view.html", url=asset.url,
                           captured_at=asset.captured_at, image=asset.path)
            self.write_bytes(asset.path, data)
            self.report.files += 1

    # -- 4. captures -------------------------------------------------------
    def _render_captures(self, search: IndexWriter) -> dict[str, Any]:
        """Render every capture, split over ``self.workers`` processes when there are several.

        Each share is the captures whose position ``n % workers == w``; a worker writes
        its pages and spools its search entries, which are then added in record order,
        so the site is the same file for file whatever the number of workers.
        """
        workers = max(1, min(self.workers, self.store.count()))
        if threading.active_count() > 1:  # forking beside running threads is not safe
            logger.info("other threads are running: rendering in this process only")
            workers = 1
        spool = self.out / ".search-entries"
        if workers == 1:
            shares = [self._render_share(0, 1, None, search)]
        else:
            spool.mkdir()
            global _BUILDER
            _BUILDER = self
            self.store.commit()
            pool = multiprocessing.get_context("fork").Pool(workers,
                                                            initializer=default_signals)
            try:
                shares = pool.starmap(_render_share_in_worker,
                                      [(w, workers, spool) for w in range(workers)])
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.close()  # idle workers end on their own: no signal is sent
                pool.join()
            _BUILDER = None
            for _, doc, weights in heapq.merge(*(_read_entries(spool / f"{w}.jsonl")
                                                 for w in range(workers))):
                search.add_weights(doc, weights)
            shutil.rmtree(spool)
        for share in shares:
            self.report.no_payload += share.no_payload
            for url in share.missing:
                self.store.add_missing(url, missing_path(url))
            context.remember_chains(share.chains)
        self.documents = _merge_documents(share.documents for share in shares)
        self.report.documents = len(self.documents)
        firsts = [sh.first for sh in shares if sh.first]
        lasts = [sh.last for sh in shares if sh.last]
        return {"first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None}

    def _render_share(self, w: int, workers: int, spool: Path | None,
                      search: IndexWriter | None) -> _Share:
        """Render the captures at positions ``n % workers == w`` (all of them when 1)."""
        share = _Share()
        spooled = open(spool / f"{w}.jsonl", "w", encoding="utf-8") if spool else nullcontext()  # noqa: SIM115 - closed by the with
        with spooled as entries:
            for i, rec in numbered_records(self.records_path, workers, w):
                s = self.store.capture(i)
                if s is None or s.url != rec["url"]:
                    continue
                self._render_capture(i, s, rec, share)
                if share.newest:
                    doc, weights = self._search_entry(s, rec)
                    if entries is not None:
                        entries.write(json.dumps([i, doc, weights], ensure_ascii=False) + "\n")
                    elif search is not None:
                        search.add_weights(doc, weights)
        share.missing = self.store.missing_seen()
        share.chains = context.known_chains()
        return share

    def _render_capture(self, i: int, s: PageSummary, rec: dict[str, Any],
                        share: _Share) -> None:
        """Reading view, JSON record and original view of one capture (and, for a URL's
        newest, its captures list)."""
        cp = CapturePaths(s.page.rsplit("/", 1)[0], s.page.rsplit("/", 1)[1][:-5])
        of_url = self.store.captures_of(s.key)
        captures = self.capture_list(of_url)
        nav_page = [{"path": cp.original, "nb": "Opprinnelig visning", "en": "Original view"},
                    {"path": cp.captures, "nb": "Alle lagringer", "en": "All captures"},
                    {"path": "index.html", "nb": "Arkivets forside", "en": "Archive home"}]
        bann = context.banner(rec, nav_page)
        docs = context.page_links(rec["documents"], rec, self.links, "title")
        self.write(cp.page, "page.html", lang=rec["language"], record=rec, banner=bann,
                   paths=cp, captures=captures,
                   sections=context.sections(rec, self.links),
                   links=context.page_links(rec["links"], rec, self.links, "text"),
                   documents=docs)
        self.write_bytes(cp.record, json.dumps(context.record_json(rec, cp, bann),
                                               ensure_ascii=False).encode("utf-8"))
        if not self._write_original(rec, cp, bann):
            share.no_payload += 1
        for d in docs:
            entry = share.documents.setdefault(d["url"], {
                "n": i, "url": d["url"], "title": d["label"], "kind": d["kind"],
                "path": d["path"], "pages": []})
            if len(entry["pages"]) < DOCUMENT_PAGES and (i, s.page) not in entry["pages"]:
                entry["pages"].append((i, s.page))
        share.newest = of_url[0].extra["n"] == i
        if share.newest:  # each URL's captures list is written once, with its newest capture
            self._write_captures_page(of_url, captures)
        share.first = min(share.first or rec["captured_at"], rec["captured_at"])
        share.last = max(share.last or rec["captured_at"], rec["captured_at"])

    @staticmethod
    def _search_entry(s: PageSummary, rec: dict[str, Any]) -> tuple[list[Any], dict[str, int]]:
        """What the search index holds of a URL's newest capture: its result line, its terms."""
        snippet = (rec["description"] or rec["text"] or "")[:200]
        headings = [sec.get("heading") or "" for sec in rec["sections"] or []]
        body = rec["text"] or " ".join(
            str(b.get("text") or " ".join(map(str, b.get("items") or [])))
            for sec in rec["sections"] or [] for b in sec.get("blocks") or [])
        doc = [s.title or s.url, s.page, (s.published or s.captured_at)[:10], s.language,
               s.url, snippet]
        return doc, page_weights(s.title, headings, body)

    def _write_original(self, rec: dict[str, Any], cp: CapturePaths,
                        bann: dict[str, Any]) -> bool:
        """The original view; False when the WARCs hold no usable HTML for it (a stub)."""
        prov = rec["provenance"]
        # A revisit record holds no payload; the record it refers to does.
        ref = prov.get("refers_to") if isinstance(prov.get("refers_to"), dict) else prov
        where = None
        if ref.get("warc_file") and ref.get("offset") is not None:
            where = (ref["warc_file"], int(ref["offset"]))
        else:
            where = self.store.payload(rec["url"], rec["captured_at"])
        payload = None
        if where:
            try:
                payload = read_payload(self.archive_dir, *where)
            except (OSError, ValueError) as exc:
                logger.warning("%s: original HTML unreadable (%s)", rec["url"], exc)
        nav = [{"path": cp.page, "nb": "Lesevisning", "en": "Reading view"},
               {"path": cp.captures, "nb": "Alle lagringer", "en": "All captures"},
               {"path": "index.html", "nb": "Arkivets forside", "en": "Archive home"}]
        bann = dict(bann, nav=nav)
        if payload is None:
            self.write(cp.original, "original_missing.html", record=rec, banner=bann, paths=cp)
            return False
        when = epoch(rec["captured_at"])

        def rewrite(ref: str, want: str) -> str | None:
            t = self.links.resolve(ref, rec["url"], when, "original" if want == "link" else "file")
            if t.kind in ("page", "original", "file", "missing"):
                return relative(cp.original, t.path)
            if t.kind == "keep" or (t.kind == "external" and want == "link"):
                return t.url
            return None

        ctx = {"here": cp.original, "site": self.site, "record": rec, "banner": bann}
        banner_html = self.env.get_template("original_banner.html").render(**ctx)
        head_html = self.env.get_template("original_head.html").render(**ctx)
        try:
            html = make_inert(_page_text(payload, rec["charset"]), rec["url"], rewrite,
                              banner_html, head_html)
        except (ValueError, KeyError) as exc:  # bytes no parser makes sense of: say so, go on
            logger.warning("%s: original view left out (%s)", rec["url"], exc)
            self.write(cp.original, "original_missing.html", record=rec, banner=bann, paths=cp)
            return False
        self.write_bytes(cp.original, html.encode("utf-8"))
        return True

    # -- 5. the ways in ----------------------------------------------------
    def _write_captures_page(self, of_url: list[PageSummary],
                             captures: list[dict[str, Any]]) -> None:
        """The list of a URL's captures, beside its newest one."""
        s = of_url[0]
        folder = s.page.rsplit("/", 1)[0]
        rec = {"url": s.url, "captured_at": s.captured_at, "superseded_by": None,
               "succession": None}
        bann = context.banner(rec, [{"path": s.page, "nb": "Nyeste lagring",
                                     "en": "Newest capture"},
                                    {"path": "index.html", "nb": "Arkivets forside",
                                     "en": "Archive home"}])
        self.write(f"{folder}/index.html", "captures.html", url=s.url,
                   title=s.title or s.url, captures=captures, banner=bann)

    def _write_missing(self) -> None:
        for url, path in self.store.iter_missing():
            self.write(path, "not_archived.html", url=url)
        self.report.missing = self.store.missing_count()

    def _write_data(self) -> None:
        """Put the exports and the schema in the site; write a CSV from the summaries if none exists.

        Each file is a hard link where the file system allows it: the records file
        grows with the archive (5 GB at 100 000 pages), and the site's copy then
        costs neither the time nor the disk. Nothing writes into a data file in
        place (extract and export write a new file and rename it), so the site
        keeps the exports it was built from.
        """
        data = data_dir(self.archive_dir)
        target = self.out / "data"
        target.mkdir(exist_ok=True)
        for src in sorted(data.iterdir()):
            if src.is_file() and src.suffix in (".jsonl", ".csv", ".json"):
                _link_or_copy(src, inside(self.out, f"data/{src.name}"))
        if not any(target.glob("*.csv")):
            from archive.export import csv_safe  # the one rule for every CSV the project writes

            with inside(self.out, "data/pages.csv").open("w", encoding="utf-8",
                                                          newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(CSV_COLUMNS)
                for s in self.store.iter_captures():
                    writer.writerow([csv_safe(v) for v in (
                        s.id, s.url, s.captured_at, s.status, s.language, s.title,
                        s.template, s.published or "", s.page)])

    def _write_manifest(self) -> None:
        path = inside(self.out, "manifest.json")
        with path.open("w", encoding="utf-8") as fh:
            fh.write('{"pages":[\n')
            for n, s in enumerate(self.store.iter_captures()):
                folder, name = s.page.rsplit("/", 1)
                stem = name[:-5]
                fh.write(("," if n else "") + json.dumps({
                    "url": s.url, "captured_at": s.captured_at, "record_id": s.id,
                    "page": s.page, "original": s.original, "record": f"{folder}/{stem}.json",
                    "captures": f"{folder}/index.html"}, ensure_ascii=False) + "\n")
            fh.write('],"files":[\n')
            for n, a in enumerate(self.assets):
                fh.write(("," if n else "") + json.dumps({
                    "url": a.url, "captured_at": a.captured_at, "content_type": a.content_type,
                    "path": a.path}, ensure_ascii=False) + "\n")
            fh.write('],"missing":[\n')
            for n, (url, p) in enumerate(self.store.iter_missing()):
                fh.write(("," if n else "") + json.dumps({"url": url, "path": p},
                                                         ensure_ascii=False) + "\n")
            fh.write("]}\n")


@dataclass
class _Share:
    """What rendering one share of the captures learnt, for the builder to merge."""

    no_payload: int = 0
    first: str | None = None
    last: str | None = None
    newest: bool = False  # of the capture just rendered
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    chains: list[list[dict[str, Any]]] = field(default_factory=list)


# The builder a forked worker renders for (set in the parent just before the fork).
_BUILDER: SiteBuilder | None = None


def _render_share_in_worker(w: int, workers: int, spool: Path) -> _Share:
    builder = _BUILDER
    assert builder is not None
    builder.store.reopen_in_worker()
    return builder._render_share(w, workers, spool, None)


def _read_entries(path: Path) -> Iterator[tuple[int, list[Any], dict[str, int]]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            n, doc, weights = json.loads(line)
            yield n, doc, weights


def _merge_documents(shares: Iterable[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
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


def _page_text(payload: bytes, charset: str | None) -> str:
    """A captured page as text, with the charset its record found (the extractor's decoder)."""
    return decode_html(payload, f"text/html; charset={charset}" if charset else None).text


def _link_or_copy(src: Path, dest: Path) -> None:
    """A hard link to ``src`` at ``dest``; a copy across file systems or where links fail."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _peak_mb(who: int) -> float:
    """Peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(who).ru_maxrss / 1024


def _software() -> str:
    try:
        return f"akershus-archive {version('akershus-archive')}"
    except PackageNotFoundError:  # not installed as a distribution: say so, do not guess
        return "akershus-archive"
