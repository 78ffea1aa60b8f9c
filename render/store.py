"""The build's per-capture facts, kept on disk so memory stays flat as the archive grows.

A build needs, for every capture, a small summary (URL, title, paths, dates)
and, for every URL, where its captures and files went (the link map). Held in
Python objects that is a few KB per capture: 500 MB at 100 000 pages. Here it
lives in a throw-away SQLite file next to the site being built, with a
bounded page cache; lookups that repeat on every page (the menu links) are
served from a small in-memory cache in front of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .paths import url_key
from .records import PageSummary

# SQLite page cache (KiB); the database itself can grow on disk as it needs.
CACHE_KIB = 2048
# Entries of the in-memory lookup cache in front of the link tables.
LOOKUP_CACHE = 2048

_SCHEMA = """
CREATE TABLE capture (
    n INTEGER PRIMARY KEY, id TEXT, url TEXT, key TEXT, captured_at TEXT, epoch INTEGER,
    title TEXT, language TEXT, template TEXT, status INTEGER, page TEXT, original TEXT,
    published TEXT, strategy TEXT, host TEXT, section TEXT, tree TEXT, letter TEXT,
    sortkey TEXT, press INTEGER);
CREATE TABLE target (kind TEXT, key TEXT, epoch INTEGER, value TEXT);
CREATE TABLE missing (url TEXT PRIMARY KEY, path TEXT) WITHOUT ROWID;
CREATE TABLE referrer (url TEXT, base TEXT, epoch INTEGER,
    PRIMARY KEY (url, base, epoch)) WITHOUT ROWID;
CREATE TABLE gap (key TEXT, status INTEGER, captured_at TEXT,
    PRIMARY KEY (key, status, captured_at)) WITHOUT ROWID;
CREATE TABLE peer (url TEXT, captured_at TEXT, ip TEXT,
    PRIMARY KEY (url, captured_at)) WITHOUT ROWID;
CREATE TABLE claimed (name INTEGER PRIMARY KEY);
CREATE TABLE digest (digest TEXT PRIMARY KEY, warc_file TEXT, offset INTEGER, length INTEGER,
    content_type TEXT) WITHOUT ROWID;
CREATE TABLE original (uri TEXT, date TEXT, warc_file TEXT, offset INTEGER, length INTEGER,
    content_type TEXT, PRIMARY KEY (uri, date)) WITHOUT ROWID;
CREATE TABLE payload (url TEXT, captured_at TEXT, warc_file TEXT, offset INTEGER,
    PRIMARY KEY (url, captured_at)) WITHOUT ROWID;
CREATE TABLE document (n INTEGER PRIMARY KEY, id TEXT, url TEXT, key TEXT, epoch INTEGER,
    summary TEXT);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS capture_key ON capture (key, epoch DESC, n);
