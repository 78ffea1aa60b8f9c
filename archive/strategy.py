"""Strategy and plan pages: title, period, goal, priorities and figures.

Detection reads the page's structure and wording, not its exact strings: a
strategy page names itself a strategy or plan (in the title, or in a heading
that also gives a period), and shows at least two of: a period of years in
that heading, a section about goals, a section about priorities with a list
or sub-headings. Press releases are about strategies, not strategies, and
are left out.

The word lists are stems, matched against whole lower-cased words. They were
chosen from the headings Norwegian county strategies and regional plans use
(bokmål, nynorsk and the English versions): the words for goals ("mål",
"målsetting", "hovedmål", "visjon", "ambisjon"), for priorities ("prioritering",
"satsingsområde", "innsatsområde", "fokusområde", "strategier") and for the
document kind ("strategi", "-plan", "handlingsprogram"). Words that share a
stem but mean something else are kept out by the patterns (``målgruppe``,
``planlegging``).
"""

from __future__ import annotations

import re
from itertools import pairwise

from archive.figures import find_figures
from archive.model import (
    Block,
    Figure,
    ListBlock,
    Paragraph,
    Period,
    Quote,
    Section,
    Strategy,
    SubGoals,
    Table,
)

KIND_WORD = re.compile(
    r"^(\w*strategi(en|er|ene)?|\w*strateg(y|ies)|\w*plan(en|er|ane|ene)?|"
    r"\w*handlingsprogram(met)?|\w*program(me)?|policy)$"
)
GOAL_WORD = re.compile(
    r"^((hoved|del|over|effekt|samfunns|resultat)?mål(et|ene|a|setjing\w*|setting\w*)?|"
    r"visjon(en)?|ambisjon(en|ar|er)?|formål(et)?|"
    r"goals?|objectives?|aims?|vision|ambitions?|purpose)$"
)
PRIORITY_WORD = re.compile(
    r"^(priorit\w*|\w*satsing\w*|\w*satsning\w*|\w*innsatsområd\w*|fokusområd\w*|"
    r"strategiar|strategier|strategiene|strategies|focus|priorities|priority)$"
)
# Headings made only of these words are not strategy names (e.g. "Strategier").
_WORD = re.compile(r"[^\W\d_]+")
PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:-|–|—|/|til|to)\s*((?:19|20)\d{2}|\d{2})(?!\d)")
TOWARDS = re.compile(r"\b(?:mot|fram til|frem til|innen|towards|until|to)\s+((?:19|20)\d{2})\b", re.IGNORECASE)
GOAL_LABEL = re.compile(
    r"^(?:overordnet |overordna )?(?:hovedmål|hovudmål|mål|målsetting|visjon|vision|goal|objective)"
    r"\s*[:–-]\s*(.+)$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")
