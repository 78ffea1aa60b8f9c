"""Numbers a text states, with the noun they count, the sentence and the years.

"Fylket har 570 000 innbyggere" gives value 570000 counting "innbyggere";
"om lag 1,2 millioner innbyggere" gives 1200000, approximate. A number
followed by a little word (a preposition, a verb) counts the noun before it:
"en økning på 200 000 frem mot 2040" counts "økning". Years, year ranges,
dates, times and phone numbers are not figures.

Each figure keeps its sentence and the year or period it refers to, when the
sentence gives one: "frem mot 2040", "innen 2030", "by 2030" end a period
(start null); "i 2018", "in 2018", "per 2018", "(2018)" are one year;
"2018-2030", "2018–30", "fra 2018 til 2030", "mellom 2015 og 2030", "i
perioden 2018-2030" are a range. A baseline year ("sammenlignet med 1990",
"fra 1990-nivå", "siden 2010", "compared with 1990") is what the figure is
measured against, not the period it refers to, and is never taken. Dates
("18. juni 2018", "i desember 2015"), phone numbers and a year inside the
figure's own text are not periods either.

The year expression is looked for in the figure's clause (its sentence, cut
at ";" and at a comma before og/men/and/but): first the nearest after the
figure, up to the next figure; then, for figures listed together ("350 000
innbyggere og 190 000 arbeidsplasser mellom 2015 og 2030"), the one of the
figure they are listed with; then the nearest before the figure that no
earlier figure took as its own. So in "fra 20 prosent i 2018 til 40 prosent i
2030" each figure gets the year that directly follows it, and in "Fylket har
570 000 innbyggere, og det er forventet en økning på 200 000 frem mot 2040"
only the increase is "frem mot 2040".

A number joined to the one before it is read with it: "1 av 5 ungdommer" is
the share 0.2 of ungdommer; "3 til 4 milliarder kroner" is a range, kept as
its upper end (4 000 000 000), approximate.

Sentences end at . ! ? followed by white space and an upper-case letter or a
digit, except after an abbreviation (ca., mill., f.eks.) or an initial; a
blank line or a new bullet line also ends one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from archive.model import Figure, Period

# Norwegian writes 570 000 / 570.000 and 1,2; English writes 570,000 and 1.2.
NUMBER = re.compile(
    r"(?<![\w.,:/-])(\d{1,3}(?:[  .]\d{3})+|\d{1,3}(?:,\d{3})+(?=\s)|\d+)"
    r"(?:([,.])(\d+))?(?![\w:/]|[.,]\d|-\d)"
)
MULTIPLIERS = {
    "tusen": 1e3, "thousand": 1e3,
    "million": 1e6, "millioner": 1e6, "mill": 1e6, "mill.": 1e6, "mln": 1e6,
    "milliard": 1e9, "milliarder": 1e9, "mrd": 1e9, "mrd.": 1e9, "billion": 1e9,
}
PERCENT = ("prosent", "%", "percent", "per cent", "prosentpoeng")
APPROX = ("om lag", "omlag", "ca.", "ca", "cirka", "omtrent", "rundt", "nesten", "over",
          "mer enn", "drøyt", "snaue", "nærmere", "about", "around", "approximately",
          "nearly", "almost", "more than", "over")
# Little words after a number that are not what it counts (then look left).
NOT_NOUNS = frozenset(
    ["frem", "fram", "mot", "i", "til", "på", "av", "for", "og", "eller", "som", "er", "var", "har", "hadde", "blir", "ble", "skal", "vil", "kan", "med", "fra", "innen", "etter", "før", "ved", "om", "per", "pr", "at", "det", "den", "de", "en", "et", "ein", "eit", "ei", "towards", "to", "in", "on", "of", "for", "and", "or", "by", "from", "with", "is", "are", "was", "were", "will", "has", "have", "the", "a", "an", "than", "enn", "within", "until"]
)
MONTHS = frozenset(
    ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember", "january", "february", "march", "may", "june", "july", "october", "december"]
)
_WORD = re.compile(r"[^\W\d_][\w-]*")
# Prepositions that tie a number to the noun before it: "en økning på 200 000".
LINKING = frozenset(["på", "av", "med", "til", "of", "by", "to"])
# Spans that hold digits but no figure: phone numbers, dates, times, year ranges.
NOT_FIGURES = re.compile(
    r"(?:\+47\s?)?(?<!\d)\d{2}(?:\s\d{2}){3}(?!\d)|(?<!\d)\d{3}\s\d{2}\s\d{3}(?!\d)"
    r"|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}[:.]\d{2}(?=\s*(?:-|–)?\s*\d{1,2}[:.]\d{2})"
    r"|(?:19|20)\d{2}\s*[-–—/]\s*(?:(?:19|20)?\d{2})"
)
# Words that describe rather than name what is counted: the noun follows them.
ADJECTIVES = frozenset(
    ["nye", "flere", "store", "små", "unge", "eldre", "gamle", "ulike", "egne", "new", "young", "old", "more", "different", "several"]
)
ADJECTIVE_ENDINGS = ("ende", "ige", "iske", "lige")


# --- the sentence and the years a figure refers to ------------------------------

# Sentence ends: . ! ? (and closing quotes) before white space and a capital or a digit,
# a blank line, or a line that starts a bullet.
_SENTENCE_END = re.compile(
    r"[.!?]+[\"'»”’)\]]*(?=\s+[\"'«“‘(\[]?[^\W_])"
    r"|\n[^\S\n]*\n|\n(?=[^\S\n]*[-•*–·▪]\s)"
)
_NEXT_WORD = re.compile(r"\s+[\"'«“‘(\[]?(\w)")
ABBREVIATIONS = frozenset([
    "ca.", "mill.", "mrd.", "nr.", "bl.a.", "f.eks.", "kr.", "dvs.", "jf.", "jfr.", "pr.", "pst.",
    "mv.", "m.m.", "m.fl.", "evt.", "ev.", "inkl.", "ekskl.", "iht.", "ifm.", "mht.", "vedr.",
    "tlf.", "kl.", "ang.", "bl.", "s.", "st.", "nb.", "obs.", "kap.", "pkt.", "avd.", "fig.",
    "tab.", "mnd.", "t.o.m.", "f.o.m.", "o.l.", "e.l.", "m.a.", "t.d.", "e.g.", "i.e.", "approx.",
    "dr.", "mr.", "mrs.", "ms.", "prof.", "vs."
])
# Where a clause ends inside a sentence: ";" and a comma before a conjunction.
_CLAUSE_END = re.compile(r";|,(?=\s+(?:og|men|mens|samt|and|but|while|whereas)\b)", re.IGNORECASE)
# Figures listed together share the period that follows the last of them.
_LISTED = re.compile(r"\s*(?:,|,?\s*(?:og|and|eller|or|samt|&))?\s*", re.IGNORECASE)

_Y = r"(?:19|20)\d{2}"
# After a year: no more digits, no range, date or compound ("2018-06", "2018-kroner").
_AFTER = r"(?!\d|[.,]\d|[^\S\n]*[-–—/][^\S\n]*\d|[-‐][^\W\d_])"
_LEVEL = r"(?:[-‐\s]nivå(?:et)?|\s+levels?)?"
YEAR_EXPRESSION = re.compile(
    rf"""(?<![\w.,:/-])(?:
    (?P<range>
        (?:(?:i|in|for|over|gjennom|during)\s+(?:the\s+)?(?:plan)?period(?:en|e)?\s+
          |(?:i|in)\s+(?:årene|the\s+years)\s+)?
        (?:(?:fra|frå|from)\s+(?P<a1>{_Y})\s+(?:til|to|until|through)\s+(?P<b1>{_Y})
          |(?:mellom|between)\s+(?P<a2>{_Y})\s+(?:og|and)\s+(?P<b2>{_Y})
          |(?:(?:fra|frå|from)\s+)?(?P<a3>{_Y})[^\S\n]*[-–—/][^\S\n]*(?P<b3>{_Y}|\d{{2}}))
        {_AFTER})
    |(?P<baseline>
        (?:(?:sammenlignet|sammenliknet|sammenlikna|samanlikna|jamført|compared|relative
             |i\s+forhold|in\s+relation)\s+(?:med|mot|til|with|to)\s+
             (?:(?:nivået|the\s+level)\s+(?:i|in)\s+)?
          |(?:fra|frå|from|siden|sidan|since)\s+)
        (?:the\s+)?{_Y}{_LEVEL}
        |{_Y}(?:[-‐]nivå(?:et)?|\s+levels?))
    |(?P<until>
        (?:(?:frem|fram|hen)\s+(?:mot|til)|innen|innan|within|by|towards?|until)
        (?:\s+(?:utgangen\s+av|the\s+end\s+of))?(?:\s+(?:år(?:et)?|the\s+year))?
        \s+(?P<e>{_Y}){_AFTER})
    |(?P<single>
        (?:(?:i|in)(?:\s+løpet\s+av)?(?:\s+året|\s+the\s+year)?|per|pr\.|during|for|as\s+of
          |ved\s+(?:utgangen|slutten)\s+av|at\s+the\s+end\s+of)
        \s+(?P<s>{_Y}){_AFTER}
        |\((?P<p>{_Y})\))
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _years(text: str) -> list[tuple[int, int, Period | None, str]]:
    """Year expressions in the text: (start, end, period or None for a baseline, words)."""
    out: list[tuple[int, int, Period | None, str]] = []
    for m in YEAR_EXPRESSION.finditer(text):
        period: Period | None = None
        if m.group("range"):
            i = next(i for i in (1, 2, 3) if m.group(f"a{i}"))
            a, b = m.group(f"a{i}"), m.group(f"b{i}")
            first = int(a)
            last = int(b) if len(b) == 4 else first // 100 * 100 + int(b)
            if last < first:
                continue  # not a range of years ("2018-06", "2030-2018")
            period = Period(start=first, end=last)
        elif m.group("until"):
            period = Period(start=None, end=int(m.group("e")))
        elif m.group("single"):
            year = int(m.group("s") or m.group("p"))
            period = Period(start=year, end=year)
        out.append((m.start(), m.end(), period, " ".join(m.group().split())))
    return out


def _sentence_ends(text: str) -> list[int]:
    ends = []
    for m in _SENTENCE_END.finditer(text):
        if m.group()[0] in ".!?":
            k = m.start()
            while k > 0 and not text[k - 1].isspace() and m.start() - k < 12:
                k -= 1
            token = text[k:m.start() + 1].lstrip("\"'«“‘([")
            if token.lower() in ABBREVIATIONS or (
                len(token) == 2 and token[0].isupper()  # an initial: "Kari N. Nordmann"
            ):
                continue
            nxt = _NEXT_WORD.match(text, m.end())
            if not nxt or not (nxt.group(1).isupper() or nxt.group(1).isdigit()):
                continue
        ends.append(m.end())
    return ends


def _around(cuts: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """The piece between cuts that holds text[start:end] (cuts inside it are ignored)."""
    i = bisect_right(cuts, start)
    j = bisect_left(cuts, end)
    return (cuts[i - 1] if i else 0), (cuts[j] if j < len(cuts) else length)


def _context(
    text: str, spans: list[tuple[int, int]]
) -> list[tuple[str, Period | None, str | None]]:
    """The sentence, period and period words of each figure span (in order) in text."""
    n = len(text)
    sentence_cuts = _sentence_ends(text)
    clause_cuts = sorted(set(sentence_cuts) | {m.end() for m in _CLAUSE_END.finditer(text)})
    merged: list[list[int]] = []  # the figures' own text, as sorted disjoint spans
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = [a for a, _ in merged]

    def in_a_figure(y: tuple[int, int, Period | None, str]) -> bool:
        k = bisect_left(starts, y[1]) - 1  # the last figure that starts before the year ends
        return k >= 0 and merged[k][1] > y[0]

    # periods only (baselines dropped), in order and not overlapping one another
    years = [y for y in _years(text) if y[2] and not in_a_figure(y)]
    year_starts = [y[0] for y in years]
    year_ends = [y[1] for y in years]
    clauses = [_around(clause_cuts, a, b, n) for a, b in spans]
    picked: list[int | None] = [None] * len(spans)  # index into years
    for i in reversed(range(len(spans))):
        b, c_end = spans[i][1], clauses[i][1]
        listed = i + 1 < len(spans) and spans[i + 1][0] < c_end
        stop = max(b, min(spans[i + 1][0], c_end)) if listed else c_end
        k = bisect_left(year_starts, b)
        if k < len(years) and years[k][1] <= stop:
            picked[i] = k
        elif listed and _LISTED.fullmatch(text, b, spans[i + 1][0]):
            nxt = picked[i + 1]
            picked[i] = nxt if nxt is not None and years[nxt][1] <= c_end else None
    taken = {k for k in picked if k is not None}
    for i, (a, _) in enumerate(spans):
        if picked[i] is None:
            k = bisect_right(year_ends, a) - 1  # the last year that ends before the figure
            while k >= 0 and years[k][0] >= clauses[i][0] and k in taken:
                k -= 1
            if k >= 0 and years[k][0] >= clauses[i][0]:
                picked[i] = k
    out: list[tuple[str, Period | None, str | None]] = []
    for (a, b), pick in zip(spans, picked):
        s, e = _around(sentence_cuts, a, b, n)
        sentence = " ".join(text[s:e].split())
        out.append((sentence, None, None) if pick is None
                   else (sentence, years[pick][2], years[pick][3]))
    return out


def _value(integer: str, sep: str | None, frac: str | None) -> float | None:
    digits = re.sub(r"[  .,]", "", integer)
    if not digits:
        return None
    if sep == "," or (sep == "." and frac and len(frac) != 3):
        return float(f"{digits}.{frac}")
    if sep == "." and frac:
        return float(digits + frac)
    return float(digits)


def _tidy(value: float) -> float:
    return int(value) if value == int(value) else value


RATIO_WORDS = ("av", "of", "out of")
# A number joined to the one that follows: "1 av 5", "3 til 4", "20-30".
_JOINED_BEFORE = re.compile(
    r"(?<![\w.,:/-])(?P<n>\d+(?:[,.]\d+)?)(?P<join>\s+(?:av|of|out of|til|to)\s+|\s*[-–]\s*)$",
    re.IGNORECASE)


def _is_year(number: str) -> bool:
    return len(number) == 4 and number[:2] in ("19", "20")


def _number_parts(number: str) -> tuple[str, str | None, str | None]:
    m = re.fullmatch(r"(\d+)(?:([,.])(\d+))?", number)
    return (m.group(1), m.group(2), m.group(3)) if m else (number, None, None)


def find_figures(text: str) -> list[Figure]:
    """Figures in one paragraph (or list item) of text, in order, each with its context."""
    found: list[tuple[int, int, float, str, str | None, bool]] = []
    skip = [(s.start(), s.end()) for s in NOT_FIGURES.finditer(text)]
    for m in NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            continue
        integer, sep, frac = m.group(1), m.group(2), m.group(3)
        grouped = bool(re.search(r"[  .,]", integer))
        if not grouped and not frac and len(integer) == 4 and integer[:2] in ("19", "20"):
            continue  # a year
        value = _value(integer, sep, frac)
        if value is None:
            continue
        after = text[m.end():]
        words_after = _WORD.findall(after[:80])
        first = words_after[0].lower() if words_after else ""
        if first in MONTHS or re.match(r"\s*\d{2}\s\d{2}", after):
            continue  # a date or a phone number
        start, end = m.start(), m.end()
        multiplier_word = None
        if first.rstrip(".") in MULTIPLIERS or first in MULTIPLIERS:
            value *= MULTIPLIERS.get(first, MULTIPLIERS.get(first.rstrip("."), 1))
            multiplier_word = first
        counts: str | None = None
        rest = words_after[1:] if multiplier_word else words_after
        tail = after.lstrip()
        if tail.startswith("%"):
            counts = "prosent"
            end = m.end() + after.index("%") + 1
        elif rest and rest[0].lower() in PERCENT:
            counts = rest[0].lower()
        elif rest and rest[0].lower() not in NOT_NOUNS and rest[0][0].isalpha():
            counts = rest[0]
            word = rest[0].lower()
            if len(rest) > 1 and rest[1].lower() not in NOT_NOUNS and (
                word in ADJECTIVES or word.endswith(ADJECTIVE_ENDINGS)
            ):
                counts = " ".join(after[: after.find(rest[1]) + len(rest[1])].split())
        if counts and counts != "prosent" or (counts == "prosent" and not tail.startswith("%")):
            last = counts.split()[-1] if counts else ""
            idx = after.find(last) if last else -1
            end = m.end() + idx + len(last) if idx >= 0 else end
        elif multiplier_word:
            end = m.end() + after.find(multiplier_word) + len(multiplier_word)
        if counts is None:
            before = _WORD.findall(text[max(0, start - 60):start])
            content = [w for w in before if w.lower() not in NOT_NOUNS]
            if content and before and before[-1].lower() in LINKING:
                counts = content[-1]
                start = text.rfind(counts, 0, start)
            elif not multiplier_word:
                continue  # a bare number says nothing on its own
        approximate = False
        if start == m.start() and (joined := _JOINED_BEFORE.search(text[:start])) and not (
                _is_year(joined.group("n"))):
            # "1 av 5 ungdommer": a share; "3 til 4 milliarder kroner": a range, its
            # upper end kept as the value and the figure approximate
            low = _value(*_number_parts(joined.group("n")))
            if joined.group("join").strip().lower() in RATIO_WORDS:
                if low is not None and value:
                    value = low / value
            else:
                approximate = True
            start = joined.start()
        head = text[:start].rstrip().lower()
        for q in APPROX:
            if head.endswith(" " + q) or head == q:
                approximate = True
                start = start - (len(text[:start]) - len(text[:start].rstrip())) - len(q)
                break
        written = text[start:end]
        lead = len(written) - len(written.lstrip())
        found.append((start + lead, start + len(written.rstrip()), _tidy(value), written.strip(),
                      counts, approximate))
    if not found:
        return []
    context = _context(text, [(a, b) for a, b, *_ in found])
    return [
        Figure(value=value, text=written, counts=counts, approximate=approximate,
               sentence=sentence, period=period, when=when)
        for (_, _, value, written, counts, approximate), (sentence, period, when)
        in zip(found, context)
    ]
