"""The captures a Wayback Machine stand-in serves, read from WARC files, and its CDX lines.

Every ``response`` record is one capture; a ``revisit`` record is one capture whose
payload is that of the record it refers to. The listing then gets the variety the real
index has (see docs/wayback-facts.md, cited as FACTS section 1): URL variants of
one page under one urlkey, revisit rows for unchanged payloads, duplicate lines and
captures that cannot be played. Each such change is recorded on the capture, so tests
and benchmarks can know the truth the listing hides.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

logger = logging.getLogger(__name__)

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")

# Shares of the captures given each URL form (FACTS 1, `original` row: the real index
# lists `:80`, https, no-www and path-case forms of one page next to each other).
PORT80_SHARE = 0.15  # used only when no capture is dated 2014-2015
HTTPS_SHARE = 0.06
NO_WWW_SHARE = 0.06
PATH_CASE_SHARE = 0.05
DUPLICATE_SHARE = 0.03
PORT80_YEARS = ("2014", "2015")


def sha1_base32(data: bytes) -> str:
    """The CDX digest: base32 SHA-1 without the ``sha1:`` prefix (FACTS 1, output row)."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def urlkey(url: str, keep_slash: bool = False) -> str:
    """SURT of the IA-canonicalized URL (FACTS 1, urlkey row: internetarchive/surt).

    ``keep_slash`` is the canonicalizer a prefix query uses (``iaKeepSlashCanon`` in
    webarchive-commons UrlSurtRangeComputer).
    """
    if keep_slash:
        return surt.surt(url, path_strip_trailing_slash_unless_empty=False)
    return surt.surt(url)


@dataclass
class Capture:
    """One capture: what the archive stored, how it is listed, and what was done to it."""

    id: int
    target_uri: str  # WARC-Target-URI
    timestamp: str  # WARC-Date as 14 digits
    status: int
    reason: str
    headers: list[tuple[str, str]]  # the recorded HTTP headers, in order
    body: bytes  # the entity body: chunking removed, content coding kept
    warc: str  # file name of the record (x-archive-src)
    record_type: str = "response"  # or "revisit" (a WARC revisit record)
    chunked: bool = False  # the recorded response was Transfer-Encoding: chunked
    original: str = ""  # as listed (a URL variant, maybe)
    urlkey: str = ""
    transformation: str | None = None  # port80 | https | no-www | path-case
    revisit: str | None = None  # None | "warc" | "identical-payload"
    source: Capture | None = field(default=None, repr=False)  # the capture holding the payload
    declared_digest: str | None = None  # WARC-Payload-Digest, base32
    payload_warc: str = ""  # file of the payload record
    duplicate: bool = False  # listed twice
    unplayable: bool = False
    self_redirect: bool = False
    payload_sha1: str = ""
    length: int = 0
    head_length: int = 0

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    @property
    def mimetype(self) -> str:
        ctype = (self.header("Content-Type") or "").split(";")[0].strip().lower()
        return ctype or "unk"

    def fields(self) -> tuple[str, ...]:
        """The seven fields of its CDX line (FACTS 1: revisit rows and their digest)."""
        if self.revisit:
            return (self.urlkey, self.timestamp, self.original, "warc/revisit", "-",
                    self.payload_sha1, str(self.head_length))
        return (self.urlkey, self.timestamp, self.original, self.mimetype, str(self.status),
                self.payload_sha1, str(self.length))

    def location(self) -> str | None:
        """The Location header made absolute against the captured URL."""
        loc = self.header("Location")
        return None if loc is None else urljoin(self.original or self.target_uri, loc.strip())

    @property
    def redirect(self) -> bool:
        return 300 <= self.status < 400 and self.header("Location") is not None

    def summary(self) -> dict[str, Any]:
        """The capture as the control endpoint shows it (no payload bytes)."""
        return {
            "id": self.id, "urlkey": self.urlkey, "timestamp": self.timestamp,
            "original": self.original, "target_uri": self.target_uri,
            "transformation": self.transformation, "status": self.status,
            "mimetype": self.mimetype, "line": list(self.fields()),
            "revisit": self.revisit,
            "revisit_of": self.source.id if self.source is not None else None,
            "duplicate": self.duplicate, "unplayable": self.unplayable,
            "self_redirect": self.self_redirect, "payload_sha1": self.payload_sha1,
            "payload_length": len(self.body), "chunked": self.chunked,
            "content_encoding": self.header("Content-Encoding"), "warc": self.warc,
            "payload_warc": self.payload_warc, "record_type": self.record_type,
        }


