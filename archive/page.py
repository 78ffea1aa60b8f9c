"""One capture to one page record: decode, parse, pick the template, read the parts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from archive.decoding import decode_html
from archive.metadata import dates_of, language_of, notice_of, remove_notice_text, title_of
from archive.model import Document, Link, PageRecord, Provenance, RecordLocation, Section
from archive.parse import (
    content_root,
    links_of,
    parse_document,
    sections_of,
    sections_text,
    strip_chrome,
)
from archive.reader import Capture
from archive.strategy import detect_strategy
from archive.succession import chain, superseded_by
from archive.templates import COMPILED, match_template

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


def record_id(url: str, captured_at: str) -> str:
    """Stable short id of one capture."""
    return hashlib.sha1(f"{url} {captured_at}".encode()).hexdigest()[:16]


def read_page(text: str, url: str, content_language: str | None = None) -> Page:
    """Parse decoded HTML into a Page; never raises on malformed input."""
    doc = parse_document(text)
    generic = COMPILED[-1]
    if doc is None:
        return Page("", None, generic.rule.name, False, "nb", None, None, None, [], "", [], [])
    base = url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        try:
            base = urljoin(url, base_el.get("href", "").strip())
        except ValueError:
            base = url
    rule = match_template(doc)
    root = content_root(doc, rule)
    title = title_of(doc, root, rule)
    notice = notice_of(doc, rule)
    published, modified = dates_of(doc, rule)
    strip_chrome(root, rule)
    remove_notice_text(root, notice)
    sections = sections_of(root, rule, base)
    if sections and title and sections[0].heading is None and not sections[0].blocks:
        sections = sections[1:]
    host = (urlsplit(url).hostname or "").lower()
    links, documents = links_of(root, base, SITE_HOSTS | {host})
    plain = sections_text(sections)
    ingress = [b.text for s in sections for b in s.blocks if getattr(b, "ingress", False)]
    return Page(
        title=title,
        description=" ".join(ingress) or None,
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
    )


def build_record(capture: Capture, holds: Callable[[str], bool]) -> tuple[PageRecord, Page, str]:
    """The page record of an HTML capture (payload present); also the Page and decoded text."""
    decoded = decode_html(capture.payload or b"", capture.content_type or None)
    page = read_page(decoded.text, capture.url, capture.header("Content-Language"))
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
        documents=[Document(url=u, title=t, format=e, captured=holds(u)) for u, t, e in page.documents],
        strategy=detect_strategy(page.title, page.sections, page.template),
        provenance=Provenance(
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
        ),
    )
    return record, page, decoded.text
