"""Gold by construction: what the replica served on each page, to score any extractor against.

The replica renders the same ``Page`` data in several markup generations
(``table`` 2006, ``xhtml`` 2013, ``cms`` 2019/2020), so the expected title,
headings, list items and section texts of a page follow from the data and
the generation's conventions, without reading the HTML back. An extractor's
output is brought to a tool-neutral ``View`` (from our page records or from
trafilatura's XML) and ``score`` compares it with the ``Expected`` page.

Conventions, per generation:

- headings: the title (h1), then every h2/h3 of the body in order, plus the
  heading of each contact block where the generation renders one: "Kontakt"
  (cms), "Kontaktperson" (xhtml); the table generation has none, so its
  contact text belongs to the section before it;
- items: every li of the body's lists, news lists included (a news item is
  its title, date and teaser as the generation shows them);
- sections: (heading, text up to the next heading): paragraphs, list items,
  table cells, quote text and source, image captions, contact text, the
  "Alle pressemeldinger" link under a news list and, on listing pages, the
  count line; the first section is (title, ingress and text before the first
  h2). Image alt texts and raw blocks (the calendar's links) are left out;
- chrome: phrases of the page's chrome that no page's content contains
  (the tests check it), so finding one in an extractor's output is a leak.

This module does not import from ``archive/``: the replica is independent of
the extractor it scores.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from . import generations
from .eras import EraConfig
from .model import WWW_ORIGIN, Page
from .press import LISTING
from .site import Site, get_site
from .templates import FEEDBACK_TEXT, NOTICE_TEXT, Pager, norwegian_date, plain

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
NOT_CONTENT = ("/tilbakemelding/",)  # the answer to the feedback form (reached by POST)
CMS_CONTACT_HEADING = "Kontakt"


def collapse(text: str | None) -> str:
    """Runs of whitespace and no-break spaces to one space, stripped."""
    return _WS.sub(" ", text.replace("\xa0", " ")).strip() if text else ""


@dataclass(frozen=True)
class Expected:
    """What the replica served on one page, as plain text."""

    url: str  # http://www.akershus.no + path (+ query on later listing pages)
    title: str
    headings: tuple[str, ...]  # title first, then h2/h3 (and contact headings), in order
    items: tuple[str, ...]  # list items of the body, in order (not menus)
    sections: tuple[tuple[str, str], ...]  # (heading, text up to the next heading)
    chrome: tuple[str, ...]  # chrome phrases of the page, never in any page's content


@dataclass(frozen=True)
class View:
    """What an extractor produced for a page, in a tool-neutral form."""

    title: str
    headings: tuple[str, ...]
    items: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]


# -- expected pages -----------------------------------------------------------------
def contact_heading(generation: str) -> str | None:
    """The heading a contact block starts with, if the generation renders one."""
    if generation == "cms":
        return CMS_CONTACT_HEADING
    if generation == "xhtml":
        return generations.CONTACT_HEADING_XHTML
    return None


def _contact_text(generation: str, person: Sequence[str]) -> str:
    if generation == "cms":
        return " ".join(person)  # name, title, phone, e-mail: one <p> each
    return generations.contact_text(generation, person)


def _news_text(generation: str, item: Page) -> str:
    if generation == "cms":
        return f"{item.title} {norwegian_date(item.date)} {item.ingress}"
    return generations.news_item_text(generation, item)


def chrome_phrases(era: EraConfig, page: Page) -> tuple[str, ...]:
    """Distinctive phrases of the chrome ``page`` is served with in ``era``."""
    if era.generation != "cms":
        return generations.chrome_phrases(era.generation)
    if page.template == "annual-report":
        return ("Hopp til innhold", "Hopp til meny", "Gå til søkesiden",
                "Akershus fylkeskommune, Schweigaards gate 4, 0185 Oslo.")
    skip = ["Hopp til innhold", "Hopp til meny", "Hopp til hurtigsøk"]
    if era.secondary_skiplink:
        skip.insert(2, "Hopp til sekundærmeny")
    notice = generations.sentences(NOTICE_TEXT)[:2] if era.notice else ()  # before the link
    return (*skip, *notice, "Avansert søk", "Fant du det du lette etter på denne siden?",
            *generations.sentences(FEEDBACK_TEXT), "Fyll ut skjemaet",
            "Akershus fylkeskommune, Postboks 1200 Sentrum, 0107 Oslo.",
            "Besøksadresse: Schweigaards gate 4, Oslo.", "Sentralbord: 22 05 50 00.",
            "Organisasjonsnummer: 974 584 670.",
            "Ansvarlig redaktør: kommunikasjonsdirektør Anne Marie Fosse.")


class _Builder:
    """Collects headings, items and section texts in document order."""

    def __init__(self, title: str, ingress: str) -> None:
        self.headings = [title]
        self.items: list[str] = []
        self.sections: list[tuple[str, list[str]]] = [(title, [ingress])]

    def heading(self, text: str) -> None:
        self.headings.append(text)
        self.sections.append((text, []))

    def text(self, *parts: str) -> None:
        self.sections[-1][1].extend(parts)

    def item(self, *items: str) -> None:
        self.items.extend(items)
        self.text(*items)

    def done(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
        sections = tuple((h, collapse(" ".join(p for p in parts if p)))
                         for h, parts in self.sections)
        return tuple(self.headings), tuple(self.items), sections


def _add_block(out: _Builder, block: tuple, generation: str, site: Site) -> None:
    kind = block[0]
    if kind == "p":
        out.text(plain(block[1]))
    elif kind in ("h2", "h3"):
        out.heading(plain(block[1]))
    elif kind in ("ul", "ol"):
        out.item(*(plain(i) for i in block[1]))
    elif kind == "quote":
        out.text(plain(block[1]), plain(block[2]))
    elif kind == "table":
        out.text(*(plain(c) for c in block[1]), *(plain(c) for row in block[2] for c in row))
    elif kind == "figure":
        out.text(plain(block[3]))
    elif kind == "contact":
        heading = contact_heading(generation)
        if heading:
            out.heading(heading)
        out.text(*(collapse(_contact_text(generation, person)) for person in block[1]))
    elif kind == "news":
        out.item(*(collapse(_news_text(generation, p)) for p in site.news[: block[1]]))
        out.text(generations.ALL_NEWS)
    # "nbsp" shows no text; "raw" is site furniture (the calendar's day links)


def expected_page(site: Site, page: Page, pager: Pager | None = None,
                  target: str | None = None) -> Expected:
    """The gold of one page of ``site`` (a listing page with its ``pager``)."""
    generation = site.era.generation
    title = collapse(page.title)
    out = _Builder(title, plain(page.ingress))
    for block in page.blocks:
        _add_block(out, block, generation, site)
    if pager is not None:
        out.text(pager.shown)
        out.item(*(collapse(_news_text(generation, p)) for p in pager.items))
    headings, items, sections = out.done()
    return Expected(url=WWW_ORIGIN + (target or page.path), title=title, headings=headings,
                    items=items, sections=sections, chrome=chrome_phrases(site.era, page))


def expected_pages(era: str, *, all_pages: bool = False) -> list[Expected]:
    """Every HTML content page of ``era``, listing pages one by one.

    Left out unless ``all_pages``: pages robots.txt disallows (search,
    intranet) and the feedback form's answer. 404 pages and calendar days
    are never included.
    """
    site = get_site(era)
    out = []
    for page in site.pages.values():
        if not all_pages and (page.robots_disallowed or page.path in NOT_CONTENT):
            continue
        if page.path == LISTING:
            for target in site.listing_targets():
                pager = site.listing_pager(target.partition("?")[2])
                out.append(expected_page(site, page, pager, target))
        else:
            out.append(expected_page(site, page))
    return out


# -- views of an extractor's output --------------------------------------------------
def view_of_record(record: dict[str, Any]) -> View:
    """A view of one of our page records (a line of data/pages.jsonl)."""
    title = collapse(record.get("title"))
    headings: list[str] = []
    items: list[str] = []
    sections: list[tuple[str, str]] = []
    for number, section in enumerate(record.get("sections") or []):
        heading = collapse(section.get("heading"))
        if not heading and number == 0:
            heading = title
        if heading:
            headings.append(heading)
        texts: list[str] = []
        for block in section.get("blocks") or []:
            kind = block.get("type")
            if kind == "paragraph":
                texts.append(block.get("text") or "")
            elif kind == "list":
                found = [collapse(i) for i in block.get("items") or []]
                items.extend(found)
                texts.extend(found)
            elif kind == "table":
                texts.extend(" ".join(row) for row in block.get("rows") or [])
                texts.append(block.get("caption") or "")
            elif kind in ("contact", "quote"):
                texts += [block.get("text") or "", block.get("cite") or ""]
            elif kind == "image":
                texts += [block.get("alt") or "", block.get("caption") or ""]
        sections.append((heading, collapse(" ".join(texts))))
    return View(title=title, headings=tuple(headings), items=tuple(items),
                sections=tuple(sections))


_XML_BLOCKS = {"p", "head", "item", "cell", "row", "list", "quote", "table"}


def _xml_text(element: etree._Element, skip_lists: bool = False) -> str:
    """Text of a trafilatura element; <lb/> and block boundaries count as spaces."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not (skip_lists and child.tag == "list"):
            if child.tag == "lb":
                parts.append(" ")
            else:
                sep = " " if child.tag in _XML_BLOCKS else ""
                parts += [sep, _xml_text(child, skip_lists), sep]
        parts.append(child.tail or "")
    return collapse("".join(parts))


