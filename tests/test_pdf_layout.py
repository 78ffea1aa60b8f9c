"""PDF reading (archive.pdf_read) and layout analysis (archive.pdf_layout).

Scored against the replica's gold records (ReportLab documents), and against
small PDFs written here by hand in the shapes other generators produce (one
text object per word, TJ arrays with kerning, subset-prefixed and
PostScript-named fonts, a heading bold at body size, bare page numbers), so
the analysis is not right only for one generator's output.
"""

from __future__ import annotations

import random
import re
import time
from functools import cache
from typing import Any

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from archive.model import ListBlock, Paragraph, Table
from archive.pdf_layout import DocumentLayout, keep_hyphen, lay_out
from archive.pdf_read import DocumentLimits, PdfFile, PdfPage, Span, pdf_date, read_pdf
from replica.assets import pdf_file
from replica.pdfs import build_all
from replica.pdfs_gold import gold_records

GOOD = ["internasjonal-strategi-2014-2018", "folkehelsestrategi-2019-2023",
        "samferdselsstrategi-2018-2030"]
ENCRYPTED = "handlingsprogram-internasjonalt-2016-konfidensielt"
DAMAGED = "folkehelseoversikt-2016"
SCANNED = "saksprotokoll-fylkestinget-2014-06-16-skannet"


@cache
def files() -> dict[str, bytes]:
    return build_all()


@cache
def gold() -> dict[str, dict[str, Any]]:
    return gold_records()


@cache
def read(name: str) -> PdfFile:
    return read_pdf(files()[name])


@cache
def layout(name: str) -> DocumentLayout:
    return lay_out(read(name))


def paragraphs(doc: DocumentLayout) -> list[str]:
    return [b.text for s in doc.sections for b in s.blocks if isinstance(b, Paragraph)]


def lists(doc: DocumentLayout) -> list[tuple[list[str], bool]]:
    return [(b.items, b.ordered) for s in doc.sections for b in s.blocks
            if isinstance(b, ListBlock)]


def tables(doc: DocumentLayout) -> list[list[list[str]]]:
    return [b.rows for s in doc.sections for b in s.blocks if isinstance(b, Table)]


def gold_blocks(name: str, kind: str) -> list[Any]:
    found = []
    for section in gold()[name]["sections"]:
        for block in section["blocks"]:
            paragraph = isinstance(block, str)
            if (kind == "paragraph") == paragraph and (paragraph or block["type"] == kind):
                found.append(block)
    return found


# --- the replica's documents ----------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD)
def test_headings_and_levels_in_order(name: str) -> None:
    expected = [(s["heading"], s["level"]) for s in gold()[name]["sections"]]
    assert [(s.heading, s.level) for s in layout(name).sections] == expected


@pytest.mark.parametrize("name", GOOD)
def test_headings_from_outline_where_there_is_one(name: str) -> None:
    assert layout(name).headings_from == ("outline" if gold()[name]["outline"] else "layout")
    assert read(name).outline == [(o["level"], o["title"]) for o in gold()[name]["outline"]]


@pytest.mark.parametrize("name", GOOD)
def test_lists(name: str) -> None:
    found = lists(layout(name))
    expected = gold_blocks(name, "list")
    assert expected
    for block in expected:
        assert (block["items"], block["ordered"]) in found
    assert len(found) == len(expected)


@pytest.mark.parametrize("name", GOOD)
def test_tables(name: str) -> None:
    found = tables(layout(name))
    expected = [b["rows"] for b in gold_blocks(name, "table")]
    assert expected
    assert found == expected
    assert all(b.header for s in layout(name).sections for b in s.blocks if isinstance(b, Table))


@pytest.mark.parametrize("name", GOOD)
def test_every_paragraph_exactly_once(name: str) -> None:
    found = paragraphs(layout(name))
    expected = gold_blocks(name, "paragraph")
    for text in expected:
        assert found.count(text) == expected.count(text), text  # ("Mål:" recurs)
    assert len(found) == len(expected)


