"""PDF text extraction speed and peak memory: ours against PDFium's plain text and pdftotext.

Usage: python bench/pdf_bench.py [--count 1000] [--out DIR] [--reps 1] [--write]

Why: the archive reads every strategy PDF it finds with its own extractor
(``archive.pdf_worker.read_content``: PDFium's text with position, size and
font, then the layout pass that finds headings, columns and the running
header and footer). That costs more than plain text; this measures how much,
against the two plain-text readers people reach for: PDFium's own text (the
same engine, no layout) and poppler's ``pdftotext`` run once per file, as it
is used from a shell or a script. Issue 17.

The corpus is generated with ReportLab, the replica's PDF library, from the
replica's texts (``replica/content/*.txt`` and ``replica.pdfs_content``):
paragraphs shuffled and recombined from their sentences, headings, bullet and
numbered lists, ruled tables, two-column pages, body text in several fonts and
sizes, 1 to 40 pages, with the replica's title page and running header (its
template, ``replica.pdfs``) and a "Side N av M" footer. The replica's three
strategy documents come first. Generation is seeded (the same files on every
run) and is not timed.

Each method reads every file in a fresh Python process of its own, so the peak
resident memory (``getrusage``'s ``ru_maxrss``) is that method's alone: for
ours and PDFium it is that process's peak, the interpreter and the imports
included (the figure before the first file is given too); for pdftotext it is
the largest single pdftotext process. The pdftotext time includes starting a
process per file; the start-up alone is measured on a one-page blank PDF and
given beside it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS_MD = ROOT / "bench" / "RESULTS.md"
SECTION = "## PDF extraction (issue 17)"
PDF_RESULTS_MD = ROOT / "bench" / "PDF-RESULTS.md"  # this section alone, for bench/run.py
METHODS = ("ours", "pdfium", "pdftotext")
# bump when the generator changes: a folder given with --out is generated again
CORPUS_VERSION = 2
MANIFEST = "manifest.json"
MAX_PAGES = 40


# -- the corpus --------------------------------------------------------------------------------

@dataclass
class TextPool:
    """The replica's texts cut into pieces a generated document is recombined from."""

    titles: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    lists: list[tuple[str, ...]] = field(default_factory=list)
    tables: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_YEARS = re.compile(r"\s*\d{4}(-\d{4})?$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«])")


def _plain(markup: str) -> str:
    """Text of the replica's inline markup: links become their text, bold marks go."""
    text = _LINK.sub(r"\1", markup).replace("**", "").replace(" \\\n", " ")
    return " ".join(text.split())


def text_pool() -> TextPool:
    """Every paragraph, heading, list and table of the replica's pages and strategy documents."""
    from replica.markup import load_content_pages
    from replica.pdfs_content import DOCUMENTS, Grid, Items, Para

    pool = TextPool()
    for page in load_content_pages("2020"):
        if page.lang != "nb":
            continue
        pool.titles.append(_YEARS.sub("", page.title))
        if page.ingress:
            pool.paragraphs.append(_plain(page.ingress))
        for block in page.blocks:
            kind = block[0]
            if kind == "p" or kind == "quote":
                pool.paragraphs.append(_plain(block[1]))
            elif kind in ("h2", "h3"):
                pool.headings.append(_plain(block[1]))
            elif kind in ("ul", "ol"):
                pool.lists.append(tuple(_plain(item) for item in block[1]))
            elif kind == "table":
                rows = (block[1], *block[2])
                pool.tables.append(tuple(tuple(_plain(c) for c in row) for row in rows))
    for document in DOCUMENTS:
        pool.titles.append(_YEARS.sub("", document.title))
        for section in document.sections:
            pool.headings.append(section.heading)
            for item in section.blocks:
                if isinstance(item, Para):
                    pool.paragraphs.append(item.text)
                elif isinstance(item, Items):
                    pool.lists.append(item.items)
                elif isinstance(item, Grid):
                    pool.tables.append(item.rows)
    pool.paragraphs = [p for p in pool.paragraphs if len(p.split()) >= 6]
    pool.sentences = [s for p in pool.paragraphs for s in _SENTENCE.split(p)
                      if len(s.split()) >= 4]
    pool.tables = [t for t in pool.tables if len(t) >= 2 and len({len(r) for r in t}) == 1]
    return pool


