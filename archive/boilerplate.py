"""Site-aware boilerplate: blocks that recur across the pages of one site are its template.

A per-page extractor has to guess what is chrome; an archive holds many
pages of one site and can count. Each text block of a page gets a *place*
(the path of tags, ids and cell numbers from ``<body>`` down, host included:
the same place means the same slot of the same template) and a *key* (place
plus its normalised text). A first pass over a sample of the archive counts,
for each place and each key, on how many distinct URLs it occurs.

The threshold: a key is template when its place occurs on at least
``MIN_PLACE_URLS`` URLs and the key on at least ``SHARE`` of them. Chrome
(a footer address, a feedback text, a shortcuts box, a cookie notice) stands
at its place on every page of its template, a share near 1. Content that
recurs (a strategy paragraph quoted on two pages, the same contact person on
the pages of one section) stands at a content place that every page fills
with its own text, so its share is the few pages that quote it out of all
the pages with that place: far below one half. One half is the line because
chrome that varies (a menu's active item, a notice added in one year) still
clears it, while content would have to be repeated on most pages of a
template to reach it, and then it is the template in all but name.

Counting distinct URLs, not captures, keeps one page captured in ten years
from looking like ten pages. Headings are never removed on their own (a
"Kontakt" heading recurs because many pages have contacts); they go only
with a box whose every block is template.

Memory and time are bounded: the sample is the ``SAMPLE_URLS`` HTML URLs
with the smallest hashes (a bottom-k sample: every era and section is in it
in proportion, whatever the order of the WARC files), drawn during the
reader's header pass and read back by seeking to each record, so the archive
is not read twice; after the pass only the template keys are kept. An archive with fewer than ``MIN_SITE_PAGES`` pages of a host learns
nothing for it; its pages are read by the per-page rules alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from archive.layout import BLOCKS, HEADINGS, INLINE, NOT_TEXT, drop, has_block, holds, tag_of
from archive.reader import RecordRef, is_html_type, stable_hash

SAMPLE_URLS = 500
MIN_SITE_PAGES = 6
MIN_PLACE_URLS = 5
SHARE = 0.5


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def text_blocks(body: etree._Element, host: str) -> Iterator[tuple[etree._Element, int, int, str]]:
    """Each block with text of its own: (element, place hash, key hash, normalised text)."""
    stack: list[tuple[etree._Element, int]] = [(body, hash((host, "body")))]
    while stack:
        el, place = stack.pop()
        parts: list[str] = [el.text or ""]
        kids: list[tuple[etree._Element, int]] = []
        cell = 0
        for child in el:
            tag = tag_of(child)
            if tag in BLOCKS or (tag in INLINE and has_block(child)):
                step: object = child.get("id") or ""
                if tag in ("td", "th"):
                    cell += 1
                    step = step or cell
                kids.append((child, hash((place, tag, step))))
            elif tag and tag not in NOT_TEXT:
                parts.append(" ".join(child.itertext()))
            parts.append(child.tail or "")
        joined = " ".join(parts)
        if el is not body and not joined.isspace():
            text = _norm(joined)
            if text:
                yield el, place, hash((place, text)), text
        stack.extend(reversed(kids))



@dataclass
class SiteProfile:
    """Template keys learned from an archive, and how many pages each host was learned from."""

    template: set[int] = field(default_factory=set)
    pages: dict[str, int] = field(default_factory=dict)

    def site_pages(self, url: str) -> int:
        """Pages of the URL's host the profile learned from (0: per-page rules only)."""
        return self.pages.get(host_of(url), 0)

    def strip(self, body: etree._Element, url: str) -> int:
        """Remove the largest boxes under ``body`` whose every block is template; return blocks removed."""
        host = host_of(url)
        if not self.template or self.pages.get(host, 0) == 0:
            return 0
        marked: dict[etree._Element, bool] = {}
        order: list[etree._Element] = []
        for el, _place, key, _text in text_blocks(body, host):
            marked[el] = key in self.template
            order.append(el)
        if not any(marked.values()):
            return 0
        # bottom-up: a box is all-template when it has template text and no other text
        content: dict[etree._Element, bool] = {}
        has_template: dict[etree._Element, bool] = {}
        for el in reversed(order):
            own = marked.get(el)
            c = own is False
            t = own is True
            for child in el:
                c = c or content.get(child, False)
                t = t or has_template.get(child, False)
            content[el] = c
            has_template[el] = t
        removed = 0
        for el in order:  # top-down, document order: the first hit is the largest box
            if not has_template.get(el) or content.get(el) or el.getparent() is None:
                continue
            if tag_of(el) in HEADINGS or not holds(body, el):
                continue
            removed += sum(1 for d in el.iter() if marked.get(d))
            drop(el)
        return removed



class HashSample:
    """Where the captures of the k HTML URLs with the smallest hashes are (bottom-k sampling)."""

    def __init__(self, k: int = SAMPLE_URLS) -> None:
        self.k = k
        self.refs: dict[int, list[RecordRef]] = {}
        self.ceiling = 1 << 63  # hashes at or above it can no longer make the sample

    def offer(self, url: str, content_type: str, ref: RecordRef) -> None:
        """Consider one successful response (called by the reader's header pass)."""
        if not is_html_type(content_type):
            return
        h = stable_hash(url)
        if h >= self.ceiling:
            return
        self.refs.setdefault(h, []).append(ref)
        if len(self.refs) > 2 * self.k:
            keep = sorted(self.refs)[: self.k]
            self.ceiling = keep[-1] + 1
            self.refs = {h: self.refs[h] for h in keep}

    def chosen(self) -> list[RecordRef]:
        """The sampled captures, in file order (so the files are read forwards)."""
        keep = sorted(self.refs)[: self.k]
        return sorted((r for h in keep for r in self.refs[h]), key=lambda r: (r.warc_file, r.offset))


class ProfileLearner:
    """Counts places and keys over the sampled pages; ``profile()`` keeps only the template."""

    def __init__(self) -> None:
        self.place_urls: Counter[int] = Counter()
        self.key_urls: dict[int, list[int]] = {}  # key -> [place, urls]
        self.seen: set[int] = set()
        self.site_urls: dict[str, set[int]] = {}

    def add(self, body: etree._Element, url: str) -> None:
        host = host_of(url)
        u = stable_hash(url)
        self.site_urls.setdefault(host, set()).add(u)
        for _el, place, key, _text in text_blocks(body, host):
            if (pk := hash((u, place, 0))) not in self.seen:
                self.seen.add(pk)
                self.place_urls[place] += 1
            if (kk := hash((u, key, 1))) not in self.seen:
                self.seen.add(kk)
                entry = self.key_urls.get(key)
                if entry is None:
                    self.key_urls[key] = [place, 1]
                else:
                    entry[1] += 1

    def profile(self) -> SiteProfile:
        pages = {h: len(u) for h, u in self.site_urls.items() if len(u) >= MIN_SITE_PAGES}
        template: set[int] = set()
        for key, (place, n) in self.key_urls.items():
            at_place = self.place_urls[place]
            if at_place >= MIN_PLACE_URLS and n >= SHARE * at_place:
                template.add(key)
        return SiteProfile(template=template, pages=pages)