@pytest.mark.parametrize("name", GOOD)
def test_blocks_in_their_sections(name: str) -> None:
    """Each section holds the gold blocks in the gold order (nothing moved to a neighbour)."""
    for section, expected in zip(layout(name).sections, gold()[name]["sections"], strict=True):
        got: list[Any] = []
        for b in section.blocks:
            if isinstance(b, Paragraph):
                got.append(b.text)
            elif isinstance(b, ListBlock):
                got.append({"type": "list", "items": b.items, "ordered": b.ordered})
            else:
                assert isinstance(b, Table)
                got.append({"type": "table", "rows": b.rows})
        assert got == expected["blocks"], section.heading


def test_split_paragraphs_are_one_paragraph() -> None:
    split = [p for name in GOOD for p in gold()[name]["split_paragraphs"]]
    assert len(split) >= 2
    for name in GOOD:
        found = paragraphs(layout(name))
        for text in gold()[name]["split_paragraphs"]:
            assert text in found
            # no half of it stands as a paragraph of its own
            assert not [p for p in found if p != text and p in text]


@pytest.mark.parametrize("name", GOOD)
def test_no_furniture_in_content(name: str) -> None:
    doc, record = layout(name), gold()[name]
    header = record["furniture"]["header"]
    expected = sum(1 for s in record["sections"] if s["heading"] == header)
    expected += sum(str(b).count(header) for s in record["sections"] for b in s["blocks"])
    assert doc.text.count(header) == expected
    assert not re.search(r"Side \d+ av \d+", doc.text)
    for footer in record["furniture"]["footers"]:
        assert footer not in doc.text
    assert doc.furniture == 2 * len(record["furniture"]["pages"])
    if name == GOOD[0]:
        assert expected == 1  # the international strategy's heading equal to its title stays


@pytest.mark.parametrize("name", GOOD)
def test_line_breaks_joined(name: str) -> None:
    text = layout(name).text
    for lb in gold()[name]["line_breaks"]:
        assert lb["joined"] in text
        assert f"{lb['before']} {lb['after']}" not in text
        assert f"{lb['before']}{lb['after']}" not in text or lb["joined"] == (
            lb["before"] + lb["after"])
    assert "\u00ad" not in text


def test_line_breaks_exist() -> None:
    assert sum(len(gold()[n]["line_breaks"]) for n in GOOD) >= 3


@pytest.mark.parametrize("name", GOOD)
def test_two_columns_read_left_column_first(name: str) -> None:
    doc = layout(name)
    assert doc.two_column_pages == gold()[name]["two_column_pages"]
    for number in doc.two_column_pages:
        page = read(name).pages[number - 1]
        middle = page.width / 2
        body = [s for s in page.spans if 0.1 * page.height < s.top < 0.9 * page.height
                and len(s.text) > 30 and not s.text.rstrip().endswith(("-", "\u00ad"))]
        left = sorted((s for s in body if s.x1 < middle), key=lambda s: s.top)
        right = sorted((s for s in body if s.x0 > middle), key=lambda s: s.top)
        assert left and right
        positions = [doc.text.index(s.text.strip()[5:25]) for s in (left[0], left[-1], right[0])]
        assert positions == sorted(positions)


@pytest.mark.parametrize("name", GOOD)
def test_title_title_page_metadata(name: str) -> None:
    doc, record = layout(name), gold()[name]
    assert doc.title == record["title"]
    assert doc.title_page == record["title_page"]
    for line in record["title_page"]:
        assert line not in paragraphs(doc)
    assert read(name).metadata == record["metadata"]
    assert read(name).page_count == record["page_count"]
    assert len(read(name).pages) == record["page_count"]
    assert read(name).reason is None and read(name).detail == ""


