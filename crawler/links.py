"""Links found in an archived response: pages to follow, requisites to embed, documents.

Kept apart from the spider so the rules can be tested on plain HTML/CSS.
Hop types follow Heritrix's metadata records: ``L`` a link, ``E`` an embed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.url import canonicalize_url

# File extensions of documents the site linked (strategy and plan PDFs, office files).
DOCUMENT_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
    ".rtf", ".txt", ".csv", ".zip",
)
# Entries of the link caches: every page repeats its menus, so most links were
# resolved on an earlier page; the cache keeps that work from being done again.
# A bigger site's menus differ more from page to page: 32 768 entries (each of
# the three caches, about 8 MB in all when full) made a 20 000-page crawl 7-9%
# faster than 4 096, and change nothing at 2 000 pages, where every link fits.
LINK_CACHE = 32768
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")

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


@dataclass(frozen=True)
class Outlink:
    url: str
    hop: str  # "L" link or "E" embed
    context: str  # where it was found, e.g. "a/@href"

    @property
    def is_document(self) -> bool:
        return _is_document(self.url)


# The form of a URL that repeats are recognised by (w3lib's), cached like the rest.
canonical = lru_cache(maxsize=LINK_CACHE)(canonicalize_url)


@lru_cache(maxsize=LINK_CACHE)
def _is_document(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS)


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
    url = urljoin(base, href).split("#", 1)[0]
    if urlsplit(url).scheme not in {"http", "https"}:
        return None
    return url


def html_outlinks(base_url: str, text: str) -> list[Outlink]:
    """Outlinks of an HTML page in document order, without repeats."""
    sel = Selector(text=text)
    base = sel.xpath("//base/@href").get()
    base_url = urljoin(base_url, base.strip()) if base else base_url
    seen: set[tuple[str, str]] = set()
    out: list[Outlink] = []

    def add(value: str, hop: str, context: str) -> None:
        url = absolute(base_url, value)
        if url and (url, hop) not in seen:
            seen.add((url, hop))
            out.append(Outlink(url, hop, context))

    for xpath in EMBED_XPATHS:
        context = xpath.rsplit("//", 1)[1].split("[")[0] + "/@" + xpath.rsplit("@", 1)[1]
        for value in sel.xpath(xpath).getall():
            if xpath.endswith("srcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        add(candidate.split()[0], "E", context)
            else:
                add(value, "E", context)
    for style in sel.xpath("//style/text() | //@style").getall():
        for url in css_urls(style):
            add(url, "E", "style")
    for xpath in LINK_XPATHS:
        context = xpath.lstrip("/")
        for value in sel.xpath(xpath).getall():
            add(value, "L", context)
    return out


def css_urls(css: str) -> list[str]:
    """url(...) and @import targets of a stylesheet, unresolved."""
    return [a or b for a, b in CSS_URL.findall(css) if not (a or b).startswith("data:")]


def css_outlinks(base_url: str, css: str) -> list[Outlink]:
    out = []
    for value in css_urls(css):
        url = absolute(base_url, value)
        if url:
            out.append(Outlink(url, "E", "css/url"))
    return out
