"""The page and document records: dataclasses, their JSON form, and the JSON Schemas made from them.

The schemas are generated from the type hints, so the model is the single
source; ``archive/schema/page.schema.json`` and ``document.schema.json`` are
the generated files kept in the repository (a test checks they are current)
and copied beside every extract. A document record (a captured PDF) shares the
page record's sections, strategy and provenance, so one reader serves both.
"""


from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

SCHEMA_ID = "https://akershus-archive.invalid/schema/page.schema.json"
SCHEMA_PATH = Path(__file__).parent / "schema" / "page.schema.json"
DOCUMENT_SCHEMA_ID = "https://akershus-archive.invalid/schema/document.schema.json"
DOCUMENT_SCHEMA_PATH = Path(__file__).parent / "schema" / "document.schema.json"


def doc(text: str, **kw: Any) -> Any:
    """A dataclass field with a description for the schema."""
    return field(metadata={"doc": text}, **kw)


# --- blocks -----------------------------------------------------------------


@dataclass(slots=True)
class Paragraph:
    """A paragraph of running text; ``ingress`` marks the lead paragraph(s)."""

    text: str
    ingress: bool = False
    type: Literal["paragraph"] = field(default="paragraph", init=False)


@dataclass(slots=True)
class ListBlock:
    """A bullet or numbered list; nested lists are flattened into ``items`` in order."""

    items: list[str]
    ordered: bool = False
    type: Literal["list"] = field(default="list", init=False)


@dataclass(slots=True)
class Table:
    """A table as rows of cell texts; ``header`` says the first row is a header row."""

    rows: list[list[str]]
    header: bool = False
    caption: str | None = None
    type: Literal["table"] = field(default="table", init=False)


@dataclass(slots=True)
class Contact:
    """A contact person as the CMS's contact block shows one."""

    text: str
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    type: Literal["contact"] = field(default="contact", init=False)


@dataclass(slots=True)
class Quote:
    """A block quotation."""

    text: str
    cite: str | None = None
    type: Literal["quote"] = field(default="quote", init=False)


@dataclass(slots=True)
class Image:
    """An image in the content (not layout images), with its alternative text."""

    src: str
    alt: str = ""
    caption: str | None = None
    type: Literal["image"] = field(default="image", init=False)


Block = Paragraph | ListBlock | Table | Contact | Quote | Image


@dataclass(slots=True)
class Section:
    """A heading and the blocks under it; the first section holds content before any h2."""

    heading: str | None
    level: int
    blocks: list[Block] = field(default_factory=list)


# --- links, documents, strategy -----------------------------------------------


@dataclass(slots=True)
class Link:
    url: str = doc("absolute URL, resolved against the page URL")
    text: str = doc("link text")
    internal: bool = doc("true when the link points into the legacy site")


@dataclass(slots=True)
class Document:
    url: str = doc("absolute URL of the linked file")
    title: str = doc("link text, else the title attribute, else the file name")
    format: str = doc("file extension in lower case, e.g. pdf")
    captured: bool = doc("true when the archive holds a capture of the file")
    record: str | None = doc(
        "id of the file's record in documents.jsonl: the capture nearest in time to this "
        "page's; null when the file was not captured or is not a document the extract reads")


@dataclass(slots=True)
class Period:
    start: int | None = doc("first year")
    end: int | None = doc("last year")


@dataclass(slots=True)
class Figure:
    value: float = doc("the number, multipliers applied (1,2 millioner -> 1200000)")
    text: str = doc("the number with the words around it, as written")
    counts: str | None = doc("the noun the number counts, e.g. innbyggere")
    approximate: bool = doc("the text qualifies the number (om lag, ca., about)")
    sentence: str = doc("the whole sentence that holds the figure, whitespace collapsed")
    period: Period | None = doc(
        "the year or years the figure refers to (i 2018, innen 2030, 2018-2030), else null; "
        "a baseline year (sammenlignet med 1990, fra 1990-nivå) is not taken"
    )
    when: str | None = doc("the words that give that period, as written (frem mot 2040, i 2018)")


@dataclass(slots=True)
class SubGoals:
    priority: str = doc("the priority, as in priorities")
    goals: list[str] = doc("the goals the text lists under that priority (delmål), in order")


@dataclass(slots=True)
class Strategy:
    title: str = doc("name of the strategy or plan, with its period as written")
    period: Period | None = doc("years the strategy covers")
    goal: str | None = doc("the overall objective statement")
    priorities: list[str] = doc("thematic priorities / focus areas, in order")
    sub_goals: list[SubGoals] = doc(
        "for priorities with a section of their own that lists goals: those goals")
    figures: list[Figure] = doc("numbers the text states, with what they count")
    document: str | None = doc(
        "on a page record: the id of the linked document record (documents.jsonl) that holds "
        "the strategy itself; its strategy is preferred to the page's summary. Null otherwise")
    differences: list[str] = doc(
        "where the page's strategy and its document's disagree: one line per field "
        "(period, goal, priorities), giving both values; empty when they agree")


