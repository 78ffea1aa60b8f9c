"""URL -> file name in the rendered site: deterministic, safe, collision-free.

An archived URL becomes a folder under ``pages/`` (HTML captures) or ``files/``
(stylesheets, images, documents; a document record's reading view goes to the same
folder under ``documents/``); each capture is a file in that folder named
for its capture time and scheme::

    http://www.akershus.no/a/b%3F/?n=1  captured 2020-09-14T10:42:07Z
    -> pages/www.akershus.no/a/b~253f/~/~qn~3d1/20200914104207-http.html

Why the encoding looks the way it does:

* The raw URL as captured is encoded, never a decoded one: ``%3F`` (a literal
  question mark in a segment) and ``?`` (a query) are different resources.
* Every byte outside ``[a-z0-9_-]`` becomes ``~xx`` (lower-case hex), so the
  output holds no ``/``, ``\\``, ``.``, NUL or upper-case letter: nothing can
  climb out of the site folder, and names differing only in case (``A`` vs
  ``a``) stay apart on case-insensitive file systems.
* ``~`` followed by something other than two hex digits is a marker: ``~``
  alone is an empty segment (a trailing slash), ``~q`` starts the query,
  ``~h`` a hash that stands in for a long tail. The encoding can therefore be
  read back unambiguously, which is what makes it collision-free.
* Windows device names (CON, NUL, COM1...) get their first letter escaped.
* Segments longer than ``MAX_SEGMENT`` keep a readable prefix plus a 96-bit
  hash; a folder path longer than ``MAX_DIR`` collapses to a hash of the URL.

Captures of one URL over http and https share a folder (they are captures of
the same page over time) but never a file: the scheme is in the file name.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

# Chosen so that a full capture path stays under 255 bytes per name and well
# under Windows' 260-character path limit for typical site folders.
MAX_SEGMENT = 80
MAX_DIR = 200
_HASH_HEX = 24  # 96 bits

_SAFE_SEGMENT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_SAFE_HOST = _SAFE_SEGMENT | {"."}
_HEX = "0123456789abcdefABCDEF"
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(10)]
    + [f"lpt{i}" for i in range(10)]
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}

# Extensions a copied file may carry, by content type. Anything a browser could
# run as a document with script (HTML, XML with stylesheets, JS) is not here.
CONTENT_TYPE_EXT = {
    "text/css": ".css",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "image/x-icon": ".ico",
    "image/vnd.microsoft.icon": ".ico",
    "application/pdf": ".pdf",
    "font/woff": ".woff",
    "font/woff2": ".woff2",
    "application/font-woff": ".woff",
    "font/ttf": ".ttf",
    "font/otf": ".otf",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/zip": ".zip",
}
_URL_EXT = frozenset(CONTENT_TYPE_EXT.values())


def _h(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_HEX]


def _escape(text: str, safe: frozenset[str]) -> str:
    out = []
    for ch in text:
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"~{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _unreserve(name: str) -> str:
    """Escape the first letter of a Windows device name (``con`` -> ``~63on``)."""
    if name.split(".")[0] in _RESERVED:
        return f"~{ord(name[0]):02x}{name[1:]}"
    return name


def _shorten(encoded: str, raw: str) -> str:
    if len(encoded) <= MAX_SEGMENT:
        return encoded
    prefix = encoded[: MAX_SEGMENT - _HASH_HEX - 2]
    cut = prefix.rfind("~")
    if cut >= len(prefix) - 2:  # do not split an escape
        prefix = prefix[:cut]
    return f"{prefix}~h{_h(raw)}"


def _normalize_pct(text: str) -> str:
    """Upper-case percent-escapes: ``%3f`` and ``%3F`` are the same (RFC 3986 6.2.2.1)."""
    return _PCT.sub(lambda m: "%" + m.group(1).upper(), text)


def _encode_raw(raw: str) -> str:
    # A percent-escape keeps its hex readable: "%3F" -> "~253f". Unambiguous,
    # since a "%" followed by two hex digits is always an escape.
    raw = _normalize_pct(raw)
    out = []
    i = 0
    while i < len(raw):
        pair = raw[i + 1 : i + 3]
        if raw[i] == "%" and len(pair) == 2 and all(c in _HEX for c in pair):
            out.append("~25" + pair.lower())
            i += 3
        else:
            out.append(_escape(raw[i], _SAFE_SEGMENT))
            i += 1
    return "".join(out)


def encode_segment(raw: str) -> str:
    """One raw path segment -> one safe folder name (never empty, ``.`` or ``..``)."""
    if raw == "":
        return "~"
    return _shorten(_unreserve(_encode_raw(raw)), raw)


def encode_host(netloc: str) -> str:
    """A URL's authority -> a safe folder name; host case is folded (hosts are case-free)."""
    userinfo, at, hostport = netloc.rpartition("@")
    text = (userinfo + at if at else "") + hostport.lower()
    enc = _escape(text, _SAFE_HOST)
    if enc.startswith("."):
        enc = "~2e" + enc[1:]
    if enc.endswith("."):  # Windows drops a trailing dot
        enc = enc[:-1] + "~2e"
    enc = enc.replace("..", ".~2e")
    return _shorten(_unreserve(enc or "~"), text)


