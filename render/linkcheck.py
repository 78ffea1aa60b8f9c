"""Link integrity of a rendered site: nothing broken, nothing unreachable, nothing live.

Every HTML and CSS file is parsed (not grepped); every local reference must
name a file inside the site; every archived page must be reachable from
``index.html`` by following links; and no clickable link may lead to the old
domain, which now belongs to someone else.

The check reads what was written, independently of how it was made, and its
memory does not grow with the size of the site: the set of pages reached (and
the breadth-first queue, which is the same table read in order) lives in a
temporary SQLite file, caches are bounded, and ``required`` is streamed.
Files are parsed in worker processes when there is more than one CPU (and
the process can fork safely); their results are taken in the order the files
were queued, so the report is the same as from one process.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import posixpath
import sqlite3
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from lxml import etree

from archive import folder
from archive.css import css_references
from archive.forking import default_signals

from .linkmap import is_site_host
from .workers import default_workers

# <link rel> values that are metadata about the page, not something loaded.
META_RELS = frozenset({"original", "successor-version", "dcterms:isreplacedby", "alternate"})
_SKIP_SCHEMES = ("mailto:", "tel:", "data:")
MAX_LISTED = 20
MAX_UNREACHABLE = 1000  # unreachable pages named in the report; the rest are counted
MAX_WORKERS = 2  # processes the check starts by default, one per usable CPU up to this
_CHUNK = 16  # files per task handed to a worker: fewer round trips
_IN_FLIGHT = 8  # tasks queued per worker: enough to keep it busy, few in memory
_BATCH = 500  # rows per SQLite round trip
_CACHE = 4096  # entries of each in-memory cache before it is emptied


@dataclass
class LinkReport:
    """What the check found; ``ok`` is what the build's exit code follows."""

    files: int = 0
    links: int = 0
    external: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)  # (file, reference)
    # The first MAX_UNREACHABLE unreachable pages, sorted; unreachable_count has all.
    unreachable: list[str] = field(default_factory=list)
    live_old_site: list[tuple[str, str]] = field(default_factory=list)
    external_embeds: list[tuple[str, str]] = field(default_factory=list)  # would fetch the web
    unreachable_count: int = 0

    @property
    def ok(self) -> bool:
        return not (self.broken or self.unreachable_count or self.unreachable
                    or self.live_old_site or self.external_embeds)

    def lines(self) -> list[str]:
        out = [f"link check: {self.files} files, {self.links} local links, "
               f"{self.external} links leaving the archive: "
               + ("OK" if self.ok else "FAILED")]
        for label, items in (("broken link", self.broken),
                             ("live link to the old site", self.live_old_site),
                             ("resource loaded from the web", self.external_embeds)):
            out += [f"  {label}: {f} -> {ref}" for f, ref in items[:MAX_LISTED]]
            if len(items) > MAX_LISTED:
                out.append(f"  ... and {len(items) - MAX_LISTED} more {label}s")
        out += [f"  unreachable from index.html: {p}" for p in self.unreachable[:MAX_LISTED]]
        total = max(self.unreachable_count, len(self.unreachable))
        if total > MAX_LISTED:
            out.append(f"  ... and {total - MAX_LISTED} more unreachable pages")
        return out


# The options of lxml.html's parser, without its Python element classes: the
# check only reads attributes, and plain elements are cheaper to hand out.
_PARSER = etree.HTMLParser()
_URL_ATTRS = frozenset({"href", "src", "srcset", "imagesrcset", "poster", "background"})