@dataclass(frozen=True)
class Look:
    """One document's typography: font family, body size, columns."""

    regular: str
    bold: str
    italic: str
    size: float
    justify: bool


FAMILIES = (
    ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    ("Times-Roman", "Times-Bold", "Times-Italic"),
    ("Courier", "Courier-Bold", "Courier-Oblique"),
)
CREATORS = ("Microsoft\u00ae Word 2010", "Microsoft\u00ae Word 2013", "Adobe InDesign CS6 (Windows)",
            "Adobe InDesign CC 2017 (Macintosh)", "LibreOffice 5.2 Writer")
KINDS = ("Strategi", "Regional plan", "Handlingsprogram", "Årsrapport", "Utredning",
         "Temaplan", "Høringsnotat", "Evaluering")


def _styles(look: Look) -> dict[str | int, Any]:
    from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    from replica.pdfs import BLUE

    def style(name: str, font: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, **kw)

    s = look.size
    return {
        1: style("h1", look.bold, s * 1.7, textColor=BLUE, spaceBefore=6, spaceAfter=8),
        2: style("h2", look.bold, s * 1.35, spaceBefore=10, spaceAfter=5),
        3: style("h3", look.italic, s * 1.1, spaceBefore=8, spaceAfter=3),
        "body": style("body", look.regular, s, alignment=TA_JUSTIFY if look.justify else TA_LEFT,
                      spaceAfter=s * 0.6, embeddedHyphenation=1),
        "lead": style("lead", look.regular, s * 1.2, spaceAfter=8, embeddedHyphenation=1),
        "item": style("item", look.regular, s, spaceAfter=2),
        "cell": style("cell", look.regular, s * 0.9),
        "head": style("head", look.bold, s * 0.9),
        "right": style("right", look.regular, s * 0.9, alignment=2),
        "org": style("org", look.bold, 14, textColor=BLUE, spaceAfter=28),
        "title": style("title", look.bold, 26, spaceAfter=18),
        "sub": style("sub", look.regular, 13, spaceAfter=6),
    }


@dataclass
class Plan:
    """A generated document before layout: its story and the words its source text holds."""

    name: str
    title: str
    look: Look
    story: list[Any]
    words: int
    created: datetime
    creator: str
    target: int


def _number(rng: random.Random) -> str:
    value = rng.choice((rng.randint(1, 99), rng.randint(100, 9999), rng.randint(10_000, 999_999)))
    return f"{value:,}".replace(",", " ")


def _table_rows(rng: random.Random, pool: TextPool) -> tuple[tuple[str, ...], ...]:
    """A table of the replica's, cut, or one of key figures by year."""
    if pool.tables and rng.random() < 0.5:
        table = rng.choice(pool.tables)
        return (table[0], *rng.sample(table[1:], k=rng.randint(1, len(table) - 1)))
    first = rng.randint(2005, 2015)
    head = ("År", *rng.sample(("Innbyggere", "Elever", "Reiser", "Kroner", "Andel",
                                "Søknader", "Kilometer"), k=rng.randint(2, 4)))
    rows = [(str(first + i), *(_number(rng) for _ in head[1:])) for i in range(rng.randint(3, 14))]
    return (head, *rows)


def _paragraph_text(rng: random.Random, pool: TextPool) -> str:
    if rng.random() < 0.4:
        return rng.choice(pool.paragraphs)
    return " ".join(rng.sample(pool.sentences, k=rng.randint(2, 7)))


