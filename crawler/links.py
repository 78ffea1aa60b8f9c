"""Links found in an archived response: pages to follow, requisites to embed, documents.

Kept apart from the spider so the rules can be tested on plain HTML/CSS.
Hop types follow Heritrix's metadata records: ``L`` a link, ``E`` an embed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.url import strip_url
from w3lib.url import canonicalize_url, safe_url_string

from archive.css import css_urls
from archive.documents import is_document_path

# Entries of the link caches: every page repeats its menus, so most links were
# resolved on an earlier page; the cache keeps that work from being done again.
# A bigger site's menus differ more from page to page: 32 768 entries (each of
# the three caches, about 8 MB in all when full) made a 20 000-page crawl 7-9%
# faster than 4 096, and change nothing at 2 000 pages, where every link fits.
LINK_CACHE = 32768
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

# (XPath, hop type): E for embeds the page needs to render, L for links to follow.
EMBED_XPATHS = (
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' stylesheet ')]/@href",
    "//link[contains(@rel, 'icon')]/@href",
    "//img/@src", "//img/@srcset", "//source/@src", "//source/@srcset",
    "//script/@src", "//video/@poster", "//video/@src", "//audio/@src",
    "//input[@type='image']/@src", "//embed/@src", "//object/@data",
    "//*[@background]/@background",
)
LINK_XPATHS = ("//a/@href", "//area/@href", "//iframe/@src", "//frame/@src")
# <meta http-equiv="refresh" content="5; url=...">: a client-side redirect, followed
# as a link (hop L), so the trap rules that count link hops bound a chain of them
# (Heritrix's HTML extractor follows it too, as a redirect hop). The page itself is
# parsed for its other links as well: Scrapy's MetaRefreshMiddleware, which would
# replace it by a redirect and hide them, is off (METAREFRESH_ENABLED).
REFRESH_XPATH = ("//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']/@content")


def _compiled(xpath: str) -> etree.XPath:
    # lxml evaluated directly: parsel would wrap every attribute found in a Selector,
    # which cost more than the parse. Same XPath engine, same results, same order.
    return etree.XPath(xpath, smart_strings=False)


_EMBEDS = tuple((x, x.rsplit("//", 1)[1].split("[")[0] + "/@" + x.rsplit("@", 1)[1], _compiled(x))
                for x in EMBED_XPATHS)
_LINKS = tuple((x.lstrip("/"), _compiled(x)) for x in LINK_XPATHS)
_STYLES = _compiled("//style/text() | //@style")
_BASE = _compiled("//base/@href")
_REFRESH = _compiled(REFRESH_XPATH)
_REFRESH_URL = re.compile(r"""[\s\d.]*[;,]?\s*(?:url\s*=\s*)?(?:(["'])(.*?)(?:\1|$)|(.*))""",
                          re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Outlink:
    url: str
    hop: str  # "L" link or "E" embed
    context: str  # where it was found, e.g. "a/@href"

    @property
    def is_document(self) -> bool:
        return _is_document(self.url)


# w3lib's canonical form (query sorted too): what the trap rules judge a URL by.
canonical = lru_cache(maxsize=LINK_CACHE)(canonicalize_url)


@lru_cache(maxsize=LINK_CACHE)
def request_url(url: str) -> str:
    """The URL the crawl requests for a link to ``url``, and the key it is known by.

    Normalised only in the ways RFC 3986 (6.2.2, 6.2.3) calls equivalent: scheme
    and host in lower case (the host in punycode), dot segments resolved (``%2e``
    included), escapes of the path in one case and unreserved ones decoded (w3lib's
    canonical form of scheme, host and path), no default port (Scrapy's
    ``strip_url``), no fragment. The query is kept as linked, in its order, only
    escaped where it must be (``safe_url_string``): ``?b=1&a=2`` is what the server
    was asked, not a sorted copy. Spellings of one resource that differ only so
    are one URL, whichever the crawl meets first, so a resumed crawl, which meets
    them in another order, archives what an uninterrupted one does; Scrapy's
    duplicate filter keys requests the same way (crawler/fingerprint.py).
    A URL w3lib refuses is kept as written, for the spider to count as invalid.
    """
    try:
        parts = urlsplit(url)
        base = strip_url(canonical(urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))),
                         strip_credentials=False)
        return safe_url_string(base + ("?" + parts.query if parts.query else ""))
    except ValueError:
        return url


@lru_cache(maxsize=LINK_CACHE)
def _is_document(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:  # an invalid URL (see url_problem) is no document to fetch
        return False
    return is_document_path(path)


def invalid_url_reason(exc: ValueError) -> str:
    """The skip reason for a URL that urllib, w3lib or Scrapy refused with ``exc``.

    Pages link what their authors typed (``http://host:N./``, ``:99999``,
    ``http://[::1/``); the reason names the part at fault for the crawl report.
    """
    message = str(exc)
    if "Port" in message:
        return "invalid_url:port"
    if "IPv6" in message or "netloc" in message:
        return "invalid_url:host"
    return "invalid_url"


def url_problem(url: str) -> str | None:
    """None when a request can be made for ``url``, else why not (an ``invalid_url`` reason).

    Canonicalising parses the host and port as Scrapy's Request does, so a URL
    that passes here neither raises in the spider nor on the way to the wire.
    """
    try:
        canonical(url)
    except ValueError as exc:
        return invalid_url_reason(exc)
    return None


def absolute(base: str, href: str) -> str | None:
    """Resolve ``href`` against ``base``; None for what cannot be fetched (mailto:, #...)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.startswith("/") or _HAS_SCHEME.match(href):
        # An absolute path or URL does not depend on the base's path: pages of a
        # site share these results (their menus), so the cache key drops it.
        parts = urlsplit(base)
        base = f"{parts.scheme}://{parts.netloc}/"
    return _absolute(base, href)


@lru_cache(maxsize=LINK_CACHE)
def _absolute(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href).split("#", 1)[0]
        scheme = urlsplit(url).scheme
    except ValueError:
        # A URL urllib cannot split (``http://[::1/``; only a host can fail, and a
        # relative href has none): kept as written, made absolute, so the spider
        # counts it as one invalid link rather than losing the whole page.
        if href.startswith("//"):
            href = f"{urlsplit(base).scheme}:{href}"
        url = href.split("#", 1)[0]
        scheme = url.partition(":")[0].lower()
    if scheme not in {"http", "https"}:
        return None
    return url


def refresh_target(content: str) -> str | None:
    """The URL of a meta refresh's ``content`` ("5; url='x'"), None when it reloads the page.

    Parsed as HTML's "shared declarative refresh steps" do: the delay, a ``;`` or
    ``,``, an optional ``url=``, then the URL, quoted or running to the end.
    """
    match = _REFRESH_URL.match(content.strip())
    if match is None:
        return None
    url = (match.group(2) if match.group(1) else match.group(3) or "").strip()
    return url or None


def resolution_base(url: str) -> str:
    """The URL a page's relative links resolve against: ``url`` with its dot segments resolved.

    A browser parses the page's URL before it resolves against it, and takes
    ``%2e%2e`` for ``..`` as it does (WHATWG URL); urljoin takes ``%2e%2e`` for
    a name, so ``../x`` on ``/a/b/%2e%2e/c/`` would lead to ``/a/b/%2e%2e/x``, not
    to ``/a/x``. w3lib's canonical form resolves both kinds, as the duplicate
    filter does.
    """
    try:
        return canonical(url)
    except ValueError:  # not a URL a request can be made for: resolved as it is
        return url


def html_outlinks(base_url: str, text: str) -> list[Outlink]:
    """Outlinks of an HTML page in document order, without repeats, as requested (request_url)."""
    sel = Selector(text=text)
    base = next(iter(_BASE(sel.root)), None)
    if base:
        # A base URL that cannot be parsed is ignored, as browsers do (HTML, "document base URL").
        try:
            joined = urljoin(base_url, base.strip())
        except ValueError:
            joined = base_url
        base_url = base_url if url_problem(joined) else joined
    base_url = resolution_base(base_url)
    seen: set[tuple[str, str]] = set()
    out: list[Outlink] = []

    def add(value: str, hop: str, context: str) -> None:
        url = absolute(base_url, value)
        url = request_url(url) if url else None
        if url and (url, hop) not in seen:
            seen.add((url, hop))
            out.append(Outlink(url, hop, context))

    root = sel.root
    for xpath, context, compiled in _EMBEDS:
        for value in compiled(root):
            if xpath.endswith("srcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        add(candidate.split()[0], "E", context)
            else:
                add(value, "E", context)
    for style in _STYLES(root):
        for url in css_urls(style):
            add(url, "E", "style")
    for context, compiled in _LINKS:
        for value in compiled(root):
            add(value, "L", context)
    for content in _REFRESH(root):
        target = refresh_target(content)
        if target:
            add(target, "L", "meta/@content")
    return out


def css_outlinks(base_url: str, css: str) -> list[Outlink]:
    """Outlinks of a stylesheet, as requested (request_url)."""
    out = []
    base_url = resolution_base(base_url)
    for value in css_urls(css):
        url = absolute(base_url, value)
        if url:
            out.append(Outlink(request_url(url), "E", "css/url"))
    return out


def response_outlinks(response: Response) -> list[Outlink] | None:
    """The links the crawl follows from a response: a stylesheet's or a page's, else None.

    A page is HTML by its Content-Type, or has none and Scrapy took it for text
    (sniffed). The live crawl and resume (reading an archived page) both call this,
    so a resumed crawl reads exactly the links the first one did.
    """
    if not isinstance(response, TextResponse):
        return None
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "css" in content_type:
        return css_outlinks(response.url, response.text)
    if "html" in content_type or not content_type:
        return html_outlinks(response.url, response.text)
    return None
