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

import json
import logging
import os
import resource
import shutil
import threading
import time
from contextlib import nullcontext
from importlib.metadata import PackageNotFoundError, version
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from archive.console import Console, Task
from archive.errors import ArchiveError
from archive.folder import (
    build_store_file,
    data_dir,
    documents_file,
    pages_file,
    partial_site_dir,
    site_dir,
    warc_dir,
)
from archive.reader import stable_hash

from . import browse, context, gaps, reader
from . import documents as document_views
from .assets import Asset, copy_files
from .citation import Citations
from .environment import make_environment, page_csp
from .exports import write_data
from .linkcheck import check_site
from .linkmap import LinkMap, epoch
from .manifest import write_manifest
from .original import OriginalView
from .paths import (
    CapturePaths,
    capture_paths,
    file_path,
    inside,
    missing_path,
    split_url,
    url_key,
)
from .pool import count_capture, render_shares, spooled_entries
from .records import PageSummary, numbered_records
from .report import RenderReport, peak_mb
from .search_index import IndexWriter, kept_text, page_kind, page_weights
from .shares import DOCUMENT_PAGES, Share, merge_documents
from .store import BuildStore
from .warcs import iter_index
from .workers import default_workers

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SITE_NAME = "Arkiv av www.akershus.no"
RENDER_WORKERS = 4  # processes that render captures by default, one per usable CPU up to this
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Scripts are never copied: nothing from the archived site may run.
SKIP_TYPES = ("application/javascript", "text/javascript", "application/x-javascript")
# Characters of a streamed page collected before they are written out.
STREAM_BLOCK = 1 << 16


class RenderError(ArchiveError):
    """The archive cannot be rendered; the message says what to do (the CLI prints it)."""


# What each stage of a build is doing, for the console's state line.
STAGES = {
    "index": "reading the WARC files", "scan": "reading the records",
    "files": "copying the archived files", "pages": "rendering the captures",
    "ways_in": "writing the ways in (browse, search, data)", "linkcheck": "checking every link",
}


def run_render(archive_dir: Path, template_dir: Path | None = None,
               workers: int | None = None, console: Console | None = None) -> RenderReport:
    """Build ``archive_dir/site/``; check ``report.ok`` (False -> exit non-zero).

    ``workers`` processes render the captures (default: one per usable CPU, at most
    ``RENDER_WORKERS``); ``console`` shows the stages as they go.
    """
    builder = SiteBuilder(Path(archive_dir), template_dir,
                          default_workers(RENDER_WORKERS) if workers is None else workers)
    builder.console = console
    return builder.run()


