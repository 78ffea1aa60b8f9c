"""Numbers a text states, with the noun they count.

"Fylket har 570 000 innbyggere" gives value 570000 counting "innbyggere";
"om lag 1,2 millioner innbyggere" gives 1200000, approximate. A number
followed by a little word (a preposition, a verb) counts the noun before it:
"en økning på 200 000 frem mot 2040" counts "økning". Years, year ranges,
dates, times and phone numbers are not figures.
"""

from __future__ import annotations

import re

from archive.model import Figure

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
    return int(value) if value == int(value) else value  # type: ignore[return-value]


def find_figures(text: str) -> list[Figure]:
    """Figures in one paragraph of text, in order."""
    out: list[Figure] = []
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
        head = text[:start].rstrip().lower()
        approximate = False
        for q in APPROX:
            if head.endswith(" " + q) or head == q:
                approximate = True
                start = start - (len(text[:start]) - len(text[:start].rstrip())) - len(q)
                break
        out.append(
            Figure(
                value=_tidy(value),
                text=text[start:end].strip(),
                counts=counts,
                approximate=approximate,
            )
        )
    return out
