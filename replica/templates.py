"""The legacy CMS templates (``article`` and ``annual-report``) as one render function each.

Class and id names follow docs/legacy-template.md, the contract with the
extractor. Everything a page shows comes from ``Page`` data and ``Nav``; the
template adds only the site chrome.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .eras import EraConfig
from .model import Block, Page

MAIN_MENU: tuple[tuple[str, str], ...] = (
    ("/ansvarsomrader/samferdsel/", "Samferdsel"),
    ("/ansvarsomrader/videregaende-opplaring/", "Videregående opplæring"),
    ("/ansvarsomrader/tannhelse/", "Tannhelse"),
    ("/ansvarsomrader/kultur/", "Kultur"),
    ("/ansvarsomrader/naring/", "Næring"),
    ("/ansvarsomrader/klima-og-miljo/", "Klima og miljø"),
    ("/ansvarsomrader/folkehelse/", "Folkehelse"),
    ("/ansvarsomrader/internasjonalt/", "Internasjonalt"),
    ("/ansvarsomrader/plan/", "Plan"),
    ("/politikk/", "Politikk"),
    ("/om-fylkeskommunen/", "Om fylkeskommunen"),
    ("/arrangementer/", "Arrangementer"),
    ("/english/", "English"),
)

FEEDBACK_TEXT = (
    "Trykk send-knappen for å registrere din tilbakemelding. Det er valgfritt å legge til "
    "en melding. Dersom du ønsker svar på henvendelsen din, kan du også legge inn din "
    "epostadresse, så tar vi kontakt med deg."
)
NOTICE_TEXT = (
    "Akershus fylkeskommune er fra 01.01.2020 en del av Viken fylkeskommune. "
    "Disse nettsidene oppdateres ikke. Se oppdatert informasjon om fylkeskommunen på "
)


@dataclass(frozen=True)
class Nav:
    """What the chrome needs to know about the rest of the site."""

    titles: Mapping[str, str]  # path -> short title (breadcrumbs, menus)
    children: Mapping[str, tuple[str, ...]]  # path -> linked child paths
    news: Sequence[Page] = field(default_factory=tuple)  # press releases, newest first
    news_listing: str = "/om-fylkeskommunen/pressesenter/pressemeldinger/"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline(text: str, *, bold: str = "strong", br: str = "<br>") -> str:
    """Escape text and turn ``[text](href)``, ``**bold**`` and a trailing `` \\`` into HTML.

    ``bold`` and ``br`` let an older markup generation say ``<b>`` or ``<br />``.
    """
    out = esc(text)
    out = _LINK.sub(lambda m: f'<a href="{m[2]}">{m[1]}</a>', out)
    out = _BOLD.sub(rf"<{bold}>\1</{bold}>", out)
    return out.replace(" \\\n", f"{br}\n")


def plain(text: str) -> str:
    """The text ``inline`` shows, without markup: link texts kept, whitespace collapsed."""
    out = _BOLD.sub(r"\1", _LINK.sub(r"\1", text)).replace(" \\\n", "\n")
    return " ".join(out.replace("\xa0", " ").split())


def norwegian_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}.{m}.{y}"


def render_block(block: Block, nav: Nav) -> str:
    kind = block[0]
    if kind == "p":
        return f"<p>{inline(block[1])}</p>"
    if kind in ("h2", "h3"):
        return f"<{kind}>{inline(block[1])}</{kind}>"
    if kind in ("ul", "ol"):
        items = "".join(f"\n<li>{inline(i)}</li>" for i in block[1])
        return f"<{kind}>{items}\n</{kind}>"
    if kind == "quote":
        cite = f"\n<footer>{inline(block[2])}</footer>" if block[2] else ""
        return f"<blockquote>\n<p>{inline(block[1])}</p>{cite}\n</blockquote>"
    if kind == "table":
        head = "".join(f"<th scope=\"col\">{inline(c)}</th>" for c in block[1])
        rows = "".join(
            "\n<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in block[2]
        )
        return f'<table class="table">\n<thead><tr>{head}</tr></thead>\n<tbody>{rows}\n</tbody>\n</table>'
    if kind == "figure":
        cap = f"<figcaption>{inline(block[3])}</figcaption>" if block[3] else ""
        return f'<figure class="image"><img src="{esc(block[1])}" alt="{esc(block[2])}">{cap}</figure>'
    if kind == "contact":
        return render_contacts(block[1])
    if kind == "news":
        return render_news_list(nav.news[: block[1]]) + (
            f'\n<p class="more"><a href="{nav.news_listing}">Alle pressemeldinger</a></p>'
        )
    if kind == "nbsp":
        return "<p>&nbsp;</p>"
    if kind == "raw":
        return block[1]
    raise ValueError(f"unknown block kind {kind!r}")


def render_contacts(people: Sequence[Sequence[str]]) -> str:
    parts = ['<div class="contact-block">', "<h2>Kontakt</h2>"]
    for name, title, phone, email in people:
        parts.append(
            f'<div class="contact-person"><p class="contact-name">{esc(name)}</p>\n'
            f'<p class="contact-title">{esc(title)}</p><p class="contact-phone">{esc(phone)}</p>\n'
            f'<p class="contact-email"><a href="mailto:{esc(email)}">{esc(email)}</a></p></div>'
        )
    parts.append("</div>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Pager:
    """One page of the press listing: its items, the count line and links to the others."""

    items: Sequence[Page]
    shown: str  # "Viser 1–10 av 152 pressemeldinger"
    prev: str | None  # target of the previous page
    pages: tuple[tuple[int, str | None], ...]  # (number, target); None: this page
    next: str | None


def render_listing(pager: Pager) -> str:
    """The listing's body: count line, news list and pagination, after the page's ingress."""
    parts = [render_news_list(pager.items), '<nav class="pagination" aria-label="Sider"><ul>']
    if pager.prev is not None:
        parts.append(f'<li class="prev"><a rel="prev" href="{esc(pager.prev)}">Forrige</a></li>')
    for number, target in pager.pages:
        if target is None:
            parts.append(f'<li><span class="current">{number}</span></li>')
        else:
            parts.append(f'<li><a href="{esc(target)}">{number}</a></li>')
    if pager.next is not None:
        parts.append(f'<li class="next"><a rel="next" href="{esc(pager.next)}">Neste</a></li>')
    parts.append("</ul></nav>")
    return f'\n<p class="pagination-info">{pager.shown}</p>\n' + "\n".join(parts)


def render_news_list(items: Sequence[Page]) -> str:
    lis = "".join(
        f'\n<li class="news-item"><a href="{esc(p.path)}">{esc(p.title)}</a>\n'
        f'<p class="news-date"><time datetime="{p.date}">{norwegian_date(p.date)}</time></p>\n'
        f'<p class="news-teaser">{esc(p.ingress)}</p></li>'
        for p in items
    )
    return f'<ul class="news-list">{lis}\n</ul>'


def _skiplinks(era: EraConfig) -> str:
    links = [("innhold", "Hopp til innhold"), ("meny", "Hopp til meny")]
    if era.secondary_skiplink:
        links.append(("sekundarmeny", "Hopp til sekundærmeny"))
    links.append(("hurtigsok", "Hopp til hurtigsøk"))
    lis = "".join(f'\n<li><a href="#{a}">{t}</a></li>' for a, t in links)
    return f'<ul id="skiplinks" class="skiplinks">{lis}\n</ul>'


def _notice(era: EraConfig) -> str:
    if not era.notice:
        return ""
    return (
        '<div class="viken-notice" role="note">\n'
        f'<p>{NOTICE_TEXT}<a href="{era.viken_url}">www.viken.no</a></p>\n</div>\n'
    )


def section_root(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "/"
    depth = 2 if parts[0] == "ansvarsomrader" and len(parts) > 1 else 1
    return "/" + "/".join(parts[:depth]) + "/"


def ancestors(path: str) -> list[str]:
    """Proper prefixes of ``path`` that end in a slash, shortest first, without "/"."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


