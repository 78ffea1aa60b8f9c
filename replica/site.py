"""The replica site: assembles pages from sources and answers requests with exact bytes.

``render_response`` is a pure function of the request (method, raw target,
Host, headers, era): the server writes exactly these bytes, so a test can
compare a crawler's record with what was sent. The site is built from page
sources (hand-written content, generated press releases); a synthetic page
generator for benchmarks can be added as one more source. Pages are rendered
in the markup generation of the era (``replica/generations.py`` for the
older ones, ``replica/templates.py`` for the CMS).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from . import generations, templates
from .calendar import CALENDAR_PATH, calendar_page
from .eras import DEFAULT_ERA, era_config
from .markup import load_content_pages
from .model import (
    BARE_HOST,
    STATIC_HOST,
    WWW_HOST,
    WWW_ORIGIN,
    Page,
    PageSource,
    Resource,
)
from .press import LISTING, press_pages
from .requisites import requisites
from .wire import Response, frame, gzip_bytes

Headers = Mapping[str, str] | Sequence[tuple[str, str]]


def content_pages(era: str) -> list[Page]:
    """Page source: the hand-written pages, in the era's variant of era-tagged pages."""
    return load_content_pages(era_config(era).content_variant)


DEFAULT_SOURCES: tuple[PageSource, ...] = (content_pages, press_pages)
ROBOTS_DISALLOWED = ("/sok/", "/intranett/")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "")
REDIRECTS: dict[tuple[str, str], str] = {
    (WWW_HOST, "/english/responsibilites/"): "/english/areas-of-responsibility/",
    (WWW_HOST, "/tannhelse/"): "/ansvarsomrader/tannhelse/",
}
# The seed page's path with %3F decoded: a different resource (a path plus a query), 404.
DECODED_SEED = "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt?/internasjonal-strategi/"
IIS = "Microsoft-IIS/8.5"
PAGE_SIZE = 10
_PCT = re.compile(r"%[0-9a-fA-F]{2}")


def header_value(headers: Headers, name: str) -> str | None:
    """Case-insensitive lookup in a mapping or a list of pairs (first match)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name.lower():
            return value
    return None


def accepts_gzip(headers: Headers) -> bool:
    for token in (header_value(headers, "Accept-Encoding") or "").split(","):
        coding, _, params = token.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def normalise_path(path: str) -> str:
    """Upper-case percent-escapes (``%3f`` -> ``%3F``) but never decode them."""
    return _PCT.sub(lambda m: m[0].upper(), path)


def split_target(raw_target: str, host: str | None) -> tuple[str, str, str]:
    """(host, path, query) from a raw request-target; absolute-form carries its own host."""
    if raw_target.startswith(("http://", "https://")):
        parts = urlsplit(raw_target)
        return parts.netloc, parts.path or "/", parts.query
    path, _, query = raw_target.partition("?")
    return host or "", path, query


def site_host(host: str) -> str:
    """Which of the replica's hosts a Host header names ("" for a foreign host)."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name.split("]")[0] + "]"
    else:
        name = name.split(":")[0]
    if name in (WWW_HOST, *LOCAL_HOSTS):
        return WWW_HOST
    if name in (BARE_HOST, STATIC_HOST):
        return name
    return ""


def listing_target(offset: int, limit: int = PAGE_SIZE) -> str:
    """The press listing URL as the site links it (first page without a query)."""
    if offset == 0 and limit == PAGE_SIZE:
        return LISTING
    return f"{LISTING}?n_lim={limit}&n_po={offset}"


