"""Read a PDF into positioned text spans, metadata and outline, safely and fast.

The only module that talks to the PDF engine: everything after it
(``archive.pdf_layout``) works on the plain dataclasses defined here, so the
layout analysis never depends on the engine and can be tested on spans alone.

Engine: PDFium, Chromium's PDF engine (BSD-3-Clause), through the pypdfium2
bindings (Apache-2.0 / BSD-3-Clause). Chosen over PyMuPDF (AGPL, excluded for
its licence) and pdfminer.six (pure Python, much slower on large documents).
Text is read per text object (one ``Tj``/``TJ`` run), never per character, so
the number of calls into the engine stays small.

Bad input never raises: an encrypted, damaged, image-only, oversized or slow
document comes back as a ``PdfFile`` with ``reason`` and ``detail`` set.
"""

from __future__ import annotations

import ctypes
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# pypdfium2 ships no type information (no py.typed): its names are Any here
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
FontInfo = tuple[str, bool, float, float]  # name, bold, ascent, descent (per point of size)

# descriptor flag ForceBold (PDF 32000-1, table 123: bit 19)
FORCE_BOLD = 1 << 18
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold", re.IGNORECASE)
# PDFium's marker for a hyphen it judged to be a soft hyphen at a line end
PDFIUM_SOFT_HYPHEN = "\x02"
SHY = "\u00ad"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
SPACES = re.compile(r"[ \t\r\n\u00a0]+")
PDF_DATE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*([Zz]|[+-]\d{2}'?\d{0,2}'?)?")
METADATA_KEYS = {
    "Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords",
    "Creator": "creator", "Producer": "producer", "CreationDate": "created", "ModDate": "modified",
}
MAX_OUTLINE = 10_000  # a (malicious) outline of millions of entries is cut here
TEXT_UNITS = 2048  # the reusable text buffer, in UTF-16 code units
MAX_DEPTH = 8  # form XObjects nested deeper than this are not read


@dataclass(frozen=True, slots=True)
class Span:
    """One text object (one Tj/TJ run); page coordinates, y growing down from the page top."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # effective font size in points (font size times the text matrix's scale)
    bold: bool
    font: str  # base font name without the subset prefix


@dataclass(slots=True)
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    spans: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class PdfFile:
    page_count: int
    pages: list[PdfPage] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    outline: list[tuple[int, str]] = field(default_factory=list)
    reason: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Bounds on the work one document may cost, so one bad file cannot stall an export.

    ``max_bytes``: a file larger than this is not parsed at all (memory: PDFium
    holds the whole file). ``max_pages``: only the first pages are read of a
    longer document (time and output size). ``max_seconds``: reading stops when
    this much wall time has passed, checked between pages (a page with a
    pathological content stream cannot be interrupted, but the next one is not
    started). ``max_chars``: reading stops once this much text has been read (a
    document that is mostly generated tables of numbers would swamp the index).
    """

    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000
    max_seconds: float = 60.0
    max_chars: int = 5_000_000


def read_pdf(data: bytes, limits: DocumentLimits = DocumentLimits()) -> PdfFile:
    """The document's pages as spans, its metadata and outline; ``reason`` says what went wrong."""
    if len(data) > limits.max_bytes:
        return PdfFile(0, reason="too_large",
                       detail=f"The file has {len(data)} bytes, more than the limit of "
                              f"{limits.max_bytes}.")
    if not data:
        return PdfFile(0, reason="damaged", detail="The file is empty.")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        # PDFium's load failure; its error code tells a password from a broken file
        return _load_failure(error)
    try:
        return _read_document(pdf, limits)
    finally:
        pdf.close()


