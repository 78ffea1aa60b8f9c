"""The CDX server API of a web archive: building listing queries, reading their answers.

Two servers speak it, with small differences this module hides:

- the Wayback Machine (``https://web.archive.org/cdx/search/cdx``) answers
  ``output=json`` with one JSON array: a header row of field names
  (``urlkey, timestamp, original, mimetype, statuscode, digest, length``),
  one row per capture and, with ``showResumeKey=true``, an empty row and a
  row holding the key for the next page (``resumeKey=``); with
  ``showNumPages=true`` it answers the number of pages for ``page=N``;
- pywb (``<collection>/cdx``) answers ``output=json`` with one JSON object
  per line (``url, mime, status, digest, length, ...``), ignores
  ``showResumeKey`` and (without a ZipNum index) ``showNumPages``, but
  honours ``limit``; it accepts the Wayback field names in ``filter``.

Plain CDXJ (``key timestamp {json}``) and space-separated CDX lines are read
too. Nothing here does I/O: the harvest spider fetches through Scrapy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

from archive.cdxj import url_key as cdxj_url_key

# Field names of the Wayback Machine's CDX API, and pywb's JSON names for them.
WAYBACK_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
PYWB_NAMES = {"url": "original", "mime": "mimetype", "status": "statuscode"}
# Space-separated CDX: the API's default 7 fields, or the 11 of a CDX file.
CDX11_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest",
                "redirect", "robotflags", "length", "offset", "filename")

WAYBACK_HOST = "web.archive.org"


class CdxError(ValueError):
    """The answer is not a CDX listing (an HTML error page, say)."""


@dataclass(frozen=True, slots=True)
class CdxCapture:
    """One line of a CDX listing: one capture of one URL."""

    urlkey: str
    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str = ""
    statuscode: str = ""
    digest: str = ""
    length: str = ""

    @property
    def warc_date(self) -> str:
        """The capture date as a WARC-Date (second precision: all the archive knows)."""
        t = self.timestamp.ljust(14, "0")
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"

    def replay_url(self, archive: str) -> str:
        """The raw replay (``id_``) URL: the capture's bytes, not the rewritten view."""
        return f"{archive.rstrip('/')}/{self.timestamp}id_/{self.original}"

    @property
    def sha1(self) -> str:
        """The digest as ``sha1:BASE32`` (the Wayback Machine omits the prefix)."""
        if not self.digest or self.digest == "-":
            return ""
        return self.digest if ":" in self.digest else f"sha1:{self.digest}"


@dataclass(slots=True)
class CdxPage:
    """What one answer of the CDX API holds."""

    captures: list[CdxCapture] = field(default_factory=list)
    resume_key: str | None = None
    num_pages: int | None = None


@dataclass(frozen=True, slots=True)
class CdxQuery:
    """A prefix listing of one archive's captures, with range and filters."""

    endpoint: str
    url_prefix: str
    from_ts: str = ""
    to_ts: str = ""
    filters: tuple[str, ...] = ()
    limit: int = 0  # lines per page (0: the whole listing in one answer)

    def url(self, resume_key: str | None = None, page: int | None = None,
            num_pages: bool = False) -> str:
        """The query URL; ``resume_key`` or ``page`` for the next page."""
        # CDX keys drop a path's trailing slash: ".../dir/" as a prefix would miss the
        # page ".../dir/" itself (key ".../dir"). Ask for ".../dir"; in_range() then
        # drops ".../dir-other/".
        params: list[tuple[str, str]] = [
            ("url", self.url_prefix.rstrip("/") if urlsplit(self.url_prefix).path.strip("/")
             else self.url_prefix), ("matchType", "prefix"), ("output", "json")]
        if self.from_ts:
            params.append(("from", self.from_ts))
        if self.to_ts:
            params.append(("to", self.to_ts))
        params += [("filter", f) for f in self.filters]
        if num_pages:
            params.append(("showNumPages", "true"))
        elif page is not None:
            params.append(("page", str(page)))
        elif self.limit:
            params += [("limit", str(self.limit)), ("showResumeKey", "true")]
            if resume_key:
                params.append(("resumeKey", resume_key))
        return f"{self.endpoint}?{urlencode(params)}"

    def in_prefix(self, capture: CdxCapture) -> bool:
        """True if the capture's URL lies under the prefix, judged by the archive's own key.

        The key is the SURT of the IA-canonical URL (internetarchive/surt, as the
        Wayback Machine and pywb file captures): scheme, ``www.``, a default port,
        case and a trailing slash make no difference, so ``http://www.akershus.no:80/A/``
        and ``https://akershus.no/a`` are one page. A prefix ending in ``/`` takes
        the page itself and what lies below it, not ``.../dir-other/``.
        """
        key = url_key(capture.original)
        prefix = url_key(self.url_prefix)
        if prefix.endswith(")/"):  # the site root: the whole host
            return key.startswith(prefix)
        if self.url_prefix.endswith("/"):
            return key == prefix or key.startswith((prefix + "/", prefix + "?"))
        return key.startswith(prefix)

    def in_dates(self, capture: CdxCapture) -> bool:
        """True if the capture date is in ``from``..``to``, as the CDX API reads them.

        ``to`` is inclusive at its own precision: ``to=2020`` keeps all of 2020.
        """
        ts = capture.timestamp
        if self.from_ts and ts < self.from_ts:
            return False
        return not (self.to_ts and ts > self.to_ts and not ts.startswith(self.to_ts))

    def in_range(self, capture: CdxCapture) -> bool:
        """True if the capture is one the query asked for (servers are not trusted to filter)."""
        return self.in_prefix(capture) and self.in_dates(capture)