class _XmlView:
    """Walks trafilatura's XML in document order, into cells and quotes that hold blocks."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.headings = [title]
        self.items: list[str] = []
        self.sections: list[tuple[str, list[str]]] = [(title, [])]

    def visit(self, element: etree._Element) -> None:
        """Inline text of ``element`` goes to the current section; block children in turn."""
        inline = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):
                pass
            elif child.tag in _XML_BLOCKS:
                self.sections[-1][1].append(collapse("".join(inline)))
                self.block(child)
                inline = []
            else:
                inline.append(" " if child.tag == "lb" else _xml_text(child))
            inline.append(child.tail or "")
        self.sections[-1][1].append(collapse("".join(inline)))

    def block(self, element: etree._Element) -> None:
        if element.tag == "head":
            text = _xml_text(element)
            # the page's own h1, when the extractor kept it, continues the first section
            if text and not (text == self.title and len(self.headings) == 1):
                self.headings.append(text)
                self.sections.append((text, []))
        elif element.tag == "list":
            for item in element:
                if isinstance(item.tag, str) and item.tag == "item":
                    text = _xml_text(item, skip_lists=True)
                    self.items.append(text)
                    self.sections[-1][1].append(text)
                    for nested in item.iter("list"):
                        if nested.getparent() is item:
                            self.block(nested)
                elif isinstance(item.tag, str):
                    self.visit(item)
        else:
            self.visit(element)

    def view(self) -> View:
        return View(title=self.title, headings=tuple(self.headings), items=tuple(self.items),
                    sections=tuple((h, collapse(" ".join(t))) for h, t in self.sections))


def view_of_trafilatura_xml(xml: str | bytes, title: str) -> View:
    """A view of ``trafilatura.extract(html, output_format="xml", include_formatting=False)``.

    <head> elements start sections, <list><item> are items, and the text of
    <p>, <item>, <cell> and <quote> goes into the current section (also when
    trafilatura nests headings and lists inside table cells of a layout
    table); ``title`` (the extractor's title) heads the first section.
    """
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, etree.XMLParser(recover=True, remove_comments=True))
    walker = _XmlView(collapse(title))
    if root is not None:
        main = root.find("main") if root.tag != "main" else root
        walker.visit(main if main is not None else root)
    return walker.view()


# -- scoring -------------------------------------------------------------------------
def _tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def _texts(view: View) -> Iterable[str]:
    yield from view.headings
    yield from view.items
    for heading, text in view.sections:
        yield heading
        yield text


def score(view: View, expected: Expected) -> dict[str, float | int]:
    """Compare an extractor's view of a page with the gold.

    title: 1.0 if equal after whitespace collapse; headings: longest common
    subsequence with the expected headings / their number; items: fraction of
    expected items present (as a multiset); text: share of each expected
    section's word tokens found in the view's sections of the same heading
    (case-insensitive), weighted by tokens, a missing section counting 0;
    leaks: how many chrome phrases occur anywhere in the view.
    """
    title = 1.0 if collapse(view.title) == expected.title else 0.0
    got_headings = [collapse(h) for h in view.headings]
    headings = _lcs(expected.headings, got_headings) / len(expected.headings)
    wanted = Counter(expected.items)
    found_items = wanted & Counter(collapse(i) for i in view.items)
    items = sum(found_items.values()) / sum(wanted.values()) if wanted else 1.0
    pool: dict[str, Counter[str]] = {}
    for heading, text in view.sections:
        pool.setdefault(collapse(heading).lower(), Counter()).update(_tokens(text))
    found = total = 0
    for heading, text in expected.sections:
        want = _tokens(text)
        have = pool.get(heading.lower(), Counter())
        hit = want & have
        have.subtract(hit)  # a token found once counts for one expected section only
        found += sum(hit.values())
        total += sum(want.values())
    texts = list(_texts(view))
    leaks = sum(1 for phrase in expected.chrome if any(phrase in t for t in texts))
    return {"title": title, "headings": headings, "items": items,
            "text": found / total if total else 1.0, "leaks": leaks}


# -- strategies ----------------------------------------------------------------------
# The structured strategy each strategy page states (tests/gold/*.json), figures
# reduced to value and what it counts. The same content is served in every
# generation; only the 2019 capture shows the folkehelse strategy as a draft.
STRATEGIES: dict[str, dict[str, Any]] = {
    "/ansvarsomrader/klima-og-miljo/klimastrategi-2030/": {
        "title": "Klimastrategi 2030 - Sammen for klima",
        "period": {"start": 2018, "end": 2030},
        "goal": "Akershus skal være et lavutslippssamfunn som har tatt hele sin del av ansvaret "
                "for å nå klimamålene, innen 2050.",
        "priorities": ["Areal og transport", "Bygg og anlegg", "Energi og forbruk",
                       "Landbruk og natur", "Klimatilpasning"],
        "figures": [{"value": 55, "counts": "prosent"}],
    },
    "/ansvarsomrader/folkehelse/folkehelsestrategi-2019-2023/": {
        "title": "Folkehelsestrategi 2019–2023",
        "period": {"start": 2019, "end": 2023},
        "goal": "Flere leveår med god helse og mindre sosial ulikhet i helse i befolkningen.",
        "priorities": ["Barn og unge", "Levekår", "Helsevennlige lokalsamfunn",
                       "Fysisk aktivitet og friluftsliv"],
        "figures": [{"value": 19, "counts": "kommuner"}, {"value": 0.2, "counts": "ungdommer"},
                    {"value": 83.1, "counts": "år"}, {"value": 1.3, "counts": "år"},
                    {"value": 10, "counts": "prosent"}, {"value": 16, "counts": "kommuner"}],
    },
    "/ansvarsomrader/plan/regional-planstrategi/": {
        "title": "Regional planstrategi 2017-2020",
        "period": {"start": 2017, "end": 2020},
        "goal": "Planstrategien peker ut hvilke regionale planer som skal utarbeides eller "
                "revideres i valgperioden.",
        "priorities": ["Regional plan for klima og energi",
                       "Regional plan for innovasjon og nyskaping",
                       "Regional plan for kompetanse",
                       "Revisjon av regional plan for kulturminner"],
        "figures": [],
    },
    "/ansvarsomrader/plan/regional-plan-for-areal-og-transport/": {
        "title": "Regional plan for areal og transport i Oslo og Akershus 2015–2030",
        "period": {"start": 2015, "end": 2030},
        "goal": "Osloregionen skal være en konkurransedyktig og bærekraftig region i Europa.",
        "priorities": [
            "Utvikle en flerkjernet region med konsentrert vekst i prioriterte vekstområder",
            "Utvikle et transportsystem med kollektivtransport som ryggrad",
            "Bevare grønnstruktur, jordbruksarealer og kulturlandskap",
            "Sørge for tilstrekkelig næringsareal til riktig virksomhet på rett sted"],
        "figures": [{"value": 350000, "counts": "nye innbyggere"},
                    {"value": 190000, "counts": "nye arbeidsplasser"}],
    },
    "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/": {
        "title": "Internasjonal strategi 2014-2018",
        "period": {"start": 2014, "end": 2018},
        "goal": "Akershus fylkeskommunes internasjonale engasjement skal bidra til å realisere "
                "fylkeskommunens målsettinger og oppgaveløsning.",
        "priorities": ["Samferdsel og miljø", "Nærings- og samfunnsutvikling",
                       "Ungdom og opplæring"],
        "figures": [{"value": 570000, "counts": "innbyggere"},
                    {"value": 200000, "counts": "økning"},
                    {"value": 1200000, "counts": "innbyggere"}],
    },
}