def _load_failure(error: pdfium.PdfiumError) -> PdfFile:
    code = getattr(error, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return PdfFile(0, reason="encrypted",
                       detail="The document is encrypted and needs a password to open.")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return PdfFile(0, reason="encrypted",
                       detail="The document uses a security handler that cannot be opened.")
    return PdfFile(0, reason="damaged",
                   detail="The file is not a readable PDF (truncated or corrupt).")


def _read_document(pdf: pdfium.PdfDocument, limits: DocumentLimits) -> PdfFile:
    started = time.monotonic()
    result = PdfFile(len(pdf), metadata=_metadata(pdf), outline=_outline(pdf))
    fonts: dict[int, FontInfo] = {}
    failed = images = chars = 0
    for index in range(min(result.page_count, limits.max_pages)):
        if time.monotonic() - started > limits.max_seconds:
            result.reason = "timeout"
            result.detail = (f"Reading stopped after {limits.max_seconds:g} seconds, "
                             f"{len(result.pages)} of {result.page_count} pages read.")
            return result
        page = _read_page(pdf, index, fonts)
        if page is None:
            failed += 1
            continue
        read, has_images = page
        images += has_images
        result.pages.append(read)
        chars += sum(len(s.text) for s in read.spans)
        if chars > limits.max_chars:
            result.reason = "too_large"
            result.detail = (f"Reading stopped at {limits.max_chars} characters of text, "
                             f"{len(result.pages)} of {result.page_count} pages read.")
            return result
    _judge(result, limits, failed, images)
    return result


def _judge(result: PdfFile, limits: DocumentLimits, failed: int, images: int) -> None:
    """Set the reason of a document read to its end (or its page limit)."""
    if not result.pages and failed:
        result.reason = "damaged"
        result.detail = "The file opened but none of its pages could be read."
    elif result.pages and not any(p.spans for p in result.pages) and images:
        result.reason = "no_text_layer"
        result.detail = "The pages hold only images (a scan): there is no text layer."
    elif result.page_count > limits.max_pages:
        result.reason = "too_many_pages"
        result.detail = (f"The document has {result.page_count} pages; only the first "
                         f"{limits.max_pages} were read.")


def _read_page(pdf: pdfium.PdfDocument, index: int,
               fonts: dict[int, FontInfo]) -> tuple[PdfPage, bool] | None:
    """The page's spans and whether it holds images; None when PDFium cannot load the page."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        # a page of a repaired file whose objects are missing: count it as failed
        return None
    try:
        textpage = page.get_textpage()
    except pdfium.PdfiumError:
        # same: the page dictionary exists but its content cannot be parsed
        page.close()
        return None
    try:
        width, height = page.get_size()
        left, bottom = _origin(page)
        result = PdfPage(index + 1, width, height)
        images = False
        buf = (ctypes.c_ushort * TEXT_UNITS)()
        for raw, matrix in _objects(page.raw, pdfium_c.FPDFPage_CountObjects,
                                    pdfium_c.FPDFPage_GetObject, IDENTITY, 0):
            kind = pdfium_c.FPDFPageObj_GetType(raw)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images = True
            elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                span = _span(raw, textpage.raw, matrix, (left, bottom, height), fonts, buf)
                if span is not None:
                    result.spans.append(span)
        return result, images
    finally:
        textpage.close()
        page.close()


def _origin(page: pdfium.PdfPage) -> tuple[float, float]:
    """The lower-left corner of the page's box (usually 0, 0)."""
    try:
        box = page.get_cropbox()
    except pdfium.PdfiumError:
        # no usable box: PDFium's own default is the origin
        return 0.0, 0.0
    return float(box[0]), float(box[1])


def _objects(parent: object, count: Callable[[object], int], get: Callable[[object, int], object],
             matrix: Matrix, depth: int) -> Iterator[tuple[object, Matrix]]:
    """Raw page objects with the matrix of the forms around them (forms are entered)."""
    for i in range(max(count(parent), 0)):
        raw = get(parent, i)
        if not raw:
            continue
        if pdfium_c.FPDFPageObj_GetType(raw) == pdfium_c.FPDF_PAGEOBJ_FORM:
            if depth < MAX_DEPTH:
                inner = _multiply(_matrix(raw), matrix)
                yield from _objects(raw, pdfium_c.FPDFFormObj_CountObjects,
                                    pdfium_c.FPDFFormObj_GetObject, inner, depth + 1)
            continue
        yield raw, matrix


def _matrix(raw: object) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention: m x n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _span(raw: object, textpage: object, outer: Matrix, page: tuple[float, float, float],
          fonts: dict[int, FontInfo], buf: ctypes.Array[ctypes.c_ushort]) -> Span | None:
    """One text object as a span, or None for rotated, invisible-sized or empty text."""
    a, b, c, d, _, baseline = _multiply(_matrix(raw), outer)
    scale = max(abs(a), abs(d), 1e-9)
    if abs(b) > 0.01 * scale or abs(c) > 0.01 * scale or d <= 0:
        return None  # rotated, sheared or mirrored text: not part of the reading flow
    text = _text(raw, textpage, buf)
    if not text.strip():
        return None
    size = ctypes.c_float()
    if not pdfium_c.FPDFTextObj_GetFontSize(raw, ctypes.byref(size)):
        return None
    bounds = _bounds(raw, outer)
    if bounds is None:
        return None
    name, bold, ascent, descent = _font(raw, fonts)
    left, bottom, height = page
    x0, y0, x1, y1 = bounds
    em = size.value * abs(d)
    if ascent > descent:
        # the font's box, not the glyphs' ink: every span of a line gets the same top and bottom
        y0, y1 = baseline + descent * em, baseline + ascent * em
    return Span(text, x0 - left, height - (y1 - bottom), x1 - left, height - (y0 - bottom),
                round(em, 2), bold, name)


def _bounds(raw: object, outer: Matrix) -> tuple[float, float, float, float] | None:
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not pdfium_c.FPDFPageObj_GetBounds(raw, l, b, r, t):
        return None
    if outer == IDENTITY:
        return l.value, b.value, r.value, t.value
    xs, ys = [], []
    for x, y in ((l.value, b.value), (r.value, t.value)):
        xs.append(x * outer[0] + y * outer[2] + outer[4])
        ys.append(x * outer[1] + y * outer[3] + outer[5])
    return min(xs), min(ys), max(xs), max(ys)


def _text(raw: object, textpage: object, buf: ctypes.Array[ctypes.c_ushort]) -> str:
    """The object's text: PDFium's soft-hyphen marker kept as U+00AD, control characters out.

    One call into PDFium with the page's reusable buffer (PDFium looks the object's
    characters up on the whole text page, so each call costs; a second call only for
    text longer than the buffer).
    """
    size = ctypes.sizeof(buf)
    nbytes = pdfium_c.FPDFTextObj_GetText(raw, textpage, buf, size)
    if nbytes <= 2:
        return ""
    if nbytes > size:
        buf = (ctypes.c_ushort * ((nbytes + 1) // 2))()
        nbytes = pdfium_c.FPDFTextObj_GetText(raw, textpage, buf, nbytes)
    text = ctypes.string_at(buf, nbytes).decode("utf-16-le", errors="replace").rstrip("\x00")
    soft = text.rstrip().endswith(PDFIUM_SOFT_HYPHEN)
    text = text.replace(PDFIUM_SOFT_HYPHEN, "")
    text = SPACES.sub(" ", CONTROL.sub("", text))
    if soft:
        text = text.rstrip().removesuffix("-") + SHY
    return text


def _font(raw: object, fonts: dict[int, FontInfo]) -> FontInfo:
    """Base name without the subset prefix, bold or not, ascent and descent per point of size.

    Cached per font handle: a page of one-word text objects asks about the same few fonts.
    """
    handle = pdfium_c.FPDFTextObj_GetFont(raw)
    key = ctypes.cast(handle, ctypes.c_void_p).value or 0
    known = fonts.get(key)
    if known is not None:
        return known
    name = ""
    if handle:
        n = pdfium_c.FPDFFont_GetBaseFontName(handle, None, 0)
        if n > 0:
            buf = ctypes.create_string_buffer(n)
            pdfium_c.FPDFFont_GetBaseFontName(handle, buf, n)
            name = buf.value.decode("utf-8", errors="replace")
    name = SUBSET_PREFIX.sub("", name)
    weight = pdfium_c.FPDFFont_GetWeight(handle) if handle else -1
    flags = pdfium_c.FPDFFont_GetFlags(handle) if handle else 0
    bold = bool(BOLD_NAME.search(name)) or weight >= 600 or bool(flags > 0 and flags & FORCE_BOLD)
    ascent, descent = _extent(handle)
    fonts[key] = (name, bold, ascent, descent)
    return fonts[key]


def _extent(handle: object) -> tuple[float, float]:
    """Ascent and descent at size 1 (descent negative); (0, 0) when the font does not say."""
    if not handle:
        return 0.0, 0.0
    up, down = ctypes.c_float(), ctypes.c_float()
    if not (pdfium_c.FPDFFont_GetAscent(handle, ctypes.c_float(1000.0), ctypes.byref(up))
            and pdfium_c.FPDFFont_GetDescent(handle, ctypes.c_float(1000.0), ctypes.byref(down))):
        return 0.0, 0.0
    ascent, descent = up.value / 1000, down.value / 1000
    if not (0.3 < ascent < 1.5 and -0.6 < descent <= 0.05):
        return 0.0, 0.0  # implausible metrics (broken descriptor): use the glyph bounds
    return ascent, descent


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, name in METADATA_KEYS.items():
        try:
            value = pdf.get_metadata_value(key)
        except (pdfium.PdfiumError, UnicodeDecodeError):
            # a broken Info dictionary or a string PDFium cannot decode: leave the key out
            continue
        value = SPACES.sub(" ", CONTROL.sub("", value or "")).strip()
        if name in ("created", "modified"):
            value = pdf_date(value) or ""
        if value:
            out[name] = value
    return out


def pdf_date(value: str) -> str | None:
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm') as ISO 8601, with its offset when it has one."""
    match = PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    parts = (int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0))
    if not (1 <= parts[0] <= 12 and 1 <= parts[1] <= 31 and parts[2] < 24 and parts[3] < 60
            and parts[4] < 61):
        return None
    mo, dd, hh, mi, ss = parts
    text = f"{year}-{mo:02d}-{dd:02d}T{hh:02d}:{mi:02d}:{ss:02d}"
    if zone in ("Z", "z"):
        return text + "+00:00"
    if zone:
        digits = zone[1:].replace("'", "")
        return f"{text}{zone[0]}{digits[:2]}:{(digits[2:4] or '00'):0>2}"
    return text


def _outline(pdf: pdfium.PdfDocument) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    try:
        for mark in pdf.get_toc():
            title = SPACES.sub(" ", CONTROL.sub("", mark.get_title() or "")).strip()
            if title:
                out.append((mark.level + 1, title))
            if len(out) >= MAX_OUTLINE:
                break
    except (pdfium.PdfiumError, ValueError):
        # a broken outline tree (bad pointers, undecodable title): keep what was read
        pass
    return out


def engine_version() -> str:
    """The PDF engine and its build, for the records: ``pdfium 8149 (pypdfium2 5.15.2)``."""
    from pypdfium2.version import PDFIUM_INFO, PYPDFIUM_INFO  # type: ignore[import-untyped]

    return f"pdfium {PDFIUM_INFO.build} (pypdfium2 {PYPDFIUM_INFO})"
