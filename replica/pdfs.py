"""Strategy and plan documents as real multi-page PDFs, made by code, to test PDF extraction.

The county council published its strategies and plans as PDF documents laid out
in office tools: a title page, chapter headings in several sizes, a running
header with the document title and a "Side N av M" footer, lists, tables of
key figures, a two-column page, words hyphenated at line ends. The documents
here are rendered from the data in ``replica.pdfs_content``, and the expected
content of each (``replica.pdfs_gold``) is derived from the same data, so an
extractor can be scored against it. Three bad documents come with them: one
encrypted (a user password is needed to open it), one damaged (cut off before
its cross-reference table) and one image-only (a scanned page, no text layer).

Library: ReportLab (BSD licence), the long-maintained PDF library for Python.
Its platypus layout engine flows paragraphs across pages and columns, breaks
words at soft hyphens and hard hyphens, draws tables and lists, writes the
outline (bookmarks) and the document information, and encrypts with the
standard security handler (RC4 128-bit, which pypdf opens without extra
packages). Its invariant mode fixes the document ID; the creation and
modification dates are written from the data, so every run gives the same
bytes. The scanned page is drawn with Pillow (ReportLab's own dependency) in
the Vera font that ReportLab ships, which covers æøå.

Rendering checks the layout against the data it claims: the page count, the
two-column pages and the paragraphs that continue across a page break; a
change of text that moves them raises ``LayoutError`` instead of making the
gold records wrong.

Write every document into a folder::

    python -m replica.pdfs OUTDIR [--gold]
"""

from __future__ import annotations

import argparse
import io
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .pdfs_content import (
    AUTHOR,
    BAD,
    DOCUMENTS,
    Block,
    Document,
    Grid,
    Items,
    Para,
    Scan,
    Section,
    footer_text,
)

BLUE = colors.HexColor("#00509e")
RULE = colors.HexColor("#7a8a99")
SHADE = colors.HexColor("#e6eef6")
WIDTH, HEIGHT = A4
MARGIN = 2.5 * cm
GUTTER = 0.8 * cm
FONT_DIR = Path(reportlab.__file__).parent / "fonts"


class LayoutError(RuntimeError):
    """The rendered layout differs from what the document data (and so its gold) states."""


def _style(name: str, font: str, size: float, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, **kw)


# Heading sizes and weights carry the levels: an extractor may read them from the fonts.
HEADING_STYLES = {
    1: _style("h1", "Helvetica-Bold", 18, textColor=BLUE, spaceBefore=6, spaceAfter=8),
    2: _style("h2", "Helvetica-Bold", 14, spaceBefore=10, spaceAfter=5),
    3: _style("h3", "Helvetica-BoldOblique", 11.5, spaceBefore=8, spaceAfter=3),
}
BODY = _style("body", "Helvetica", 10.5, alignment=TA_JUSTIFY, spaceAfter=6,
              embeddedHyphenation=1)
PARA_STYLES = {
    "body": BODY,
    "lead": _style("lead", "Helvetica", 12.5, spaceAfter=8, embeddedHyphenation=1),
    "goal": _style("goal", "Helvetica-Bold", 11.5, textColor=BLUE, leftIndent=14,
                   spaceBefore=4, spaceAfter=10),
}
CELL = _style("cell", "Helvetica", 9.5)
CELL_HEAD = _style("cellhead", "Helvetica-Bold", 9.5)
CELL_RIGHT = _style("cellright", "Helvetica", 9.5, alignment=2)
ITEM = _style("item", "Helvetica", 10.5, spaceAfter=2)


def pdf_date(moment: datetime) -> str:
    """A PDF date string, D:YYYYMMDDHHmmSS+HH'mm' (the moment must carry its UTC offset)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a PDF date needs a time zone")
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm:02d}'"


class _Info(PDFInfo):
    """Document information with the data's own creation and modification dates."""

    def __init__(self, created: datetime, modified: datetime) -> None:
        super().__init__()
        self.created, self.modified = created, modified

    def format(self, document: object) -> bytes:
        entries = {
            "Title": PDFString(self.title), "Author": PDFString(self.author),
            "Subject": PDFString(self.subject), "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator), "Producer": PDFString(self.producer),
            "CreationDate": PDFString(pdf_date(self.created)),
            "ModDate": PDFString(pdf_date(self.modified)), "Trapped": PDFName(self.trapped),
        }
        return PDFDictionary(entries).format(document)


def _canvas_maker(document: Document) -> Callable[..., Canvas]:
    def make(*args: object, **kw: object) -> Canvas:
        canvas = Canvas(*args, **kw)
        canvas._doc.info = _Info(document.created, document.modified)
        return canvas
    return make


class _Para(Paragraph):
    """A paragraph that reports when the layout splits it across a frame (page or column)."""

    splits: list[str]
    origin: str = ""

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = super().split(avail_width, avail_height)
        if len(parts) == 2 and self.origin:
            for part in parts:
                part.origin, part.splits = self.origin, self.splits
            self.splits.append(self.origin)
        return parts


