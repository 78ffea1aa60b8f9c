"""Links found in an archived response: pages to follow, requisites to embed, documents.

Kept apart from the spider so the rules can be tested on plain HTML/CSS.
Hop types follow Heritrix's metadata records: ``L`` a link, ``E`` an embed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.utils.url import strip_url
from selectolax.lexbor import LexborHTMLParser, LexborNode
from w3lib.url import canonicalize_url, safe_url_string

from archive.css import css_urls
from archive.documents import is_document_path
from archive.nesting import too_deep

# Entries of the link caches: every page repeats its menus, so most links were
# resolved on an earlier page; the cache keeps that work from being done again.
# A bigger site's menus differ more from page to page: 32 768 entries (each of
# the three caches, about 8 MB in all when full) made a 20 000-page crawl 7-9%
# faster than 4 096, and change nothing at 2 000 pages, where every link fits.
LINK_CACHE = 32768
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

# Where links are found, each with its hop type and the context the metadata records
# name: E for embeds the page needs to render, L for links to follow. The groups
# are read in this order, each in document order, so the first to find a URL names
# its context. (element, attribute, context); "*" is any element.
EMBEDS = (
    ("link", "href", "link/@href"),  # rel="stylesheet" (a token of rel)
    ("link", "href", "link/@href"),  # rel containing "icon" (shortcut icon, apple-touch-icon)
    ("img", "src", "img/@src"), ("img", "srcset", "img/@srcset"),
    ("source", "src", "source/@src"), ("source", "srcset", "source/@srcset"),
    ("script", "src", "script/@src"), ("video", "poster", "video/@poster"),
    ("video", "src", "video/@src"), ("audio", "src", "audio/@src"),
    ("input", "src", "input/@src"),  # type="image"
    ("embed", "src", "embed/@src"), ("object", "data", "object/@data"),
    ("*", "background", "*/@background"),
)
LINKS = (("a", "href", "a/@href"), ("area", "href", "area/@href"),
         ("iframe", "src", "iframe/@src"), ("frame", "src", "frame/@src"))
# <meta http-equiv="refresh" content="5; url=...">: a client-side redirect, followed
# as a link (hop L), so the trap rules that count link hops bound a chain of them
# (Heritrix's HTML extractor follows it too, as a redirect hop). The page itself is
# parsed for its other links as well: Scrapy's MetaRefreshMiddleware, which would
# replace it by a redirect and hide them, is off (METAREFRESH_ENABLED).
REFRESH_CONTEXT = "meta/@content"
# One selector for every element that may hold a link; each is read once.
_CANDIDATES = ("base[href], link[href], img, source, script[src], video, audio, input[src], "
               "embed[src], object[data], [background], style, [style], a[href], area[href], "
               "iframe, frame[src], meta[http-equiv][content], noframes, noembed")
# HTML's ASCII whitespace, which separates the tokens of rel.
_ASCII_SPACE = re.compile(r"[\t\n\f\r ]+")
# Elements whose content the HTML parser keeps as text (a browser shows it only
# when frames, plugins or iframes are missing), and whose links the crawl still
# wants: parsed again as a fragment, to this depth. A template's content, which
# the parser keeps apart from the tree until a script stamps it, is read too.
_FALLBACK = frozenset({"noframes", "noembed", "iframe"})
_FALLBACK_DEPTH = 2
# Pages that may nest deeper than archive.nesting's MAX_DEPTH, or have more
# characters than this, are read from libxml2's tree instead (see _collect_large):
# Lexbor's time grows with the square of the depth, and its tree of a 100 MB page
# took 15% more memory than libxml2's.
LEXBOR_MAX_CHARS = 1 << 20
# The groups of EMBEDS with a rule beyond element and attribute, by position.
_STYLESHEET, _ICON, _INPUT_IMAGE, _BACKGROUND = 0, 1, 10, 13
_PER_TAG: dict[str, list[tuple[int, str]]] = {}
for _i, (_tag, _attr, _) in enumerate(EMBEDS):
    if _i not in {_STYLESHEET, _ICON, _INPUT_IMAGE, _BACKGROUND}:
        _PER_TAG.setdefault(_tag, []).append((_i, _attr))
_LINK_GROUP = {tag: (len(EMBEDS) + i, attr) for i, (tag, attr, _) in enumerate(LINKS)}


class Outlink(NamedTuple):
    """A link of a page: a tuple, as a page has some sixty and a crawl makes millions."""

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
    key = _cache_key(base, href)
    return _absolute(*key) if key else None


def _cache_key(base: str, href: str, origin: str = "") -> tuple[str, str] | None:
    """(base, href) as the resolving caches key them; None for an empty or ``#`` href.

    An absolute path or URL does not depend on the base's path: pages of a site
    share these results (their menus), so the key drops it (``origin``, when the
    caller has it, is ``base``'s ``scheme://host/``).
    """
    href = href.strip()
    if not href or href[0] == "#":
        return None
    if href[0] == "/" or _HAS_SCHEME.match(href):
        return origin or origin_of(base), href
    return base, href


def origin_of(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}/"


@lru_cache(maxsize=LINK_CACHE)
def _followed(base: str, href: str) -> str | None:
    """:func:`request_url` of a resolved link (None for one that is not fetched)."""
    url = _absolute(base, href)
    return request_url(url) if url else None


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


class _Found:
    """The link-holding attribute values of one page, sorted by kind (EMBEDS, LINKS)."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = [[] for _ in range(len(EMBEDS) + len(LINKS))]
        self.styles: list[str] = []
        self.refresh: list[str] = []
        self.bases: list[str] = []

    def element(self, tag: str, attrs: Mapping[str, str | None], style_text: str = "") -> None:
        """One element: its tag, its attributes (None for one without a value)."""
        groups = self.groups
        if tag == "link":
            href = attrs.get("href")
            rel = attrs.get("rel")
            if href is not None and rel is not None:
                if "stylesheet" in _ASCII_SPACE.split(rel):
                    groups[_STYLESHEET].append(href)
                if "icon" in rel:
                    groups[_ICON].append(href)
        elif tag in _PER_TAG:
            for group, attr in _PER_TAG[tag]:
                if attr in attrs:
                    groups[group].append(attrs[attr] or "")
        elif tag == "input":
            if attrs.get("type") == "image" and "src" in attrs:
                groups[_INPUT_IMAGE].append(attrs["src"] or "")
        elif tag == "base":
            if "href" in attrs:
                self.bases.append(attrs["href"] or "")
        elif (tag == "meta" and "content" in attrs
              and (attrs.get("http-equiv") or "").translate(_REFRESH_CASE) == "refresh"):
            self.refresh.append(attrs["content"] or "")
        if "background" in attrs:
            groups[_BACKGROUND].append(attrs["background"] or "")
        if "style" in attrs:
            self.styles.append(attrs["style"] or "")
        if tag == "style" and style_text:
            self.styles.append(style_text)
        if tag in _LINK_GROUP:
            group, attr = _LINK_GROUP[tag]
            if attr in attrs:
                groups[group].append(attrs[attr] or "")


def _parse(text: str) -> LexborHTMLParser:
    try:
        return LexborHTMLParser(text)
    except UnicodeEncodeError:  # a lone surrogate: not text a server could have sent
        return LexborHTMLParser(text.encode("utf-8", "replace"))


def _root(tree: LexborHTMLParser) -> LexborNode:
    root = tree.root
    assert root is not None  # the parser makes <html> of any text, even an empty one
    return root


def _collect(tree: LexborNode, found: _Found, depth: int = 0) -> None:
    """The elements under ``tree`` that may hold links, in document order, into ``found``."""
    fallback: list[str] = []
    seen = set()
    for node in tree.css(_CANDIDATES):
        if node.mem_id in seen:  # an element matching several selectors comes once each
            continue
        seen.add(node.mem_id)
        tag = node.tag or ""
        found.element(tag, node.attributes,
                      node.text(deep=True) if tag == "style" else "")
        if tag in _FALLBACK:
            fallback.append(node.text(deep=True) or "")
    if depth >= _FALLBACK_DEPTH:
        return
    for markup in fallback:
        if "<" in markup:
            _collect(_root(_parse(markup)), found, depth + 1)
    for fragment in tree.template_fragments():
        _collect(fragment, found, depth + 1)


def _collect_large(text: str, found: _Found) -> None:
    """The same, from libxml2, for a page that may nest too deep (archive/nesting.py) or is big.

    100 000 nested ``<div>`` (1.1 MB) took Lexbor 18 s, during which the crawl
    fetched nothing and its other downloads timed out. libxml2's parser (lxml,
    recovering) is linear in any markup and parses fallback and template content
    as elements; a page that begins with an XML declaration is still parsed as
    HTML here. It stops at 2 048 open elements ("Excessive depth"), huge_tree or
    not: links nested deeper than that are not found (browsers flatten such
    trees; Chromium at 512).
    """
    body = text.replace("\x00", "").encode("utf-8", "replace").strip() or b"<html/>"
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:  # nothing an element could be made of (only a comment, say)
        return
    for element in root.iter(tag=etree.Element):
        tag = element.tag.lower()
        found.element(tag, element.attrib,
                      "".join(element.itertext()) if tag == "style" else "")


# Only these letters are lowered, as HTML's http-equiv match lowers ASCII.
_REFRESH_CASE = str.maketrans("REFSH", "refsh")
_REFRESH_URL = re.compile(r"""[\s\d.]*[;,]?\s*(?:url\s*=\s*)?(?:(["'])(.*?)(?:\1|$)|(.*))""",
                          re.IGNORECASE | re.DOTALL)


def html_outlinks(base_url: str, text: str) -> list[Outlink]:
    """Outlinks of an HTML page, without repeats, as requested (request_url).

    The page is parsed as a browser parses it (Lexbor, an HTML5-conformant parser,
    as for the original view: render/sanitize.py), so a page that begins with an
    XML declaration is still HTML, and the links are those of the tree a browser
    builds. Fallback content the parser keeps as text or apart (noframes,
    noembed, an iframe's, a template's) is read too: a browser may show it.
    Grouped by kind (embeds, inline styles, links, a meta refresh), each group
    in document order: the first kind to find a URL names its context.
    """
    found = _Found()
    if len(text) > LEXBOR_MAX_CHARS or too_deep(text):
        _collect_large(text, found)
    else:
        _collect(_root(_parse(text)), found)
    groups, bases = found.groups, found.bases
    if bases:
        # A base URL that cannot be parsed is ignored, as browsers do (HTML, "document base URL").
        try:
            joined = urljoin(base_url, bases[0].strip())
        except ValueError:
            joined = base_url
        base_url = base_url if url_problem(joined) else joined
    base_url = resolution_base(base_url)
    origin = origin_of(base_url)
    seen: set[tuple[str, str]] = set()
    out: list[Outlink] = []

    def add(value: str, hop: str, context: str) -> None:
        key = _cache_key(base_url, value, origin)
        url = _followed(*key) if key else None  # absolute(), then request_url()
        if url and (url, hop) not in seen:
            seen.add((url, hop))
            out.append(Outlink(url, hop, context))

    for (_tag, attr, context), values in zip(EMBEDS, groups, strict=False):
        for value in values:
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        add(candidate.split()[0], "E", context)
            else:
                add(value, "E", context)
    for style in found.styles:
        for url in css_urls(style):
            add(url, "E", "style")
    for (_tag, _attr, context), values in zip(LINKS, groups[len(EMBEDS):], strict=True):
        for value in values:
            add(value, "L", context)
    for content in found.refresh:
        target = refresh_target(content)
        if target:
            add(target, "L", REFRESH_CONTEXT)
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