@pytest.mark.parametrize("name", GOOD)
def test_characters_kept_exactly(name: str) -> None:
    text = layout(name).text
    strings = []
    for section in gold()[name]["sections"]:
        strings.append(section["heading"])
        for b in section["blocks"]:
            if isinstance(b, str):
                strings.append(b)
            else:
                strings += b.get("items", []) + [c for row in b.get("rows", []) for c in row]
    assert set(text) - set("\n\t ") == set("".join(strings)) - {" "}
    assert "æ" in text and "ø" in text and "å" in text
    assert "  " not in text.replace("\n", "")
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", text)


# --- bad documents and limits ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "reason"), [(ENCRYPTED, "encrypted"), (DAMAGED, "damaged"),
                                              (SCANNED, "no_text_layer")])
def test_bad_documents(name: str, reason: str) -> None:
    result = read(name)
    assert result.reason == reason
    assert result.detail.endswith(".")
    assert not any(p.spans for p in result.pages)
    doc = lay_out(result)
    assert doc.sections == [] and doc.text == "" and doc.headings_from == "none"


def test_scan_keeps_its_metadata() -> None:
    assert read(SCANNED).metadata["creator"] == gold()[SCANNED]["metadata"]["creator"]
    assert read(SCANNED).page_count == 1


def test_page_limit() -> None:
    result = read_pdf(files()[GOOD[0]], DocumentLimits(max_pages=2))
    assert result.reason == "too_many_pages"
    assert [p.number for p in result.pages] == [1, 2]
    assert result.page_count == 8
    assert "Innledning" in [s.heading for s in lay_out(result).sections]


def test_byte_limit() -> None:
    data = files()[GOOD[1]]
    result = read_pdf(data, DocumentLimits(max_bytes=len(data) - 1))
    assert result.reason == "too_large" and result.pages == []
    assert read_pdf(data, DocumentLimits(max_bytes=len(data))).reason is None


def test_time_limit() -> None:
    result = read_pdf(files()[GOOD[1]], DocumentLimits(max_seconds=0.0))
    assert result.reason == "timeout"
    assert result.pages == [] and result.page_count == 6


def test_character_limit() -> None:
    result = read_pdf(files()[GOOD[0]], DocumentLimits(max_chars=500))
    assert result.reason == "too_large"
    assert 1 <= len(result.pages) < 8


@pytest.mark.parametrize("data", [b"", random.Random(7).randbytes(4000), b"%PDF-1.7\n" + b"x" * 200,
                                  b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"])
def test_garbage_is_damaged(data: bytes) -> None:
    result = read_pdf(data)
    assert result.reason == "damaged"
    assert result.pages == []


def test_any_spans_lay_out_without_error() -> None:
    """Arbitrary spans (overlapping, tiny, huge, odd characters) never make the layout raise."""
    rng = random.Random(3)
    alphabet = "abc æøå ÆØÅ 1. • – -\u00ad\t"
    pages = []
    for number in range(1, 6):
        spans = []
        for _ in range(rng.randrange(0, 80)):
            x0, top = rng.uniform(-50, 600), rng.uniform(-50, 900)
            size = rng.choice([0.5, 6, 10, 10, 10, 14, 30])
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))
            spans.append(Span(text, x0, top, x0 + rng.uniform(0, 300), top + size, size,
                              rng.random() < 0.3, "Font"))
        pages.append(PdfPage(number, 595, 842, spans))
    doc = lay_out(PdfFile(5, pages))
    assert doc.headings_from in ("outline", "layout", "none")
    assert "\u00ad" not in doc.text
    assert all(p and p == " ".join(p.split()) for p in paragraphs(doc))


def test_pdf_dates() -> None:
    assert pdf_date("D:20191022090531+02'00'") == "2019-10-22T09:05:31+02:00"
    assert pdf_date("D:20191104132702-05'30") == "2019-11-04T13:27:02-05:30"
    assert pdf_date("D:20170315120000Z") == "2017-03-15T12:00:00+00:00"
    assert pdf_date("D:2017") == "2017-01-01T00:00:00"
    assert pdf_date("yesterday") is None