class _Heading(Paragraph):
    """A heading; the document template makes outline entries from these."""

    def __init__(self, text: str, level: int) -> None:
        super().__init__(escape(text), HEADING_STYLES[level])
        self.heading, self.level = text, level


def running_header(canvas: Canvas, title: str) -> None:
    """The running header of a page after the title page: the title over a rule.

    Drawn in the caller's saved graphics state (the footer follows in the same one).
    """
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillColor(RULE)
    canvas.drawString(MARGIN, HEIGHT - 1.6 * cm, title)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, HEIGHT - 1.75 * cm, WIDTH - MARGIN, HEIGHT - 1.75 * cm)


class _DocTemplate(BaseDocTemplate):
    """Title page, one-column and two-column pages; furniture on all but the title page."""

    def __init__(self, out: io.BytesIO, document: Document) -> None:
        encrypt = None
        if document.password:
            encrypt = StandardEncryption(document.password, document.owner_password,
                                         canPrint=1, canModify=0, canCopy=0, strength=128)
        super().__init__(
            out, pagesize=A4, invariant=1, title=document.title, author=AUTHOR,
            subject=document.subject, keywords=", ".join(document.keywords),
            creator=document.creator, producer=document.producer, lang="nb-NO",
            encrypt=encrypt, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN,
        )
        self.document = document
        self.two_column_pages: list[int] = []
        self.bookmarks = 0
        body_h = HEIGHT - 2 * MARGIN
        col_w = (WIDTH - 2 * MARGIN - GUTTER) / 2
        one = Frame(MARGIN, MARGIN, WIDTH - 2 * MARGIN, body_h, id="body")
        left = Frame(MARGIN, MARGIN, col_w, body_h, id="left")
        right = Frame(MARGIN + col_w + GUTTER, MARGIN, col_w, body_h, id="right")
        title = Frame(MARGIN, MARGIN, WIDTH - 2 * MARGIN, body_h, id="title")
        self.addPageTemplates([
            PageTemplate("title", [title], onPage=self._title_page),
            PageTemplate("one", [one], onPage=self._furniture),
            PageTemplate("two", [left, right], onPage=self._two_columns),
        ])

    def _title_page(self, canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFillColor(BLUE)
        canvas.rect(0, HEIGHT - 3.2 * cm, WIDTH, 3.2 * cm, stroke=0, fill=1)
        canvas.restoreState()

    def _furniture(self, canvas: Canvas, _doc: object) -> None:
        """The running header (the title) and the "Side N av M" footer."""
        canvas.saveState()
        running_header(canvas, self.document.title)
        canvas.drawRightString(WIDTH - MARGIN, 1.4 * cm,
                               footer_text(canvas.getPageNumber(), self.document.pages))
        canvas.restoreState()

    def _two_columns(self, canvas: Canvas, doc: object) -> None:
        self.two_column_pages.append(canvas.getPageNumber())
        self._furniture(canvas, doc)

    def afterFlowable(self, flowable: Flowable) -> None:
        if self.document.outline and isinstance(flowable, _Heading):
            self.bookmarks += 1
            key = f"h{self.bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.heading, key, level=flowable.level - 1)


def _paragraph(block: Para, splits: list[str]) -> Paragraph:
    para = _Para(escape(block.text), PARA_STYLES[block.style])
    para.splits, para.origin = splits, block.text
    return para


def _items(block: Items) -> ListFlowable:
    items = [ListItem(Paragraph(escape(item), ITEM)) for item in block.items]
    if block.ordered:
        return ListFlowable(items, bulletType="1", bulletFormat="%s.", leftIndent=18,
                            bulletFontName="Helvetica", bulletFontSize=10.5, spaceAfter=6)
    return ListFlowable(items, bulletType="bullet", start="\u2022", leftIndent=14,
                        bulletFontSize=10.5, spaceAfter=6)


def _grid(block: Grid, width: float) -> Table:
    """A ruled table (grid, shaded header) or one aligned by tab stops only (no lines)."""
    head, *body = block.rows
    numeric = [i for i in range(len(head)) if all(_is_number(row[i]) for row in body)]
    rows = [[Paragraph(escape(cell), CELL_HEAD) for cell in head]]
    for row in body:
        rows.append([Paragraph(escape(cell), CELL_RIGHT if i in numeric else CELL)
                     for i, cell in enumerate(row)])
    shares = block.widths or tuple(1 / len(head) for _ in head)
    table = Table(rows, colWidths=[width * s for s in shares], repeatRows=1, hAlign="LEFT")
    # TableStyle commands: (name, start, stop, *values), as many values as the name takes
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if block.ruled:
        style += [("GRID", (0, 0), (-1, -1), 0.5, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    table.setStyle(TableStyle(style))
    return table


def _is_number(cell: str) -> bool:
    return bool(cell) and cell[0].isdigit()


def _block(block: Block, width: float, splits: list[str]) -> Flowable:
    if isinstance(block, Para):
        return _paragraph(block, splits)
    if isinstance(block, Items):
        return _items(block)
    return _grid(block, width)


def _story(document: Document, splits: list[str]) -> list[Flowable]:
    """Title page, then the sections; a two-column section fills a page of its own."""
    story: list[Flowable] = [Spacer(1, 4.5 * cm)]
    for i, line in enumerate(document.title_page):
        story.append(Paragraph(escape(line), TITLE_PAGE_STYLES[min(i, 2)]))
    story += [NextPageTemplate("one"), PageBreak()]
    full = WIDTH - 2 * MARGIN
    column = (full - GUTTER) / 2
    previous: Section | None = None
    for section in document.sections:
        if previous is not None and (section.new_page
                                     or section.two_columns != previous.two_columns):
            story += [NextPageTemplate("two" if section.two_columns else "one"), PageBreak()]
        elif section.new_column:
            story.append(FrameBreak())
        story.append(_Heading(section.heading, section.level))
        width = column if section.two_columns else full
        story += [_block(block, width, splits) for block in section.blocks]
        previous = section
    return story


TITLE_PAGE_STYLES = (
    _style("tp-org", "Helvetica-Bold", 14, textColor=BLUE, spaceAfter=28),
    _style("tp-title", "Helvetica-Bold", 30, spaceAfter=18),
    _style("tp-sub", "Helvetica", 13, spaceAfter=6),
)


def render(document: Document) -> bytes:
    """The document as PDF bytes; raises LayoutError if the layout contradicts the data."""
    out = io.BytesIO()
    splits: list[str] = []
    template = _DocTemplate(out, document)
    template.build(_story(document, splits), canvasmaker=_canvas_maker(document))
    if template.page != document.pages:
        raise LayoutError(f"{document.name}: {template.page} pages, the data says "
                          f"{document.pages}")
    if tuple(template.two_column_pages) != document.two_column_pages:
        raise LayoutError(f"{document.name}: two columns on pages {template.two_column_pages}, "
                          f"the data says {document.two_column_pages}")
    declared = [b.text for s in document.sections for b in s.blocks
                if isinstance(b, Para) and b.continues]
    if sorted(set(splits)) != sorted(declared):
        raise LayoutError(f"{document.name}: paragraphs split across frames {splits}, "
                          f"the data says {declared}")
    return out.getvalue()


def damage(data: bytes, keep: float) -> bytes:
    """The first ``keep`` share of a PDF: a download cut off before the xref table and trailer."""
    cut = int(len(data) * keep)
    if b"startxref" in data[:cut]:
        raise ValueError("the cut must fall before the cross-reference table")
    return data[:cut]


def scan(page: Scan) -> bytes:
    """A one-page PDF holding only a picture of a typed page (a scan), no text layer."""
    dpi = 100
    size = (int(WIDTH / 72 * dpi), int(HEIGHT / 72 * dpi))
    image = Image.new("L", size, 246)
    draw = ImageDraw.Draw(image)
    regular = ImageFont.truetype(str(FONT_DIR / "Vera.ttf"), 17)
    bold = ImageFont.truetype(str(FONT_DIR / "VeraBd.ttf"), 24)
    x, y = int(2.5 / 2.54 * dpi), int(2.5 / 2.54 * dpi)
    for i, line in enumerate(page.lines):
        font = bold if i == 0 else regular
        draw.text((x, y), line, font=font, fill=30)
        y += 44 if i == 0 else 30
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas._doc.info = _Info(page.created, page.created)
    canvas.setAuthor(AUTHOR)
    canvas.setTitle(page.file_title)
    canvas.setSubject("")
    canvas.setCreator(page.creator)
    canvas.setProducer(page.producer)
    canvas.drawImage(ImageReader(image), 0, 0, WIDTH, HEIGHT)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def build_all() -> dict[str, bytes]:
    """Every document's bytes by name (the file stem): the strategy documents, then the bad ones."""
    files = {d.name: render(d) for d in DOCUMENTS}
    files[BAD.encrypted.name] = render(BAD.encrypted)
    files[BAD.damaged.name] = damage(render(BAD.damaged), BAD.damaged_keep)
    files[BAD.scanned.name] = scan(BAD.scanned)
    return files


def write_pdfs(folder: Path) -> dict[str, Path]:
    """Write every document into ``folder`` (created if missing) as NAME.pdf; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, data in build_all().items():
        path = folder / f"{name}.pdf"
        path.write_bytes(data)
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica.pdfs",
                                     description="Write the replica's PDF documents.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--gold", action="store_true",
                        help="also write gold.json, the expected content of every document")
    args = parser.parse_args(argv)
    for path in write_pdfs(args.outdir).values():
        print(f"{os.path.getsize(path):>8}  {path.name}")
    if args.gold:
        from .pdfs_gold import gold_records

        gold = json.dumps(gold_records(), ensure_ascii=False, indent=1)
        (args.outdir / "gold.json").write_text(gold + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