_ACTIVE = ' class="active"'
_SELECTED = ' class="selected"'


def _main_menu(path: str) -> str:
    root = section_root(path)
    lis = "".join(
        f'\n<li{_ACTIVE if href == root else ""}><a href="{href}">{esc(label)}</a></li>'
        for href, label in MAIN_MENU
    )
    return f'<nav id="meny" class="main-menu" aria-label="Hovedmeny"><ul>{lis}\n</ul></nav>'


def _breadcrumbs(page: Page, nav: Nav) -> str:
    items = ['<li><a href="/">Forside</a></li>']
    for anc in ancestors(page.path):
        if anc in nav.titles:
            items.append(f'<li><a href="{anc}">{esc(nav.titles[anc])}</a></li>')
    items.append(f'<li aria-current="page">{esc(page.short_title)}</li>')
    return '<nav class="breadcrumbs" aria-label="Brødsmuler"><ol>' + "".join(items) + "</ol></nav>"


def _secondary_menu(page: Page, nav: Nav) -> str:
    root = section_root(page.path)
    if root == "/" or root not in nav.titles:
        return '<nav id="sekundarmeny" class="secondary-menu"><ul></ul></nav>'
    open_paths = set(ancestors(page.path)) | {page.path}

    def tree(path: str) -> str:
        cls = ' class="current"' if path == page.path else ""
        sub = ""
        kids = nav.children.get(path, ())
        if kids and (path in open_paths or path == root):
            sub = "<ul>" + "".join(tree(k) for k in kids) + "</ul>"
        return f'<li{cls}><a href="{path}">{esc(nav.titles[path])}</a>{sub}</li>'

    return f'<nav id="sekundarmeny" class="secondary-menu"><ul>{tree(root)}</ul></nav>'


