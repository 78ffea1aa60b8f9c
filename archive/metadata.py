"""Page facts outside the content flow: title, language, the Viken notice, dates."""

from __future__ import annotations

import re

from lxml import etree

from archive.layout import Hits, drop, text_hits
from archive.parse import clean, element_text
from archive.templates import NOTICE_PHRASES, TITLE_SUFFIXES, CompiledRule

# Primary subtags as the site's pages and servers wrote them -> BCP 47 tag we record.
# "no" (macrolanguage Norwegian) is recorded as "nb": the site wrote bokmål
# unless a page said nynorsk.
LANGUAGE_ALIASES = {
    "no": "nb", "nb": "nb", "nob": "nb", "bokmal": "nb", "bokmål": "nb",
    "nn": "nn", "nno": "nn", "nynorsk": "nn",
    "en": "en", "eng": "en", "english": "en",
}

# Stop-words that tell the three languages of the site apart when a page
# declares none: frequent function words that are common in one written
# standard and rare in the others (bokmål "ikke/jeg/hva", nynorsk
# "ikkje/eg/kva/vere"). Ties and pages without any default to bokmål.
STOPWORDS = {
    "nb": frozenset(["og", "i", "det", "som", "er", "en", "på", "for", "med", "av", "til", "ikke", "de", "den", "jeg", "hva", "fra", "har", "skal", "kan", "vil", "blir", "være", "også", "ved", "etter", "dette"]),
    "nn": frozenset(["og", "i", "det", "som", "er", "ein", "på", "for", "med", "av", "til", "ikkje", "dei", "den", "eg", "kva", "frå", "har", "skal", "kan", "vil", "blir", "vere", "også", "ved", "etter", "dette", "korleis"]),
    "en": frozenset(["the", "and", "of", "to", "in", "is", "for", "on", "with", "as", "by", "that", "this", "are", "from", "be", "will", "our", "we", "it", "an"]),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# "Publisert: 12.03.2015 Sist endret: 04.11.2019" and English equivalents.
_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
PUBLISHED_RE = re.compile(r"(?:publisert|published|publisert dato)\s*:?\s*" + _DATE, re.IGNORECASE)
MODIFIED_RE = re.compile(
    r"(?:sist endret|sist oppdatert|oppdatert|endret|last modified|updated)\s*:?\s*" + _DATE, re.IGNORECASE
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(_DATE)


NOTICE_STEMS = ("viken", "oppdateres")


def title_of(doc: etree._Element, root: etree._Element, rule: CompiledRule) -> str:
    """The page title: the template's h1 in the content, any h1, else <title> sans suffix."""
    for scope in (root, doc):
        for h in rule.title(scope):
            text = element_text(h)
            if text:
                return text
    title_el = doc.find(".//title")
    title = clean(title_el.text_content()) if title_el is not None else ""
    for suffix in TITLE_SUFFIXES:
        if title.endswith(suffix):
            return title[: -len(suffix)].strip()
    return title


def language_of(doc: etree._Element, content_language: str | None, text: str) -> str:
    """BCP 47 tag from html@lang, meta or HTTP Content-Language, else from the words."""
    candidates = [doc.get("lang"), doc.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in doc.iterfind(".//meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            candidates.append(meta.get("content"))
    candidates.append(content_language)
    for value in candidates:
        tag = normalise_language(value)
        if tag:
            return tag
    return guess_language(text)


def normalise_language(value: str | None) -> str | None:
    """``nb-NO`` -> ``nb``, ``no`` -> ``nb``, ``en-GB`` -> ``en``; unknown tags lower-cased."""
    if not value:
        return None
    primary = value.split(",")[0].strip().replace("_", "-").split("-")[0].lower()
    if not primary or not primary.isalpha():
        return None
    return LANGUAGE_ALIASES.get(primary, primary)


def guess_language(text: str) -> str:
    """Pick nb, nn or en by stop-word counts over the first 2000 words."""
    counts = dict.fromkeys(STOPWORDS, 0)
    for word in _WORD.findall(text.lower())[:2000]:
        for lang, words in STOPWORDS.items():
            if word in words:
                counts[lang] += 1
    best = max(counts, key=lambda k: (counts[k], k == "nb"))
    return best if counts[best] > 0 else "nb"


def notice_of(doc: etree._Element, rule: CompiledRule, hits: Hits | None = None) -> str | None:
    """Text of the Viken notice if the capture carries one."""
    for el in rule.notice(doc):
        text = element_text(el)
        if text:
            return text
    body = doc.find("body")
    if body is None:
        return None
    # the outermost short p or div around a text with the notice's rarest words
    for hit in text_hits(body, NOTICE_STEMS, hits):
        found = None
        node: etree._Element | None = hit
        while node is not None and node is not body:
            if len(node.text_content()) >= 800:
                break  # a region, not a notice
            if node.tag in ("p", "div"):
                text = element_text(node)
                if len(text) >= 400:
                    break
                if any(p in text.lower() for p in NOTICE_PHRASES):
                    found = text
            node = node.getparent()
        if found:
            return found
    return None


def remove_notice_text(root: etree._Element, notice: str | None) -> None:
    """Drop a notice found by wording (no selector) from the content root."""
    if not notice or notice not in clean(root.text_content()):
        return  # already gone with the template's chrome, as nearly always
    for el in list(root.iter("p", "div")):
        if element_text(el) == notice and el is not root:
            drop(el)
            return


def dates_of(doc: etree._Element, rule: CompiledRule) -> tuple[str | None, str | None]:
    """(published, modified) as ISO dates from the template's date elements or meta tags."""
    published = modified = None
    if rule.published is not None:
        for el in rule.published(doc):
            published = iso_date(el.get("datetime") or element_text(el))
            if published:
                break
    if rule.dates_text is not None:
        for el in rule.dates_text(doc):
            text = element_text(el)
            if m := PUBLISHED_RE.search(text):
                published = published or _ymd(m.group(3), m.group(2), m.group(1))
            if m := MODIFIED_RE.search(text):
                modified = _ymd(m.group(3), m.group(2), m.group(1))
    for meta in doc.iterfind(".//meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in ("article:published_time", "dc.date", "dcterms.created") and not published:
            published = iso_date(meta.get("content") or "")
        elif name in ("article:modified_time", "dcterms.modified") and not modified:
            modified = iso_date(meta.get("content") or "")
    return published, modified


DATES_LINE_WORDS = 12
# Stems of date labels (the regexes then decide), and the
# elements a dates line is made of.
DATE_STEMS = ("publi", "endret", "oppdatert", "updated", "modified")
_LINE_CHARS = 200  # a dates line of DATES_LINE_WORDS words is shorter than this
_LINE_TAGS = frozenset(["p", "div", "span", "td", "li", "small", "em", "font"])


def _date_holders(body: etree._Element, hits: Hits | None = None) -> list[etree._Element]:
    """Elements around date labels, outermost first, in document order."""
    out: list[etree._Element] = []
    seen: set[etree._Element] = set()
    for el in text_hits(body, DATE_STEMS, hits):
        chain = []
        node: etree._Element | None = el
        while node is not None and len(node.text_content()) <= _LINE_CHARS:
            chain.append(node)  # only boxes short enough to be a dates line
            node = node.getparent()
        for node in reversed(chain):
            if node.tag in _LINE_TAGS and node not in seen:
                seen.add(node)
                out.append(node)
    return out


def dates_by_shape(body: etree._Element, hits: Hits | None = None
                   ) -> tuple[str | None, str | None, list[etree._Element]]:
    """Dates from a short "Publisert: .. Sist endret: .." line anywhere on the page.

    Pages of no known template still state their dates in a line of their
    own; the line is page metadata, so it is returned for removal from the
    content along with the dates it gives.
    """
    published = modified = None
    lines: list[etree._Element] = []
    for el in _date_holders(body, hits):
        text = element_text(el)
        if not text or len(text.split()) > DATES_LINE_WORDS:
            continue
        pub, mod = PUBLISHED_RE.search(text), MODIFIED_RE.search(text)
        if not (pub or mod):
            continue
        rest = MODIFIED_RE.sub(" ", PUBLISHED_RE.sub(" ", text))
        if len(_WORD.findall(rest)) > 3:
            continue  # a sentence that mentions a date, not a dates line
        if pub and not published:
            published = _ymd(pub.group(3), pub.group(2), pub.group(1))
        if mod and not modified:
            modified = _ymd(mod.group(3), mod.group(2), mod.group(1))
        if not any(line in el.iterancestors() for line in lines):
            lines.append(el)
    return published, modified, lines


def iso_date(text: str) -> str | None:
    """``2019-05-14...`` or ``14.05.2019`` -> ``2019-05-14``; None if neither."""
    text = text.strip()
    if m := _ISO.match(text):
        return _ymd(m.group(1), m.group(2), m.group(3))
    if m := _DMY.search(text):
        return _ymd(m.group(3), m.group(2), m.group(1))
    return None


def _ymd(y: str, m: str, d: str) -> str | None:
    month, day = int(m), int(d)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{int(y):04d}-{month:02d}-{day:02d}"