class SiteBuilder:
    """One build of one archive; the link map and the per-capture summaries are in its store."""

    def __init__(self, archive_dir: Path, template_dir: Path | None = None,
                 workers: int = 1) -> None:
        self.archive_dir = archive_dir
        self.records_path = pages_file(archive_dir)
        self.documents_path = documents_file(archive_dir)
        self.env = make_environment(template_dir)
        self.out = partial_site_dir(archive_dir)
        # Per-capture facts live on disk, beside (never inside) the site being built.
        self.store = BuildStore(build_store_file(archive_dir))
        self.workers = workers
        self.links = LinkMap(self.store)
        self.assets: list[Asset] = []
        self.documents: dict[str, dict[str, Any]] = {}
        self.made_dirs: set[str] = set()  # a cache, cleared when large
        self.site = {"name": SITE_NAME, "software": _software()}
        self.report = RenderReport(site_dir(archive_dir))
        self.citations = Citations(archive_dir, self.site)
        self.crawl_facts = gaps.CrawlFacts.load(archive_dir)
        self.original = OriginalView(self, self.env, self.site, archive_dir, self.store,
                                     self.links)
        self.console: Console | None = None
        self._captures_task: Task | None = None

    # -- entry point -------------------------------------------------------
    def run(self) -> RenderReport:
        try:
            return self._run()
        finally:
            self.store.close()
            if self.console is not None:
                self.console.stop()

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
            self.citations.prepare(self.assets, (s.captured_at for s in self.store.iter_captures()))
            crawl.update(self._render_captures(search))
            document_views.render_documents(self, self.documents_path, search)
            self.report.search = search.close()

        def ways_in() -> None:
            write_data(data_dir(self.archive_dir), self.out, self.store)
            browse.write_all(self, crawl)
            self._write_missing()
            reader.write_changes(self)  # "what changed" views: records are written by now
            write_manifest(self.out, self.store, self.assets)
            self.citations.write_verify(self)
            shutil.copytree(STATIC, self.out / "static", dirs_exist_ok=True)

        def linkcheck() -> None:
            self.report.linkcheck = check_site(
                self.out, chain(self.store.iter_pages(), document_views.views(self.store)))

        console = self.console
        task = console.task("render", "stages", total=len(STAGES)) if console else None
        for name, step in (("index", self._index_warcs), ("scan", self._scan_records),
                           ("files", self._copy_files), ("pages", pages),
                           ("ways_in", ways_in), ("linkcheck", linkcheck)):
            t = time.perf_counter()
            if console is not None and task is not None:
                console.update(task, state=STAGES[name])
            step()
            if console is not None and task is not None:
                console.update(task, 1)
            self.report.stages[name] = time.perf_counter() - t
            self.report.peaks[name] = peak_mb(resource.RUSAGE_SELF)
        self.report.peaks["child processes"] = peak_mb(resource.RUSAGE_CHILDREN)
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
                if entry.status >= 400 or entry.status == 0:  # why a link finds nothing
                    self.store.add_gap(entry.url, entry.status, entry.captured_at)
                continue
            elif ctype in HTML_TYPES:
                self.store.add_payload(entry.url, entry.captured_at, entry.warc_file,
                                       entry.offset)
                if entry.ip_address:
                    self.store.add_peer(entry.url, entry.captured_at, entry.ip_address)
            else:
                path = file_path(entry.url, entry.captured_at, ctype)
                if not self._claim(path):
                    path = file_path(entry.url, entry.captured_at, ctype, entry.record_id)
                    if not self._claim(path):
                        continue  # the very same record twice
                self.links.add_file(entry.url, entry.captured_at, path)
                self.assets.append(Asset(entry.warc_file, entry.offset, entry.url,
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
                strategy={k: strategy.get(k) for k in ("title", "period", "priorities",
                                                       "document", "differences", "goal")}
                if isinstance(strategy, dict) else None,
            )
            self.store.add_capture(n, summary, epoch(summary.captured_at),
                                   **browse.placement(summary))
        if not self.store.count():
            raise RenderError(f"{self.records_path} holds no page records - run extraction "
                              "again and check its report")
        self.report.document_records = document_views.scan_documents(self, self.documents_path)

    @staticmethod
    def capture_list(of_url: list[PageSummary]) -> list[dict[str, Any]]:
        """A URL's captures (newest first) as its captures list shows them."""
        return [{"captured_at": s.captured_at, "page": s.page, "original": s.original,
                 "scheme": split_url(s.url).scheme, "status": s.status, "title": s.title}
                for s in of_url]

    # -- 3. files ----------------------------------------------------------
    def _copy_files(self) -> None:
        """Copy every archived file; stylesheets and SVG are rewritten, the rest streamed."""
        self.report.files += copy_files(self, self.archive_dir, self.links, self.assets)

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
        if self.console is not None:
            self._captures_task = self.console.task("captures", "captures",
                                                    total=self.store.count())
        if workers == 1:
            shares = [self._render_share(0, 1, None, search)]
        else:
            spool.mkdir()
            self.store.commit()
            shares = render_shares(self._render_share_in_worker, workers, spool,
                                   self._captures_done)
            for _, doc, weights in spooled_entries(spool, workers):
                search.add_weights(doc, weights)
            shutil.rmtree(spool)
        for share in shares:
            self.report.no_payload += share.no_payload
            for url in share.missing:
                self.store.add_missing(url, missing_path(url))
            self.store.add_referrers(share.referrers)
            context.remember_chains(share.chains)
        self.documents = merge_documents(share.documents for share in shares)
        self.report.documents = len(self.documents)
        firsts = [sh.first for sh in shares if sh.first]
        lasts = [sh.last for sh in shares if sh.last]
        return {"first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None}

    def _captures_done(self, count: int | None) -> None:
        """The live line's count of captures rendered: ``count``, or one more when None."""
        task = self._captures_task
        if self.console is not None and task is not None:
            self.console.update(task, 1 if count is None else count - task.done)

    def _render_share_in_worker(self, w: int, workers: int, spool: Path) -> Share:
        """A forked worker's share: its own connection to the store, entries spooled."""
        self.store.reopen_in_worker()
        return self._render_share(w, workers, spool, None)

    def _render_share(self, w: int, workers: int, spool: Path | None,
                      search: IndexWriter | None) -> Share:
        """Render the captures at positions ``n % workers == w`` (all of them when 1)."""
        share = Share()
        spooled = open(spool / f"{w}.jsonl", "w", encoding="utf-8") if spool else nullcontext()  # noqa: SIM115 - closed by the with
        with spooled as entries:
            for i, rec in numbered_records(self.records_path, workers, w):
                s = self.store.capture(i)
                if s is None or s.url != rec["url"]:
                    continue
                self._render_capture(i, s, rec, share)
                if spool is None:
                    self._captures_done(None)
                else:
                    count_capture()
                if share.newest:
                    doc, weights = self._search_entry(s, rec)
                    if entries is not None:
                        entries.write(json.dumps([i, doc, weights], ensure_ascii=False) + "\n")
                    elif search is not None:
                        search.add_weights(doc, weights)
        share.missing = self.store.missing_seen()
        share.referrers = self.store.referrers_seen()
        share.chains = context.known_chains()
        return share

    def _render_capture(self, i: int, s: PageSummary, rec: dict[str, Any],
                        share: Share) -> None:
        """Reading view, JSON record and original view of one capture (and, for a URL's
        newest, its captures list)."""
        cp = CapturePaths(s.page.rsplit("/", 1)[0], s.page.rsplit("/", 1)[1][:-5])
        of_url = self.store.captures_of(s.key)
        captures = self.capture_list(of_url)
        nav_page = [{"path": cp.original, "nb": "Opprinnelig visning", "en": "Original view"},
                    {"path": cp.captures, "nb": "Alle lagringer", "en": "All captures"},
                    {"path": "index.html", "nb": "Arkivets forside", "en": "Archive home"}]
        bann = context.banner(rec, nav_page)
        bann["source"] = gaps.capture_source(
            self.crawl_facts, self.store.peer(rec["url"], rec["captured_at"]),
            (rec.get("provenance") or {}).get("warc_file"), rec["url"])
        docs = context.page_links(rec["documents"], rec, self.links, "title")
        when = epoch(rec["captured_at"])
        named = {d.get("url"): d.get("record") for d in rec["documents"] if isinstance(d, dict)}
        for d in docs:
            found = document_views.for_link(self.store, named.get(d["url"]), d["url"], when)
            d["view"] = found["view"] if found else None
        strategy = rec["strategy"] if isinstance(rec["strategy"], dict) else {}
        held_by = self.store.document(strategy["document"]) \
            if isinstance(strategy.get("document"), str) else None
        cite = self.citations.for_capture(rec, cp, bann["chain"][0]["name"])
        self.citations.write_downloads(self, cite, rec)
        self.write(cp.page, "page.html", lang=rec["language"], record=rec, banner=bann,
                   paths=cp, captures=captures, cite=cite, csp=page_csp(scripts=True),
                   sections=context.sections(rec, self.links),
                   links=context.page_links(rec["links"], rec, self.links, "text"),
                   documents=docs, strategy_document=held_by,
                   breadcrumbs=reader.breadcrumbs(rec["url"], when, self.links, self.store),
                   capture_nav=reader.capture_nav(of_url, s))
        self.write_bytes(cp.record, json.dumps(context.record_json(rec, cp, bann),
                                               ensure_ascii=False).encode("utf-8"))
        if not self.original.write(rec, cp, dict(bann, cite=cite)):
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
        headings = [sec.get("heading") or "" for sec in rec["sections"] or []]
        body = rec["text"] or " ".join(
            str(b.get("text") or " ".join(map(str, b.get("items") or [])))
            for sec in rec["sections"] or [] for b in sec.get("blocks") or [])
        doc = [s.title or s.url, s.page, (s.published or s.captured_at)[:10], s.language,
               s.url, kept_text(body or rec["description"] or ""),
               page_kind(rec.get("template"), rec["strategy"])]
        return doc, page_weights(s.title, headings, body)

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
        """A page for every linked address not archived: why, and which captures link there."""
        robots = gaps.RobotsCheck(self._archived_text, self.crawl_facts.user_agent)
        hosts = {h.lower() for h in self.links.hosts}
        for url, path in self.store.iter_missing():
            reasons = gaps.reasons_for(url, self.crawl_facts, self.store.statuses(url),
                                       hosts, robots)
            count, rows = self.store.referrers(url, gaps.REFERRERS_SHOWN)
            self.write(path, "not_archived.html", url=url, reasons=reasons,
                       referrers=[self._referrer(base, when) for base, when in rows],
                       referrer_count=count)
        self.report.missing = self.store.missing_count()

    def _referrer(self, base: str, when: int) -> dict[str, Any]:
        """A page linking to a missing address: its reading view, when it is archived."""
        found = next((s for s in self.store.captures_of(url_key(base))
                      if epoch(s.captured_at) == when), None)
        if found is None:
            return {"url": base, "path": None, "title": "", "captured_at": None}
        return {"url": base, "path": found.page, "title": found.title,
                "captured_at": found.captured_at}

    def _archived_text(self, url: str) -> str | None:
        """The text of an archived file (a robots.txt), read back from the site."""
        try:
            found = self.store.targets("file", url_key(url))
        except ValueError:
            return None
        if not found:
            return None
        try:
            return inside(self.out, found[-1][1]).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


def _software() -> str:
    try:
        return f"akershus-archive {version('akershus-archive')}"
    except PackageNotFoundError:  # not installed as a distribution: say so, do not guess
        return "akershus-archive"