@dataclass(frozen=True)
class UrlParts:
    """A captured URL split the way the archive files it."""

    scheme: str
    netloc: str  # lower-case host, default port dropped
    path: str  # raw, percent-escapes upper-cased, "/" when empty
    query: str | None  # None: no "?" at all; "": a bare "?"

    @property
    def key(self) -> str:
        """Scheme-free identity: captures over http and https are one page's history."""
        q = "" if self.query is None else "?" + self.query
        return f"{self.netloc}{self.path}{q}"


def split_url(url: str) -> UrlParts:
    """Split an absolute http(s) URL; raise ValueError for anything else."""
    url = url.split("#", 1)[0]
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    userinfo, at, hostport = parts.netloc.rpartition("@")
    hostport = hostport.lower()
    host, colon, port = hostport.rpartition(":")
    if colon and port == _DEFAULT_PORTS[scheme]:  # http://x:80/ is http://x/
        hostport = host
    netloc = (userinfo + at if at else "") + hostport
    has_query = "?" in url
    query = _normalize_pct(parts.query) if has_query else None
    return UrlParts(scheme, netloc, _normalize_pct(parts.path) or "/", query)


def url_key(url: str) -> str:
    """The grouping key of a URL (see ``UrlParts.key``)."""
    return split_url(url).key


def url_dir(parts: UrlParts) -> str:
    """The folder (relative to ``pages/`` or ``files/``) that holds a URL's captures."""
    host = encode_host(parts.netloc)
    segs = [encode_segment(s) for s in parts.path.split("/")[1:]]
    if parts.query is not None:
        segs.append(_shorten("~q" + _encode_raw(parts.query), "?" + parts.query))
    rel = "/".join([host, *segs])
    if len(rel) > MAX_DIR:
        rel = f"{host}/~h{_h(parts.key)}"
    return rel


def timestamp14(captured_at: str) -> str:
    """ISO 8601 capture time -> ``YYYYMMDDhhmmss`` in UTC (the Memento/Wayback form)."""
    dt = datetime.fromisoformat(captured_at)
    if dt.tzinfo is None:  # a WARC-Date is UTC even when it does not say so
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def capture_stem(url: str, captured_at: str, salt: str = "") -> str:
    """File stem of one capture: time and scheme, plus a hash when ``salt`` is given.

    The builder passes a salt (the record id) only when two captures of one URL
    share a second and a scheme.
    """
    try:
        ts = timestamp14(captured_at)
    except ValueError:
        ts = "t" + _h(captured_at)[:14]
    stem = f"{ts}-{split_url(url).scheme}"
    return f"{stem}-{_h(salt)[:8]}" if salt else stem


@dataclass(frozen=True)
class CapturePaths:
    """Where one HTML capture's files live, relative to the site root (POSIX)."""

    folder: str
    stem: str

    @property
    def page(self) -> str:
        return f"{self.folder}/{self.stem}.html"

    @property
    def original(self) -> str:
        return f"{self.folder}/{self.stem}.orig.html"

    @property
    def record(self) -> str:
        return f"{self.folder}/{self.stem}.json"

    @property
    def captures(self) -> str:
        return f"{self.folder}/index.html"


def capture_paths(url: str, captured_at: str, salt: str = "") -> CapturePaths:
    """Paths of an archived HTML page capture."""
    return CapturePaths("pages/" + url_dir(split_url(url)), capture_stem(url, captured_at, salt))


def document_paths(url: str, captured_at: str, salt: str = "") -> CapturePaths:
    """Paths of a document record's reading view (``.html``) and JSON record (``.json``).

    They live under ``documents/``, in the folder the document's URL gives, named
    for its capture like a page's; the file itself stays under ``files/``.
    """
    return CapturePaths("documents/" + url_dir(split_url(url)),
                        capture_stem(url, captured_at, salt))


def file_ext(url: str, content_type: str) -> str:
    """A safe extension for a copied file: from its content type, else its URL, else .bin."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype in CONTENT_TYPE_EXT:
        return CONTENT_TYPE_EXT[ctype]
    suffix = PurePosixPath(split_url(url).path).suffix.lower()
    return suffix if suffix in _URL_EXT else ".bin"


def file_path(url: str, captured_at: str, content_type: str, salt: str = "") -> str:
    """Path of a copied non-HTML capture (stylesheet, image, document)."""
    stem = capture_stem(url, captured_at, salt)
    return f"files/{url_dir(split_url(url))}/{stem}{file_ext(url, content_type)}"


def missing_path(url: str) -> str:
    """The "not archived" page for a URL that was linked but never captured."""
    return f"missing/{_h(url)}.html"


def relative(from_page: str, to_path: str) -> str:
    """Relative URL from one site file to another (both site-relative POSIX paths)."""
    if to_path == from_page:
        return PurePosixPath(to_path).name
    src = from_page.split("/")[:-1]
    dst = to_path.split("/")
    i = 0
    while i < len(src) and i < len(dst) - 1 and src[i] == dst[i]:
        i += 1
    return "/".join([".."] * (len(src) - i) + dst[i:])


def inside(root: Path, rel: str) -> Path:
    """Join ``rel`` to ``root``, refusing anything that could land outside ``root``.

    Defence in depth: the names made above never hold ``..`` or a separator,
    but a user template or a future caller might. Checked on the string, so it
    costs no system call per file.
    """
    norm = posixpath.normpath(rel)
    if (not rel or "\\" in rel or "\x00" in rel or norm.startswith(("/", "../"))
            or norm in (".", "..") or ":" in rel.split("/", 1)[0]):
        raise ValueError(f"path escapes the site folder: {rel!r}")
    return root / norm
