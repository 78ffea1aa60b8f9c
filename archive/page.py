"""One capture to one page record: decode, parse, pick the template, read the parts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archive.boilerplate import SiteProfile
from archive.chrome import COOKIE_STEMS, remove_page_chrome
from archive.decoding import decode_html
from archive.density import find_root, place_of
from archive.layout import drop, holds, is_layout_table, short_texts
from archive.metadata import (
    DATE_STEMS,
    NOTICE_STEMS,
    dates_by_shape,
    dates_of,
    language_of,
    notice_of,
    remove_notice_text,
    title_of,
)
from archive.model import (
    Document,
    Extraction,
    Link,
    PageRecord,
    Paragraph,
    Provenance,
    RecordLocation,
    Section,
)
from archive.parse import (
    clean,
    content_root,
    element_text,
    lead_of,
    links_of,
    parse_document,
    sections_text,
    strip_chrome,
    walk_root,
)
from archive.reader import Capture
from archive.strategy import detect_strategy
from archive.succession import chain, superseded_by
from archive.templates import COMPILED, match_template

# The words the word-based rules look for (cookie notices, dates lines, the Viken notice).
HIT_STEMS = COOKIE_STEMS + DATE_STEMS + NOTICE_STEMS
# Hosts of the legacy site: links to them are internal wherever the capture was made.
SITE_HOSTS = frozenset({"www.akershus.no", "akershus.no"})


@dataclass(frozen=True, slots=True)
class Page:
    """What the parser reads off one HTML document, before provenance is added."""

    title: str
    description: str | None
    template: str
    matched: bool
    language: str
    notice_text: str | None
    published: str | None
    modified: str | None
    sections: list[Section]
    text: str
    links: list[Link]
    documents: list[tuple[str, str, str]]
    extraction: Extraction


def record_id(url: str, captured_at: str) -> str:
    """Stable short id of one capture."""
    return hashlib.sha1(f"{url} {captured_at}".encode()).hexdigest()[:16]


def provenance_of(capture: Capture) -> Provenance:
    """Where a capture's WARC record lives (and, for a revisit, the record it refers to)."""
    return Provenance(
        warc_file=capture.warc_file,
        offset=capture.offset,
        length=capture.length,
        record_id=capture.record_id,
        record_type=capture.record_type,
        payload_digest=capture.payload_digest,
        captured_at=capture.captured_at,
        refers_to=(
            RecordLocation(**{k: getattr(capture.refers_to, k) for k in
                              ("warc_file", "offset", "length", "record_id")})
            if capture.refers_to else None
        ),
    )


