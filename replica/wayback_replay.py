"""Replay (``/web/<timestamp><mode>/<url>``) of the Wayback Machine stand-in.

What the archive answers for one request: the capture itself (raw in ``id_`` mode, its
headers renamed, its redirect target rewritten), or the archive's own 302 to another
capture, or 404. Sources are those of docs/wayback-facts.md section 2 (FACTS 2),
chiefly AccessPoint.java (AP) and the recorded real answers of edgi-govdata-archiving/
wayback (CAS).
"""

from __future__ import annotations

import calendar
import functools
import gzip
import html
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import unquote, urljoin, urlsplit

from .wayback_index import Capture, Index, urlkey

PASSED = {"content-type", "content-encoding", "content-disposition", "content-range"}
TARGET = re.compile(r"^(\d{1,14})([a-z]{2}_)?/(.*)$", re.DOTALL)
LATEST = "99991231235959"
# The archive's own headers on every replay answer (FACTS 2: CAS/test_get_memento, TUT).
ARCHIVE_TAIL = [("x-location", "All"), ("x-rl", "0"), ("x-na", "0"), ("x-page-cache", "MISS"),
                ("x-nid", "-"), ("referrer-policy", "no-referrer-when-downgrade"),
                ("permissions-policy", "interest-cohort=()")]
CSP = ("default-src 'self' 'unsafe-eval' 'unsafe-inline' data: blob: archive.org "
       "web.archive.org web-static.archive.org")


@dataclass
class ReplayAnswer:
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunked: bool = False  # a capture's body goes chunked; the archive's pages do not
    served: Capture | None = None  # the capture answered, if any
    outcome: str = "memento"  # memento | archive-redirect | not-found | bad-request


def http_date(ts: str) -> str:
    """An HTTP date of a 14-digit timestamp (Memento-Datetime, Link datetimes)."""
    return formatdate(_seconds(ts), usegmt=True)


@functools.lru_cache(maxsize=1 << 16)
def _seconds(ts: str) -> float:
    try:
        return float(calendar.timegm(time.strptime(ts, "%Y%m%d%H%M%S")))
    except ValueError:  # an impossible date (month 13): its digits still order it
        return float(int(ts))


def pad(ts: str) -> str:
    """A partial timestamp as 14 digits (2015 -> 20150101000000)."""
    return ts + "00000101000000"[len(ts):]


def accepts_gzip(value: str | None) -> bool:
    """``Accept-Encoding`` names gzip with a non-zero q (nginx's gzip filter test)."""
    for part in (value or "").split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() != "gzip":
            continue
        q = params.strip()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return True
        return True
    return False


def archived_url(raw: str) -> str:
    """The URL in a replay path: ``http:/x`` (a collapsed slash) and no scheme tolerated."""
    if raw.lower().startswith(("http%3a", "https%3a")):
        raw = unquote(raw)
    m = re.match(r"^(https?):/+", raw, re.IGNORECASE)
    if m:
        return m.group(1).lower() + "://" + raw[m.end():]
    return raw if "://" in raw else "http://" + raw


def _archive_headers(now: float) -> list[tuple[str, str]]:
    return [("Server", "nginx"), ("Date", formatdate(now, usegmt=True))]


def _timing(status: int) -> list[tuple[str, str]]:
    return [("server-timing", "captures_list;dur=0.412, load_resource;dur=0.318"),
            ("x-app-server", "wwwb-standin"), ("x-ts", str(status)), ("x-tr", "1")]