def test_hyphen_rules() -> None:
    assert not keep_hyphen("fag", "områdets", set())
    assert keep_hyphen("Akershus", "samfunnet", set())
    assert keep_hyphen("helse", "og", set())
    assert keep_hyphen("EU", "midler", set())
    assert keep_hyphen("fylkes", "vei", {"fylkes-vei"})
    assert not keep_hyphen("Fylkes", "kommunen", {"fylkeskommunen"})


# --- hand-made PDFs in other generators' shapes ---------------------------------------------


def _esc(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def width(text: str, size: float) -> float:
    """Advance of the text in the hand-made fonts, which all carry Helvetica's widths."""
    return float(stringWidth(text, "Helvetica", size))


WIDTHS = b" ".join(b"%d" % round(width(bytes([c]).decode("cp1252", "replace"), 1000))
                   for c in range(32, 256))


def hand_pdf(pages: list[bytes], fonts: dict[str, tuple[str, int]], info: bytes = b"") -> bytes:
    """A PDF 1.4 file with a correct xref table; fonts not embedded, with Helvetica's widths."""
    objects: list[bytes] = [b"", b""]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    refs = []
    for key, (name, flags) in fonts.items():
        descriptor = add(b"<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox "
                         b"[0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 "
                         b"/CapHeight 700 /StemV 80 >>" % (name.encode(), flags))
        font = add(b"<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255"
                   b" /Widths [%s] /Encoding /WinAnsiEncoding /FontDescriptor %d 0 R >>"
                   % (name.encode(), WIDTHS, descriptor))
        refs.append(b"/%s %d 0 R" % (key.encode(), font))
    resources = b"<< /Font << " + b" ".join(refs) + b" >> >>"
    kids = []
    for content in pages:
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                        + resources + b" /Contents %d 0 R >>" % stream))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info_ref = add(info) if info else 0
    return pdf_file(objects, info=info_ref)


def per_word(font: str, size: float, x: float, y: float, text: str) -> bytes:
    """A line the way word processors often write it: one Tj per word, moved with Td."""
    out = [b"BT /%s %g Tf %g %g Td" % (font.encode(), size, x, y)]
    advance = 0.0
    for n, word in enumerate(text.split()):
        if n:
            out.append(b"%g 0 Td" % advance)
        out.append(b"(" + _esc(word) + b") Tj")
        advance = width(word + " ", size)
    out.append(b"ET")
    return b" ".join(out)