NORMATIVE = re.compile(r"\b(skal|skall|shall|will|aims to|should)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def has_word(text: str, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(w) for w in words(text))


def period_of(text: str) -> Period | None:
    """First year range in the text ("2014-2018", "2015–30"); else "mot 2030" as an end."""
    if m := PERIOD.search(text):
        start, end = int(m.group(1)), m.group(2)
        end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        if end_year > start:
            return Period(start=start, end=end_year)
    if m := TOWARDS.search(text):
        return Period(start=None, end=int(m.group(1)))
    return None


def detect_strategy(title: str, sections: list[Section], template: str) -> Strategy | None:
    """A Strategy for strategy and plan pages, None for every other page."""
    if template == "news" or not sections:
        return None
    headings = [s.heading for s in sections if s.heading]
    named = next(
        (h for h in headings if has_word(h, KIND_WORD) and PERIOD.search(h)),
        None,
    )
    if named is None and not has_word(title, KIND_WORD):
        return None
    goal_at = _find_section(sections, GOAL_WORD)
    prio_at = _find_priorities(sections)
    score = (2 if named or PERIOD.search(title) else 0) + (goal_at is not None) + (
        prio_at is not None
    )
    if score < 2:
        return None
    strategy_title = named or title
    if named and PERIOD.search(title) and has_word(title, KIND_WORD):
        strategy_title = title
    period = period_of(strategy_title) or _period_in_text(sections)
    priorities = (
        _priorities(sections, prio_at) if prio_at is not None
        else _first_headed_list(sections)
    )
    return Strategy(
        title=strategy_title,
        period=period,
        goal=_goal(sections, goal_at),
        priorities=priorities,
        sub_goals=_sub_goals(sections, priorities),
        figures=_figures(sections),
        document=None,
        differences=[],
    )


def _key(text: str) -> str:
    """A heading or item compared by its words alone (case, numbering, punctuation dropped)."""
    return " ".join(w for w in words(text) if not w.isdigit())


def _sub_goals(sections: list[Section], priorities: list[str]) -> list[SubGoals]:
    """Goals listed in each priority's own section (a heading naming the priority).

    The section's first list is taken when the section (or a paragraph announcing the
    list) speaks of goals ("Delmål:", "Mål for ..."), or when the list is all it holds.
    """
    wanted = {_key(p): p for p in priorities}
    out: list[SubGoals] = []
    for i, s in enumerate(sections):
        if not s.heading or (priority := wanted.pop(_key(s.heading), None)) is None:
            continue
        blocks = list(s.blocks) + [b for sub in _subsections(sections, i) for b in sub.blocks
                                   if has_word(sub.heading or "", GOAL_WORD)]
        goals = _listed_goals(blocks, s.heading)
        if goals:
            out.append(SubGoals(priority=priority, goals=goals))
    return out


def _listed_goals(blocks: list[Block], heading: str) -> list[str]:
    goal_words = has_word(heading, GOAL_WORD)
    for prev, block in pairwise([None, *blocks]):
        if not isinstance(block, ListBlock):
            continue
        announced = isinstance(prev, Paragraph) and has_word(prev.text, GOAL_WORD)
        if announced or goal_words or all(not isinstance(b, Paragraph) for b in blocks):
            return [item.rstrip(" ;") for item in block.items]
    return []


def _find_section(sections: list[Section], pattern: re.Pattern[str]) -> int | None:
    for i, s in enumerate(sections):
        if s.heading and has_word(s.heading, pattern):
            return i
    return None


def _find_priorities(sections: list[Section]) -> int | None:
    """First section with a priorities heading that holds a list or sub-headings."""
    for i, s in enumerate(sections):
        if s.heading and has_word(s.heading, PRIORITY_WORD) and (
            any(isinstance(b, ListBlock) for b in s.blocks) or _subsections(sections, i)
        ):
            return i
    return None


def _subsections(sections: list[Section], i: int) -> list[Section]:
    """The sections directly under section i (the shallowest level below it)."""
    level = sections[i].level
    below: list[Section] = []
    for s in sections[i + 1:]:
        if s.level <= level:
            break
        below.append(s)
    top = min((s.level for s in below), default=0)
    return [s for s in below if s.level == top]


def _priorities(sections: list[Section], i: int) -> list[str]:
    for block in sections[i].blocks:
        if isinstance(block, ListBlock):
            return [item.rstrip(" .;") for item in block.items]
    return [s.heading.rstrip(" .:") for s in _subsections(sections, i) if s.heading]


def _first_headed_list(sections: list[Section]) -> list[str]:
    """Without a priorities heading: the first list that has a sub-heading of its own.

    A strategy's main enumeration under its own heading is what it commits to
    (e.g. "Planer som skal utarbeides" in a planning strategy); lists in the
    introduction, before any sub-heading, are summaries and are skipped.
    """
    for s in sections[1:]:
        if s.level >= 2:
            for block in s.blocks:
                if isinstance(block, ListBlock):
                    return [item.rstrip(" .;") for item in block.items]
    return []


def _goal(sections: list[Section], i: int | None) -> str | None:
    """The goal statement: labelled, quoted, announced by a colon, or the normative sentence."""
    for s in sections:
        for block in s.blocks:
            if isinstance(block, Paragraph) and (m := GOAL_LABEL.match(block.text)):
                return m.group(1).strip()
    if i is None:
        # no goal section: a paragraph announcing it ("Hovedmålet for strategien er:"),
        # else the ingress, which states what the strategy is for
        every = [b for s in sections for b in s.blocks]
        for prev, block in pairwise(every):
            if (isinstance(prev, Paragraph) and prev.text.rstrip().endswith(":")
                    and has_word(prev.text, GOAL_WORD)):
                if isinstance(block, Paragraph):
                    return block.text
                if isinstance(block, ListBlock):
                    return "; ".join(block.items)
        ingress = [b.text for s in sections for b in s.blocks
                   if isinstance(b, Paragraph) and b.ingress]
        return " ".join(ingress) or None
    heading = sections[i].heading or ""
    if ":" in heading and (m := GOAL_LABEL.match(heading)):
        return m.group(1).strip()
    blocks = list(sections[i].blocks)
    # sub-sections of the goal section belong to it
    blocks += [b for s in _subsections(sections, i) for b in s.blocks]
    for block in blocks:
        if isinstance(block, Quote):
            return block.text
    for prev, block in pairwise(blocks):
        if isinstance(prev, Paragraph) and prev.text.rstrip().endswith(":"):
            if isinstance(block, Paragraph):
                return block.text
            if isinstance(block, ListBlock):
                return "; ".join(block.items)
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    for text in paragraphs:
        for sentence in SENTENCE_END.split(text):
            if NORMATIVE.search(sentence):
                return sentence.strip()
    return paragraphs[0] if paragraphs else None


def _period_in_text(sections: list[Section]) -> Period | None:
    for s in sections:
        if s.heading and (p := period_of(s.heading)) and p.start:
            return p
    for s in sections:
        for b in s.blocks:
            if (
                isinstance(b, Paragraph)
                and has_word(b.text, KIND_WORD)
                and (p := period_of(b.text)) is not None
            ):
                return p
    return None


def _row_texts(table: Table) -> list[str]:
    """A table's rows read as sentences: a key-figures table is a number and what it counts."""
    rows = table.rows[1:] if table.header else table.rows
    return [" ".join(c for c in row if c) for row in rows]


def _figures(sections: list[Section]) -> list[Figure]:
    seen: set[tuple[float, str | None]] = set()
    out: list[Figure] = []
    for s in sections:
        for b in s.blocks:
            texts = (
                [b.text] if isinstance(b, (Paragraph, Quote))
                else b.items if isinstance(b, ListBlock)
                else _row_texts(b) if isinstance(b, Table) else []
            )
            for text in texts:
                for fig in find_figures(text):
                    key = (fig.value, fig.counts)
                    if key not in seen:
                        seen.add(key)
                        out.append(fig)
    return out


def _period_text(period: Period | None) -> str:
    if period is None:
        return "none"
    return f"{period.start or ''}-{period.end or ''}"


def differences(page: Strategy, document: Strategy) -> list[str]:
    """Where a page's strategy and its document's disagree, one line per field, both values given.

    A page summarises its document, so only contradictions count: a period that
    differs, a goal that neither contains, priorities the page names that the
    document does not (the document may name more, or word them more fully).
    """
    out: list[str] = []
    if page.period and document.period and (page.period.start, page.period.end) != (
            document.period.start, document.period.end):
        out.append(f"period: page {_period_text(page.period)}, "
                   f"document {_period_text(document.period)}")
    if page.goal and document.goal:
        a, b = _key(page.goal), _key(document.goal)
        if a not in b and b not in a:
            out.append(f"goal: page “{page.goal}”, document “{document.goal}”")
    doc_keys = [_key(p) for p in document.priorities]
    missing = [p for p in page.priorities
               if not any(_key(p) in k or k in _key(p) for k in doc_keys if k)]
    if document.priorities and missing:
        out.append("priorities: the page names " + "; ".join(missing)
                   + ", the document " + "; ".join(document.priorities))
    return out
