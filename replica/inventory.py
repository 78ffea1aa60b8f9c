"""The URL inventory: every URL the replica answers, with flags a crawl test can check.

``linked`` is not declared by hand: it is computed by walking the rendered
site from the front page the way a crawler would (a, link, img, script and
CSS ``url()``; not form actions, not the sitemap), so the flags cannot drift
from the HTML. Calendar days are left out: there are infinitely many.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .calendar import CALENDAR_PATH
from .model import BARE_HOST, STATIC_HOST, WWW_HOST, UrlEntry
from .press import LISTING
from .site import DEFAULT_ERA, Site, get_site

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")
_LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src"}


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _LINK_ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.links.append(value)


def html_links(html: str) -> list[str]:
    """href/src values of a, link, img and script elements, in document order."""
    parser = _LinkParser()
    parser.feed(html)
    return parser.links


def css_links(css: str) -> list[str]:
    return _CSS_URL.findall(css)


def _target(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path + (f"?{parts.query}" if parts.query else "")


def crawl_links(site: Site) -> dict[str, int]:
    """Walk the site from the front page; return every reached URL with its status."""
    start = f"http://{WWW_HOST}/"
    seen: dict[str, int] = {}
    queue = deque([start])
    hosts = (WWW_HOST, STATIC_HOST, BARE_HOST)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        host, target = _target(url)
        if host not in hosts or target.startswith(CALENDAR_PATH):
            continue
        resp = site.respond("GET", target, host, ())
        seen[url] = resp.status
        if target.startswith(("/sok/", "/intranett/")) and host == WWW_HOST:
            continue  # disallowed by robots.txt: a polite crawler does not expand these
        ctype = {k.lower(): v for k, v in resp.headers}.get("content-type", "")
        if resp.status in (301, 302):
            location = dict(resp.headers)["Location"]
            queue.append(urljoin(url, location))
        elif resp.status == 200 and ctype.startswith("text/html"):
            charset = "latin-1" if "8859-1" in ctype else "utf-8"
            for link in html_links(resp.body.decode(charset)):
                absolute = urljoin(url, link).split("#")[0]
                if absolute.startswith("http"):
                    queue.append(absolute)
        elif resp.status == 200 and ctype.startswith("text/css"):
            queue.extend(urljoin(url, link) for link in css_links(resp.body.decode()))
    return seen


def build_inventory(site: Site) -> list[UrlEntry]:
    """Entries for pages, listings, requisites, documents, redirects and 404 examples."""
    reached = crawl_links(site)
    entries: dict[str, UrlEntry] = {}

    def add(host: str, target: str, kind: str, **flags: object) -> None:
        url = f"http://{host}{target}"
        resp = site.respond("GET", target, host, [("Accept-Encoding", "gzip")])
        headers = {k.lower(): v for k, v in resp.headers}
        fields = dict(url=url, host=host, target=target, kind=kind, status=resp.status,  # noqa: C408
                      content_type=headers.get("content-type", ""), linked=url in reached,
                      location=headers.get("location"), chunked=resp.chunked,
                      gzip=headers.get("content-encoding") == "gzip")
        fields.update(flags)
        entries.setdefault(url, UrlEntry(**fields))  # type: ignore[arg-type]

    for page in site.pages.values():
        if page.path == LISTING:
            continue
        kind = "news" if page.template == "news" else "page"
        if page.path == "/tilbakemelding/":
            kind = "form"
        add(WWW_HOST, page.path, kind, in_sitemap=page.in_sitemap,
            robots_disallowed=page.robots_disallowed, charset=page.charset, lang=page.lang)
    for target in site.listing_targets():
        add(WWW_HOST, target, "listing")
    for (host, path), res in site.resources.items():
        add(host, path, res.kind)
    from .site import REDIRECTS

    for host, path in REDIRECTS:
        add(host, path, "redirect")
    add(BARE_HOST, "/", "redirect")
    for url, status in reached.items():
        if status == 404:
            host, target = _target(url)
            add(host, target, "missing", flags=frozenset({"broken-link"}))
    from .site import DECODED_SEED

    add(WWW_HOST, DECODED_SEED, "missing", flags=frozenset({"decoded-%3F"}))
    unknown = [u for u in reached if u not in entries]
    if unknown:
        raise AssertionError(f"reachable URLs missing from the inventory: {unknown[:5]}")
    return list(entries.values())


def all_urls(era: str = DEFAULT_ERA) -> list[UrlEntry]:
    """The URL inventory of the default site of ``era`` (calendar days excluded)."""
    return build_inventory(get_site(era))


def expected_crawl(era: str = DEFAULT_ERA, *, obey_robots: bool = True,
                   use_sitemap: bool = False) -> set[str]:
    """URLs a crawler starting at http://www.akershus.no/ should fetch, each once.

    Linked URLs (pages, news, listings, requisites, documents, redirects and
    broken links), plus sitemap-only pages when the crawler reads the sitemap;
    robots.txt, sitemap.xml and calendar days are left out.
    """
    urls = set()
    for entry in all_urls(era):
        if entry.kind in ("robots", "sitemap"):
            continue
        if not (entry.linked or (use_sitemap and entry.in_sitemap)):
            continue
        if obey_robots and entry.robots_disallowed:
            continue
        urls.add(entry.url)
    return urls
