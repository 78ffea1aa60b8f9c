"""One captured document (a strategy PDF, a plan) to one document record.

The record says what the file is and what could be read from it. A PDF's text
is laid out into the same sections as a page record, its strategy found by the
same rules as a page's; a file that cannot be read (encrypted, damaged, only
pictures of pages, over a limit, a format the extract does not read) still gets
its record, with the reason, so that every captured document is accounted for.
"""

from __future__ import annotations

import re
from posixpath import splitext
from urllib.parse import unquote, urlsplit

from archive.documents import document_extension
from archive.metadata import guess_language
from archive.model import (
    DocumentExtraction,
    DocumentMetadata,
    DocumentRecord,
    Section,
)
from archive.page import provenance_of, record_id
from archive.pdf_worker import PdfContent
from archive.reader import Capture
from archive.strategy import detect_strategy, words

# Metadata titles that office programs fill in by themselves: a file name, a
# template's placeholder, the program's name. They are not the document's title.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - .*|untitled.*|uten tittel.*|"
    r"(?:dokument|document|presentasjon|presentation|mal|template|title|tittel)\s*\d*|"
    r".*\.(?:docx?|pdf|indd|pptx?|odt|rtf|qxd|xlsx?)|[\W\d_]*)$",
    re.IGNORECASE,
)
PDF_TYPES = ("application/pdf", "application/x-pdf", "application/acrobat")


def is_pdf(capture: Capture) -> bool:
    """A PDF by its media type, or by its name when served as a generic type."""
    if capture.mime_type in PDF_TYPES:
        return True
    return capture.mime_type in ("application/octet-stream", "binary/octet-stream", "") and (
        document_extension(urlsplit(capture.url).path) == "pdf")


def file_title(url: str) -> str:
    """A title from the file name: ``folkehelsestrategi-2019-2023.pdf`` -> "folkehelsestrategi 2019-2023"."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    stem = splitext(name)[0] or name
    return re.sub(r"(?<=\D)[-_]+|[-_]+(?=\D)", " ", stem).strip() or url


def real_metadata_title(title: str | None, first_page: str) -> bool:
    """True when the metadata title is the document's own: not a placeholder, and on its first page.

    Office programs write the file name or a template's title into the metadata,
    and copied documents keep another document's; a title that shares no word
    with the first page is one of those.
    """
    if not title or _PLACEHOLDER_TITLE.match(title.strip()):
        return False
    mine = set(words(title))
    return bool(mine) and len(mine & set(words(first_page))) >= max(1, len(mine) // 2)


def _metadata(raw: dict[str, str]) -> DocumentMetadata:
    return DocumentMetadata(**{k: raw.get(k) or None for k in (
        "title", "author", "subject", "keywords", "creator", "producer", "created", "modified")})


def _format(capture: Capture) -> str:
    if is_pdf(capture):
        return "pdf"
    ext = document_extension(urlsplit(capture.url).path)
    return ext or capture.mime_type.rsplit("/", 1)[-1] or "unknown"


def build_document(capture: Capture, content: PdfContent | None) -> DocumentRecord:
    """The record of a captured document; ``content`` is None for a format that is not read."""
    fmt = _format(capture)
    if content is None:
        content = PdfContent(page_count=None, pages_read=0, metadata={}, reason="not_read",
                             detail=f"the extract reads PDF files; this is a {fmt} file",
                             reader="")
    layout = content.layout
    sections: list[Section] = layout.sections if layout else []
    text = layout.text if layout else ""
    meta = _metadata(content.metadata)
    first_page = " ".join(layout.title_page) if layout and layout.title_page else ""
    first_page = first_page or " ".join(
        s.heading or "" for s in sections[:2]) + " " + text[:500]
    if real_metadata_title(meta.title, first_page):
        title, source = (meta.title or "").strip(), "metadata"
    elif layout and layout.title:
        title, source = layout.title, "heading"
    else:
        title, source = file_title(capture.url), "file_name"
    strategy = detect_strategy(title, _with_title(sections, title), "document") if sections else None
    reason = content.reason
    if reason is None and layout is not None and not text.strip():
        reason, content.detail = "no_text_layer", "its pages hold no text, only pictures"
    return DocumentRecord(
        id=record_id(capture.url, capture.captured_at),
        url=capture.url,
        captured_at=capture.captured_at,
        status=capture.status,
        content_type=capture.content_type,
        format=fmt,
        reason=reason,
        detail=content.detail or None,
        title=title,
        title_source=source,
        pages=content.page_count,
        language=guess_language(text) if text.strip() else "und",
        metadata=meta,
        title_page=list(layout.title_page) if layout else [],
        word_count=len(text.split()),
        sections=sections,
        text=text,
        strategy=strategy,
        linked_from=[],
        extraction=DocumentExtraction(
            reader=content.reader,
            pages_read=content.pages_read,
            headings_from=layout.headings_from,
            furniture=layout.furniture,
            two_column_pages=list(layout.two_column_pages),
        ) if layout else None,
        provenance=provenance_of(capture),
    )


def _with_title(sections: list[Section], title: str) -> list[Section]:
    """The sections as a page would have them: the title first, as its level-1 heading.

    A page's strategy rules read its h1 as the title; a document's title stands on
    its title page, outside the sections, and its chapters start at level 1. They
    are moved one level down under the title, for the rules only.
    """
    shifted = [Section(heading=s.heading, level=s.level + 1, blocks=s.blocks) for s in sections]
    return [Section(heading=title, level=1, blocks=[]), *shifted]