def kerned(font: str, size: float, x: float, y: float, text: str) -> bytes:
    """A line the way layout programs write it: one TJ, words split by kerning, no spaces."""
    parts = []
    for word in text.split():
        half = max(1, len(word) // 2)
        parts.append(b"(" + _esc(word[:half]) + b") -12 (" + _esc(word[half:]) + b")")
    array = b" -520 ".join(parts)
    return b"BT /%s 1 Tf %g 0 0 %g %g %g Tm [%s] TJ ET" % (font.encode(), size, size, x, y,
                                                            array)


def block(write: Any, font: str, size: float, x: float, y: float, lines: list[str],
          leading: float) -> tuple[list[bytes], float]:
    """Lines top-down from y; the ops and the y below the block."""
    ops = []
    for line in lines:
        ops.append(write(font, size, x, y, line))
        y -= leading
    return ops, y


WORD_FOOTER = "Rapport om fylkesveiene 2017"
WORD_PARAGRAPHS = [
    ("Fylkeskommunen har ansvar for drift og vedlikeholdet av fylkesveiene i hele fylket, "
     "også bruer og tunneler langs vegnettet."),
    ("Etterslepet på vedlikeholdet er beregnet til flere milliarder kroner, og det vokser hvert "
     "år fordi trafikken øker og klimaet gir mer nedbør og flere fryse- og tinesykluser enn før."),
    ("Budsjettet for 2018 er 1,2 milliarder kroner. Av dette går om lag halvparten til "
     "asfalt og resten til bruer, tunneler og grøfter."),
    "Tiltakene følges opp i handlingsprogrammet hvert år.",
]
WORD_ITEMS = ["Asfaltering av de mest slitte strekningene, med prioritet for skoleveier",
              "Utskifting av gamle rekkverk", "Rensk av grøfter og stikkrenner"]
WORD_STEPS = ["Kartlegge tilstanden på alle bruer", "Lage en plan for tunnelene",
              "Rapportere til fylkestinget"]


@cache
def word_like() -> bytes:
    """Three pages as a word processor writes them: Calibri subsets, a Tj per word."""
    body, bold = "F1", "F2"
    pages = []
    ops, y = block(per_word, bold, 16, 72, 770, ["Vedlikehold av fylkesveiene"], 20)
    more, y = block(per_word, body, 11, 72, y - 6, [
        "Fylkeskommunen har ansvar for drift og vedlike-",
        "holdet av fylkesveiene i hele fylket, også bruer og",
        "tunneler langs vegnettet."], 14)
    ops += more
    more, y = block(per_word, bold, 11, 72, y - 10, ["Tilstand og etterslep"], 14)
    ops += more
    more, y = block(per_word, body, 11, 72, y - 4, [
        "Etterslepet på vedlikeholdet er beregnet til flere",
        "milliarder kroner, og det vokser hvert år fordi",
        "trafikken øker og"], 14)
    pages.append(ops + more)
    ops, y = block(per_word, body, 11, 72, 770, [
        "klimaet gir mer nedbør og flere fryse-",
        "og tinesykluser enn før."], 14)
    y -= 8
    for item in (["Asfaltering av de mest slitte strekningene, med", "prioritet for skoleveier"],
                 ["Utskifting av gamle rekkverk"], ["Rensk av grøfter og stikkrenner"]):
        ops.append(per_word(body, 11, 72, y, "\u2013"))
        more, y = block(per_word, body, 11, 90, y, item, 14)
        ops += more
    more, y = block(per_word, bold, 16, 72, y - 12, ["Økonomi og prioriteringer"], 20)
    ops += more
    more, y = block(per_word, body, 11, 72, y - 6, [
        "Budsjettet for 2018 er 1,2 milliarder kroner. Av dette går om lag",
        "halvparten til asfalt og resten til bruer, tunneler og grøfter."], 14)
    pages.append(ops + more)
    ops, y = block(per_word, bold, 11, 72, 770, ["Tiltak i perioden"], 14)
    y -= 4
    for n, step in enumerate(WORD_STEPS, start=1):
        ops.append(per_word(body, 11, 72, y, f"{n})"))
        more, y = block(per_word, body, 11, 92, y, [step], 14)
        ops += more
    more, y = block(per_word, body, 11, 72, y - 8,
                    ["Tiltakene følges opp i handlingsprogrammet hvert år."], 14)
    pages.append(ops + more)
    content = []
    for number, page in enumerate(pages, start=1):
        page = [*page, per_word(body, 9, 72, 50, WORD_FOOTER),
                per_word(body, 9, 295, 30, str(number))]
        content.append(b"\n".join(page))
    return hand_pdf(content, {"F1": ("ABCDEF+Calibri", 32), "F2": ("ABCDEF+Calibri-Bold", 32)},
                    b"<< /Title (Vegrapport) /CreationDate (D:20170315120000Z) >>")


def test_word_like_headings_levels_from_weight() -> None:
    doc = lay_out(read_pdf(word_like()))
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Vedlikehold av fylkesveiene", 1), ("Tilstand og etterslep", 2),
        ("Økonomi og prioriteringer", 1), ("Tiltak i perioden", 2)]
    assert doc.headings_from == "layout"


def test_word_like_paragraphs_joined() -> None:
    doc = lay_out(read_pdf(word_like()))
    assert paragraphs(doc) == WORD_PARAGRAPHS
    assert lists(doc) == [(WORD_ITEMS, False), (WORD_STEPS, True)]