class Site:
    """All pages and resources of one era, with routing to ``Response`` objects."""

    def __init__(self, era: str = DEFAULT_ERA, sources: Sequence[PageSource] = DEFAULT_SOURCES):
        self.era = era_config(era)
        self.pages: dict[str, Page] = {}
        for source in sources:
            for page in source(self.era.era):
                if page.template == "annual-report" and not self.era.has_annual_report:
                    continue
                self.pages[page.path] = self._with_defaults(page)
        self.news: list[Page] = sorted(
            (p for p in self.pages.values() if p.template == "news"),
            key=lambda p: p.date, reverse=True)
        self.resources: dict[tuple[str, str], Resource] = {
            (r.host, r.path): r for r in (*requisites(), *generations.requisites(self.era))}
        sitemap = Resource(WWW_HOST, "/sitemap.xml", "text/xml; charset=utf-8",
                           self._sitemap(), "sitemap", gzip=True)
        self.resources[(WWW_HOST, sitemap.path)] = sitemap
        self.nav = templates.Nav(titles=self._titles(), children=self._children(),
                                 news=tuple(self.news), news_listing=LISTING)
        self._html: dict[str, bytes] = {}

    # -- assembly ---------------------------------------------------------
    def _with_defaults(self, page: Page) -> Page:
        page = replace(page, charset=generations.charset(self.era.generation, page))
        disallowed = page.path.startswith(ROBOTS_DISALLOWED)
        gzip = page.gzip or (page.path.startswith("/ansvarsomrader/") and page.charset == "utf-8")
        in_sitemap = page.in_sitemap and not disallowed
        return replace(page, robots_disallowed=disallowed, gzip=gzip, in_sitemap=in_sitemap)

    def _titles(self) -> dict[str, str]:
        return {path: page.short_title for path, page in self.pages.items()}

    def _children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {}
        for path, page in self.pages.items():
            if not page.linked or page.template == "news" or path == "/":
                continue
            parent = templates.ancestors(path)[-1] if templates.ancestors(path) else "/"
            kids.setdefault(parent, []).append(path)
        return {k: tuple(v) for k, v in kids.items()}

    def _sitemap(self) -> bytes:
        urls = []
        for page in self.pages.values():
            if page.in_sitemap:
                lastmod = page.date or _iso(page.modified or page.published) or "2019-11-04"
                urls.append(f"<url><loc>{WWW_ORIGIN}{page.path}</loc>"
                            f"<lastmod>{lastmod}</lastmod></url>")
        body = "\n".join(urls)
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{body}\n</urlset>\n").encode()

    # -- rendering --------------------------------------------------------
    def page_html(self, page: Page, extra: str = "", body_class: str = "") -> bytes:
        generation = self.era.generation
        if generation != "cms":
            charset = generations.charset(generation, page)
            text = generations.render(page, self.nav, self.era, extra=extra)
            return text.encode(charset, errors="xmlcharrefreplace")
        if page.template == "annual-report":
            text = templates.render_annual_report(page, self.nav, self.era)
        else:
            text = templates.render_article(page, self.nav, self.era, extra=extra,
                                            body_class=body_class)
        return text.encode(page.charset)

    def _cached_html(self, page: Page) -> bytes:
        if page.path not in self._html:
            self._html[page.path] = self.page_html(page)
        return self._html[page.path]

    def listing_pager(self, query: str) -> templates.Pager:
        """The press listing page a query asks for (``n_lim`` items from ``n_po``)."""
        params = parse_qs(query)
        limit = _int_param(params, "n_lim", PAGE_SIZE, 1, 100)
        offset = _int_param(params, "n_po", 0, 0, 10**6)
        items = self.news[offset:offset + limit]
        total = len(self.news)
        prev = listing_target(max(0, offset - limit), limit) if offset > 0 else None
        pages = tuple((number, None if start == offset else listing_target(start, limit))
                      for number, start in enumerate(range(0, total, limit), start=1))
        nxt = listing_target(offset + limit, limit) if offset + limit < total else None
        shown = f"Viser {offset + 1}–{min(total, offset + limit)} av {total} pressemeldinger"
        if not items:
            shown = f"Ingen pressemeldinger her. Arkivet har {total} pressemeldinger."
        return templates.Pager(items=items, shown=shown, prev=prev, pages=pages, next=nxt)

    def listing_html(self, query: str) -> bytes:
        pager = self.listing_pager(query)
        if self.era.generation != "cms":
            extra = generations.render_listing(self.era.generation, pager)
            return self.page_html(self.pages[LISTING], extra=extra)
        extra = templates.render_listing(pager)
        return self.page_html(self.pages[LISTING], extra=extra, body_class="page-article page-list")

    # -- routing ----------------------------------------------------------
    def respond(self, method: str, raw_target: str, host: str | None,
                headers: Headers = (), *, version: str = "HTTP/1.1") -> Response:
        """Route one request to a ``Response`` (not yet framed)."""
        host_header, path, query = split_target(raw_target, host)
        which = site_host(host_header)
        gz = accepts_gzip(headers)
        if which == "":
            return self._foreign(host_header)
        if which == BARE_HOST:
            return self._redirect(f"{WWW_ORIGIN}{path}" + (f"?{query}" if query else ""))
        path = normalise_path(path)
        if method not in ("GET", "HEAD", "POST"):
            resp = self._not_found(path, status=405)
            resp.headers.insert(1, ("Allow", "GET, HEAD, POST"))
            return resp
        if (which, path) in REDIRECTS:
            return self._redirect(REDIRECTS[(which, path)])
        if (which, path) in self.resources:
            return self._resource(self.resources[(which, path)], gz)
        if which == STATIC_HOST:
            return self._static_not_found()
        if method == "POST" and path != "/tilbakemelding/":
            resp = self._not_found(path, status=405)
            resp.headers.insert(1, ("Allow", "GET, HEAD"))
            return resp
        if path == CALENDAR_PATH:
            day = _date_param(query, self.era.capture_day)
            if day is None:
                return self._not_found(path)
            return self._html_response(self.page_html(calendar_page(day)), path, gz=gz)
        if path == LISTING and path in self.pages:
            listing = self.pages[path]
            return self._html_response(self.listing_html(query), path, gz=gz and listing.gzip,
                                       chunked=listing.chunked, vary=True,
                                       http10=version == "HTTP/1.0")
        page = self.pages.get(path)
        if page is None:
            return self._not_found(path)
        return self._html_response(self._cached_html(page), path, charset=page.charset,
                                   gz=gz and page.gzip, chunked=page.chunked, vary=page.gzip,
                                   http10=version == "HTTP/1.0")

    def render_response(self, method: str, raw_target: str, host: str | None,
                        headers: Headers = (), *, version: str = "HTTP/1.1") -> bytes:
        """The exact bytes the server sends for this request."""
        resp = self.respond(method, raw_target, host, headers, version=version)
        return frame(resp, head_only=method == "HEAD")

    # -- response builders -----------------------------------------------
    def _cookies(self, path: str) -> list[tuple[str, str]]:
        digest = hashlib.sha1(f"{self.era.era}{path}".encode()).digest()
        session = base64.b32encode(digest).decode().lower()[:24]
        return [("Set-Cookie", f"ASP.NET_SessionId={session}; path=/; HttpOnly"),
                ("Set-Cookie", (f"BIGipServerpool_www_akershus={digest[0] * 65536 + 168430090}"
                                ".20480.0000; path=/; Httponly"))]

    def _html_response(self, body: bytes, path: str, *, status: int = 200,
                       charset: str = "utf-8", gz: bool = False, chunked: bool = False,
                       vary: bool = False, cookies: bool = True, http10: bool = False) -> Response:
        label = generations.charset_label(self.era.generation) or _charset_label(charset)
        headers = [("Cache-Control", "private"),
                   ("Content-Type", f"text/html; charset={label}")]
        if gz:
            headers.append(("Content-Encoding", "gzip"))
            body = gzip_bytes(body)
        if vary:
            headers.append(("Vary", "Accept-Encoding"))
        headers.append(("Server", IIS))
        if cookies:
            headers += self._cookies(path)
        headers += [("X-AspNet-Version", "4.0.30319"), ("X-Powered-By", "ASP.NET"),
                    ("x-frame-options", "SAMEORIGIN"), ("X-UA-Compatible", "IE=Edge"),
                    ("Date", self.era.http_date)]
        return Response(status, headers, body, chunked=chunked and not http10)

    def _resource(self, res: Resource, gz: bool) -> Response:
        body = res.body
        headers = [("Content-Type", res.content_type)]
        if res.gzip and gz:
            headers.append(("Content-Encoding", "gzip"))
            body = gzip_bytes(body)
        etag = hashlib.md5(res.body).hexdigest()[:16]
        headers += [("Last-Modified", res.last_modified), ("Accept-Ranges", "bytes"),
                    ("ETag", f'"{etag}"')]
        if res.gzip:
            headers.append(("Vary", "Accept-Encoding"))
        headers += [("Server", IIS), ("X-Powered-By", "ASP.NET"), ("Date", self.era.http_date)]
        return Response(200, headers, body)

    def _redirect(self, location: str) -> Response:
        href = templates.esc(location)
        body = (f'<html><head><title>Object moved</title></head><body>\r\n'
                f'<h2>Object moved to <a href="{href}">here</a>.</h2>\r\n</body></html>\r\n')
        headers = [("Cache-Control", "private"), ("Content-Type", "text/html; charset=utf-8"),
                   ("Location", location), ("Server", IIS), ("X-AspNet-Version", "4.0.30319"),
                   ("X-Powered-By", "ASP.NET"), ("Date", self.era.http_date)]
        return Response(301, headers, body.encode())

    def _not_found(self, path: str, status: int = 404) -> Response:
        page = Page(path=path, title="Finner ikke siden", linked=False, in_sitemap=False,
                    ingress="Siden du ba om finnes ikke, eller den er flyttet.",
                    blocks=(("p", ("Prøv å søke etter det du leter etter, eller gå til "
                                   "[forsiden](/).")),))
        return self._html_response(self.page_html(page), path, status=status, cookies=False)

    def _static_not_found(self) -> Response:
        body = (b"<!DOCTYPE html><html><head><title>404 - File or directory not found.</title>"
                b"</head><body><h2>404 - File or directory not found.</h2>\r\n<p>The resource "
                b"you are looking for might have been removed, had its name changed, or is "
                b"temporarily unavailable.</p></body></html>\r\n")
        return Response(404, [("Content-Type", "text/html"), ("Server", IIS),
                              ("X-Powered-By", "ASP.NET"), ("Date", self.era.http_date)], body)

    def _foreign(self, host: str) -> Response:
        name = templates.esc(host.split(":")[0] or "ukjent vert")
        body = ('<!DOCTYPE html>\n<html lang="nb"><head><meta charset="utf-8">'
                "<title>Viken fylkeskommune</title></head>\n<body><h1>Viken fylkeskommune</h1>\n"
                f"<p>Dette er {name}, ikke www.akershus.no. Denne tjeneren svarer bare for "
                "akershus.no; forespørselen er logget.</p></body></html>\n").encode()
        return Response(200, [("Server", "nginx"), ("Date", self.era.http_date),
                              ("Content-Type", "text/html; charset=utf-8")], body)

    def listing_targets(self) -> list[str]:
        """The listing pages as linked: first page bare (also when empty), then ?n_lim=10&n_po=N."""
        return [listing_target(o) for o in range(0, max(1, len(self.news)), PAGE_SIZE)]


