"""Layout analysis: positioned text spans of a PDF into headings, paragraphs, lists and tables.

Works only on ``archive.pdf_read``'s dataclasses (no PDF engine here), and
finds structure by its shape, as any office tool lays it out, never by the
words of particular documents:

- lines are spans sharing a baseline; a wide gap splits a line into
  fragments (table cells, or the two columns of a page);
- running headers, footers and page numbers repeat at the same height near
  the top or bottom of most pages (digits normalised) and are left out;
- a page whose lines leave a vertical gutter free in the middle, with text
  filling both sides, is read left column first;
- the body size is the size most characters have; larger or bold short
  blocks that do not end a sentence are headings, ranked by size into
  levels (the PDF outline, where there is one, confirms them and gives
  their levels);
- lines are rejoined into paragraphs across line, column and page breaks,
  with words hyphenated at a line end joined again.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .model import Block, ListBlock, Paragraph, Section, Table
from .pdf_read import SHY, PdfFile, PdfPage, Span

# --- tolerances, in em (times the font size) or shares of the page ---------------------------

WORD_GAP = 0.15  # a gap wider than this between two spans is a word space
CELL_GAP = 0.9  # a gap wider than this splits a line into fragments (cells, columns) ...
CELL_RATIO = 2.0  # ... and, on a line of many word spaces, this many times the usual one
MARGIN_BAND = 0.12  # running headers and footers live in the top / bottom 12% of the page
NUMBER_BAND = 0.08  # bare page numbers: only in the outer 8%
SAME_PLACE = 0.015  # a repeated line is "at the same height" within 1.5% of the page height
COLUMN_BAND = (0.3, 0.7)  # a column gutter lies in the middle of the page
MIN_COLUMN_LINES = 5
HEADING_RATIO = 1.15  # a heading is at least this much larger than the body, or bold
MAX_HEADING_LINES = 3
MAX_HEADING_CHARS = 200
PARA_GAP = 0.35  # a line step this much (em) over the usual step starts a new paragraph
TITLE_PAGE_CHARS = 700  # a title page holds little text ...
TITLE_RATIO = 1.6  # ... and type this much larger than the body

BULLET = re.compile(r"^([\u2022\u25e6\u25aa\u2023\u2013\u2014\-*\uf0b7\u25cf\u25a0\u2043\u2219"
                    r"\u00b7\u25ba\u27a2\uf0a7\uf0d8])\s*(?=\S)")
NUMBERED = re.compile(r"^(\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)])\s+(?=\S)")
PAGE_NUMBER = re.compile(
    r"^(?:(?:side|page|s\.|seite|sida|p\.)\s*)?[-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?"
    r"(?:\s*(?:av|of|/|von|af|de)\s*\d{1,4})?$", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;\u2026][\"'\u201d\u2019\u00bb)\]]*$")
HEADING_END = re.compile(r"[.,;!?]$")
JOINERS = frozenset({"og", "eller", "samt", "and", "or", "nor", "und", "oder", "och", "til",
                     "to", "bis"})
WORD = re.compile(r"[\w\u00ad-]+")


@dataclass(slots=True)
class DocumentLayout:
    title: str | None
    title_page: list[str]
    sections: list[Section]
    text: str
    headings_from: str  # "outline", "layout" or "none"
    furniture: int
    two_column_pages: list[int]


@dataclass(slots=True)
class Fragment:
    """Spans of one line with no wide gap between them: a run of words, a cell, a column's line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass(slots=True, eq=False)
class Line:
    """Fragments sharing a baseline; the measures are computed once (they are read often)."""

    page: int
    fragments: list[Fragment]
    brk: bool = False  # the first line after a page or column break
    text: str = field(init=False)
    x0: float = field(init=False)
    x1: float = field(init=False)
    top: float = field(init=False)
    bottom: float = field(init=False)
    size: float = field(init=False)
    bold: bool = field(init=False)
    style: tuple[float, bool] = field(init=False)

    def __post_init__(self) -> None:
        frags = self.fragments
        self.text = " ".join(f.text for f in frags)
        self.x0 = frags[0].x0
        self.x1 = max(f.x1 for f in frags)
        self.top = min(f.top for f in frags)
        self.bottom = max(f.bottom for f in frags)
        self.size = _dominant((f.size, len(f.text)) for f in frags)
        chars = sum(len(f.text) for f in frags)
        self.bold = sum(len(f.text) for f in frags if f.bold) * 2 > chars
        self.style = (round(self.size * 2) / 2, self.bold)