def test_word_like_furniture_removed() -> None:
    pdf = read_pdf(word_like())
    doc = lay_out(pdf)
    assert doc.furniture == 6
    assert WORD_FOOTER not in doc.text
    assert not re.search(r"(^|\n)\d\n", doc.text)
    assert doc.title == "Vedlikehold av fylkesveiene" and doc.title_page == []
    assert pdf.metadata == {"title": "Vegrapport", "created": "2017-03-15T12:00:00+00:00"}


def test_word_like_spans() -> None:
    pdf = read_pdf(word_like())
    spans = pdf.pages[0].spans
    assert {s.font for s in spans} == {"Calibri", "Calibri-Bold"}
    assert all(s.bold == (s.font == "Calibri-Bold") for s in spans)
    first = [s for s in spans if abs(s.top - spans[0].top) < 1]
    assert [s.text.strip() for s in first] == ["Vedlikehold", "av", "fylkesveiene"]
    assert all(s.size == 16 for s in first)


KERNED_HEADER = "Kollektivplan for Nedre Romerike"
LEFT = ["Bussene skal gå oftere på de travleste", "strekningene, og nye ekspresslinjer skal",
        "knytte sammen byene i regionen. Ruter", "har lagt fram et forslag til nytt",
        "rutenett som gir flere direkte reiser og", "færre bytter for de reisende mellom",
        "kommunene og til"]
RIGHT = ["Oslo sentrum i rushtiden.", "Tilbudet skal utvides trinnvis."]
BANE = ["Banen skal få nye vogner og", "hyppigere avganger fra 2024, og", "stasjonene bygges om."]


@cache
def kerned_like() -> bytes:
    """Two pages as a layout program writes them: TJ arrays, PostScript names, Tm sizes."""
    body, head, force = "F1", "F2", "F3"
    one, y = block(kerned, head, 14, 72, 760, ["Kollektivtilbudet i dag"], 18)
    more, y = block(kerned, body, 10, 72, y - 4, [
        "Antall reiser med buss og tog i regionen har økt hvert år siden",
        "2010, mest i rushtiden og på de lengste strekningene."], 13)
    one += more
    more, y = block(kerned, head, 12, 72, y - 10, ["Reiser per dag"], 16)
    one += more
    y -= 4
    for row, font in ((("Linje", "Reiser", "Endring"), head),
                      (("Linje 100", "12 400", "+4 %"), body),
                      (("Linje 300", "8 150", "+2 %"), body),
                      (("Linje 390", "3 900", "-1 %"), body)):
        for x, cell in zip((72, 200, 300), row, strict=True):
            one.append(kerned(font, 10, x, y, cell))
        y -= 14
    more, y = block(kerned, force, 10, 72, y - 10, ["Kilder og metode"], 13)
    one += more
    more, y = block(kerned, body, 10, 72, y - 4, [
        "Tallene er hentet fra billettsystemet og gjelder en vanlig hverdag."], 13)
    one += more
    two, y = block(kerned, head, 14, 72, 760, ["Tiltak fram mot 2025"], 18)
    top = y - 4
    more, y = block(kerned, head, 12, 72, top, ["Buss"], 16)
    two += more
    more, low = block(kerned, body, 10, 72, y, LEFT, 13)
    two += more
    more, y = block(kerned, body, 10, 313, top, RIGHT, 13)
    two += more
    more, y = block(kerned, head, 12, 313, y - 6, ["Bane"], 16)
    two += more
    more, y = block(kerned, body, 10, 313, y, BANE, 13)
    two += more
    more, y = block(kerned, body, 10, 72, min(y, low) - 16, [
        "Planen rulleres hvert fjerde år sammen med kommunene."], 13)
    two += more
    content = []
    for number, page in enumerate((one, two), start=1):
        page = [kerned(body, 8, 72, 805, KERNED_HEADER), *page,
                kerned(body, 8, 480, 30, f"{number} / 2")]
        content.append(b"\n".join(page))
    return hand_pdf(content, {"F1": ("TimesNewRomanPSMT", 34), "F2": ("Arial-BoldMT", 32),
                              "F3": ("Garamond", 32 | (1 << 18))})