def _charset_label(charset: str) -> str:
    return "ISO-8859-1" if charset.lower() in ("iso-8859-1", "latin-1") else charset


def _iso(norwegian: str) -> str:
    if not norwegian:
        return ""
    d, m, y = norwegian.split(".")
    return f"{y}-{m}-{d}"


def _int_param(params: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(params[name][0])))
    except (KeyError, ValueError, IndexError):
        return default


def _date_param(query: str, default: date) -> date | None:
    values = parse_qs(query).get("dato")
    if not values:
        return default
    try:
        return date.fromisoformat(values[0])
    except ValueError:
        return None


@lru_cache(maxsize=4)
def get_site(era: str = DEFAULT_ERA) -> Site:
    """The (cached) default site of ``era``."""
    return Site(era)


def render_response(method: str, raw_target: str, host: str | None, headers: Headers = (),
                    era: str = DEFAULT_ERA, *, version: str = "HTTP/1.1") -> bytes:
    """The exact bytes the replica server sends for one request (status line, headers, body)."""
    return get_site(era).render_response(method, raw_target, host, headers, version=version)


def iter_pages(era: str = DEFAULT_ERA) -> Iterable[Page]:
    """All HTML pages of ``era`` (hand-written and generated), in source order."""
    return get_site(era).pages.values()
