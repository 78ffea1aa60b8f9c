"""Data types of the replica: pages as data, served resources and the URL inventory.

Pages are plain data (title, ingress, blocks) so that hand-written content,
generated press releases and, later, synthetic benchmark pages all go through
the same template function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

Era = Literal["2006", "2013", "2019", "2020"]
ERAS: tuple[Era, ...] = ("2006", "2013", "2019", "2020")

# A block of article body content, e.g. ("p", "text"), ("ul", ("a", "b")),
# ("h2", "Heading"), ("table", (("head", ...), ("row", ...))), ("contact", (...)).
Block = tuple

WWW_HOST = "www.akershus.no"
STATIC_HOST = "static.akershus.no"
BARE_HOST = "akershus.no"
WWW_ORIGIN = f"http://{WWW_HOST}"
STATIC_ORIGIN = f"http://{STATIC_HOST}"


@dataclass(frozen=True)
class Page:
    """One HTML page of the legacy site, before templating.

    ``path`` is the raw path as sent on the wire (percent-escapes kept, so a
    literal question mark in a segment is ``%3F``).
    """

    path: str
    title: str
    ingress: str = ""
    blocks: tuple[Block, ...] = ()
    template: str = "article"  # article | news | annual-report | listing | search
    lang: str = "nb"
    charset: str = "utf-8"
    published: str = ""  # dd.mm.yyyy, shown in article-meta
    modified: str = ""
    date: str = ""  # ISO date of a press release
    menu_title: str = ""
    linked: bool = True  # False: no menu, listing or body link leads here
    in_sitemap: bool = True
    gzip: bool = False  # gzip-encode when the client accepts it
    chunked: bool = False  # send with Transfer-Encoding: chunked
    robots_disallowed: bool = False

    @property
    def short_title(self) -> str:
        return self.menu_title or self.title

    def all_text(self) -> str:
        """The ingress and every string of the blocks (their kinds left out), in order."""
        return " ".join([self.ingress, *_strings([b[1:] for b in self.blocks])])


def _strings(block: object) -> list[str]:
    if isinstance(block, str):
        return [block]
    if isinstance(block, (tuple, list)):
        return [s for b in block for s in _strings(b)]
    return []


@dataclass(frozen=True)
class Resource:
    """A non-HTML resource (stylesheet, script, image, PDF, text file)."""

    host: str
    path: str
    content_type: str
    body: bytes
    kind: str  # requisite | document | robots | sitemap
    gzip: bool = False
    last_modified: str = "Mon, 04 Nov 2019 13:12:40 GMT"


@dataclass(frozen=True)
class UrlEntry:
    """One URL the replica answers, with what a crawl of it should meet.

    kind: page | news | listing | requisite | document | redirect | missing |
    robots | sitemap | search | intranet.
    linked: reachable from the front page by following links (a/img/link/script
    and CSS url()), not through forms, the sitemap or the calendar.
    """

    url: str
    host: str
    target: str
    kind: str
    status: int
    content_type: str = ""
    linked: bool = True
    in_sitemap: bool = False
    robots_disallowed: bool = False
    location: str | None = None
    gzip: bool = False
    chunked: bool = False
    charset: str = ""
    lang: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)


# A page source yields the pages of one part of the site for an era. The site
# is assembled from a list of sources, so a generator of N synthetic pages can
# be plugged in without touching the hand-written content.
PageSource = Callable[[Era], Iterable[Page]]