# --- provenance, succession, the record ---------------------------------------


@dataclass(slots=True)
class RecordLocation:
    warc_file: str
    offset: int
    length: int
    record_id: str


@dataclass(slots=True)
class Provenance:
    warc_file: str = doc("WARC file name, relative to the archive's warc/ folder")
    offset: int = doc("byte offset of the record in the file")
    length: int = doc("byte length of the record (the gzip member when compressed)")
    record_id: str = doc("WARC-Record-ID")
    record_type: str = doc("response or revisit")
    payload_digest: str | None = doc("WARC-Payload-Digest")
    captured_at: str = doc("WARC-Date, ISO 8601 UTC")
    refers_to: RecordLocation | None = doc("for a revisit: the record holding the payload")


@dataclass(slots=True)
class Successor:
    name: str
    site: str
    start: str | None
    end: str | None
    note: str


@dataclass(slots=True)
class Extraction:
    """How the content of a page was found, so that a reader can judge it."""

    method: str = doc(
        "how the content root was chosen: template (the matched legacy template's selector), "
        "landmark (the page's <main> or role=main), density (text and link density scoring), "
        "body (the whole body: nothing scored)"
    )
    root: str = doc("where the content root sits in the page: tags, ids and cell numbers "
                    "from <body> down, e.g. body>table>tr>td[2]")
    text_share: float = doc("share of the page's text (chrome removed) inside the content root; "
                            "a low share on a long page is worth a look")
    site_pages: int = doc("pages of this site the boilerplate profile was learned from; "
                          "0 when the archive was too small and per-page rules alone were used")
    template_blocks: int = doc("text blocks removed because they recur at the same place on "
                               "most pages of the site")
    chrome_rules: list[str] = doc("per-page chrome rules that removed something: cookie, "
                                  "controls, skiplinks, tools, breadcrumb")
    layout_tables: int = doc("tables read as page layout (their cells walked as flow)")


@dataclass(slots=True)
class PageRecord:
    """One capture of one HTML page."""

    id: str = doc("stable id: short sha1 of url and captured_at")
    url: str = doc("the URL exactly as captured (percent-encoding kept)")
    captured_at: str = doc("capture time, ISO 8601 UTC")
    status: int | None = doc("HTTP status of the capture")
    content_type: str = doc("recorded Content-Type header")
    charset: str = doc("charset the page was decoded with (WHATWG label)")
    language: str = doc("BCP 47 language tag: nb, nn, en")
    title: str = doc("page title (the h1, else <title> without the site suffix)")
    description: str | None = doc("the ingress (lead paragraph)")
    template: str = doc("legacy CMS template that matched, or generic")
    extraction: Extraction = doc("how the content was found (see Extraction)")
    notice: bool = doc("the capture carried the post-2020 Viken notice")
    notice_text: str | None = doc("text of that notice")
    superseded_by: str = doc("URL of the page's successor")
    succession: list[Successor] = doc("the organisations and sites that succeeded the site")
    published: str | None = doc("publication date the page states, ISO 8601")
    modified: str | None = doc("last-modified date the page states, ISO 8601")
    word_count: int = doc("words in text")
    sections: list[Section] = doc("content in document order; chrome excluded")
    text: str = doc("plain text of the content, for search")
    links: list[Link] = doc("links in the content")
    documents: list[Document] = doc("linked PDFs and other files")
    strategy: Strategy | None = doc("structured strategy or plan, else null")
    provenance: Provenance = doc("where the capture's WARC record lives")


# --- the document record -------------------------------------------------------


@dataclass(slots=True)
class DocumentMetadata:
    """The document information dictionary, as present (absent keys are null)."""

    title: str | None = doc("Title")
    author: str | None = doc("Author")
    subject: str | None = doc("Subject")
    keywords: str | None = doc("Keywords")
    creator: str | None = doc("Creator: the program the document was written in")
    producer: str | None = doc("Producer: the program that made the PDF")
    created: str | None = doc("CreationDate, ISO 8601 with its offset")
    modified: str | None = doc("ModDate, ISO 8601 with its offset")


@dataclass(slots=True)
class DocumentExtraction:
    """How the content of a document was read, so that a reader can judge it."""

    reader: str = doc("the PDF engine and its version, e.g. pdfium 7763")
    pages_read: int = doc("pages whose text was read (fewer than pages when a limit stopped it)")
    headings_from: str = doc("outline (the PDF's bookmarks confirmed the headings), layout "
                             "(font size and weight alone) or none")
    furniture: int = doc("running header, footer and page-number lines left out of the content")
    two_column_pages: list[int] = doc("pages read as two columns (left column first)")