@dataclass(slots=True)
class RawBlock:
    """A block before headings are decided: kind is text, list or table."""

    kind: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    rows: list[list[str]] = field(default_factory=list)
    header: bool = False


def _dominant(pairs: Iterable[tuple[float, int]]) -> float:
    """The value with the largest weight (sizes weighted by characters)."""
    weights: Counter[float] = Counter()
    for value, weight in pairs:
        weights[round(value * 2) / 2] += weight
    return weights.most_common(1)[0][0] if weights else 0.0


# --- lines --------------------------------------------------------------------------------------


def page_lines(page: PdfPage) -> list[Line]:
    """The page's spans grouped into lines (top to bottom), each split into fragments."""
    spans = sorted(page.spans, key=lambda s: (s.top, s.x0))
    groups: list[list[Span]] = []
    for span in spans:
        for group in reversed(groups[-4:]):
            if _same_line(group[0], span):
                group.append(span)
                break
        else:
            groups.append([span])
    lines = []
    for group in groups:
        fragments = _fragments(sorted(group, key=lambda s: s.x0))
        if fragments:
            lines.append(Line(page.number, fragments))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _same_line(a: Span, b: Span) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= 0.5 * min(a.bottom - a.top, b.bottom - b.top)


def _fragments(spans: list[Span]) -> list[Fragment]:
    """Split a line at gaps wide enough to be cell or column gaps, not word spaces.

    A gap is wide from CELL_GAP em on; on a line drawn word by word it must also be well
    over the line's usual word space (a loosely justified line has wide spaces throughout).
    """
    gaps = []
    right = spans[0].x1
    for span in spans[1:]:
        gaps.append(span.x0 - right)
        right = max(right, span.x1)
    words = [g for g, s in zip(gaps, spans[1:], strict=True)
             if WORD_GAP * s.size < g <= CELL_GAP * s.size]
    usual = statistics.median(words) if len(words) >= 3 else 0.0
    out: list[Fragment] = []
    parts = [spans[0]]
    for gap, span in zip(gaps, spans[1:], strict=True):
        if gap > CELL_GAP * max(parts[-1].size, span.size) and gap > CELL_RATIO * usual:
            out.append(_fragment(parts))
            parts = []
        parts.append(span)
    out.append(_fragment(parts))
    return [f for f in out if f.text]


def _fragment(spans: list[Span]) -> Fragment:
    text = spans[0].text
    right = spans[0].x1
    for span in spans[1:]:
        gap = span.x0 - right
        spaced = text.endswith(" ") or span.text.startswith(" ")
        text += span.text if spaced or gap <= WORD_GAP * span.size else " " + span.text
        right = max(right, span.x1)
    chars = sum(len(s.text) for s in spans)
    bold = sum(len(s.text) for s in spans if s.bold) * 2 > chars
    return Fragment(" ".join(text.split()), spans[0].x0, right, min(s.top for s in spans),
                    max(s.bottom for s in spans), _dominant((s.size, len(s.text)) for s in spans),
                    bold)


# --- furniture ----------------------------------------------------------------------------------


def _furniture_key(line: Line) -> str:
    return re.sub(r"\d+", "#", " ".join(line.text.casefold().split()))


