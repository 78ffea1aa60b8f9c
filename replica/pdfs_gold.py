"""Gold records of the replica's PDF documents: what an extractor should get out of each.

Derived from ``replica.pdfs_content``, the data ``replica.pdfs`` renders, so
the records cannot drift from the files. One record per document, JSON-ready:

- ``title``, ``page_count``, ``metadata`` (the document information: title,
  author, subject, keywords, creator, producer, created, modified as ISO 8601);
- ``title_page``: the lines of the title page (page 1), which is not a section;
- ``sections``: ``[{"heading", "level", "blocks"}]`` in reading order (a
  two-column page left column first); a block is a paragraph string,
  ``{"type": "list", "items": [...], "ordered": bool}`` or
  ``{"type": "table", "rows": [[...], ...]}`` (header row first). Text is as
  it reads: soft hyphens removed, words broken at line ends joined again;
- ``furniture``: the running header (the document title) and the footers
  "Side N av M" on ``pages`` (all but the title page). They are not content:
  an extractor must drop them from every page. The international strategy
  also has a section heading equal to its title, so content keeps that
  string once, as a heading;
- ``outline``: the bookmarks ``[{"title", "level"}]`` (level 1 at the top),
  empty for a document without an outline;
- ``split_paragraphs``: paragraphs that continue across a page break (one
  paragraph each in content, not two);
- ``line_breaks``: hyphens at line ends, ``{"before", "after", "joined"}``:
  a soft hyphen disappears when joined, a hard hyphen stays;
- ``two_column_pages``;
- ``strategy``: ``period``, ``goal``, ``priorities`` ``[{"title", "goals"}]``
  and ``figures`` ``[{"value", "context"}]``.

The bad documents carry a ``reason``: ``encrypted`` (with the user password
and the content found after decrypting), ``damaged`` (the share of the file
that survived; nothing is expected to be extracted) and ``no_text_layer``
(with the text that is only in the picture, for OCR).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .pdfs_content import (
    AUTHOR,
    BAD,
    DOCUMENTS,
    SHY,
    Block,
    Document,
    Grid,
    Items,
    Para,
    Scan,
    Strategy,
    footer_text,
)


def text(raw: str) -> str:
    """Content text: without the soft hyphens that only mark where a word may break."""
    return raw.replace(SHY, "")


def block(item: Block) -> str | dict[str, Any]:
    if isinstance(item, Para):
        return text(item.text)
    if isinstance(item, Items):
        return {"type": "list", "items": [text(i) for i in item.items], "ordered": item.ordered}
    assert isinstance(item, Grid)
    return {"type": "table", "rows": [[text(c) for c in row] for row in item.rows]}


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def metadata(document: Document) -> dict[str, str]:
    return {
        "title": document.title, "author": AUTHOR, "subject": document.subject,
        "keywords": ", ".join(document.keywords), "creator": document.creator,
        "producer": document.producer, "created": _iso(document.created),
        "modified": _iso(document.modified),
    }


def strategy(model: Strategy) -> dict[str, Any]:
    return {
        "period": model.period,
        "goal": model.goal,
        "priorities": [{"title": p.title, "goals": list(p.goals)} for p in model.priorities],
        "figures": [{"value": f.value, "context": f.context} for f in model.figures],
    }


def document_record(document: Document) -> dict[str, Any]:
    """The gold record of a rendered document (strategy or plan)."""
    pages = list(range(2, document.pages + 1))
    sections = document.sections
    return {
        "name": document.name,
        "file": f"{document.name}.pdf",
        "kind": "strategy" if document.strategy else "document",
        "title": document.title,
        "page_count": document.pages,
        "metadata": metadata(document),
        "title_page": list(document.title_page),
        "sections": [{"heading": s.heading, "level": s.level,
                      "blocks": [block(b) for b in s.blocks]} for s in sections],
        "furniture": {"header": document.title,
                      "footers": [footer_text(n, document.pages) for n in pages],
                      "pages": pages},
        "outline": ([{"title": s.heading, "level": s.level} for s in sections]
                    if document.outline else []),
        "split_paragraphs": [text(b.text) for s in sections for b in s.blocks
                             if isinstance(b, Para) and b.continues],
        "line_breaks": [{"before": lb.before, "after": lb.after, "joined": lb.joined}
                        for lb in document.line_breaks],
        "two_column_pages": list(document.two_column_pages),
        "strategy": strategy(document.strategy) if document.strategy else None,
    }


def encrypted_record(document: Document) -> dict[str, Any]:
    record = document_record(document)
    record.update(kind="bad", reason="encrypted", password=document.password)
    return record


def damaged_record(document: Document, keep: float) -> dict[str, Any]:
    return {"name": document.name, "file": f"{document.name}.pdf", "kind": "bad",
            "reason": "damaged", "title": document.title, "intended_page_count": document.pages,
            "kept_share": keep}


def scan_record(page: Scan) -> dict[str, Any]:
    return {"name": page.name, "file": f"{page.name}.pdf", "kind": "bad",
            "reason": "no_text_layer", "title": page.file_title, "page_count": 1,
            "metadata": {"title": page.file_title, "author": AUTHOR, "creator": page.creator,
                         "producer": page.producer, "created": _iso(page.created)},
            "image_text": [line.strip() for line in page.lines if line.strip()]}


def gold_records() -> dict[str, dict[str, Any]]:
    """Every document's gold record by name (the file stem), JSON-ready."""
    records = {d.name: document_record(d) for d in DOCUMENTS}
    records[BAD.encrypted.name] = encrypted_record(BAD.encrypted)
    records[BAD.damaged.name] = damaged_record(BAD.damaged, BAD.damaged_keep)
    records[BAD.scanned.name] = scan_record(BAD.scanned)
    return records