def _references(doc: etree._Element) -> tuple[list[tuple[str, str, bool]], set[str]]:
    """(reference, tag, navigable) for every URL-bearing attribute of a document, and its ids.

    One walk reading each element's attributes at once: faster than an XPath
    that tests six attributes on every element, then a second for the ids.
    """
    out: list[tuple[str, str, bool]] = []
    ids: set[str] = set()
    for el in doc.iter(etree.Element):
        items = el.items()
        if not items:
            continue
        attrs = dict(items)
        if "id" in attrs:
            ids.add(attrs["id"])
        if _URL_ATTRS.isdisjoint(attrs):
            continue
        tag = el.tag.lower()
        get = attrs.get
        href = get("href")
        if href is not None:
            if tag in ("a", "area"):
                out.append((href, tag, True))
            elif tag == "link":
                rels = set((get("rel") or "").lower().split())
                if not rels & META_RELS:
                    out.append((href, tag, False))
        for attr in ("src", "poster", "background"):
            value = get(attr)
            if value:
                out.append((value, tag, False))
        for attr in ("srcset", "imagesrcset"):
            for candidate in (get(attr) or "").split(","):
                if candidate.strip():
                    out.append((candidate.strip().split()[0], tag, False))
    return out, ids


@lru_cache(maxsize=_CACHE)
def _path_of(ref: str) -> str:
    """The file path part of a relative reference, unquoted; cached, as menus repeat."""
    return unquote(ref.split("#", 1)[0].split("?", 1)[0])


def local_target(source: str, ref: str) -> str | None:
    """Site-relative path a relative reference names, or None if it leaves the site."""
    path = _path_of(ref)
    if not path:
        return source
    if path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    return None if joined.startswith("../") or joined == ".." else joined


def archive_target(source: str, ref: str) -> str | None:
    """The archive-folder path a reference names, if it is one the site may link to.

    The site sits in its archive folder, beside the files it was made from; its
    pages link to those one level up from the site root: ``warc/NAME.warc[.gz]``,
    ``crawl-report.json`` and ``NAME.wacz`` (see render/citation.py). Nothing else
    outside the site is allowed.
    """
    path = _path_of(ref)
    if not path or path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if not joined.startswith("../"):
        return None
    rest = joined[3:]
    warc_folder = folder.WARC_DIR + "/"
    if rest.startswith(warc_folder):
        name = rest[len(warc_folder):]
        ok = bool(name) and "/" not in name and folder.is_warc(name)
    else:
        ok = rest == folder.REPORT_FILE or ("/" not in rest and rest.endswith(".wacz"))
    return rest if ok and not rest.startswith(".") else None


class _Result(NamedTuple):
    """What checking one file found, merged by the parent in queue order."""

    missing: bool  # no such file (a queued path only)
    links: int
    external: int
    broken: list[tuple[str, str]]
    live_old_site: list[tuple[str, str]]
    external_embeds: list[tuple[str, str]]
    pages: list[str]  # local HTML pages it links to, in order