def plan_document(index: int, seed: int, pool: TextPool, scale: float = 1.0) -> Plan:
    """Document ``index`` of the corpus: its story (ReportLab flowables), seeded by ``index``.

    ``scale`` shrinks the text to fit, when a first layout came out longer than 40 pages.
    """
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        NextPageTemplate,
        PageBreak,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    from replica.pdfs import GUTTER, MARGIN, RULE, SHADE, WIDTH, _Heading
    from replica.pdfs_content import AUTHOR

    rng = random.Random(seed * 1_000_003 + index)
    family = rng.choices(FAMILIES, weights=(6, 3, 1))[0]
    look = Look(*family, size=rng.choice((9.0, 9.5, 10.0, 10.5, 11.0, 12.0)),
                justify=rng.random() < 0.6)
    styles = _styles(look)
    target = max(1, min(MAX_PAGES, round(rng.triangular(1, MAX_PAGES, 4))))
    year = rng.randint(2006, 2019)
    title = f"{rng.choice(KINDS)} for {rng.choice(pool.titles).lower()} {year}-{year + 4}"
    words = 0

    def para(text: str, style: str = "body") -> Paragraph:
        nonlocal words
        words += len(text.split())
        return Paragraph(escape(text), styles[style])

    class Heading(_Heading):  # the replica's template writes the outline from these
        def __init__(self, text: str, level: int) -> None:
            Paragraph.__init__(self, escape(text), styles[level])
            self.heading, self.level = text, level

    title_lines = (AUTHOR, title, rng.choice(pool.paragraphs)[:90].rsplit(" ", 1)[0])
    story: list[Any] = [Spacer(1, 4.5 * cm)]
    for line, style in zip(title_lines, ("org", "title", "sub"), strict=True):
        story.append(para(line, style))
    # words a page holds (headings, lists, tables and page breaks included), roughly
    per_page = 310 * (10.5 / look.size) * (0.85 if family[0] == "Courier" else 1.0)
    budget = 140 if target == 1 else per_page * (target - 1) * scale
    if target > 1:
        story += [NextPageTemplate("one"), PageBreak()]
    columns = False
    level = 0
    while words < budget:  # the outline allows a level one deeper than the last, no more
        level = min(level + 1, rng.choices((1, 2, 3), weights=(3, 5, 2))[0])
        if level == 1 and target > 1 and words > 0:
            two = rng.random() < 0.15
            if two != columns or rng.random() < 0.3:
                story += [NextPageTemplate("two" if two else "one"), PageBreak()]
                columns = two
        heading = rng.choice(pool.headings)
        words += len(heading.split())
        story.append(Heading(heading, level))
        width = (WIDTH - 2 * MARGIN - (GUTTER if columns else 0)) / (2 if columns else 1)
        for _ in range(rng.randint(1, 6)):
            kind = rng.choices(("p", "lead", "ul", "ol", "table"), weights=(14, 1, 2, 1, 2))[0]
            if kind in ("p", "lead"):
                story.append(para(_paragraph_text(rng, pool), "body" if kind == "p" else "lead"))
            elif kind in ("ul", "ol"):
                items = list(rng.choice(pool.lists))
                rng.shuffle(items)
                flow = [ListItem(para(item, "item")) for item in items]
                if kind == "ol":
                    story.append(ListFlowable(flow, bulletType="1", bulletFormat="%s.",
                                              leftIndent=18, bulletFontName=look.regular,
                                              bulletFontSize=look.size, spaceAfter=6))
                else:
                    story.append(ListFlowable(flow, bulletType="bullet", start="\u2022",
                                              leftIndent=14, bulletFontSize=look.size,
                                              spaceAfter=6))
            else:
                rows = _table_rows(rng, pool)
                cells = [[para(c, "head") for c in rows[0]]]
                cells += [[para(c, "right" if c[:1].isdigit() else "cell") for c in row]
                          for row in rows[1:]]
                table = Table(cells, colWidths=[width / len(rows[0])] * len(rows[0]),
                              repeatRows=1, hAlign="LEFT")
                commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
                if rng.random() < 0.7:
                    commands += [("GRID", (0, 0), (-1, -1), 0.5, RULE),
                                 ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
                table.setStyle(TableStyle(commands))
                story += [table, Spacer(1, 6)]
            if words >= budget:
                break
    created = datetime(year, 1, 1, 9, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 500_000))
    return Plan(f"{index:04d}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')[:60]}",
                title, look, story, words, created, rng.choice(CREATORS), target)