FOOTER = (
    '<footer id="bunn" class="site-footer">\n'
    "<p>Akershus fylkeskommune, Postboks 1200 Sentrum, 0107 Oslo. "
    "Besøksadresse: Schweigaards gate 4, Oslo. Sentralbord: 22 05 50 00. "
    'E-post: <a href="mailto:postmottak@afk.no">postmottak@afk.no</a>. '
    "Organisasjonsnummer: 974 584 670.</p>\n"
    '<ul class="footer-links">'
    '<li><a href="/om-fylkeskommunen/kontakt-oss/">Kontakt oss</a></li>'
    '<li><a href="/om-fylkeskommunen/personvern/">Personvern og informasjonskapsler</a></li>'
    '<li><a href="/om-fylkeskommunen/pressesenter/">Pressesenter</a></li>'
    '<li><a href="/intranett/">Intranett for ansatte</a></li>'
    '<li><a href="https://www.facebook.com/akershusfylkeskommune">Facebook</a></li>'
    '<li><a href="https://twitter.com/akershusfk">Twitter</a></li></ul>\n'
    "<p>Ansvarlig redaktør: kommunikasjonsdirektør Anne Marie Fosse. © Akershus fylkeskommune</p>\n"
    "</footer>"
)


def _feedback() -> str:
    return (
        '<form class="feedback-form" action="/tilbakemelding/" method="post">\n'
        "<fieldset><legend>Fant du det du lette etter på denne siden?</legend>\n"
        '<label><input type="radio" name="svar" value="ja"> Ja</label>\n'
        '<label><input type="radio" name="svar" value="nei"> Nei</label></fieldset>\n'
        f"<p>{FEEDBACK_TEXT}</p>\n"
        '<p class="feedback-fill">Fyll ut skjemaet</p>\n'
        '<label>Melding <textarea name="melding" rows="3" cols="40"></textarea></label>\n'
        '<label>E-post <input type="email" name="epost"></label>\n'
        '<button type="submit">Send</button>\n</form>'
    )


def render_article(page: Page, nav: Nav, era: EraConfig, *, body_class: str = "",
                   extra: str = "") -> str:
    """Render a page in the legacy CMS ``article`` template (also news, listings, 404)."""
    if not body_class:
        body_class = "page-news" if page.template == "news" else "page-article"
    date = ""
    if page.date:
        date = (f'\n<p class="news-date"><time datetime="{page.date}">'
                f"{norwegian_date(page.date)}</time></p>")
    ingress = f'\n<div class="ingress"><p>{inline(page.ingress)}</p></div>' if page.ingress else ""
    body = "\n".join(render_block(b, nav) for b in page.blocks)
    meta = ""
    if page.published:
        meta = f'\n<p class="article-meta">Publisert: {page.published}'
        meta += f" Sist endret: {page.modified}</p>" if page.modified else "</p>"
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="{page.charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page.title)} - Akershus fylkeskommune</title>
<link rel="stylesheet" href="/static/css/akershus.css">
<script src="/static/js/akershus.js"></script>
</head>
<body class="{body_class}">
{_skiplinks(era)}
{_notice(era)}<header id="topp" class="site-header">
<a class="logo" href="/"><img src="/static/img/akershus-logo.png" alt="Akershus fylkeskommune"></a>
<form id="hurtigsok" class="quicksearch" action="/sok/" method="get">
<label for="q">Søk</label> <input type="search" id="q" name="q"> <button type="submit">Søk</button>
<a class="search-link" href="/sok/">Avansert søk</a>
</form>
</header>
{_main_menu(page.path)}
{_breadcrumbs(page, nav)}
<div class="page-wrapper">
{_secondary_menu(page, nav)}
<main id="innhold" class="main-content">
<article class="article">
<h1>{esc(page.title)}</h1>{date}{ingress}
<div class="article-body">
{body}{extra}
</div>{meta}
</article>
</main>
</div>
{_feedback()}
{FOOTER}
</body>
</html>
"""


def render_annual_report(page: Page, nav: Nav, era: EraConfig) -> str:
    """Render a page in the annual-report publishing tool's template."""
    root = "/" + "/".join([p for p in page.path.split("/") if p][:3]) + "/"
    pages = (root, *nav.children.get(root, ()))
    menu = "".join(
        f'<li{_SELECTED if p == page.path else ""}><a href="{p}">{esc(nav.titles[p])}</a></li>'
        for p in pages
    )
    body = "\n".join(render_block(b, nav) for b in page.blocks)
    lead = f'<p class="lead">{inline(page.ingress)}</p>' if page.ingress else ""
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="utf-8">
<title>{esc(page.title)} - Årsrapport 2018 - Akershus fylkeskommune</title>
<link rel="stylesheet" href="/static/css/arsrapport.css">
</head>
<body class="arsrapport">
<div class="skip"><a href="#main">Hopp til innhold</a> <a href="#nav">Hopp til meny</a>
<a href="/sok/">Gå til søkesiden</a></div>
<div id="report-header"><a href="/"><img src="/static/img/akershus-logo.png" alt="Akershus fylkeskommune"></a>
<p class="report-title">Årsrapport 2018</p></div>
<div id="nav" class="report-nav"><ul>{menu}</ul></div>
<div id="main" class="report-main">
<div class="report-content">
<h1>{esc(page.title)}</h1>{lead}
{body}
</div>
</div>
<div id="report-footer"><p>Akershus fylkeskommune, Schweigaards gate 4, 0185 Oslo.
<a href="/om-fylkeskommunen/">Om fylkeskommunen</a></p></div>
</body>
</html>
"""
