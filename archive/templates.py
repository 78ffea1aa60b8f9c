"""Template rules of the legacy CMS, as data.

Each rule names the selectors (CSS, translated to XPath once at import) that
tell a template apart, where its content lives, and what inside or around it
is site chrome. The class and id names are those of the legacy templates
(skip links, Viken notice, menus, breadcrumbs, feedback form, footer) as
public captures of www.akershus.no show them. Rules are tried in order; the
first whose ``match`` selector finds an element wins, and ``generic`` (no
match selector) catches the rest, so every page gets a content root.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.cssselect import CSSSelector

# Chrome of any page by HTML's own semantics (elements, hidden, landmark roles):
# never content, whoever wrote the page. Pages of no known template get only these;
# the rest of their chrome is found by its shape (archive/chrome.py, archive/boilerplate.py).
UNIVERSAL_CHROME = (
    "script", "style", "noscript", "template", "iframe", "svg", "button", "select",
    "textarea", "input", "form",
    "[hidden]", "[aria-hidden=true]",
    "body > header", "nav", "body > footer",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]",
)
# Chrome of the legacy templates by the names their captures show.
COMMON_CHROME = UNIVERSAL_CHROME + (
    ".skiplinks", "#skiplinks", ".skip", ".skip-link", ".skip-links",
    ".viken-notice",
    "header.site-header", "#topp", "footer.site-footer", "#bunn",
    ".breadcrumbs", ".breadcrumb", ".main-menu", ".secondary-menu", ".pagination",
    ".feedback-form", ".feedback", ".share", ".social-share", ".print",
    ".cookie-banner", ".cookies",
)


@dataclass(frozen=True)
class TemplateRule:
    """How to read one template: the fields are CSS selectors (comma = alternatives)."""

    name: str
    match: str | None                 # present on the page -> this template
    content: str                      # the content root (first match)
    chrome: tuple[str, ...] = ()      # removed inside the content root, beyond COMMON_CHROME
    title: str = "h1"
    ingress: str = ".ingress"
    notice: str = ".viken-notice"
    contact: str = ".contact-block"
    published: str = ""               # element whose text or datetime holds the date
    dates_text: str = ""              # element with "Publisert: .. Sist endret: .." text


RULES: tuple[TemplateRule, ...] = (
    TemplateRule(
        name="news",
        match="body.page-news",
        content="main#innhold article, main#innhold, main.main-content",
        chrome=(".article-meta", ".news-date"),
        published=".news-date time, .news-date",
        dates_text=".article-meta",
    ),
    TemplateRule(
        name="article",
        match="body.page-article, main.main-content article.article, main#innhold",
        content="main#innhold article.article, main#innhold, main.main-content",
        chrome=(".article-meta",),
        dates_text=".article-meta",
    ),
    TemplateRule(
        name="annual-report",
        match="body.arsrapport, #main.report-main, .report-content",
        content=".report-content, #main.report-main",
        chrome=("#report-header", "#report-footer", ".report-nav", "#nav"),
        ingress="p.lead",
    ),
    TemplateRule(
        name="generic",
        match=None,
        content="main, [role=main]",  # HTML landmarks; else the root is found by density
        chrome=(),
        ingress=".ingress, .lead, .intro",
        notice=".viken-notice",
        contact=".contact-block, .contact, .vcard",
    ),
)

# Chrome that appears as text only (no class to hang a selector on): the
# Viken notice on pages outside the CMS templates. Lower-cased substrings.
NOTICE_PHRASES = ("en del av viken fylkeskommune", "disse nettsidene oppdateres ikke")

# Suffixes the CMS appends to <title>; stripped when the page has no h1.
TITLE_SUFFIXES = (" - Akershus fylkeskommune", " | Akershus fylkeskommune", " – Akershus fylkeskommune")


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its selectors compiled to XPath."""

    rule: TemplateRule
    match: CSSSelector | None
    content: CSSSelector
    chrome: CSSSelector
    title: CSSSelector
    ingress: CSSSelector
    notice: CSSSelector
    contact: CSSSelector
    published: CSSSelector | None
    dates_text: CSSSelector | None


def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def _compile(rule: TemplateRule) -> CompiledRule:
    return CompiledRule(
        rule=rule,
        match=_css(rule.match) if rule.match else None,
        content=_css(rule.content),
        chrome=_css(", ".join((UNIVERSAL_CHROME if rule.match is None else COMMON_CHROME)
                              + rule.chrome)),
        title=_css(rule.title),
        ingress=_css(rule.ingress),
        notice=_css(rule.notice),
        contact=_css(rule.contact),
        published=_css(rule.published) if rule.published else None,
        dates_text=_css(rule.dates_text) if rule.dates_text else None,
    )


COMPILED: tuple[CompiledRule, ...] = tuple(_compile(r) for r in RULES)


def match_template(doc: etree._Element) -> CompiledRule:
    """The first rule whose match selector finds an element; ``generic`` otherwise."""
    for compiled in COMPILED:
        if compiled.match is None or compiled.match(doc):
            return compiled
    return COMPILED[-1]