def render_plan(plan: Plan) -> tuple[bytes, int]:
    """The PDF of a plan, and its page count: the replica's template, a "Side N av M" footer."""
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    from replica.pdfs import MARGIN, RULE, WIDTH, _DocTemplate, _Info, running_header
    from replica.pdfs_content import Document, footer_text

    document = Document(name=plan.name, title=plan.title, subject=plan.title,
                        keywords=("Akershus",), created=plan.created, modified=plan.created,
                        creator=plan.creator, producer=plan.creator, title_page=(), pages=0,
                        outline=True, sections=())

    class Numbered(Canvas):
        """Holds every page until the end, then writes the footers with the page total."""

        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._doc.info = _Info(plan.created, plan.created)
            self.held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self.held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self.held)
            for state in self.held:
                self.__dict__.update(state)
                page = self.getPageNumber()
                if page > 1:
                    self.saveState()
                    self.setFont("Helvetica", 8.5)
                    self.setFillColor(RULE)
                    self.drawRightString(WIDTH - MARGIN, 1.4 * cm, footer_text(page, total))
                    self.restoreState()
                super().showPage()
            super().save()

    class Template(_DocTemplate):
        def _furniture(self, canvas: Canvas, _doc: object) -> None:
            """The replica's running header; the footer is the canvas's."""
            canvas.saveState()
            running_header(canvas, self.document.title)
            canvas.restoreState()

    out = io.BytesIO()
    template = Template(out, document)
    template.build(plan.story, canvasmaker=Numbered)
    return out.getvalue(), template.page


def _generate_one(job: tuple[int, int, str]) -> dict[str, Any]:
    index, seed, folder = job
    plan = plan_document(index, seed, _POOL)
    data, pages = render_plan(plan)
    scale = 1.0
    while pages > MAX_PAGES:
        scale *= 0.95 * MAX_PAGES / pages
        plan = plan_document(index, seed, _POOL, scale)
        data, pages = render_plan(plan)
    name = f"{plan.name}.pdf"
    (Path(folder) / name).write_bytes(data)
    # furniture: the running header (title) and "Side N av M" on every page but the first
    furniture = (pages - 1) * (len(plan.title.split()) + 4)
    return {"file": name, "pages": pages, "bytes": len(data), "source_words": plan.words,
            "furniture_words": furniture, "font": plan.look.regular, "size": plan.look.size}


_POOL = TextPool()


def _init_pool() -> None:
    global _POOL
    _POOL = text_pool()


