"""Where a link in an archived page should point in the rendered site.

Every URL an archived page mentions resolves to one of:

* an archived page (the capture nearest in time to the linking page),
* an archived file (stylesheet, image, document),
* a local "not archived" page, for a URL on the old site that was never
  captured: the old domain now belongs to someone else, so no live link to it
  is ever written,
* an external link, marked as leaving the archive,
* a contact address (``mailto:``, ``tel:``, ``sms:``, ``callto:``), shown as text and
  marked, never as a link: it may reach a person today,
* nothing (``javascript:``, ``data:`` and other schemes that could run code).
"""

from __future__ import annotations

import bisect
import re
from calendar import timegm
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from archive.notices import CONTACT_SCHEMES

from .paths import CapturePaths, missing_path, split_url, timestamp14, url_key
from .store import BuildStore

# Hosts of the old site: the county's own domains. Links to any of these are
# internal even when the host was never crawled (chosen from the hosts seen in
# public captures: www., static., bare domain, yearly report sites).
SITE_DOMAINS = ("akershus.no", "akershus-fk.no")
# Schemes that write to or call someone: never a live link (an address from the
# archived page may reach a person today); shown as text, marked (kind "contact").
SAFE_SCHEMES = CONTACT_SCHEMES
MAX_REDIRECTS = 5
# A link (not an embedding) to an SVG file opens an archive page that shows it
# through <img>, where no script of the SVG's could run.
SVG_SUFFIX = ".svg"
VIEW_SUFFIX = ".html"
# Entries of each link cache: a page's menu links repeat on every page; a few
# hundred on the real site. Larger only costs memory once the archive is large.
LINK_CACHE = 2048
# data: URLs that may stay in an embedding context: they are inert there.
DATA_OK = ("image/", "font/", "application/font", "application/x-font")


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
    """A resolved link: ``kind`` is page, file, missing, external, keep, contact or drop."""

    kind: str
    path: str = ""  # site-relative path (page, file, missing)
    url: str = ""  # the absolute URL the link meant


@lru_cache(maxsize=LINK_CACHE)
def _join(base: str, ref: str) -> tuple[str, str]:
    url = urljoin(base, ref)
    return url, urlsplit(url).scheme.lower()


def _absolute(base: str, ref: str) -> tuple[str, str]:
    """``ref`` made absolute against ``base``, with its scheme; cached, because every
    page repeats the same menu links: a root-relative or absolute reference does not
    depend on the base's path, so those share one cache entry across pages."""
    if ref.startswith("/") or _HAS_NETLOC.match(ref):
        parts = urlsplit(base)
        return _join(f"{parts.scheme}://{parts.netloc}/", ref)
    return _join(base, ref)


_HAS_NETLOC = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_key = lru_cache(maxsize=LINK_CACHE)(url_key)


def _nearest(entries: list[tuple[int, str]], when: int) -> str:
    times = [t for t, _ in entries]
    i = bisect.bisect_left(times, when)
    best = min((j for j in (i - 1, i) if 0 <= j < len(entries)),
               key=lambda j: abs(entries[j][0] - when))
    return entries[best][1]


class LinkMap:
    """All captures by URL key, built before any page is rendered; kept in the build store."""

    def __init__(self, store: BuildStore) -> None:
        self.store = store
        self.hosts: set[str] = set()

    def add_page(self, url: str, captured_at: str, paths: CapturePaths) -> None:
        self.store.add_target("page", url_key(url), epoch(captured_at),
                              f"{paths.folder}/{paths.stem}")
        self.hosts.add(split_url(url).netloc.rsplit("@", 1)[-1].split(":")[0])

    def add_file(self, url: str, captured_at: str, path: str) -> None:
        self.store.add_target("file", url_key(url), epoch(captured_at), path)

    def add_redirect(self, url: str, captured_at: str, location: str) -> None:
        self.store.add_target("redirect", url_key(url), epoch(captured_at),
                              urljoin(url, location))

    def has_page(self, url: str) -> bool:
        return bool(self.store.targets("page", url_key(url)))

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
            url, scheme = _absolute(base, ref)
        except ValueError:
            return Target("drop", url=ref)
        if scheme in SAFE_SCHEMES and want != "file":
            return Target("contact", url=url)
        if scheme == "data" and want == "file" and url[5:].lower().startswith(DATA_OK):
            return Target("keep", url=url)
        if scheme not in ("http", "https"):
            return Target("drop", url=url)
        url = url.split("#", 1)[0]
        frag = ref.split("#", 1)[1] if "#" in ref else ""
        for _ in range(MAX_REDIRECTS):
            try:
                key = _key(url)
            except ValueError:
                return Target("drop", url=url)
            found = self._lookup(key, when, want)
            if found:
                return Target(found[0], found[1] + (f"#{frag}" if frag and want != "file"
                                                    else ""), url)
            redirects = self.store.targets("redirect", key)
            if redirects:
                url = _nearest(redirects, when)
                continue
            break
        if not self.is_internal(url):
            return Target("external", url=url)
        if want == "file":  # an embedded resource never gets a page of its own
            return Target("drop", url=url)
        path = self.store.add_missing(url, missing_path(url), base, when)
        return Target("missing", path, url)

    def _lookup(self, key: str, when: int, want: str) -> tuple[str, str] | None:
        for table in ("file",) if want == "file" else ("page", "file"):
            entries = self.store.targets(table, key)
            if not entries and table == "page" and "?" not in key and not key.endswith("/"):
                entries = self.store.targets(table, key + "/")  # the CMS served /x as /x/
            if not entries:
                continue
            found = _nearest(entries, when)
            if table == "file":
                if want != "file" and found.endswith(SVG_SUFFIX):
                    return "file", found + VIEW_SUFFIX  # a picture, shown through <img>
                return "file", found
            if want == "original":
                return "original", found + ".orig.html"
            return "page", found + ".html"
        return None