def replay(index: Index, target: str, *, base: str, accept_encoding: str | None = None,
           now: float | None = None) -> ReplayAnswer:
    """The answer to ``GET <target>`` where target starts ``/web/``."""
    now = time.time() if now is None else now
    rest = target[len("/web/"):]
    m = TARGET.match(rest)
    if m:
        ts, mode, raw = m.group(1), m.group(2) or "", m.group(3)
    elif rest.lower().startswith(("http:", "https:", "www.")):  # timegate: the latest
        ts, mode, raw = "", "", rest
    else:
        return _error(400, "Bad Request", "BadQueryException: bad replay path", now)
    url = archived_url(raw)
    key = urlkey(url)
    group = index.by_key.get(key, [])
    if not group:  # FACTS 2: mk-pmb/apt-wayback-php example-responses.md
        return _error(404, "Not Found", f"ResourceNotInArchiveException: {url} was not found",
                      now, outcome="not-found")
    wanted = pad(ts) if ts else LATEST
    point = _seconds(wanted)
    order = sorted(group, key=lambda c: (abs(_seconds(c.timestamp) - point), c.timestamp,
                                         c.id))
    closest = order[0]
    # AP handleReplayRedirect: a timestamp that is not the closest capture's: 302 to it
    if not wanted.startswith(closest.timestamp):
        return _redirect(closest, mode, base, now)
    # AP handleReplay: skip self-redirects and captures that fail to load, then
    # redirect to the next closest unless it has the asked timestamp too
    for c in order:
        if c.unplayable or c.self_redirect:
            continue
        if wanted.startswith(c.timestamp):
            return _memento(c, mode, base, group, accept_encoding, now)
        return _redirect(c, mode, base, now)
    return _error(404, "Not Found", "ResourceNotAvailableException: Self-Redirect: "
                  "No Closest Match Found", now, outcome="not-found")


def _error(status: int, reason: str, message: str, now: float,
           outcome: str = "bad-request") -> ReplayAnswer:
    body = (f"<!DOCTYPE html>\n<html><head><title>Wayback Machine</title></head><body>"
            f"<p>{html.escape(message)}</p></body></html>\n").encode()
    headers = _archive_headers(now) + [
        ("Content-Type", "text/html; charset=utf-8"),
        ("X-Archive-Wayback-Runtime-Error", message)] + _timing(status) + ARCHIVE_TAIL
    return ReplayAnswer(status, reason, headers, body, outcome=outcome)


def _redirect(c: Capture, mode: str, base: str, now: float) -> ReplayAnswer:
    """The archive's 302 to another capture (FACTS 2: CAS inexact timestamps; AP)."""
    headers = _archive_headers(now) + [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Location", f"{base}/web/{c.timestamp}{mode}/{c.original}"),
        ("X-Archive-Redirect-Reason", f"found capture at {c.timestamp}"),
    ] + _timing(302) + ARCHIVE_TAIL
    return ReplayAnswer(302, "FOUND", headers, b"", outcome="archive-redirect")


def _link(c: Capture, group: list[Capture], base: str) -> str:
    """Link: original, timemap, timegate, first/prev/memento/next/last (FACTS 2)."""
    ordered = sorted(group, key=lambda g: (g.timestamp, g.id))
    i = ordered.index(c)
    parts = [f'<{c.original}>; rel="original"',
             (f'<{base}/web/timemap/link/{c.original}>; rel="timemap"; '
              f'type="application/link-format"'),
             f'<{base}/web/{c.original}>; rel="timegate"']
    picks = [(ordered[0], "first"), (ordered[i - 1] if i > 0 else None, "prev"),
             (c, ""), (ordered[i + 1] if i + 1 < len(ordered) else None, "next"),
             (ordered[-1], "last")]
    rels: dict[int, list[str]] = {}
    shown: list[Capture] = []
    for m, word in picks:
        if m is None:
            continue
        if m.id not in rels:
            rels[m.id] = []
            shown.append(m)
        if word and word not in rels[m.id]:
            rels[m.id].append(word)
    for m in shown:
        rel = " ".join(rels[m.id] + ["memento"])
        parts.append(f'<{base}/web/{m.timestamp}/{m.original}>; rel="{rel}"; '
                     f'datetime="{http_date(m.timestamp)}"')
    return ", ".join(parts)