def generate(folder: Path, count: int, seed: int, jobs: int) -> dict[str, Any]:
    """Write the corpus into ``folder`` (again only if its manifest differs); the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (manifest.get("version"), manifest.get("count"), manifest.get("seed")) == (
                CORPUS_VERSION, count, seed) and all(
                (folder / f["file"]).exists() for f in manifest["files"]):
            return dict(manifest)
    for old in folder.glob("*.pdf"):
        old.unlink()
    files: list[dict[str, Any]] = []
    from replica.pdfs import render
    from replica.pdfs_content import DOCUMENTS

    for document in DOCUMENTS[:count]:  # the replica's own strategy documents come first
        data = render(document)
        name = f"{len(files):04d}-{document.name}.pdf"
        (folder / name).write_bytes(data)
        files.append({"file": name, "pages": document.pages, "bytes": len(data),
                      "source_words": None, "font": "Helvetica", "size": 10.5,
                      "furniture_words": (document.pages - 1) * (len(document.title.split()) + 4)})
    todo = [(i, seed, str(folder)) for i in range(len(files), count)]
    with get_context("fork").Pool(jobs, initializer=_init_pool) as workers:
        files += workers.map(_generate_one, todo, chunksize=8)
    manifest = {"version": CORPUS_VERSION, "count": count, "seed": seed, "files": files}
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return manifest


# -- the measured readers (each in a child process) --------------------------------------------

def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _words_ours(paths: Iterable[Path]) -> Iterator[tuple[int, int]]:
    from archive.pdf_read import DocumentLimits
    from archive.pdf_worker import read_content

    limits = DocumentLimits()
    for path in paths:
        content = read_content(path.read_bytes(), limits)
        layout = content.layout
        words = 0
        if layout is not None:
            words = len(layout.text.split()) + sum(len(line.split())
                                                   for line in layout.title_page)
        yield content.pages_read, words


def _words_pdfium(paths: Iterable[Path]) -> Iterator[tuple[int, int]]:
    import pypdfium2 as pdfium

    for path in paths:
        pdf = pdfium.PdfDocument(path.read_bytes())
        words = 0
        pages = len(pdf)
        for index in range(pages):
            page = pdf[index]
            textpage = page.get_textpage()
            words += len(textpage.get_text_bounded().split())
            textpage.close()
            page.close()
        pdf.close()
        yield pages, words


def _words_pdftotext(paths: Iterable[Path]) -> Iterator[tuple[int, int]]:
    for path in paths:
        done = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True,
                              check=False)
        # pdftotext ends each page with a form feed
        yield done.stdout.count(b"\f"), len(done.stdout.decode("utf-8", "replace").split())


READERS = {"ours": _words_ours, "pdfium": _words_pdfium, "pdftotext": _words_pdftotext}


def child(method: str, folder: Path) -> dict[str, Any]:
    """Read every file of the corpus with one method; its figures (run in a fresh process)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    paths = [folder / f["file"] for f in manifest["files"]]
    reader = READERS[method]
    if method != "pdftotext":  # imports (and PDFium's start) before the clock
        next(reader(paths[:1]), None)
    baseline = _rss_mb()
    pages = words = 0
    wall, cpu = time.perf_counter(), time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    for read, found in reader(paths):
        pages += read
        words += found
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (after.ru_utime - kids.ru_utime) + (after.ru_stime - kids.ru_stime)
    peak = _rss_mb(resource.RUSAGE_CHILDREN) if method == "pdftotext" else _rss_mb()
    return {"method": method, "documents": len(paths), "pages": pages, "words": words,
            "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "peak_rss_mb": round(peak, 1),
            "baseline_rss_mb": None if method == "pdftotext" else round(baseline, 1)}