class _Scanner:
    """Checks single files; one per process, with its own bounded caches."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.exists_cache: dict[str, str | None] = {}

    def resolve_file(self, rel: str) -> str | None:
        """The file a site-relative path names (a folder means its index.html), or None."""
        cache = self.exists_cache
        if rel in cache:
            return cache[rel]
        if len(cache) >= _CACHE:  # bounded: shared targets come back soon
            cache.clear()
        path = os.path.join(self.root, rel)
        if os.path.isfile(path):
            found: str | None = rel
        elif os.path.isfile(os.path.join(path, "index.html")):
            found = f"{rel}/index.html"
        else:
            found = None
        cache[rel] = found
        return found

    def scan(self, rel: str, queued: bool) -> _Result:
        """Check one file; a ``queued`` one (reached by a link) may turn out not to
        exist, and only its links to pages are collected, to be followed."""
        full = os.path.join(self.root, rel)
        if queued and not os.path.isfile(full):
            return _Result(True, 0, 0, [], [], [], [])
        broken: list[tuple[str, str]] = []
        live: list[tuple[str, str]] = []
        embeds: list[tuple[str, str]] = []
        pages: list[str] = []
        links = external = 0
        if rel.endswith(".css"):
            with open(full, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            refs = [(ref, "css", False) for ref in css_references(text)]
            ids: set[str] = set()
        else:
            try:
                with open(full, "rb") as fh:
                    doc = etree.fromstring(fh.read(), _PARSER)
                if doc is None:
                    raise etree.ParserError("Document is empty")
            except (ValueError, etree.ParserError):
                return _Result(False, 0, 0, [(rel, "(file does not parse as HTML)")], [], [], [])
            refs, ids = _references(doc)
        check_ids = not rel.endswith(".orig.html") and not rel.endswith(".css")
        for ref, _tag, navigable in refs:
            ref = ref.strip()
            if not ref or ref.lower().startswith(_SKIP_SCHEMES):
                continue
            if ref.startswith("#"):
                if check_ids and ref[1:] and ref[1:] not in ids:
                    broken.append((rel, ref))
                continue
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:
                external += 1
                if navigable and is_site_host(parts.hostname):
                    live.append((rel, ref))
                elif not navigable:
                    embeds.append((rel, ref))
                continue
            links += 1
            target = local_target(rel, ref)
            found = self.resolve_file(target) if target is not None else None
            if target is None and (outside := archive_target(rel, ref)) is not None:
                found = outside if os.path.isfile(
                    os.path.join(os.path.dirname(self.root), outside)) else None
            if found is None:
                broken.append((rel, ref))
            elif navigable and queued and found.endswith(".html"):
                pages.append(found)
        return _Result(False, links, external, broken, live, embeds, pages)


_worker: _Scanner | None = None


def _init_worker(root: str) -> None:
    global _worker
    default_signals()
    _worker = _Scanner(root)


def _scan_many(jobs: list[tuple[str, bool]]) -> list[_Result]:
    assert _worker is not None
    return [_worker.scan(rel, queued) for rel, queued in jobs]


class _Pages:
    """The pages reached so far, in the order reached: a set and a queue on disk."""

    def __init__(self) -> None:
        # "": a private temporary file, deleted on close; SQLite keeps a small page
        # cache in memory and the rest on disk.
        self.db = sqlite3.connect("")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE reached (n INTEGER PRIMARY KEY, path TEXT UNIQUE)")
        self.hot: set[str] = set()  # recently seen as reached: most links are menus
        self.last = 0  # n of the last page handed out of the queue

    def add(self, paths: list[str]) -> None:
        """Mark pages reached; new ones join the end of the queue, in order."""
        new = [p for p in paths if p not in self.hot]
        if not new:
            return
        self.db.executemany("INSERT OR IGNORE INTO reached (path) VALUES (?)",
                            ((p,) for p in new))
        if len(self.hot) + len(new) > _CACHE:
            self.hot.clear()
        self.hot.update(new)

    def take(self, limit: int) -> list[str]:
        """Up to ``limit`` pages from the front of the queue."""
        rows = self.db.execute("SELECT n, path FROM reached WHERE n > ? ORDER BY n LIMIT ?",
                               (self.last, limit)).fetchall()
        if rows:
            self.last = rows[-1][0]
        return [path for _, path in rows]

    def not_reached(self, paths: Iterable[str]) -> Iterator[str]:
        """Those of ``paths`` never reached, in order; read in batches."""
        it = iter(paths)
        while batch := list(islice(it, _BATCH)):
            distinct = list(set(batch))
            marks = ",".join("?" * len(distinct))
            seen = {p for (p,) in self.db.execute(
                f"SELECT path FROM reached WHERE path IN ({marks})", distinct)}
            yield from (p for p in batch if p not in seen)

    def close(self) -> None:
        self.db.close()


def _site_files(site: Path) -> Iterator[str]:
    """Site-relative paths of the HTML and CSS files under ``site`` (a resolved path)."""
    top = str(site)
    prefix = top if top.endswith(os.sep) else top + os.sep
    for dirpath, _, names in os.walk(top):
        # what os.path.relpath would say, without its work for every file
        folder = "" if dirpath == top else dirpath[len(prefix):].replace(os.sep, "/") + "/"
        for name in names:
            if name.endswith((".html", ".css")):
                yield folder + name


class _Runner:
    """Hands files to the scanner, in-process or to workers, and merges in order."""

    def __init__(self, root: str, workers: int) -> None:
        self.local = _Scanner(root)
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque[tuple[list[tuple[str, bool]], Future[list[_Result]] | None]] = deque()
        context = _fork_context() if workers > 1 else None
        if context is not None:
            try:
                self.pool = ProcessPoolExecutor(workers, mp_context=context,
                                                initializer=_init_worker, initargs=(root,))
            except (OSError, ImportError, NotImplementedError):  # no processes here
                self.pool = None
        self.limit = _IN_FLIGHT * workers if self.pool else 1

    def busy(self) -> bool:
        return len(self.pending) >= self.limit

    def submit(self, jobs: list[tuple[str, bool]]) -> None:
        future = None
        if self.pool is not None:
            try:
                future = self.pool.submit(_scan_many, jobs)
            except (BrokenProcessPool, RuntimeError, OSError):  # cannot start a worker
                self._stop_pool()
        self.pending.append((jobs, future))

    def next_results(self) -> tuple[list[tuple[str, bool]], list[_Result]] | None:
        """Results of the oldest task, or None when nothing is pending."""
        if not self.pending:
            return None
        jobs, future = self.pending.popleft()
        if future is not None and self.pool is not None:
            try:
                return jobs, future.result()
            except BrokenProcessPool:  # a worker died: redo its work (and the rest) here
                self._stop_pool()
        return jobs, [self.local.scan(rel, queued) for rel, queued in jobs]

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork, where it is safe (Linux, no other thread that could hold a lock the
    copy needs); else None, and the check stays in this process: a worker
    started afresh would import the caller's main script again."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return None


def _merge(report: LinkReport, rel: str, result: _Result) -> None:
    if result.missing:
        report.broken.append(("(site)", rel))
        return
    report.files += 1
    report.links += result.links
    report.external += result.external
    report.broken.extend(result.broken)
    report.live_old_site.extend(result.live_old_site)
    report.external_embeds.extend(result.external_embeds)


class _Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, it: Iterator[str]) -> None:
        self.it = it
        self.n = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        item = next(self.it)
        self.n += 1
        return item


def _check_all(runner: _Runner, report: LinkReport,
               next_jobs: Callable[[], list[tuple[str, bool]]], reached: _Pages | None) -> None:
    """Check files as ``next_jobs`` hands them out until it has none and all are merged.

    With ``reached``, the pages each file links to join the queue ``next_jobs`` reads.
    """
    while True:
        while not runner.busy():
            jobs = next_jobs()
            if not jobs:
                break
            runner.submit(jobs)
        done = runner.next_results()
        if done is None:
            return
        pages: list[str] = []
        for (rel, _), result in zip(*done):
            _merge(report, rel, result)
            pages += result.pages
        if reached is not None and pages:
            reached.add(pages)  # one round trip per task, in the same order


def check_site(site: Path, required: Iterable[str], workers: int | None = None) -> LinkReport:
    """Check every HTML and CSS file under ``site``; ``required`` must be reachable.

    ``required`` is iterated once, after everything else, so it can be a stream.
    ``workers`` is the number of parsing processes (default: one per CPU, at most
    two); with 1, or where forking is not safe, the check runs in this process.
    """
    site = site.resolve()
    report = LinkReport()
    reached = _Pages()
    runner = _Runner(str(site), default_workers(MAX_WORKERS) if workers is None else workers)
    try:
        reached.add(["index.html"])
        # breadth-first from the front page
        _check_all(runner, report, lambda: [(rel, True) for rel in reached.take(_CHUNK)],
                   reached)
        # files no link leads to are checked too: a broken link is broken anywhere
        files = reached.not_reached(_site_files(site))
        _check_all(runner, report, lambda: [(rel, False) for rel in islice(files, _CHUNK)],
                   None)
        runner.close()
        counted = _Counted(reached.not_reached(required))
        report.unreachable = heapq.nsmallest(MAX_UNREACHABLE, counted)
        report.unreachable_count = counted.n
    finally:
        runner.close()
        reached.close()
    return report
