"""What a web archive's raw (``id_``) replay holds: the original exchange, and the archive's part.

A harvest records a capture under its original URL and date, so the ``response``
record should be what the site sent, as the archive preserved it, not the
archive's answer: readers and replay tools (pywb, ReplayWeb.page) take its status,
headers and payload for the site's. The Wayback Machine's answer differs from
the original in known ways (see docs/wayback-facts.md, section 2, and
internetarchive/wayback ``RedirectRewritingHttpHeaderProcessor``):

- the original headers come back renamed ``X-Archive-Orig-<Name>``, except
  ``Content-Type``, ``Content-Encoding``, ``Content-Disposition`` and
  ``Content-Range``, which pass through; every other header is the archive's
  own (``Date``, ``Server``, ``Memento-Datetime``, ``Link``, ``x-archive-src``...);
- the body comes re-chunked by the archive (``Transfer-Encoding: chunked``);
- a captured redirect's ``Location`` is rewritten into the archive
  (``https://web.archive.org/web/<ts>id_/<target>``).

:func:`original_exchange` undoes exactly these. pywb's ``id_`` replay passes the
original headers under their own names; then only the memento headers it adds
(``Memento-Datetime``, ``Link``) and its framing are the archive's. The archive's
answer head, exactly as received, is kept in the ``metadata`` record beside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

ORIG_PREFIX = "x-archive-orig-"
# Added by any memento-compliant archive (RFC 7089), pywb included.
MEMENTO_HEADERS = frozenset({"memento-datetime", "link"})
# Framing of the archive's own answer: never the original's.
FRAMING = frozenset({"transfer-encoding", "content-length", "connection", "keep-alive"})
# Headers the Wayback Machine adds to a replay (docs/wayback-facts.md, section 2); an answer
# carrying ``x-archive-src`` is the Wayback Machine's, and its policy and cache
# headers are its own too (the original's come renamed).
WAYBACK_OWN = frozenset({
    "x-archive-src", "server-timing", "x-app-server", "x-ts", "x-tr", "x-location",
    "x-page-cache", "x-rl", "x-na", "x-nid", "x-archive-redirect-reason",
    "x-archive-wayback-runtime-error", "x-archive-guessed-content-type",
    "x-archive-guessed-charset", "x-archive-guessed-encoding",
})
WAYBACK_POLICY = frozenset({"permissions-policy", "referrer-policy", "content-security-policy",
                            "cache-control"})
# A replay URL inside a Location: <archive>/<14-digit timestamp><mode>_/<original URL>.
REPLAY_IN_URL = re.compile(r"/(\d{1,14})(?:[a-z]{2}_)?/((?:https?:)?//.*|https?:/[^/].*)$",
                           re.IGNORECASE)


@dataclass
class Original:
    """The capture as the site sent it, as far as the archive preserved it."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    # the archive's own headers (in its answer, not the site's), in order
    added: list[tuple[str, str]] = field(default_factory=list)
    # a captured redirect's Location before the archive's prefix was removed
    rewritten_location: str = ""

    def head(self, protocol: str = "HTTP/1.1") -> bytes:
        """The HTTP head of the response record: status line, headers, blank line."""
        lines = [f"{protocol} {self.status} {self.reason}".rstrip()]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def decoded_by_archive(headers: list[tuple[str, str]]) -> str:
    """The original's content coding when the archive decoded it for us, else "".

    pywb decodes a gzip original for a client that does not accept gzip and says
    so with ``X-Archive-Orig-Content-Encoding``; the bytes are then not the
    original's. Asked again accepting that coding, it sends them as stored.
    """
    names = {name.lower(): value for name, value in headers}
    if "content-encoding" in names:
        return ""
    coding = names.get(ORIG_PREFIX + "content-encoding", "").strip()
    return "" if coding.lower() in ("", "identity") else coding


def replay_parts(url: str) -> tuple[str, str] | None:
    """(timestamp, original URL) of a replay URL ``<archive>/<ts><mode>_/<url>``, else None."""
    parts = urlsplit(url)
    found = REPLAY_IN_URL.search(urlunsplit(("", "", parts.path, parts.query, parts.fragment)))
    if not found:
        return None
    target = found.group(2)
    if target.startswith("//"):
        target = "http:" + target
    elif re.match(r"https?:/[^/]", target, re.IGNORECASE):  # a slash folded by a proxy
        scheme, _, rest = target.partition(":/")
        target = f"{scheme}://{rest}"
    return found.group(1), target


def unrewrite_location(location: str) -> str:
    """A captured redirect's target, with the archive's replay prefix removed."""
    found = replay_parts(location)
    return found[1] if found else location


def original_exchange(status: int, reason: str, headers: list[tuple[str, str]],
                      body: bytes) -> Original:
    """The original exchange in an archive's raw replay answer (status, headers, entity body).

    ``body`` is the answer's entity body: the archive's chunking already undone.
    A header renamed ``X-Archive-Orig-<Name>`` is the original's (and an unprefixed
    ``<Name>`` beside it is the archive's own: its ``Date``, its ``Server``); the
    memento headers, the archive's framing, a ``Content-Location`` into the
    archive and the Wayback Machine's own headers are the archive's; the rest
    passed through (pywb passes most original headers under their own names).
    The original framing is not restored: the body is no longer chunked, so the
    record says ``Content-Length`` of the body it holds.
    """
    names = {name.lower() for name, _ in headers}
    renamed = {n[len(ORIG_PREFIX):] for n in names if n.startswith(ORIG_PREFIX)}
    wayback = "x-archive-src" in names
    kept: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    rewritten = ""
    for name, value in headers:
        low = name.lower()
        if low.startswith(ORIG_PREFIX):
            original = name[len(ORIG_PREFIX):]
            if original.lower() in FRAMING:
                added.append((name, value))  # the original's framing: the body is re-framed
                continue
            kept.append((original, value))
        elif low == "location" and 300 <= status < 400:
            # the capture's own redirect (the Wayback Machine sends no X-Archive-Orig-Location)
            target = unrewrite_location(value)
            if target != value:
                rewritten = value
            kept.append((name, target))
        elif (low in FRAMING or low in MEMENTO_HEADERS or low in renamed
              or low in WAYBACK_OWN or (wayback and low in WAYBACK_POLICY)
              or (low == "content-location" and REPLAY_IN_URL.search(value))):
            added.append((name, value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(len(body))))
    return Original(status, reason, kept, body, added, rewritten)