@dataclass
class _Revisit:
    capture: Capture
    refers_uri: str | None
    refers_ts: str | None
    digest: str | None


def _timestamp(warc_date: str) -> str:
    digits = "".join(ch for ch in warc_date[:19] if ch.isdigit())
    return digits.ljust(14, "0")[:14]


def _digest_value(header: str | None) -> str | None:
    if not header:
        return None
    return header.split(":", 1)[-1].strip().upper()


def _entity(raw: bytes, chunked: bool) -> bytes:
    # warcio's de-chunker; content coding kept (decomp_type=None)
    return ChunkedDataReader(BytesIO(raw), decomp_type=None).read() if chunked else raw


def _head_bytes(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def read_warcs(paths: Iterable[Path | str]) -> list[Capture]:
    """Every response and (resolved) revisit record of the files, as captures."""
    captures: list[Capture] = []
    revisits: list[_Revisit] = []
    for path in map(Path, paths):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type not in ("response", "revisit"):
                    continue
                http = rec.http_headers
                uri = (rec.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
                if not uri.startswith(("http://", "https://")) or (
                        http is None and rec.rec_type == "response"):
                    continue
                headers = [(str(k), str(v)) for k, v in http.headers] if http else []
                te = (http.get_header("Transfer-Encoding") or "") if http else ""
                chunked = "chunked" in te.lower()
                code, _, reason = ((http.statusline if http else "") or "200 OK").partition(" ")
                raw = rec.raw_stream.read()
                cap = Capture(id=-1, target_uri=uri,
                              timestamp=_timestamp(rec.rec_headers.get_header("WARC-Date") or ""),
                              status=int(code) if code.isdigit() else 200, reason=reason.strip(),
                              headers=headers, body=_entity(raw, chunked), warc=path.name,
                              chunked=chunked)
                digest = _digest_value(rec.rec_headers.get_header("WARC-Payload-Digest"))
                if rec.rec_type == "response":
                    cap.payload_sha1, cap.payload_warc = sha1_base32(cap.body), path.name
                    cap.declared_digest = digest
                    captures.append(cap)
                else:
                    refers = rec.rec_headers.get_header("WARC-Refers-To-Date")
                    cap.record_type = "revisit"
                    revisits.append(_Revisit(
                        cap, rec.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                        _timestamp(refers) if refers else None, digest))
    _resolve_revisits(captures, revisits)
    return captures + [r.capture for r in revisits if r.capture.source is not None]


def _resolve_revisits(responses: list[Capture], revisits: list[_Revisit]) -> None:
    """Give each revisit the payload it refers to (FACTS 2: AP handleReplay,
    retrievePayloadForIdenticalContentRevisit: by refers-to URI and date, else digest)."""
    by_uri_ts = {(c.target_uri, c.timestamp): c for c in responses}
    by_digest: dict[str, Capture] = {}
    for c in responses:
        by_digest.setdefault(c.payload_sha1, c)
        if c.declared_digest:
            by_digest.setdefault(c.declared_digest, c)
    for r in revisits:
        source = None
        if r.refers_uri and r.refers_ts:
            source = by_uri_ts.get((r.refers_uri, r.refers_ts))
        if source is None and r.digest:
            source = by_digest.get(r.digest)
        if source is None:
            logger.warning("revisit of %s at %s: no record holds its payload, left out",
                           r.capture.target_uri, r.capture.timestamp)
            continue
        cap = r.capture
        cap.body, cap.payload_sha1 = source.body, source.payload_sha1
        cap.payload_warc, cap.revisit, cap.source = source.warc, "warc", source
        if not cap.headers:  # an old-style revisit without headers takes the original's
            cap.headers, cap.status, cap.reason = source.headers, source.status, source.reason


# --- URL forms ------------------------------------------------------------------------

def _with_port(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "http" or ":" in parts.netloc or not parts.hostname:
        return None
    return urlunsplit(parts._replace(netloc=parts.netloc + ":80"))


def _https(url: str) -> str | None:
    return "https://" + url[len("http://"):] if url.startswith("http://") else None


def _no_www(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.netloc.lower().startswith("www."):
        return None
    return urlunsplit(parts._replace(netloc=parts.netloc[4:]))


def _path_case(url: str) -> str | None:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for i, seg in enumerate(segments):
        if seg[:1].isalpha() and seg[:1].islower():
            segments[i] = seg[0].upper() + seg[1:]
            return urlunsplit(parts._replace(path="/".join(segments)))
    return None


TRANSFORMS = {"port80": _with_port, "https": _https, "no-www": _no_www, "path-case": _path_case}


@dataclass
class Index:
    """The captures, the sorted CDX lines and the captures of each urlkey."""

    captures: list[Capture]
    lines: list[tuple[str, Capture]] = field(default_factory=list)  # (line text, capture)
    by_key: dict[str, list[Capture]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # the line texts, for bisecting


def build_index(captures: list[Capture], seed: int = 0, variants: bool = True,
                unplayable_every: int = 17) -> Index:
    """Key, vary and sort the captures; deterministic for one seed."""
    for c in captures:
        c.original = c.target_uri
        c.urlkey = urlkey(c.target_uri)
        head = _head_bytes(c.status, c.reason, c.headers)
        c.head_length = len(gzip.compress(head, mtime=0)) + 300  # a small revisit record
        c.length = len(gzip.compress(head + c.body, compresslevel=1, mtime=0)) + 350
    captures.sort(key=lambda c: (c.urlkey, c.timestamp, c.target_uri, c.record_type))
    for i, c in enumerate(captures):
        c.id = i
    by_key: dict[str, list[Capture]] = defaultdict(list)
    for c in captures:
        by_key[c.urlkey].append(c)
    if variants:
        _vary(captures, by_key, random.Random(seed))
    for c in captures:  # AP isSelfRedirect: a 3xx to the same urlkey
        target = c.location()
        c.self_redirect = c.redirect and target is not None and urlkey(target) == c.urlkey
    if variants and unplayable_every > 0:
        _mark_unplayable(by_key, unplayable_every)
    lines: list[tuple[str, Capture]] = []
    for c in captures:
        text = " ".join(c.fields())
        lines += [(text, c)] * (2 if c.duplicate else 1)
    lines.sort(key=lambda item: item[0])
    return Index(captures=captures, lines=lines, by_key=dict(by_key),
                 texts=[text for text, _ in lines])


def _apply(c: Capture, name: str) -> bool:
    new = TRANSFORMS[name](c.original)
    if new is None or urlkey(new) != c.urlkey:  # the lookup by urlkey must still find it
        return False
    c.original, c.transformation = new, name
    return True


def _pick(rng: random.Random, pool: list[Capture], share: float, total: int) -> list[Capture]:
    if not pool:
        return []
    count = min(len(pool), max(1, round(share * total)))
    return rng.sample(pool, count)


def _vary(captures: list[Capture], by_key: dict[str, list[Capture]],
          rng: random.Random) -> None:
    total = len(captures)
    # 2014-2015 captures are listed with ":80" (FACTS 1: reddit 2014-2015 captures)
    dated = [c for c in captures if c.timestamp[:4] in PORT80_YEARS]
    chosen = dated if dated else _pick(rng, list(captures), PORT80_SHARE, total)
    for c in chosen:
        _apply(c, "port80")
    for name, share in (("https", HTTPS_SHARE), ("no-www", NO_WWW_SHARE),
                        ("path-case", PATH_CASE_SHARE)):
        pool = [c for c in captures if c.transformation is None
                and TRANSFORMS[name](c.original) is not None
                and urlkey(TRANSFORMS[name](c.original) or "") == c.urlkey]
        for c in _pick(rng, pool, share, total):
            _apply(c, name)
    # an unchanged payload is listed as a revisit row (FACTS 1: revisit rows)
    for group in by_key.values():
        for prev, cur in itertools.pairwise(group):
            if (cur.record_type == "response" and prev.status == cur.status == 200
                    and cur.payload_sha1 == prev.payload_sha1 and not cur.revisit):
                cur.revisit, cur.source = "identical-payload", prev.source or prev
                cur.payload_warc = prev.payload_warc
    # the same capture indexed twice (FACTS 1: exact duplicate lines)
    if total >= 3:
        for c in _pick(rng, list(captures), DUPLICATE_SHARE, total):
            c.duplicate = True


def _mark_unplayable(by_key: dict[str, list[Capture]], every: int) -> None:
    """Every ``every``-th capture of a urlkey with others is unplayable, if a playable
    one is left (FACTS 2: an unplayable capture redirects to the nearest playable one)."""
    count = 0
    for key in sorted(by_key):
        group = by_key[key]
        if len({c.timestamp for c in group}) < 2:
            continue
        for c in group:
            count += 1
            if count % every or c.self_redirect:
                continue
            others = [o for o in group if o is not c and not o.unplayable
                      and not o.self_redirect]
            if others:
                c.unplayable = True