def remove_furniture(pages: list[tuple[PdfPage, list[Line]]]) -> int:
    """Drop running headers, footers and page numbers from every page's lines; how many.

    Type larger than the body is never furniture: a chapter heading at the top of every
    page ("Kapittel 3") repeats like a running header but is content.
    """
    body = _dominant((ln.size, len(ln.text)) for _, lines in pages for ln in lines)
    candidates: dict[tuple[str, str], list[tuple[int, Line]]] = defaultdict(list)
    for index, (page, lines) in enumerate(pages):
        for band, line in _margin_lines(page, lines):
            if line.size <= 1.1 * body:
                candidates[(_furniture_key(line), band)].append((index, line))
    threshold = max(2, (len(pages) + 1) // 2)
    drop: set[int] = set()
    for found in candidates.values():
        middle = statistics.median(ln.top for _, ln in found)
        near = [(i, ln) for i, ln in found
                if abs(ln.top - middle) <= SAME_PLACE * pages[i][0].height]
        if len({i for i, _ in near}) >= threshold:
            drop.update(id(ln) for _, ln in near)
    for page, lines in pages:
        for band, line in _margin_lines(page, lines):
            if _is_page_number(line, page, band):
                drop.add(id(line))
    removed = 0
    for _, lines in pages:
        keep = [ln for ln in lines if id(ln) not in drop]
        removed += len(lines) - len(keep)
        lines[:] = keep
    return removed


def _margin_lines(page: PdfPage, lines: list[Line]) -> Iterator[tuple[str, Line]]:
    """The first and last two lines of a page when they lie in the margin bands."""
    for line in lines[:2]:
        if line.bottom <= MARGIN_BAND * page.height:
            yield "top", line
    for line in lines[-2:] if len(lines) > 2 else lines[len(lines[:2]):]:
        if line.top >= (1 - MARGIN_BAND) * page.height:
            yield "bottom", line


def _is_page_number(line: Line, page: PdfPage, band: str) -> bool:
    if not PAGE_NUMBER.match(line.text.strip()):
        return False
    if band == "top":
        return line.bottom <= NUMBER_BAND * page.height
    return line.top >= (1 - NUMBER_BAND) * page.height


# --- columns ------------------------------------------------------------------------------------


def read_columns(lines: list[Line], page: PdfPage, depth: int = 0) -> tuple[list[Line], bool]:
    """Lines in reading order: a two-column run left column first; whether there was one."""
    found = _gutter(lines, page)
    if found is None or depth > 3:
        return lines, False
    start, end, x = found
    left: list[Line] = []
    right: list[Line] = []
    for line in lines[start:end]:
        lf = [f for f in line.fragments if f.x1 <= x]
        rf = [f for f in line.fragments if f.x0 >= x]
        if lf:
            left.append(Line(line.page, lf))
        if rf:
            right.append(Line(line.page, rf))
    if right:
        right[0].brk = True
    before, _ = read_columns(lines[:start], page, depth + 1)
    after, _ = read_columns(lines[end:], page, depth + 1)
    return before + left + right + after, True


def _gutter(lines: list[Line], page: PdfPage) -> tuple[int, int, float] | None:
    """(first line, end line, x) of the best run of lines that a vertical gutter at x divides.

    The gutter lies just left of where the right column's lines start, so only those
    places are tried (a handful per page, not every x).
    """
    low, high = COLUMN_BAND[0] * page.width, COLUMN_BAND[1] * page.width
    starts = Counter(round(f.x0) for ln in lines for f in ln.fragments if low <= f.x0 <= high)
    candidates = sorted(x - 1.5 for x, n in starts.items() if n >= 2)
    if sum(starts.values()) < MIN_COLUMN_LINES:
        return None
    best: tuple[int, int, int, float] | None = None
    for x in candidates:
        for start, end in _runs(lines, x):
            score = _column_score(lines[start:end], x)
            if score and (best is None or score > best[0]):
                best = (score, start, end, float(x))
    return None if best is None else best[1:]


def _runs(lines: list[Line], x: float) -> Iterator[tuple[int, int]]:
    start = None
    for i, line in enumerate(lines):
        crossed = any(f.x0 < x < f.x1 for f in line.fragments)
        if crossed:
            if start is not None:
                yield start, i
            start = None
        elif start is None:
            start = i
    if start is not None:
        yield start, len(lines)


def _column_score(run: list[Line], x: float) -> int:
    """Lines on the poorer side when both sides hold column text (wide lines), else 0."""
    score = None
    for side in (True, False):
        per_line = [[f for f in ln.fragments if (f.x1 <= x) == side] for ln in run]
        per_line = [frags for frags in per_line if frags]
        if len(per_line) < MIN_COLUMN_LINES:
            return 0
        if sum(1 for frags in per_line if len(frags) > 1) * 3 > len(per_line):
            return 0  # cells, not a column: a column's lines are mostly one fragment each
        frags = [f for found in per_line for f in found]
        extent = max(f.x1 for f in frags) - min(f.x0 for f in frags)
        if statistics.median(f.x1 - f.x0 for f in frags) < 0.55 * extent:
            return 0  # short pieces (cells, labels), not lines of running text
        score = len(per_line) if score is None else min(score, len(per_line))
    return score or 0


# --- blocks -------------------------------------------------------------------------------------


class Steps:
    """The usual distance from one line's top to the next within a paragraph, per style."""

    def __init__(self, lines: list[Line]) -> None:
        found: dict[tuple[float, bool], list[float]] = defaultdict(list)
        for a, b in itertools.pairwise(lines):
            if a.page == b.page and not b.brk and a.style == b.style and b.top > a.top:
                found[a.style].append(b.top - a.top)
        self.usual = {k: min(v, key=lambda s: (round(s), s)) if len(v) < 3 else
                      _mode(v) for k, v in found.items()}

    def normal(self, a: Line, b: Line) -> bool:
        size = a.size
        usual = self.usual.get(a.style, 1.25 * size)
        usual = min(usual, 1.6 * size)
        return b.top - a.top <= usual + PARA_GAP * size and b.top > a.top


def _mode(values: list[float]) -> float:
    counts = Counter(round(v * 2) / 2 for v in values)
    return min(value for value, n in counts.items() if n == max(counts.values()))


def segment(lines: list[Line], vocabulary: set[str]) -> list[RawBlock]:
    """Lines into text, list and table blocks in reading order."""
    steps = Steps(lines)
    blocks: list[RawBlock] = []
    i = 0
    while i < len(lines):
        previous = blocks[-1] if blocks else None
        marker = _marker(lines[i], lines[i - 1] if i else None, previous, steps)
        if marker is not None:
            i = _list(lines, i, blocks, steps, vocabulary)
            continue
        end, table = _table(lines, i)
        if table is not None:
            blocks.append(table)
            i = end
            continue
        i = _text(lines, i, blocks, steps, vocabulary)
    return blocks


def _marker(line: Line, before: Line | None, previous: RawBlock | None,
            steps: Steps) -> tuple[str, bool] | None:
    """(marker, ordered) when the line starts a list item."""
    text = line.text
    bullet = BULLET.match(text)
    numbered = NUMBERED.match(text) if bullet is None else None
    found = bullet or numbered
    if found is None:
        return None
    if len(line.fragments) == 1 and len(text) - found.end() < 2:
        return None
    in_sentence = (before is not None and previous is not None and previous.kind == "text"
                   and previous.lines and previous.lines[-1] is before
                   and not SENTENCE_END.search(before.text) and before.style == line.style
                   and (line.brk or steps.normal(before, line)) and line.x0 <= before.x0 + 2)
    if in_sentence:
        return None  # a wrapped sentence whose next line happens to start with "3." or "-"
    return found.group(1), numbered is not None


def _item_start(line: Line) -> float:
    """Where an item's text starts: after the marker fragment, else a guess after the marker."""
    if len(line.fragments) > 1 and (BULLET.match(line.fragments[0].text + " x")
                                    or NUMBERED.match(line.fragments[0].text + " x")):
        return line.fragments[1].x0
    return line.x0 + line.size


def _list(lines: list[Line], i: int, blocks: list[RawBlock], steps: Steps,
          vocabulary: set[str]) -> int:
    first = _marker(lines[i], None, None, steps)
    assert first is not None
    ordered = first[1]
    items: list[list[str]] = []
    indent = lines[i].x0
    while i < len(lines):
        line = lines[i]
        found = _marker(line, None, None, steps)
        if found is not None and found[1] == ordered and abs(line.x0 - indent) < line.size:
            marker = BULLET.match(line.text) or NUMBERED.match(line.text)
            assert marker is not None
            items.append([line.text[marker.end():]])
            start = _item_start(line)
            last = line
            i += 1
            while (i < len(lines) and _continues_item(last, lines[i], start, steps)
                   and _table(lines, i)[1] is None):
                items[-1].append(lines[i].text)
                last = lines[i]
                i += 1
            continue
        break
    blocks.append(RawBlock("list", items=[_join(parts, vocabulary) for parts in items],
                           ordered=ordered))
    return i


def _continues_item(last: Line, line: Line, start: float, steps: Steps) -> bool:
    if _marker(line, None, None, steps) is not None:
        return False
    if abs(line.size - last.size) > 0.5 or line.x0 < start - 0.4 * line.size:
        return False
    return line.brk or steps.normal(last, line)


def _table(lines: list[Line], i: int) -> tuple[int, RawBlock | None]:
    """Rows of aligned cells from line i on, and the index after them (None: no table)."""
    first = lines[i]
    if len(first.fragments) < 2:
        return i, None
    gaps = _gaps(first.fragments)
    rows: list[list[Fragment | None]] = [list(first.fragments)]
    row_lines = [first]
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if line.page != first.page and not line.brk:
            break
        placed = _place(line.fragments, gaps)
        if placed is None:
            break
        near = line.top - row_lines[-1].top < 1.45 * line.size and not line.brk
        if len(line.fragments) < len(gaps) + 1 and near:
            _extend(rows[-1], placed)
        elif len(line.fragments) >= 2:
            rows.append(placed)
            gaps = _narrow(gaps, placed) or gaps
        else:
            break
        row_lines.append(line)
        j += 1
    if len(rows) < 2:
        return i, None
    cells = [[c.text.replace(SHY, "") if c else "" for c in row] for row in rows]
    head = all(c is not None and c.bold for c in rows[0])
    header = head and not all(c is None or c.bold for row in rows[1:] for c in row)
    return j, RawBlock("table", lines=row_lines, rows=cells, header=header)


def _gaps(fragments: list[Fragment]) -> list[tuple[float, float]]:
    return [(a.x1, b.x0) for a, b in itertools.pairwise(fragments)]


def _place(fragments: list[Fragment],
           gaps: list[tuple[float, float]]) -> list[Fragment | None] | None:
    """The fragments in the table's columns, or None when they do not fit its column gaps."""
    row: list[Fragment | None] = [None] * (len(gaps) + 1)
    full = len(fragments) == len(row)
    for n, f in enumerate(fragments):
        if any(f.x0 < g0 - 1 and f.x1 > g1 + 1 for g0, g1 in gaps):
            return None  # the fragment runs across a column gap: not this table's row
        # a full row takes the columns in order; a short one by where its cells start
        column = n if full else sum(1 for _, g1 in gaps if f.x0 >= g1 - 1)
        if row[column] is not None:
            return None
        row[column] = f
    if _narrow(gaps, row) is None:
        return None
    return row


def _narrow(gaps: list[tuple[float, float]],
            row: list[Fragment | None]) -> list[tuple[float, float]] | None:
    """The column gaps narrowed to what the row leaves free; None when one closes."""
    out = []
    for k, (g0, g1) in enumerate(gaps):
        left, right = row[k], row[k + 1]
        low = max(g0, left.x1) if left else g0
        high = min(g1, right.x0) if right else g1
        if high - low < 1:
            return None
        out.append((low, high))
    return out


def _extend(row: list[Fragment | None], placed: list[Fragment | None]) -> None:
    """A wrapped cell: the line's fragments continue the cells of the row above."""
    for k, f in enumerate(placed):
        if f is None:
            continue
        cell = row[k]
        row[k] = f if cell is None else Fragment(
            f"{cell.text} {f.text}", cell.x0, max(cell.x1, f.x1), cell.top, f.bottom, cell.size,
            cell.bold)


def _text(lines: list[Line], i: int, blocks: list[RawBlock], steps: Steps,
          vocabulary: set[str]) -> int:
    """A run of lines of one style: a paragraph or a heading (decided later)."""
    run = [lines[i]]
    j = i + 1
    while (j < len(lines) and _continues_text(run, lines[j], steps)
           and _table(lines, j)[1] is None):
        run.append(lines[j])
        j += 1
    blocks.append(RawBlock("text", lines=run, text=_join([ln.text for ln in run], vocabulary)))
    return j


def _continues_text(run: list[Line], line: Line, steps: Steps) -> bool:
    last = run[-1]
    if line.style != last.style:
        return False
    if _marker(line, None, None, steps) is not None and not _mid_sentence(last, line, steps):
        return False
    ended = SENTENCE_END.search(last.text) is not None
    if line.brk or line.page != last.page:
        return not ended  # across a page or column break only an unfinished sentence goes on
    if not steps.normal(last, line):
        return False
    if ended and line.x0 > last.x0 + line.size:
        return False  # a first-line indent starts the next paragraph
    right = max(ln.x1 for ln in run)
    short = last.x1 < right - max(0.2 * (right - last.x0), 4 * line.size)
    return not (ended and short and len(run) > 1)


def _mid_sentence(last: Line, line: Line, steps: Steps) -> bool:
    return (not SENTENCE_END.search(last.text) and steps.normal(last, line)
            and line.x0 <= last.x0 + 2)


# --- joining lines ------------------------------------------------------------------------------


def _join(parts: list[str], vocabulary: set[str]) -> str:
    """Lines of one paragraph as one text: words broken at a line end joined again."""
    text = ""
    for part in parts:
        part = part.strip()
        if not text:
            text = part
            continue
        text = _join_two(text, part, vocabulary)
    return " ".join(text.replace(SHY, "").split()) if SHY in text else " ".join(text.split())


def _join_two(left: str, right: str, vocabulary: set[str]) -> str:
    broken = left.endswith(SHY) or (left.endswith("-") and len(left) > 1 and left[-2].isalnum())
    if not broken:
        return f"{left} {right}"
    head = left.rstrip(SHY).rstrip("-")
    before = head.split()[-1] if head.split() else ""
    after = right.split()[0] if right.split() else ""
    if keep_hyphen(before, after, vocabulary):
        glue = " " if _bare(after).casefold() in JOINERS else ""
        return f"{head}-{glue}{right}"
    return head + right


def _bare(word: str) -> str:
    return word.strip(".,;:!?()[]\"'\u201c\u201d\u2019\u00ab\u00bb")


def keep_hyphen(before: str, after: str, vocabulary: set[str]) -> bool:
    """Whether a hyphen at a line end is part of the word (a hard hyphen) or only the break.

    The document's own words decide first (the word written elsewhere with or without the
    hyphen); then the shape: a following conjunction ("helse- og omsorg"), a capital or a
    digit on either side (a compound with a name or a number) keeps the hyphen.
    """
    word_before, word_after = _bare(before), _bare(after)
    if not word_before or not word_after:
        return True
    joined = (word_before + word_after).casefold()
    hyphened = f"{word_before}-{word_after}".casefold()
    if hyphened in vocabulary:
        return True
    if joined in vocabulary:
        return False
    if word_after.casefold() in JOINERS:
        return True
    if word_after[0].isupper() or word_after[0].isdigit():
        return True
    return word_before[0].isupper() or word_before[-1].isdigit()


def vocabulary(lines: Iterable[Line]) -> set[str]:
    """Words of the document written within a line (not broken at its end), case-folded."""
    words: set[str] = set()
    for line in lines:
        for fragment in line.fragments:
            found = WORD.findall(fragment.text.casefold())
            if found and fragment.text.endswith(("-", SHY)):
                found = found[:-1]
            words.update(w.strip("-") for w in found)
    return words


# --- headings -----------------------------------------------------------------------------------


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _candidate(block: RawBlock, body: float, body_bold: bool) -> bool:
    if block.kind != "text" or len(block.lines) > MAX_HEADING_LINES:
        return False
    text = block.text
    if len(text) > MAX_HEADING_CHARS or HEADING_END.search(text) or not any(
            c.isalpha() for c in text):
        return False
    size, bold = block.lines[0].size, block.lines[0].bold
    if size >= HEADING_RATIO * body:
        return True
    return bold and not body_bold and size >= body - 0.5


def decide_headings(blocks: list[RawBlock], outline: list[tuple[int, str]], body: float,
                    body_bold: bool) -> tuple[dict[int, int], str]:
    """Heading blocks (index -> level) and where the levels came from."""
    found = [k for k, b in enumerate(blocks) if _candidate(b, body, body_bold)]
    if not found:
        return {}, "none"
    styles = sorted({blocks[k].lines[0].style for k in found}, key=lambda s: (-s[0], not s[1]))
    by_layout = {k: min(styles.index(blocks[k].lines[0].style) + 1, 6) for k in found}
    titles = [(level, _normal(title)) for level, title in outline]
    matched: dict[int, int] = {}
    cursor = 0
    for k in found:
        text = _normal(blocks[k].text)
        for m in range(cursor, len(titles)):
            if titles[m][1] == text:
                matched[k] = titles[m][0]
                cursor = m + 1
                break
    if not matched:
        return by_layout, "layout"
    style_level: dict[tuple[float, bool], Counter[int]] = defaultdict(Counter)
    for k, level in matched.items():
        style_level[blocks[k].lines[0].style][level] += 1
    levels = {}
    for k in found:
        if k in matched:
            levels[k] = matched[k]
        elif style_level.get(blocks[k].lines[0].style):
            levels[k] = style_level[blocks[k].lines[0].style].most_common(1)[0][0]
        else:
            levels[k] = by_layout[k]
    return levels, "outline"


# --- the document -------------------------------------------------------------------------------


def _title_page(first: list[Line], body: float) -> bool:
    chars = sum(len(ln.text) for ln in first)
    return bool(first) and chars <= TITLE_PAGE_CHARS and max(ln.size for ln in first) >= (
        TITLE_RATIO * body)


def _title_lines(lines: list[Line], vocab: set[str]) -> list[str]:
    """A title page's lines, consecutive lines of one style joined (a title broken in two)."""
    out: list[str] = []
    steps = Steps(lines)
    run: list[Line] = []
    for line in lines:
        if run and (line.style != run[-1].style or not steps.normal(run[-1], line)
                    or line.top - run[-1].top > 1.35 * line.size):
            out.append(_join([ln.text for ln in run], vocab))
            run = []
        run.append(line)
    if run:
        out.append(_join([ln.text for ln in run], vocab))
    return out


def _title(first: list[Line], vocab: set[str]) -> str | None:
    if not first:
        return None
    largest = max(ln.size for ln in first)
    picked: list[Line] = []
    for line in first:
        if abs(line.size - largest) < 0.5:
            picked.append(line)
        elif picked:
            break
    return _join([ln.text for ln in picked], vocab) or None


def lay_out(pdf: PdfFile) -> DocumentLayout:
    """The document's structure: title, title page, sections in reading order, plain text."""
    pages = [(page, page_lines(page)) for page in pdf.pages]
    furniture = remove_furniture(pages)
    every = [ln for _, lines in pages for ln in lines]
    vocab = vocabulary(every)
    body = _dominant((f.size, len(f.text)) for ln in every for f in ln.fragments)
    body_bold = sum(len(f.text) for ln in every for f in ln.fragments
                    if f.bold and round(f.size * 2) / 2 == body) * 2 > sum(
        len(f.text) for ln in every for f in ln.fragments if round(f.size * 2) / 2 == body)
    first = pages[0][1] if pages else []
    title = _title(first, vocab)
    title_page: list[str] = []
    content = pages
    if len(pages) > 1 and _title_page(first, body):
        title_page = _title_lines(first, vocab)
        content = pages[1:]
    stream: list[Line] = []
    two_columns: list[int] = []
    for page, lines in content:
        ordered, split = read_columns(lines, page)
        if split:
            two_columns.append(page.number)
        if ordered:
            ordered[0].brk = bool(stream)
        stream += ordered
    blocks = segment(stream, vocab)
    headings, source = decide_headings(blocks, pdf.outline, body, body_bold)
    sections = _sections(blocks, headings)
    return DocumentLayout(title, title_page, sections, _plain(sections), source, furniture,
                          two_columns)


def _sections(blocks: list[RawBlock], headings: dict[int, int]) -> list[Section]:
    sections: list[Section] = []
    current = Section(None, 0)
    for k, raw in enumerate(blocks):
        if k in headings:
            if current.heading is not None or current.blocks:
                sections.append(current)
            current = Section(raw.text, headings[k])
            continue
        block = _block(raw)
        if block is not None:
            current.blocks.append(block)
    if current.heading is not None or current.blocks:
        sections.append(current)
    return sections


def _block(raw: RawBlock) -> Block | None:
    if raw.kind == "list":
        return ListBlock([i for i in raw.items if i], raw.ordered)
    if raw.kind == "table":
        return Table(raw.rows, header=raw.header)
    return Paragraph(raw.text) if raw.text else None


def _plain(sections: list[Section]) -> str:
    parts: list[str] = []
    for section in sections:
        if section.heading:
            parts.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, ListBlock):
                parts.append("\n".join(block.items))
            elif isinstance(block, Table):
                parts.append("\n".join("\t".join(row) for row in block.rows))
    return "\n\n".join(parts)