def test_kerned_headings_and_levels() -> None:
    doc = lay_out(read_pdf(kerned_like()))
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Kollektivtilbudet i dag", 1), ("Reiser per dag", 2), ("Kilder og metode", 3),
        ("Tiltak fram mot 2025", 1), ("Buss", 2), ("Bane", 2)]


def test_kerned_words_and_sizes() -> None:
    pdf = read_pdf(kerned_like())
    spans = pdf.pages[0].spans
    assert any(s.text.strip() == "Kollektivtilbudet i dag" and s.size == 14 and s.bold
               and s.font == "Arial-BoldMT" for s in spans)
    assert any(s.text.strip() == "Kilder og metode" and s.bold and s.font == "Garamond"
               for s in spans)
    assert not any(s.bold for s in spans if s.font == "TimesNewRomanPSMT")


def test_kerned_table_and_paragraphs() -> None:
    doc = lay_out(read_pdf(kerned_like()))
    assert tables(doc) == [[["Linje", "Reiser", "Endring"], ["Linje 100", "12 400", "+4 %"],
                            ["Linje 300", "8 150", "+2 %"], ["Linje 390", "3 900", "-1 %"]]]
    assert [b.header for s in doc.sections for b in s.blocks if isinstance(b, Table)] == [True]
    assert paragraphs(doc) == [
        ("Antall reiser med buss og tog i regionen har økt hvert år siden 2010, mest i rushtiden "
         "og på de lengste strekningene."),
        "Tallene er hentet fra billettsystemet og gjelder en vanlig hverdag.",
        " ".join(LEFT + RIGHT), " ".join(BANE),
        "Planen rulleres hvert fjerde år sammen med kommunene."]


def test_kerned_two_columns_and_furniture() -> None:
    doc = lay_out(read_pdf(kerned_like()))
    assert doc.two_column_pages == [2]
    assert doc.furniture == 4
    assert KERNED_HEADER not in doc.text
    assert "/ 2" not in doc.text
    order = [doc.text.index(t) for t in ("Tiltak fram mot 2025", "Buss", LEFT[-1], RIGHT[0],
                                         "Bane", "Planen rulleres")]
    assert order == sorted(order)


def test_forty_pages_lay_out_fast() -> None:
    """40 pages of one-word text objects: laid out in well under a second.

    Every page starts with a chapter heading at the same place ("Kapittel N", digits aside
    the same text): a heading, not a running header, because it is larger than the body.
    """
    words = ["fylke", "kommune", "vei", "buss", "skole", "helse", "plan", "tiltak", "mål",
             "strategi", "region", "innbygger", "samarbeid", "utvikling", "miljø", "næring",
             "kultur"]
    pages = []
    for number in range(1, 41):
        ops, y = block(per_word, "F2", 16, 72, 770, [f"Kapittel {number}"], 20)
        while y > 120:
            text = [" ".join(words[(number * 7 + k * 3 + n) % len(words)] for n in range(12))
                    for k in range(4)]
            more, y = block(per_word, "F1", 11, 72, y - 6, text, 14)
            ops += more
        ops.append(per_word("F1", 9, 295, 30, str(number)))
        pages.append(b"\n".join(ops))
    data = hand_pdf(pages, {"F1": ("ABCDEF+Calibri", 32), "F2": ("ABCDEF+Calibri-Bold", 32)})
    started = time.perf_counter()
    pdf = read_pdf(data)
    read_done = time.perf_counter()
    doc = lay_out(pdf)
    finished = time.perf_counter()
    assert sum(len(p.spans) for p in pdf.pages) > 20_000
    assert [s.heading for s in doc.sections] == [f"Kapittel {n}" for n in range(1, 41)]
    assert doc.furniture == 40
    assert finished - read_done < 1.0
    assert read_done - started < 3.0