@dataclass(slots=True)
class DocumentRecord:
    """One capture of one linked file (a strategy PDF, a plan): its content as structured text."""

    id: str = doc("stable id: short sha1 of url and captured_at (the same rule as pages)")
    url: str = doc("the URL exactly as captured (percent-encoding kept)")
    captured_at: str = doc("capture time, ISO 8601 UTC")
    status: int | None = doc("HTTP status of the capture")
    content_type: str = doc("recorded Content-Type header")
    format: str = doc("pdf, or the file extension of a format whose content is not read")
    reason: str | None = doc(
        "why the content is missing or partial, else null: encrypted (a password is needed), "
        "damaged (the file cannot be parsed), no_text_layer (pages are pictures: no OCR is "
        "done), too_large, too_many_pages, timeout (a per-document limit), crashed (the PDF "
        "engine failed on it), not_read (a format the extract does not read)")
    detail: str | None = doc("the reason in a sentence")
    title: str = doc("the document's own title: the metadata title where it is the real one, "
                     "else its first heading, else the link text or file name")
    title_source: str = doc("where the title came from: metadata, heading, link, file_name")
    pages: int | None = doc("page count, null when the file could not be opened")
    language: str = doc("BCP 47 language tag of the text: nb, nn, en")
    metadata: DocumentMetadata = doc("the document information (see DocumentMetadata)")
    title_page: list[str] = doc("lines of the title page, which is not content")
    word_count: int = doc("words in text")
    sections: list[Section] = doc("content in reading order, as in page records; running "
                                  "headers, footers and page numbers left out")
    text: str = doc("plain text of the content in reading order, for search")
    strategy: Strategy | None = doc("structured strategy or plan, else null (same model as pages)")
    linked_from: list[str] = doc("URLs of the captured pages that link to the file, sorted")
    extraction: DocumentExtraction | None = doc("how the content was read; null when not read")
    provenance: Provenance = doc("where the capture's WARC record lives")


# --- JSON form ---------------------------------------------------------------


@cache
def field_order(cls: type) -> tuple[str, ...]:
    """Field names in declaration order, a block's ``type`` first."""
    names = tuple(f.name for f in fields(cls))
    if "type" in names:
        names = ("type",) + tuple(n for n in names if n != "type")
    return names


def to_jsonable(obj: Any) -> Any:
    """Dataclasses to dicts in field order, recursively (faster than asdict)."""
    if hasattr(obj, "__dataclass_fields__"):
        cls: type = type(obj)
        return {name: to_jsonable(getattr(obj, name)) for name in field_order(cls)}
    if isinstance(obj, list):
        return [to_jsonable(x) for x in obj]
    return obj


def dumps(record: PageRecord | DocumentRecord) -> str:
    """One record as a JSON line (UTF-8 text, not ASCII escapes)."""
    return json.dumps(to_jsonable(record), ensure_ascii=False, separators=(",", ":"))


# --- JSON Schema from the model ------------------------------------------------


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is type(None):
        return {"type": "null"}
    if origin is Literal:
        (value,) = get_args(tp)
        return {"const": value}
    if origin is list:
        (item,) = get_args(tp)
        return {"type": "array", "items": _schema_for(item, defs)}
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if all(is_dataclass(a) for a in args):
            return {"oneOf": [_schema_for(a, defs) for a in args]}
        return {"anyOf": [_schema_for(a, defs) for a in args]}
    if isinstance(tp, type) and is_dataclass(tp):  # a dataclass, not an instance of one
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema mapping for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls, globalns=vars(typing) | globals())
    props: dict[str, Any] = {}
    by_name = {f.name: f for f in fields(cls)}
    for f in (by_name[n] for n in field_order(cls)):
        prop = _schema_for(hints[f.name], defs)
        if "doc" in f.metadata:
            prop = {"description": f.metadata["doc"], **prop}
        props[f.name] = prop
    out: dict[str, Any] = {"type": "object"}
    if cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("):
        out["description"] = " ".join(cls.__doc__.split())
    out |= {"properties": props, "required": list(props), "additionalProperties": False}
    return out


def _record_schema(cls: type, schema_id: str, title: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _object_schema(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def page_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one page record."""
    return _record_schema(PageRecord, SCHEMA_ID, "Akershus archive page record")


def document_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one document record."""
    return _record_schema(DocumentRecord, DOCUMENT_SCHEMA_ID, "Akershus archive document record")


def schema_text() -> str:
    """The page schema as the text kept in the repository."""
    return json.dumps(page_schema(), ensure_ascii=False, indent=2) + "\n"


def document_schema_text() -> str:
    """The document schema as the text kept in the repository."""
    return json.dumps(document_schema(), ensure_ascii=False, indent=2) + "\n"