# The archive's key of a URL: SURT of the IA-canonical form (``no,akershus)/a/b``), as
# the CDXJ index files it (archive/cdxj.py); a listing asks it of each line several times.
url_key = lru_cache(maxsize=65536)(cdxj_url_key)


def original_url(url: str) -> str:
    """A capture's URL as the site served it: the redundant default port dropped.

    Captures of 2014-2015 carry ``http://www.akershus.no:80/...`` in the CDX
    ``original`` (IA's crawlers wrote the port); the page is the one without it,
    as EDGI's client also reads them (``REDUNDANT_HTTP_PORT``).
    """
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        return url
    if port is None or port != default or parts.hostname is None:
        return url
    host = parts.netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def cdx_endpoint(archive: str) -> str:
    """The CDX API of a replay endpoint: the Wayback Machine's, or pywb's ``<collection>/cdx``."""
    parts = urlsplit(archive)
    if parts.hostname == WAYBACK_HOST:
        return f"{parts.scheme}://{parts.netloc}/cdx/search/cdx"
    return archive.rstrip("/") + "/cdx"


def timestamp_arg(value: str) -> str:
    """A CDX ``from``/``to`` value: 1 to 14 digits (``2019``, ``201906``, ``20190620081532``)."""
    digits = value.replace("-", "").replace(":", "").replace("T", "").replace(" ", "")
    digits = digits.rstrip("Z")
    if not digits.isdigit() or not 1 <= len(digits) <= 14:
        raise ValueError(f"{value!r} is not a timestamp - write 1 to 14 digits, "
                         "YYYYMMDDhhmmss, e.g. 2019 or 20190620")
    return digits


def _capture(values: dict[str, str]) -> CdxCapture | None:
    named = {PYWB_NAMES.get(k, k): v for k, v in values.items()}
    if not named.get("timestamp") or not named.get("original"):
        return None
    return CdxCapture(**{k: str(named.get(k, "") or "") for k in WAYBACK_FIELDS})


def _json_array(rows: list[list[str]]) -> CdxPage:
    page = CdxPage()
    if not rows:
        return page
    header = list(WAYBACK_FIELDS)
    start = 0
    if rows[0] and "timestamp" in rows[0] and ("original" in rows[0] or "url" in rows[0]):
        header, start = [str(x) for x in rows[0]], 1
    body = rows[start:]
    if len(body) >= 2 and body[-2] == [] and len(body[-1]) == 1:
        page.resume_key = str(body[-1][0])
        body = body[:-2]
    for row in body:
        if not row:
            continue
        capture = _capture(dict(zip(header, (str(v) for v in row))))
        if capture is not None:
            page.captures.append(capture)
    return page


def _lines(text: str) -> Iterator[tuple[CdxCapture | None, str]]:
    for line in text.splitlines():
        line = line.strip()
        if not line:
            yield None, ""
            continue
        if line.startswith("{"):
            yield _capture(json.loads(line)), line
            continue
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[2].startswith("{"):  # CDXJ
            values = json.loads(parts[2])
            values.setdefault("urlkey", parts[0])
            values.setdefault("timestamp", parts[1])
            yield _capture(values), line
            continue
        fields = line.split()
        names = CDX11_FIELDS if len(fields) == 11 else WAYBACK_FIELDS
        if len(fields) in (7, 11) and fields[1].isdigit():
            yield _capture(dict(zip(names, fields))), line
        else:
            yield None, line


def parse_cdx(body: bytes | str) -> CdxPage:
    """Read one answer of the CDX API, whichever server and output format gave it."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    stripped = text.strip()
    if not stripped:
        return CdxPage()
    if stripped.isdigit():  # showNumPages
        return CdxPage(num_pages=int(stripped))
    try:
        if stripped.startswith("["):
            rows = json.loads(stripped)
            if not isinstance(rows, list):
                raise CdxError("a JSON answer that is not a list of rows")
            return _json_array(rows)
        page = CdxPage()
        after_blank = False
        for capture, line in _lines(stripped):
            if capture is not None:
                page.captures.append(capture)
            elif not line:
                after_blank = True
            elif after_blank and " " not in line:  # text output: blank line, then the key
                page.resume_key = line
            elif line.startswith("<"):
                raise CdxError("an HTML page, not a CDX listing")
            else:
                raise CdxError(f"an unreadable CDX line: {line[:120]!r}")
        return page
    except json.JSONDecodeError as exc:
        raise CdxError(f"broken JSON in the CDX answer ({exc})") from None
