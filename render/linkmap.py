"""Where a link in an archived page should point in the rendered site.

Every URL an archived page mentions resolves to one of:

* an archived page (the capture nearest in time to the linking page),
* an archived file (stylesheet, image, document),
* a local "not archived" page, for a URL on the old site that was never
  captured: the old domain now belongs to someone else, so no live link to it
  is ever written,
* an external link, marked as leaving the archive,
* nothing (``javascript:``, ``data:`` and other schemes that could run code).
"""

from __future__ import annotations

import bisect
from calendar import timegm
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .paths import CapturePaths, missing_path, split_url, timestamp14, url_key

# Hosts of the old site: the county's own domains. Links to any of these are
# internal even when the host was never crawled (chosen from the hosts seen in
# public captures: www., static., bare domain, yearly report sites).
SITE_DOMAINS = ("akershus.no", "akershus-fk.no")
# Schemes that navigate elsewhere without running anything in the page.
SAFE_SCHEMES = ("mailto", "tel")
MAX_REDIRECTS = 5
# data: URLs that may stay in an embedding context: they are inert there.
_DATA_OK = ("image/", "font/", "application/font", "application/x-font")


def is_site_host(hostname: str | None) -> bool:
    h = (hostname or "").lower().rstrip(".")
    return any(h == d or h.endswith("." + d) for d in SITE_DOMAINS)


def epoch(captured_at: str) -> int:
    """Capture time as an integer that sorts and subtracts like seconds."""
    try:
        ts = timestamp14(captured_at)
    except ValueError:
        return 0
    return timegm((int(ts[:4]), int(ts[4:6]), int(ts[6:8]), int(ts[8:10]), int(ts[10:12]),
                   int(ts[12:14]), 0, 0, 0))


@dataclass(frozen=True)
class Target:
    """A resolved link: ``kind`` is page, file, missing, external, keep or drop."""

    kind: str
    path: str = ""  # site-relative path (page, file, missing)
    url: str = ""  # the absolute URL the link meant


def _nearest(entries: list[tuple[int, str]], when: int) -> str:
    times = [t for t, _ in entries]
    i = bisect.bisect_left(times, when)
    best = min((j for j in (i - 1, i) if 0 <= j < len(entries)),
               key=lambda j: abs(entries[j][0] - when))
    return entries[best][1]


class LinkMap:
    """All captures by URL key, built before any page is rendered."""

    def __init__(self) -> None:
        self._pages: dict[str, list[tuple[int, str]]] = {}  # key -> [(epoch, folder/stem)]
        self._files: dict[str, list[tuple[int, str]]] = {}
        self._redirects: dict[str, list[tuple[int, str]]] = {}
        self.missing: dict[str, str] = {}  # URL -> missing page path
        self.hosts: set[str] = set()

    def add_page(self, url: str, captured_at: str, paths: CapturePaths) -> None:
        self._add(self._pages, url, captured_at, f"{paths.folder}/{paths.stem}")
        self.hosts.add(split_url(url).netloc.rsplit("@", 1)[-1].split(":")[0])

    def add_file(self, url: str, captured_at: str, path: str) -> None:
        self._add(self._files, url, captured_at, path)

    def add_redirect(self, url: str, captured_at: str, location: str) -> None:
        self._add(self._redirects, url, captured_at, urljoin(url, location))

    @staticmethod
    def _add(table: dict[str, list[tuple[int, str]]], url: str, captured_at: str,
             value: str) -> None:
        entries = table.setdefault(url_key(url), [])
        bisect.insort(entries, (epoch(captured_at), value))

    def has_page(self, url: str) -> bool:
        return url_key(url) in self._pages

    def is_internal(self, url: str) -> bool:
        host = urlsplit(url).hostname
        return is_site_host(host) or (host or "").lower() in self.hosts

    def resolve(self, ref: str, base: str, when: int, want: str = "page") -> Target:
        """Resolve ``ref`` (as written in a page at ``base``, captured ``when``).

        ``want`` is ``page`` (a link), ``original`` (a link in the original view)
        or ``file`` (an embedded resource: image, stylesheet, font).
        """
        ref = ref.strip().replace("\t", "").replace("\n", "").replace("\r", "")
        if ref.startswith("#"):
            return Target("keep", url=ref)
        try:
            url = urljoin(base, ref)
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return Target("drop", url=ref)
        if scheme in SAFE_SCHEMES and want != "file":
            return Target("keep", url=url)
        if scheme == "data" and want == "file" and url[5:].lower().startswith(_DATA_OK):
            return Target("keep", url=url)
        if scheme not in ("http", "https"):
            return Target("drop", url=url)
        url = url.split("#", 1)[0]
        frag = ref.split("#", 1)[1] if "#" in ref else ""
        for _ in range(MAX_REDIRECTS):
            try:
                key = url_key(url)
            except ValueError:
                return Target("drop", url=url)
            found = self._lookup(key, when, want)
            if found:
                return Target(found[0], found[1] + (f"#{frag}" if frag and want != "file"
                                                    else ""), url)
            if key in self._redirects:
                url = _nearest(self._redirects[key], when)
                continue
            break
        if not self.is_internal(url):
            return Target("external", url=url)
        if want == "file":  # an embedded resource never gets a page of its own
            return Target("drop", url=url)
        path = self.missing.setdefault(url, missing_path(url))
        return Target("missing", path, url)

    def _lookup(self, key: str, when: int, want: str) -> tuple[str, str] | None:
        for table in (self._files,) if want == "file" else (self._pages, self._files):
            entries = table.get(key)
            if not entries and table is self._pages and "?" not in key and not key.endswith("/"):
                entries = table.get(key + "/")  # the legacy CMS served /x as /x/
            if not entries:
                continue
            found = _nearest(entries, when)
            if table is self._files:
                return "file", found
            if want == "original":
                return "original", found + ".orig.html"
            return "page", found + ".html"
        return None