def _memento(c: Capture, mode: str, base: str, group: list[Capture],
             accept_encoding: str | None, now: float) -> ReplayAnswer:
    """The capture itself: status, headers passed or renamed, Location rewritten."""
    passed: list[tuple[str, str]] = []
    renamed: list[tuple[str, str]] = []
    for name, value in c.headers:
        lower = name.lower()
        if lower in PASSED:
            passed.append((name, value))
        elif lower != "location":  # RedirectRewritingHttpHeaderProcessor
            renamed.append((f"x-archive-orig-{lower}", value))
    body = c.body
    encoding = (c.header("Content-Encoding") or "").strip().lower()
    target = c.location()
    view = mode != "id_"
    if view and c.mimetype == "text/html" and not c.redirect:
        body, passed = _rewrite(c, body, encoding, base), [
            (k, v) for k, v in passed if k.lower() != "content-encoding"]
        encoding = ""
    # FACTS 2: uncompressed 200 text/html is gzipped by the archive when the client
    # accepts gzip (TUT); other answers and types go as stored
    if (c.status == 200 and c.mimetype == "text/html" and encoding in ("", "identity")
            and accepts_gzip(accept_encoding)):
        body = gzip.compress(body, compresslevel=6, mtime=0)
        passed = [(k, v) for k, v in passed if k.lower() != "content-encoding"]
        passed.append(("Content-Encoding", "gzip"))
    status, reason = c.status, c.reason or _phrase(c.status)
    location: list[tuple[str, str]] = []
    if target is not None:
        location = [("Location", f"{base}/web/{c.timestamp}{mode}/{target}")]
        if view and c.redirect:  # FACTS 2: view mode shows a captured redirect as a page
            status, reason = 200, "OK"
            body = _redirect_page(c, target, base).encode()
            passed = [("Content-Type", "text/html; charset=utf-8")]
            location = []
    headers = (_archive_headers(now) + passed + renamed + location
               + [("x-archive-src", f"standin/{c.payload_warc or c.warc}")]
               + _timing(c.status) + ARCHIVE_TAIL
               + [("memento-datetime", http_date(c.timestamp)), ("link", _link(c, group, base)),
                  ("content-security-policy", CSP), ("cache-control", "max-age=1800")])
    return ReplayAnswer(status, reason, headers, body, chunked=True, served=c)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _redirect_page(c: Capture, target: str, base: str) -> str:
    return (f"<!DOCTYPE html>\n<html><body><p>Got an HTTP {c.status} response at crawl time"
            f"</p><p>Redirecting to...</p><p><a href=\"{base}/web/{c.timestamp}/"
            f"{html.escape(target)}\">{html.escape(target)}</a></p></body></html>\n")


ATTR = re.compile(r"""(?P<pre>\b(?:href|src|action)\s*=\s*["'])(?P<url>[^"']*)""",
                  re.IGNORECASE)


def _rewrite(c: Capture, body: bytes, encoding: str, base: str) -> bytes:
    """A minimally rewritten page for the view mode: links into the archive, a banner."""
    if encoding == "gzip":
        try:
            body = gzip.decompress(body)
        except OSError:
            return body
    text = body.decode("latin-1")
    parts = urlsplit(c.original)
    root = f"{parts.scheme}://{parts.netloc}"

    def link(m: re.Match[str]) -> str:
        url = m.group("url")
        if url.startswith(("http://", "https://")):
            absolute = url
        elif url.startswith("/") and not url.startswith("//"):
            absolute = root + url
        elif url and not url.startswith(("#", "javascript:", "mailto:", "data:")):
            absolute = urljoin(c.original, url)
        else:
            return m.group(0)
        return f"{m.group('pre')}{base}/web/{c.timestamp}/{absolute}"

    text = ATTR.sub(link, text)
    banner = "<!-- BEGIN WAYBACK TOOLBAR INSERT --><!-- END WAYBACK TOOLBAR INSERT -->"
    m = re.search(r"<body[^>]*>", text, re.IGNORECASE)
    text = text[:m.end()] + banner + text[m.end():] if m else banner + text
    archived = time.strftime("%H:%M:%S %b %d, %Y", time.gmtime(_seconds(c.timestamp)))
    text += f"\n<!--\n     FILE ARCHIVED ON {archived} AND RETRIEVED FROM THE\n" \
            "     INTERNET ARCHIVE.\n-->\n"
    return text.encode("latin-1")