def run_child(method: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", method, "--out", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def pdftotext_startup(folder: Path, runs: int = 200) -> float:
    """Seconds one pdftotext process takes on a blank one-page PDF: start-up and exit."""
    from reportlab.pdfgen.canvas import Canvas

    blank = folder / "blank.pdf.tmp"
    canvas = Canvas(str(blank), invariant=1)
    canvas.showPage()
    canvas.save()
    started = time.perf_counter()
    for _ in range(runs):
        subprocess.run(["pdftotext", "-q", str(blank), "-"], capture_output=True, check=False)
    seconds = (time.perf_counter() - started) / runs
    blank.unlink()
    return seconds


def ours_importable() -> str | None:
    """Why our extractor cannot be imported, or None when it can."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import archive.pdf_worker"
    done = subprocess.run([sys.executable, "-c", code],
                          capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]


# -- the report --------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    poppler = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True, check=False)
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
            "pypdfium2": version("pypdfium2"), "reportlab": version("reportlab"),
            "pdftotext": (poppler.stderr or poppler.stdout).splitlines()[0],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def markdown(results: dict[str, Any]) -> str:
    corpus, runs, info = results["corpus"], results["runs"], results["machine"]
    lines = [
        SECTION, "",
        (f"`{results['command']}`, {info['date']}, on the benchmark machine "
         f"({info['cores']} cores, {info['cpu']}, shared with other work: single runs are "
         f"noisy). Python {info['python']}, pypdfium2 {info['pypdfium2']}, ReportLab "
         f"{info['reportlab']}, {info['pdftotext']}."), "",
        (f"Corpus: {corpus['documents']} PDFs generated with ReportLab by `bench/pdf_bench.py` "
         f"(seed {corpus['seed']}), {corpus['pages']} pages in all ({corpus['min_pages']} to "
         f"{corpus['max_pages']} a document, median {corpus['median_pages']}), "
         f"{corpus['megabytes']} MB: the replica's three strategy documents and documents "
         "recombined from the replica's texts (headings, paragraphs, lists, tables, two-column "
         "pages; Helvetica, Times or Courier at 9 to 12 pt), each with the replica's title page, "
         "running header and a \"Side N av M\" footer. Their source text holds "
         f"{corpus['source_words']} words (the generated documents'), and the running headers "
         f"and footers {corpus['furniture_words']} (all documents')."), "",
        "Methods, each reading every file in a fresh process of its own:", "",
        ("- **ours**: `archive.pdf_worker.read_content(data, DocumentLimits())` per file, in "
         "process (PDFium's text with positions and fonts, then the layout: headings, "
         "columns, running header and footer); words of the laid-out text and the title page;"),
        ("- **pdfium**: pypdfium2's plain text, `PdfDocument(data)`, then "
         "`page.get_textpage().get_text_bounded()` for each page;"),
        ("- **pdftotext**: `pdftotext -q FILE -` from poppler-utils, one process per file as "
         "from a shell; its time includes starting a process per file (about "
         f"{results['pdftotext_startup_ms']} ms each on a blank one-page PDF, "
         f"{results['pdftotext_startup_share']} s of the total over {corpus['documents']} files)."
         " Its peak memory is that of the largest single pdftotext process."), "",
        ("Peak memory of ours and pdfium is the process's peak resident size, the interpreter "
         "and imports included (\"before\": after the imports and one document, before the "
         "clock starts). CPU s is user and system time (the pdftotext processes' for "
         "pdftotext)."), "",
        ("| run | method | documents | pages read | total s | documents/s | pages/s | CPU s "
         "| peak memory MB | before MB | words |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['run']} | {r['method']} | {r['documents']} | {r['pages']} | {r['seconds']} | "
            f"{r['documents'] / r['seconds']:.1f} | {r['pages'] / r['seconds']:.1f} | "
            f"{r['cpu_seconds']} | {r['peak_rss_mb']} | {r['baseline_rss_mb'] or '-'} | "
            f"{r['words']} |")
    by_method = {m: [r for r in runs if r["method"] == m] for m in METHODS}
    by_method = {m: rs for m, rs in by_method.items() if rs}
    if "pdftotext" in by_method and len(by_method) > 1:
        ref = _median(by_method["pdftotext"], "seconds")
        ref_words = _median(by_method["pdftotext"], "words")
        parts = [f"{m} {ref / _median(rs, 'seconds'):.2f}x" for m, rs in by_method.items()
                 if m != "pdftotext"]
        words = [f"{m} {_median(rs, 'words') / ref_words:.1%}" for m, rs in by_method.items()
                 if m != "pdftotext"]
        lines += ["", "Speed against pdftotext (median total time, higher is faster): "
                  + ", ".join(parts) + ". Words against pdftotext's: " + ", ".join(words) + "."]
        if "ours" in by_method:
            body = ref_words - corpus["furniture_words"]
            share = _median(by_method["ours"], "words") / body
            lines += ["", ("Ours leaves out the running headers and footers, which the plain-text "
                           "readers keep: its words against pdftotext's less those "
                           f"({int(body)}): {share:.1%}.")]
    if results.get("notes"):
        lines += ["", results["notes"].strip()]
    return "\n".join(lines) + "\n"


def write_section(text: str, target: Path = RESULTS_MD) -> None:
    """Put the section into RESULTS.md: in place of the old one, else at the end.

    It is also kept in PDF_RESULTS_MD, which ``bench/run.py`` appends when it
    regenerates RESULTS.md from its own results, so neither run loses the other's.
    """
    PDF_RESULTS_MD.write_text(text, encoding="utf-8")
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    start = current.find("\n" + SECTION + "\n")
    if start < 0:
        target.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    start += 1
    following = re.search(r"^## ", current[start + len(SECTION):], flags=re.MULTILINE)
    end = len(current) if following is None else start + len(SECTION) + following.start()
    rest = current[end:]
    target.write_text(current[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def corpus_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    files = manifest["files"]
    pages = [f["pages"] for f in files]
    return {"documents": len(files), "seed": manifest["seed"], "pages": sum(pages),
            "min_pages": min(pages), "max_pages": max(pages),
            "median_pages": statistics.median(pages),
            "megabytes": round(sum(f["bytes"] for f in files) / 1e6, 1),
            "source_words": sum(f["source_words"] or 0 for f in files),
            "furniture_words": sum(f["furniture_words"] or 0 for f in files)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="documents (default 1000)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", type=Path, help="corpus folder, kept (default: a temporary one)")
    parser.add_argument("--reps", type=int, default=1, help="runs of each method")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated, of {', '.join(METHODS)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes generating the corpus")
    parser.add_argument("--write", action="store_true",
                        help=f"put the section {SECTION!r} into bench/RESULTS.md")
    parser.add_argument("--notes", default="", help="a paragraph to add under the table")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.out)))
        return 0

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"unknown methods: {', '.join(sorted(unknown))}")
    if "pdftotext" in methods and shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext is missing: install poppler-utils "
                         "(sudo apt-get install poppler-utils), or leave it out with "
                         "--methods ours,pdfium")
    if "ours" in methods and (why := ours_importable()):
        raise SystemExit(f"our PDF extractor cannot be imported ({why}); "
                         "leave it out with --methods pdfium,pdftotext")
    temp = None if args.out else tempfile.TemporaryDirectory(prefix="pdf-bench-")
    folder = args.out or Path(temp.name)  # type: ignore[union-attr]
    try:
        started = time.perf_counter()
        manifest = generate(folder, args.count, args.seed, args.jobs)
        corpus = corpus_summary(manifest)
        print(f"corpus: {corpus['documents']} PDFs, {corpus['pages']} pages in {folder} "
              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        runs = []
        for rep in range(1, args.reps + 1):
            for method in methods:
                result = run_child(method, folder)
                result["run"] = rep
                runs.append(result)
                print(f"run {rep} {method}: {result['seconds']} s, {result['words']} words, "
                      f"{result['peak_rss_mb']} MB", file=sys.stderr)
        startup = pdftotext_startup(folder) if "pdftotext" in methods else 0.0
    finally:
        if temp is not None:
            temp.cleanup()
    command = "python bench/pdf_bench.py" + (f" --count {args.count}" if args.count != 1000
                                             else "") + (f" --reps {args.reps}" if args.reps > 1
                                                         else "")
    if methods != list(METHODS):
        command += f" --methods {','.join(methods)}"
    results = {"command": command, "machine": machine(), "corpus": corpus, "runs": runs,
               "pdftotext_startup_ms": round(startup * 1000, 1),
               "pdftotext_startup_share": round(startup * corpus["documents"], 1),
               "notes": args.notes}
    text = markdown(results)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