CREATE INDEX IF NOT EXISTS target_key ON target (kind, key, epoch);
CREATE INDEX IF NOT EXISTS capture_tree ON capture (host, tree);
CREATE INDEX IF NOT EXISTS document_id ON document (id);
CREATE INDEX IF NOT EXISTS document_key ON document (key, epoch, n);
"""
# The newest capture of its URL (ties: the first in record order).
_IS_NEWEST = ("n = (SELECT n FROM capture d WHERE d.key = c.key "
              "ORDER BY epoch DESC, n LIMIT 1)")
# Tree paths strictly below a folder: those that continue it with "/" ("0" is the
# character after "/", so the range is one index scan).
BELOW = "(tree >= ? AND tree < ?)"
# A folder and everything below it, as one range of the index (a folder OR'd with
# its range is planned as a scan of the whole host: quadratic in a big tree). The
# range from the folder up to folder + "0" also holds siblings such as
# "folder-2" ("-" sorts before "/"); the last condition leaves them out.
UNDER = "(tree >= ? AND tree < ? AND (tree = ? OR tree >= ?))"


def below(folder: str) -> tuple[str, str]:
    """The arguments of ``BELOW`` for ``folder``."""
    return folder + "/", folder + "0"


def under(folder: str) -> tuple[str, str, str, str]:
    """The arguments of ``UNDER`` for ``folder``."""
    return folder, folder + "0", folder, folder + "/"


_COLUMNS = ("n, id, url, key, captured_at, title, language, template, status, page, "
            "original, published, strategy")


def _summary(row: tuple[Any, ...]) -> PageSummary:
    (n, id_, url, key, captured_at, title, language, template, status, page, original,
     published, strategy) = row
    s = PageSummary(id=id_, url=url, key=key, captured_at=captured_at, title=title,
                    language=language, template=template, status=status, page=page,
                    original=original, published=published,
                    strategy=json.loads(strategy) if strategy else None)
    s.extra["n"] = n
    return s


class BuildStore:
    """One build's summaries, link targets, claimed names and not-archived URLs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists():
            path.unlink()
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                       f"cache_size = -{CACHE_KIB}"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self._lookups: OrderedDict[tuple[str, str], list[tuple[int, str]]] = OrderedDict()
        self._indexed = False
        self._seen_missing: set[str] | None = None  # in a worker: misses kept for the parent
        self._seen_referrers: set[tuple[str, str, int]] = set()  # ditto, who linked them
        self._inherited: sqlite3.Connection | None = None

    def commit(self) -> None:
        """Make everything written so far visible to other connections (the workers)."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def reopen_in_worker(self) -> None:
        """In a forked worker: a connection of its own, read-only; misses are collected
        in memory and handed back, because only the parent writes."""
        self._inherited = self.db  # never used nor closed here: it is the parent's
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._seen_missing = set()

    def missing_seen(self) -> list[str]:
        """URLs a worker found not archived (empty in the parent, which stores them)."""
        return sorted(self._seen_missing or ())

    def close(self) -> None:
        """Drop the database: it is scaffolding, never part of the site."""
        self.db.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def ready(self) -> None:
        """Index once everything is in; from here on the build only reads (and notes misses)."""
        if not self._indexed:
            if self.db.in_transaction:
                self.db.execute("COMMIT")
            self.db.executescript(_INDEXES)
            self.db.execute("BEGIN")
            self._indexed = True

    # -- writing ------------------------------------------------------------
    def claim(self, name_hash: int) -> bool:
        """Reserve a file name (as a hash); False if it was taken."""
        cur = self.db.execute("INSERT OR IGNORE INTO claimed VALUES (?)", (name_hash,))
        return cur.rowcount == 1

    def add_capture(self, n: int, s: PageSummary, epoch: int, host: str, section: str,
                    tree: str, letter: str, sortkey: str, press: bool) -> None:
        self.db.execute(
            "INSERT INTO capture VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (n, s.id, s.url, s.key, s.captured_at, epoch, s.title, s.language, s.template,
             s.status, s.page, s.original, s.published,
             json.dumps(s.strategy, ensure_ascii=False) if s.strategy else None,
             host, section, tree, letter, sortkey, int(press)))

    def add_document(self, n: int, summary: dict[str, Any], key: str, epoch: int) -> None:
        """A document record's summary (what links, lists and tables show of it)."""
        self.db.execute("INSERT INTO document VALUES (?,?,?,?,?,?)",
                        (n, summary["id"], summary["url"], key, epoch,
                         json.dumps(summary, ensure_ascii=False)))

    def add_target(self, kind: str, key: str, epoch: int, value: str) -> None:
        self.db.execute("INSERT INTO target VALUES (?,?,?,?)", (kind, key, epoch, value))
        self._lookups.pop((kind, key), None)

    def remember(self, uri: str, date: str, digest: str,
                 where: tuple[str, int, int, str]) -> None:
        """A response, for revisits: by its target and date, and the first with its digest."""
        self.db.execute("INSERT OR IGNORE INTO original VALUES (?,?,?,?,?,?)", (uri, date, *where))
        self.db.execute("INSERT OR IGNORE INTO digest VALUES (?,?,?,?,?)", (digest, *where))

    def original_at(self, uri: str, date: str) -> tuple[str, int, int, str] | None:
        """Where the response captured as ``uri`` at ``date`` is (what a revisit names)."""
        row = self.db.execute("SELECT warc_file, offset, length, content_type FROM original "
                              "WHERE uri = ? AND date = ?", (uri, date)).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def original_with(self, digest: str) -> tuple[str, int, int, str] | None:
        """Where the first response with this payload digest is (a revisit's payload)."""
        row = self.db.execute("SELECT warc_file, offset, length, content_type FROM digest "
                              "WHERE digest = ?", (digest,)).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def add_payload(self, url: str, captured_at: str, warc_file: str, offset: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO payload VALUES (?,?,?,?)",
                        (url, captured_at, warc_file, offset))

    def add_missing(self, url: str, path: str, base: str = "", when: int = 0) -> str:
        """The not-archived page of ``url`` (the first path given for it wins); ``base``
        is the page that links there, captured at ``when`` (its epoch)."""
        if self._seen_missing is not None:
            self._seen_missing.add(url)
            if base:
                self._seen_referrers.add((url, base, when))
        else:
            self.db.execute("INSERT OR IGNORE INTO missing VALUES (?,?)", (url, path))
            if base:
                self.db.execute("INSERT OR IGNORE INTO referrer VALUES (?,?,?)",
                                (url, base, when))
        return path

    def referrers_seen(self) -> list[tuple[str, str, int]]:
        """(missing URL, linking page URL, its epoch) a worker met, for the parent."""
        return sorted(self._seen_referrers)

    def add_referrers(self, rows: Iterable[tuple[str, str, int]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO referrer VALUES (?,?,?)", rows)

    def add_gap(self, url: str, status: int, captured_at: str) -> None:
        """A response in the WARCs that is no page nor file (a 404, a 500): why it is missing."""
        try:
            key = url_key(url)
        except ValueError:
            return
        self.db.execute("INSERT OR IGNORE INTO gap VALUES (?,?,?)", (key, status, captured_at))

    def add_peer(self, url: str, captured_at: str, ip: str) -> None:
        """The address a capture was read from (its WARC-IP-Address)."""
        self.db.execute("INSERT OR IGNORE INTO peer VALUES (?,?,?)", (url, captured_at, ip))

    # -- reading ------------------------------------------------------------
    def targets(self, kind: str, key: str) -> list[tuple[int, str]]:
        """(epoch, value) of every capture of ``key`` in table ``kind``, oldest first."""
        cache_key = (kind, key)
        found = self._lookups.get(cache_key)
        if found is not None:
            self._lookups.move_to_end(cache_key)
            return found
        found = self.db.execute(
            "SELECT epoch, value FROM target WHERE kind = ? AND key = ? ORDER BY epoch, rowid",
            cache_key).fetchall()
        self._lookups[cache_key] = found
        if len(self._lookups) > LOOKUP_CACHE:
            self._lookups.popitem(last=False)
        return found

    def payload(self, url: str, captured_at: str) -> tuple[str, int] | None:
        row = self.db.execute("SELECT warc_file, offset FROM payload WHERE url = ? AND "
                              "captured_at = ?", (url, captured_at)).fetchone()
        return (row[0], row[1]) if row else None

    def missing_path(self, url: str) -> str | None:
        row = self.db.execute("SELECT path FROM missing WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def peer(self, url: str, captured_at: str) -> str | None:
        row = self.db.execute("SELECT ip FROM peer WHERE url = ? AND captured_at = ?",
                              (url, captured_at)).fetchone()
        return row[0] if row else None

    def statuses(self, url: str) -> list[tuple[int, str]]:
        """(status, captured_at) of every non-page response recorded for ``url``."""
        try:
            key = url_key(url)
        except ValueError:
            return []
        return self.db.execute("SELECT status, captured_at FROM gap WHERE key = ? "
                               "ORDER BY captured_at", (key,)).fetchall()

    def referrers(self, url: str, limit: int) -> tuple[int, list[tuple[str, int]]]:
        """How many captured pages link to ``url``, and the first ``limit`` of them."""
        count = self.db.execute("SELECT count(*) FROM referrer WHERE url = ?",
                                (url,)).fetchone()[0]
        rows = self.db.execute("SELECT base, epoch FROM referrer WHERE url = ? "
                               "ORDER BY base, epoch LIMIT ?", (url, limit)).fetchall()
        return count, rows

    def iter_missing(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT url, path FROM missing ORDER BY url")

    def missing_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM missing").fetchone()[0]

    def document(self, id_: str) -> dict[str, Any] | None:
        """The summary of the document record ``id_`` (the first, should two share it)."""
        row = self.db.execute("SELECT summary FROM document WHERE id = ? ORDER BY n LIMIT 1",
                              (id_,)).fetchone()
        return json.loads(row[0]) if row else None

    def document_at(self, n: int) -> dict[str, Any] | None:
        """The summary of the document record on line ``n`` of documents.jsonl."""
        row = self.db.execute("SELECT summary FROM document WHERE n = ?", (n,)).fetchone()
        return json.loads(row[0]) if row else None

    def documents_of(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        """(epoch, summary) of every document record of one URL, oldest first."""
        return [(e, json.loads(s)) for e, s in self.db.execute(
            "SELECT epoch, summary FROM document WHERE key = ? ORDER BY epoch, n", (key,))]

    def iter_documents(self) -> Iterator[dict[str, Any]]:
        """Every document record's summary, in file order."""
        for (summary,) in self.db.execute("SELECT summary FROM document ORDER BY n"):
            yield json.loads(summary)

    def document_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM document").fetchone()[0]

    def capture(self, n: int) -> PageSummary | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM capture WHERE n = ?", (n,)).fetchone()
        return _summary(row) if row else None

    def captures_of(self, key: str) -> list[PageSummary]:
        """Every capture of one URL, newest first (ties in record order)."""
        return [_summary(r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM capture WHERE key = ? ORDER BY epoch DESC, n", (key,))]

    def count(self, where: str = "1", args: Iterable[Any] = ()) -> int:
        return self.db.execute(f"SELECT count(*) FROM capture WHERE {where}",
                               tuple(args)).fetchone()[0]

    def count_newest(self, where: str = "1", args: Iterable[Any] = ()) -> int:
        """How many URLs have their newest capture matching ``where``."""
        return self.db.execute(f"SELECT count(*) FROM capture c WHERE {_IS_NEWEST} "
                               f"AND ({where})", tuple(args)).fetchone()[0]

    def url_count(self) -> int:
        return self.db.execute("SELECT count(DISTINCT key) FROM capture").fetchone()[0]

    def iter_captures(self) -> Iterator[PageSummary]:
        """Every capture in record order."""
        for row in self.db.execute(f"SELECT {_COLUMNS} FROM capture ORDER BY n"):
            yield _summary(row)

    def iter_pages(self) -> Iterator[str]:
        """The reading-view path of every capture."""
        for (page,) in self.db.execute("SELECT page FROM capture ORDER BY n"):
            yield page

    def newest(self, where: str = "1", args: Iterable[Any] = (),
               order: str = "key") -> Iterator[PageSummary]:
        """The newest capture of every URL matching ``where``, in ``order``."""
        sql = f"SELECT {_COLUMNS} FROM capture c WHERE {_IS_NEWEST} AND ({where}) ORDER BY {order}"
        for row in self.db.execute(sql, tuple(args)):
            yield _summary(row)

    def child_folders(self, host: str, folder: str) -> list[str]:
        """The next path segment of every URL (newest captures) below ``folder`` of ``host``."""
        at = len(folder) + 2  # the first character after "folder/"
        return [child for (child,) in self.db.execute(
            "SELECT CASE WHEN instr(substr(tree, ?), '/') "
            "THEN substr(tree, ?, instr(substr(tree, ?), '/') - 1) ELSE substr(tree, ?) END "
            f"AS child FROM capture c WHERE {_IS_NEWEST} AND host = ? AND {BELOW} "
            "GROUP BY child", (at, at, at, at, host, *below(folder)))]

    def groups(self, column: str) -> list[tuple[Any, ...]]:
        """Distinct values of ``column`` (with their newest-capture counts), in order."""
        return self.db.execute(f"SELECT {column}, count(*) FROM capture c WHERE {_IS_NEWEST} "
                               f"GROUP BY {column} ORDER BY {column}").fetchall()