def read_page(text: str, url: str, content_language: str | None = None,
              profile: SiteProfile | None = None, *, hints: bool = True) -> Page:
    """Parse decoded HTML into a Page; never raises on malformed input.

    Where a known template matches (and ``hints`` is on), its selectors give
    the content root and the fields; everything else is found by shape: the
    site profile's template blocks and the per-page chrome rules are removed,
    and the root is scored by text and link density.
    """
    doc = parse_document(text)
    generic = COMPILED[-1]
    if doc is None:
        return Page("", None, generic.rule.name, False, "nb", None, None, None, [], "", [], [],
                    Extraction("body", "", 1.0, 0, 0, [], 0))
    base = url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        try:
            base = urljoin(url, base_el.get("href", "").strip())
        except ValueError:
            base = url
    host = (urlsplit(url).hostname or "").lower()
    rule = match_template(doc) if hints else generic
    body = doc.find("body")
    if body is None:
        body = doc
    hits = short_texts(body, HIT_STEMS)  # one pass for every word-based rule below
    notice = notice_of(doc, rule, hits)
    published, modified = dates_of(doc, rule)
    heading: etree._Element | None = None
    removed = 0
    if rule.match is not None:  # the template's selectors do the profile's work
        root = content_root(doc, rule)
        method, share = "template", 1.0
        title = title_of(doc, root, rule)
        strip_chrome(root, rule)
        fired = remove_page_chrome(root, host)
    else:
        removed = profile.strip(body, url) if profile is not None else 0
        fired = remove_page_chrome(body, host, hits)
        pub, mod, lines = dates_by_shape(body, hits)
        published, modified = published or pub, modified or mod
        for line in lines:
            drop(line)
        if lines:
            fired.append("dates")
        strip_chrome(body, rule)
        heading = main_heading(body, doc)
        landmark = rule.content(doc)
        if landmark and landmark[0] is not body:
            root, method, share = landmark[0], "landmark", 1.0
        else:
            found = find_root(body, heading)
            root, method, share = found.root, found.method, found.text_share
        title = title_of(doc, root, rule)
    remove_notice_text(root, notice)
    lead = lead_of(heading, root) if heading is not None and holds(root, heading) else None
    walk = walk_root(root, rule, base, lead)
    sections = walk.sections
    if heading is not None and not holds(root, heading):
        sections = _titled(sections, element_text(heading))
    if sections and title and sections[0].heading is None and not sections[0].blocks:
        sections = sections[1:]
    links, documents = links_of(root, base, SITE_HOSTS | {host})
    plain = sections_text(sections)
    ingress = [b.text for s in sections for b in s.blocks if isinstance(b, Paragraph) and b.ingress]
    return Page(
        title=title,
        description=" ".join(ingress) or (_lead(sections) if rule.match is None else None),
        template=rule.rule.name,
        matched=rule.match is not None,
        language=language_of(doc, content_language, plain),
        notice_text=notice,
        published=published,
        modified=modified,
        sections=sections,
        text=plain,
        links=links,
        documents=documents,
        extraction=Extraction(
            method=method,
            root=place_of(root),
            text_share=share,
            site_pages=profile.site_pages(url) if profile is not None else 0,
            template_blocks=removed,
            chrome_rules=fired,
            layout_tables=walk.layout_tables + sum(
                1 for t in root.iterancestors("table") if is_layout_table(t)),
        ),
    )


def main_heading(body: etree._Element, doc: etree._Element) -> etree._Element | None:
    """The page's own heading: the h1 that the <title> names, else the first h1 with text."""
    title_el = doc.find(".//title")
    title = clean(title_el.text_content()).lower() if title_el is not None else ""
    first = None
    for level in ("h1", "h2"):
        for h in body.iter(level):
            text = element_text(h).lower()
            if not text:
                continue
            if title and text in title:
                return h
            if first is None and level == "h1":
                first = h
        if first is not None:
            return first
    return None



def _titled(sections: list[Section], title: str) -> list[Section]:
    """Sections headed by the page's title when its heading stood outside the content root."""
    if sections and sections[0].heading is None:
        first = sections[0]
        return [Section(heading=title, level=1, blocks=first.blocks), *sections[1:]]
    return [Section(heading=title, level=1), *sections]


def _lead(sections: list[Section]) -> str | None:
    """Without an ingress element: the first paragraph under the page's title."""
    if not sections or sections[0].level > 1:
        return None
    for block in sections[0].blocks:
        if isinstance(block, Paragraph):
            return block.text
    return None


def build_record(capture: Capture, holds: Callable[[str], bool],
                 profile: SiteProfile | None = None) -> tuple[PageRecord, Page, str]:
    """The page record of an HTML capture (payload present); also the Page and decoded text."""
    decoded = decode_html(capture.payload or b"", capture.content_type or None)
    page = read_page(decoded.text, capture.url, capture.header("Content-Language"), profile)
    record = PageRecord(
        id=record_id(capture.url, capture.captured_at),
        url=capture.url,
        captured_at=capture.captured_at,
        status=capture.status,
        content_type=capture.content_type,
        charset=decoded.charset,
        language=page.language,
        title=page.title,
        description=page.description,
        template=page.template,
        extraction=page.extraction,
        notice=page.notice_text is not None,
        notice_text=page.notice_text,
        superseded_by=superseded_by(capture.url),
        succession=chain(),
        published=page.published,
        modified=page.modified,
        word_count=len(page.text.split()),
        sections=page.sections,
        text=page.text,
        links=page.links,
        documents=[Document(url=u, title=t, format=e, captured=holds(u), record=None)
                   for u, t, e in page.documents],
        strategy=detect_strategy(page.title, page.sections, page.template),
        provenance=provenance_of(capture),
    )
    return record, page, decoded.text
