"""The site's older markup generations: ``table`` (2006) and ``xhtml`` (2013).

The real www.akershus.no went through several CMS generations before the one
in ``templates.py``. These render the same ``Page`` data in the markup of
their time, so an extractor can be scored on layouts it was not written for:
a 2000s layout of nested tables (HTML 4.01, ISO-8859-1, ``<font>``, spacer
gifs, no form element around the feedback box) and a 2010s XHTML div layout
with Norwegian ids. Neither uses an id or class name of ``archive/templates.py``,
nor ``main``/``nav``/``header``/``footer``/``article``/``aside`` or ``role``:
content must be found by its shape. The phrases of each generation's chrome
are data here, so the gold (``replica/gold.py``) can check that no extractor
lets them into content.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from urllib.parse import quote

from .eras import EraConfig
from .model import WWW_HOST, WWW_ORIGIN, Block, Page, Resource
from .templates import (
    FEEDBACK_TEXT,
    MAIN_MENU,
    Nav,
    Pager,
    ancestors,
    esc,
    inline,
    norwegian_date,
    section_root,
)

TABLE_CHARSET = "iso-8859-1"
SPACER = "/static/img/spacer.gif"
TABLE_CSS = "/static/css/akershus-2006.css"
XHTML_CSS = "/static/css/akershus-2013.css"

# -- chrome texts (each a phrase that no page's content contains) ------------
SEARCH_LABEL_TABLE = "Søk i nettstedet:"
SEARCH_LABEL_XHTML = "Søk på akershus.no"
ADVANCED_SEARCH = "Avansert søk"
HERE = "Du er her:"
PRINT = "Skriv ut"
TELL_A_FRIEND = "Tips en venn"
SHARE_FACEBOOK = "Del på Facebook"
SHARE_TWITTER = "Del på Twitter"
QUESTION = "Fant du det du lette etter?"
FEEDBACK_TABLE = ("Svaret ditt hjelper oss å gjøre nettstedet bedre.",
                  "Vi kan ikke svare på henvendelser som sendes her.")
COOKIES_TABLE = (("Dette nettstedet bruker informasjonskapsler (cookies) for å føre anonym "
                  "statistikk over bruken."),)
COOKIES_XHTML = ("Vi bruker informasjonskapsler for å gjøre akershus.no bedre for deg.",
                 "Ved å bruke nettstedet godtar du dette.")
COOKIES_MORE = "Les mer om informasjonskapsler"
POSTAL = "Postadresse: Postboks 1200 Sentrum, 0107 Oslo"
VISITING_TABLE = "Besøksadresse: Schweigaards gate 4, Oslo"
VISITING_XHTML = "Besøksadresse: Schweigaards gate 4, 0185 Oslo"
SWITCHBOARD = "Sentralbord: 22 05 50 00"
FAX = "Telefaks: 22 05 50 55"
EDITOR = "Ansvarlig redaktør: Anne Marie Fosse"
SHORTCUTS_TABLE_HEADING = "Snarveier"  # also a heading of the front page's content
SHORTCUTS_TABLE: tuple[tuple[str, str], ...] = (
    ("/ansvarsomrader/videregaende-opplaring/inntak/", "Søke skoleplass"),
    ("/ansvarsomrader/tannhelse/tannklinikker/", "Finn din tannklinikk"),
    ("/politikk/mote-og-saksdokumenter/", "Sakspapirer til politiske møter"),
    ("/om-fylkeskommunen/ledige-stillinger/", "Jobb i fylkeskommunen"),
    ("/politikk/mote-og-saksdokumenter/postjournal/", "Elektronisk postjournal"),
)
SHORTCUTS_XHTML_HEADING = "Hurtiglenker"
SHORTCUTS_XHTML: tuple[tuple[str, str], ...] = (
    ("/ansvarsomrader/videregaende-opplaring/inntak/", "Søknad om skoleplass"),
    ("/ansvarsomrader/tannhelse/tannklinikker/", "Åpningstider på tannklinikkene"),
    ("/politikk/mote-og-saksdokumenter/", "Fylkestingets møtekalender"),
    ("/om-fylkeskommunen/ledige-stillinger/", "Ledige jobber hos oss"),
    ("/politikk/mote-og-saksdokumenter/postjournal/", "Innsyn i postjournalen"),
)
TOP_LINKS: tuple[tuple[str, str], ...] = (
    ("/", "Forside"),
    ("/om-fylkeskommunen/kontakt-oss/", "Kontakt oss"),
    ("/om-fylkeskommunen/pressesenter/", "Presse"),
    ("/english/", "English"),
)
MAIL_TABLE = "postmottak@akershus-f.kommune.no"
MAIL_XHTML = "postmottak@afk.no"
PRIVACY = "/om-fylkeskommunen/personvern/"
CONTACT_HEADING_XHTML = "Kontaktperson"
ALL_NEWS = "Alle pressemeldinger"


def sentences(text: str) -> tuple[str, ...]:
    """A chrome text cut into its sentences (each one a phrase to look for)."""
    parts = [part.strip() for part in text.split(". ") if part.strip()]
    return tuple(part if part.endswith(".") else part + "." for part in parts)


CHROME: dict[str, tuple[str, ...]] = {
    "table": (SEARCH_LABEL_TABLE, ADVANCED_SEARCH, HERE, PRINT, TELL_A_FRIEND, QUESTION,
              *FEEDBACK_TABLE, *COOKIES_TABLE, COOKIES_MORE, POSTAL, VISITING_TABLE,
              SWITCHBOARD, FAX, EDITOR, *(label for _, label in SHORTCUTS_TABLE)),
    "xhtml": (SEARCH_LABEL_XHTML, HERE, PRINT, SHARE_FACEBOOK, SHARE_TWITTER, QUESTION,
              *sentences(FEEDBACK_TEXT), *COOKIES_XHTML, COOKIES_MORE, POSTAL, VISITING_XHTML,
              SWITCHBOARD, EDITOR, SHORTCUTS_XHTML_HEADING,
              *(label for _, label in SHORTCUTS_XHTML)),
}


def chrome_phrases(generation: str) -> tuple[str, ...]:
    """Distinctive phrases of the generation's chrome, the same on every page."""
    return CHROME[generation]


# -- delivery -----------------------------------------------------------------
def charset(generation: str, page: Page) -> str:
    """The charset a page is encoded in: Latin-1 throughout the table generation."""
    return TABLE_CHARSET if generation == "table" else page.charset


def charset_label(generation: str) -> str | None:
    """The Content-Type charset label the generation sends, if it has one of its own."""
    return TABLE_CHARSET if generation == "table" else None


_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_CSS_TABLE = b"""/* akershus.no - stilark 2004 */
body, td { font-family: Verdana, Arial, Helvetica, sans-serif; font-size: 12px; color: #000000; }
a { color: #003C7D; }
a:visited { color: #5A3C7D; }
h1 { font-size: 18px; color: #003C7D; margin: 4px 0 8px 0; }
h2 { font-size: 14px; color: #003C7D; }
h3 { font-size: 12px; }
.stortekst { font-size: 13px; }
.venstremeny a { text-decoration: none; }
"""
_CSS_XHTML = b"""/* akershus.no - hovedstilark (2010-2013) */
body { margin: 0; font: 13px/1.5 Arial, Helvetica, sans-serif; color: #222; background: #eef2f6; }
#side { width: 980px; margin: 0 auto; background: #fff; }
#sidehode { height: 90px; position: relative; background: #00467f; }
#hovedmeny ul, #toppmeny ul, .verktoy ul { list-style: none; margin: 0; padding: 0; }
#hovedmeny li, #toppmeny li, .verktoy li { display: inline; }
#venstrekolonne { float: left; width: 200px; }
#hovedfelt { float: left; width: 560px; padding: 0 10px; }
#hoyrekolonne { float: right; width: 190px; }
#bunntekst { clear: both; background: #00467f; color: #fff; padding: 10px; }
#informasjonskapsler { background: #fff7d6; padding: 6px 10px; }
.innledning { font-size: 15px; font-weight: bold; }
"""


def requisites(era: EraConfig) -> list[Resource]:
    """Stylesheets and images only the era's generation links."""
    if era.generation == "table":
        return [Resource(WWW_HOST, SPACER, "image/gif", _GIF, "requisite",
                         last_modified="Tue, 14 Sep 2004 08:02:11 GMT"),
                Resource(WWW_HOST, TABLE_CSS, "text/css", _CSS_TABLE, "requisite",
                         last_modified="Mon, 07 Nov 2005 10:12:40 GMT")]
    if era.generation == "xhtml":
        return [Resource(WWW_HOST, XHTML_CSS, "text/css", _CSS_XHTML, "requisite", gzip=True,
                         last_modified="Thu, 17 Jan 2013 12:40:05 GMT")]
    return []


# -- shared pieces ------------------------------------------------------------
def _raw(markup: str) -> str:
    """A raw block as the generation shows it: the element ``nav`` did not exist yet."""
    return markup.replace("<nav", "<div").replace("</nav>", "</div>")


def _crumbs(page: Page, nav: Nav) -> list[tuple[str, str]]:
    """(href, label) of the breadcrumb's links, front page first."""
    links = [("/", "Forside")]
    links += [(a, nav.titles[a]) for a in ancestors(page.path) if a in nav.titles]
    return links


def _tree(page: Page, nav: Nav, item: Callable[[str, int, bool], str]) -> list[str]:
    """The section's pages as ``item(path, depth, current)``, opened along the page's path."""
    root = section_root(page.path)
    if root == "/" or root not in nav.titles:
        return []
    open_paths = set(ancestors(page.path)) | {page.path}
    out: list[str] = []

    def walk(path: str, depth: int) -> None:
        out.append(item(path, depth, path == page.path))
        if path in open_paths or path == root:
            for kid in nav.children.get(path, ()):
                walk(kid, depth + 1)

    walk(root, 0)
    return out


def _share_url(page: Page) -> str:
    return quote(f"{WWW_ORIGIN}{page.path}", safe="")


def _dates(page: Page) -> str:
    parts = [f"Publisert: {page.published}" if page.published else "",
             f"Sist endret: {page.modified}" if page.modified else ""]
    return " | ".join(filter(None, parts))


def contact_text(generation: str, person: Sequence[str]) -> str:
    """A contact person's text as the generation shows it (for the gold)."""
    name, title, phone, email = person
    if generation == "table":
        return f"{name} {title} Telefon: {phone} {email}"
    return f"{name} {title} Telefon: {phone} E-post: {email}"


def news_item_text(generation: str, item: Page) -> str:
    """A news list item's text as the generation shows it (for the gold)."""
    day = norwegian_date(item.date)
    if generation == "table":
        return f"{item.title} ({day}) {item.ingress}"
    return f"{day} {item.title} {item.ingress}"


# -- table (2006) ---------------------------------------------------------------
_FONT = 'face="Verdana, Arial, Helvetica, sans-serif"'


def _spacer(width: int = 1, height: int = 10) -> str:
    return f'<img src="{SPACER}" width="{width}" height="{height}" alt="">'


def _table_inline(text: str) -> str:
    return inline(text, bold="b")


def _table_block(block: Block, nav: Nav) -> str:
    kind = block[0]
    if kind == "p":
        return f"<p>{_table_inline(block[1])}</p>"
    if kind == "h2":
        return f"<h2>{_table_inline(block[1])}</h2>"
    if kind == "h3":
        return f"<H3>{_table_inline(block[1])}</H3>"
    if kind in ("ul", "ol"):
        tag = kind.upper()
        items = "".join(f"\n<LI>{_table_inline(i)}" for i in block[1])
        return f"<{tag}>{items}\n</{tag}>"
    if kind == "quote":
        cite = f'<br>\n<font size="1">{_table_inline(block[2])}</font>' if block[2] else ""
        return f"<blockquote><p><i>{_table_inline(block[1])}</i>{cite}</p></blockquote>"
    if kind == "table":
        th = '<th bgcolor="#E5ECF4" align="left"><font size="2">{}</font></th>'
        td = '<td valign="top"><font size="2">{}</font></td>'
        head = "".join(th.format(_table_inline(c)) for c in block[1])
        rows = "".join("\n<tr>" + "".join(td.format(_table_inline(c)) for c in r) + "</tr>"
                       for r in block[2])
        return (f'<table border="1" cellpadding="3" cellspacing="0" width="100%">\n'
                f"<tr>{head}</tr>{rows}\n</table>")
    if kind == "figure":
        cap = (f'\n<TR><TD><font size="1"><i>{_table_inline(block[3])}</i></font></TD></TR>'
               if block[3] else "")
        return (f'<TABLE border="0" cellpadding="0" cellspacing="4" align="right" width="330">\n'
                f'<TR><TD><IMG src="{esc(block[1])}" alt="{esc(block[2])}" border="0"></TD></TR>'
                f"{cap}\n</TABLE>")
    if kind == "contact":
        return "\n".join(
            f"<p><b>{esc(name)}</b><br>\n{esc(title)}<br>\nTelefon: {esc(phone)}<br>\n"
            f'<a href="mailto:{esc(email)}">{esc(email)}</a></p>'
            for name, title, phone, email in block[1])
    if kind == "news":
        more = f'<p><a href="{nav.news_listing}">{ALL_NEWS}</a> &raquo;</p>'
        return "\n".join(filter(None, (_table_news(nav.news[: block[1]]), more)))
    if kind == "nbsp":
        return "<p>&nbsp;</p>"
    if kind == "raw":
        return _raw(block[1])
    raise ValueError(f"unknown block kind {kind!r}")


def _table_news(items: Sequence[Page]) -> str:
    if not items:
        return ""
    lis = "".join(
        f'\n<LI><a href="{esc(p.path)}">{esc(p.title)}</a> <font size="1">'
        f"({norwegian_date(p.date)})</font><br>\n{esc(p.ingress)}"
        for p in items)
    return f"<UL>{lis}\n</UL>"


def _table_pager(pager: Pager) -> str:
    links = []
    if pager.prev is not None:
        links.append(f'<a href="{esc(pager.prev)}">&laquo; Forrige</a>')
    for number, target in pager.pages:
        links.append(f"<b>{number}</b>" if target is None
                     else f'<a href="{esc(target)}">{number}</a>')
    if pager.next is not None:
        links.append(f'<a href="{esc(pager.next)}">Neste &raquo;</a>')
    return f'<p><font size="1">Side: {" ".join(links)}</font></p>' if links else ""


def _table_left_menu(page: Page, nav: Nav) -> str:
    """The main menu as links and <br>, the current section's pages indented under it."""
    root = section_root(page.path)

    def item(path: str, depth: int, current: bool) -> str:
        label = f"<b>{esc(nav.titles[path])}</b>" if current else esc(nav.titles[path])
        return "&nbsp;&nbsp;" * depth + f'&middot;&nbsp;<a href="{path}">{label}</a>'

    lines = []
    for href, label in MAIN_MENU:
        link = f'<a href="{href}" class="venstremeny">{esc(label)}</a>'
        if href == root:
            lines.append(f"<b>{link}</b>")
            lines += _tree(page, nav, item)[1:]
        else:
            lines.append(link)
    return "<br>\n".join(lines)


def _table_breadcrumb(page: Page, nav: Nav) -> str:
    if page.path == "/":
        return f"{HERE} Forside"
    links = " &gt; ".join(f'<a href="{h}">{esc(t)}</a>' for h, t in _crumbs(page, nav))
    return f"{HERE} {links} &gt; {esc(page.short_title)}"


def render_table(page: Page, nav: Nav, era: EraConfig, *, extra: str = "") -> str:
    """Render a page in the 2006 layout: nested tables, HTML 4.01 Transitional, Latin-1."""
    date = f'\n<p><font size="1">{norwegian_date(page.date)}</font></p>' if page.date else ""
    ingress = (f'\n<p class="stortekst"><b>{_table_inline(page.ingress)}</b></p>'
               if page.ingress else "")
    body = "\n".join(_table_block(b, nav) for b in page.blocks)
    dates = _dates(page)
    meta = f'\n<p><font size="1" color="#666666">{dates}</font></p>' if dates else ""
    top = " | ".join(f'<a href="{h}"><font color="#FFFFFF">{esc(t)}</font></a>'
                     for h, t in TOP_LINKS)
    shortcuts = "<br>\n".join(f'<a href="{h}">{esc(t)}</a>' for h, t in SHORTCUTS_TABLE)
    mail = f"mailto:?subject=Tips%20fra%20www.akershus.no&amp;body={esc(WWW_ORIGIN + page.path)}"
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML>
<HEAD>
<meta http-equiv="Content-Type" content="text/html; charset={TABLE_CHARSET}">
<TITLE>{esc(page.title)} - Akershus fylkeskommune</TITLE>
<link rel="stylesheet" type="text/css" href="{TABLE_CSS}">
<script type="text/javascript">
function sok() {{ location.href = '/sok/?q=' + escape(document.getElementById('sokeord').value); }}
</script>
</HEAD>
<BODY bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<TABLE width="100%" border="0" cellspacing="0" cellpadding="0">
<TR>
<TD colspan="3" bgcolor="#003C7D">
<TABLE width="100%" border="0" cellspacing="0" cellpadding="6">
<TR>
<TD width="200"><a href="/"><IMG src="/static/img/akershus-logo.png" width="180" height="48" border="0" alt="Akershus fylkeskommune"></a></TD>
<TD align="right" valign="top"><font {_FONT} size="1" color="#FFFFFF">{top}</font><br>
{_spacer(1, 8)}<br>
<font {_FONT} size="1" color="#FFFFFF">{SEARCH_LABEL_TABLE}</font>
<input type="text" name="sokeord" id="sokeord" size="18">
<input type="button" value="Søk" onclick="sok()">
<a href="/sok/"><font size="1" color="#FFFFFF">{ADVANCED_SEARCH}</font></a></TD>
</TR>
</TABLE>
</TD>
</TR>
<TR>
<TD width="180" valign="top" bgcolor="#E5ECF4">{_spacer(180, 10)}<br>
<TABLE width="100%" border="0" cellspacing="0" cellpadding="6"><TR><TD>
<font {_FONT} size="2">
{_table_left_menu(page, nav)}
</font>
</TD></TR></TABLE>
</TD>
<TD valign="top" width="100%">
<TABLE width="100%" border="0" cellspacing="0" cellpadding="8">
<TR><TD bgcolor="#F0F0F0"><font {_FONT} size="1">{_table_breadcrumb(page, nav)}</font></TD></TR>
<TR><TD valign="top">
{_spacer()}<br>
<h1><font {_FONT} color="#003C7D">{esc(page.title)}</font></h1>{date}{ingress}
{body}{extra}{meta}
<p><font size="1"><a href="javascript:window.print()">{PRINT}</a> | <a href="{mail}">{TELL_A_FRIEND}</a></font></p>
{_spacer()}<br>
<TABLE width="100%" border="0" cellspacing="0" cellpadding="6" bgcolor="#F0F0F0">
<TR><TD><font {_FONT} size="2"><b>{QUESTION}</b></font><br>
<input type="radio" name="svar" value="ja"> Ja
<input type="radio" name="svar" value="nei"> Nei<br>
<font size="1">{FEEDBACK_TABLE[0]} {FEEDBACK_TABLE[1]}</font><br>
<textarea name="kommentar" rows="3" cols="40"></textarea><br>
<input type="button" value="Send" onclick="alert('Takk for svaret!')">
</TD></TR>
</TABLE>
</TD></TR>
</TABLE>
</TD>
<TD width="170" valign="top">{_spacer(170, 10)}<br>
<TABLE width="160" border="0" cellspacing="0" cellpadding="4" bgcolor="#E5ECF4">
<TR><TD bgcolor="#003C7D"><font {_FONT} size="2" color="#FFFFFF"><b>{SHORTCUTS_TABLE_HEADING}</b></font></TD></TR>
<TR><TD><font {_FONT} size="1">
{shortcuts}
</font></TD></TR>
</TABLE>
</TD>
</TR>
<TR>
<TD colspan="3" bgcolor="#FFF8DC"><font {_FONT} size="1">{COOKIES_TABLE[0]} <a href="{PRIVACY}">{COOKIES_MORE}</a></font></TD>
</TR>
<TR>
<TD colspan="3" bgcolor="#003C7D" align="center"><font {_FONT} size="1" color="#FFFFFF">
Akershus fylkeskommune &middot; {POSTAL} &middot; {VISITING_TABLE}<br>
{SWITCHBOARD} &middot; {FAX} &middot; E-post: <a href="mailto:{MAIL_TABLE}"><font color="#FFFFFF">{MAIL_TABLE}</font></a><br>
{EDITOR}</font></TD>
</TR>
</TABLE>
</BODY>
</HTML>
"""


def _table_listing(pager: Pager) -> str:
    parts = (f'<p><font size="2">{pager.shown}</font></p>', _table_news(pager.items),
             _table_pager(pager))
    return "\n" + "\n".join(filter(None, parts))


# -- xhtml (2013) ---------------------------------------------------------------
def _xhtml_inline(text: str) -> str:
    return inline(text, br="<br />")


def _xhtml_block(block: Block, nav: Nav) -> str:
    kind = block[0]
    if kind == "p":
        return f"<p>{_xhtml_inline(block[1])}</p>"
    if kind in ("h2", "h3"):
        return f"<{kind}>{_xhtml_inline(block[1])}</{kind}>"
    if kind in ("ul", "ol"):
        items = "".join(f"\n<li>{_xhtml_inline(i)}</li>" for i in block[1])
        return f"<{kind}>{items}\n</{kind}>"
    if kind == "quote":
        cite = f'\n<p class="kilde">{_xhtml_inline(block[2])}</p>' if block[2] else ""
        return f'<blockquote class="sitat">\n<p>{_xhtml_inline(block[1])}</p>{cite}\n</blockquote>'
    if kind == "table":
        head = "".join(f"<th>{_xhtml_inline(c)}</th>" for c in block[1])
        rows = "".join("\n<tr>" + "".join(f"<td>{_xhtml_inline(c)}</td>" for c in r) + "</tr>"
                       for r in block[2])
        return (f'<table class="tabell" cellspacing="0">\n<thead><tr>{head}</tr></thead>\n'
                f"<tbody>{rows}\n</tbody>\n</table>")
    if kind == "figure":
        cap = f'\n<p class="bildetekst">{_xhtml_inline(block[3])}</p>' if block[3] else ""
        return (f'<div class="bilde"><img src="{esc(block[1])}" alt="{esc(block[2])}" />'
                f"{cap}</div>")
    if kind == "contact":
        people = "\n".join(
            f'<p class="person"><strong>{esc(name)}</strong><br />\n{esc(title)}<br />\n'
            f"Telefon: {esc(phone)}<br />\n"
            f'E-post: <a href="mailto:{esc(email)}">{esc(email)}</a></p>'
            for name, title, phone, email in block[1])
        return f'<div class="kontaktperson">\n<h2>{CONTACT_HEADING_XHTML}</h2>\n{people}\n</div>'
    if kind == "news":
        more = f'<p class="flere"><a href="{nav.news_listing}">{ALL_NEWS}</a></p>'
        return "\n".join(filter(None, (_xhtml_news(nav.news[: block[1]]), more)))
    if kind == "nbsp":
        return "<p>&nbsp;</p>"
    if kind == "raw":
        return _raw(block[1])
    raise ValueError(f"unknown block kind {kind!r}")


def _xhtml_news(items: Sequence[Page]) -> str:
    if not items:
        return ""
    lis = "".join(
        f'\n<li><span class="dato">{norwegian_date(p.date)}</span> '
        f'<a href="{esc(p.path)}">{esc(p.title)}</a><br />\n{esc(p.ingress)}</li>'
        for p in items)
    return f'<ul class="nyhetsliste">{lis}\n</ul>'


def _xhtml_pager(pager: Pager) -> str:
    links = []
    if pager.prev is not None:
        links.append(f'<li class="forrige"><a href="{esc(pager.prev)}">Forrige</a></li>')
    for number, target in pager.pages:
        links.append(f'<li class="valgt">{number}</li>' if target is None
                     else f'<li><a href="{esc(target)}">{number}</a></li>')
    if pager.next is not None:
        links.append(f'<li class="neste"><a href="{esc(pager.next)}">Neste</a></li>')
    return f'<div class="sidevelger"><ul>{"".join(links)}</ul></div>' if links else ""


def _xhtml_main_menu(page: Page) -> str:
    root = section_root(page.path)
    chosen = ' class="valgt"'
    lis = "".join(f'\n<li{chosen if href == root else ""}><a href="{href}">{esc(label)}</a></li>'
                  for href, label in MAIN_MENU)
    return f'<div id="hovedmeny"><ul>{lis}\n</ul></div>'


def _xhtml_left_menu(page: Page, nav: Nav) -> str:
    def item(path: str, depth: int, current: bool) -> str:
        cls = f' class="niva{depth}{" aktiv" if current else ""}"'
        return f'<li{cls}><a href="{path}">{esc(nav.titles[path])}</a></li>'

    lis = _tree(page, nav, item)
    if not lis:  # outside the sections: the main menu again
        lis = [f'<li class="niva0"><a href="{h}">{esc(t)}</a></li>' for h, t in MAIN_MENU]
    return '<div class="seksjonsmeny"><ul>\n' + "\n".join(lis) + "\n</ul></div>"


def _xhtml_breadcrumb(page: Page, nav: Nav) -> str:
    if page.path == "/":
        return f'<div id="brodsmulesti"><span class="duerher">{HERE}</span> Forside</div>'
    links = " &gt; ".join(f'<a href="{h}">{esc(t)}</a>' for h, t in _crumbs(page, nav))
    return (f'<div id="brodsmulesti"><span class="duerher">{HERE}</span> {links} &gt; '
            f'<span class="gjeldende">{esc(page.short_title)}</span></div>')


def render_xhtml(page: Page, nav: Nav, era: EraConfig, *, extra: str = "") -> str:
    """Render a page in the 2013 layout: XHTML 1.0 Transitional, divs with Norwegian ids."""
    date = f'\n<p class="dato">{norwegian_date(page.date)}</p>' if page.date else ""
    ingress = (f'\n<p class="innledning">{_xhtml_inline(page.ingress)}</p>'
               if page.ingress else "")
    body = "\n".join(_xhtml_block(b, nav) for b in page.blocks)
    dates = _dates(page)
    meta = f'\n<p class="sistendret">{dates}</p>' if dates else ""
    top = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for h, t in TOP_LINKS)
    shortcuts = "".join(f'\n<li><a href="{h}">{esc(t)}</a></li>' for h, t in SHORTCUTS_XHTML)
    share = _share_url(page)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{page.lang}" lang="{page.lang}">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={page.charset}" />
<title>{esc(page.title)} - Akershus fylkeskommune</title>
<link rel="stylesheet" type="text/css" href="{XHTML_CSS}" />
</head>
<body>
<div id="informasjonskapsler">
<p>{COOKIES_XHTML[0]} {COOKIES_XHTML[1]} <a href="{PRIVACY}">{COOKIES_MORE}</a></p>
</div>
<div id="side">
<div id="sidehode">
<a id="logo" href="/"><img src="/static/img/akershus-logo.png" width="180" height="48" alt="Akershus fylkeskommune" /></a>
<div id="toppmeny"><ul>{top}</ul></div>
<div id="sokeboks">
<form action="/sok/" method="get">
<label for="sokeord">{SEARCH_LABEL_XHTML}</label>
<input type="text" id="sokeord" name="q" value="" />
<input type="submit" class="sokeknapp" value="Søk" />
</form>
</div>
</div>
{_xhtml_main_menu(page)}
{_xhtml_breadcrumb(page, nav)}
<div id="kolonner">
<div id="venstrekolonne">
{_xhtml_left_menu(page, nav)}
</div>
<div id="hovedfelt">
<h1>{esc(page.title)}</h1>{date}{ingress}
<div class="brodtekst">
{body}{extra}
</div>{meta}
<div class="verktoy"><ul>
<li class="skrivut"><a href="javascript:window.print()">{PRINT}</a></li>
<li class="facebook"><a href="http://www.facebook.com/sharer.php?u={share}">{SHARE_FACEBOOK}</a></li>
<li class="twitter"><a href="http://twitter.com/share?url={share}">{SHARE_TWITTER}</a></li>
</ul></div>
<div id="tilbakemelding">
<form action="/tilbakemelding/" method="post">
<p class="sporsmal">{QUESTION}</p>
<p><input type="radio" name="svar" value="ja" id="svar-ja" /> <label for="svar-ja">Ja</label>
<input type="radio" name="svar" value="nei" id="svar-nei" /> <label for="svar-nei">Nei</label></p>
<p>{FEEDBACK_TEXT}</p>
<p><label for="melding">Melding</label><br />
<textarea id="melding" name="melding" rows="3" cols="40"></textarea></p>
<p><label for="epost">E-post</label> <input type="text" id="epost" name="epost" /></p>
<p><input type="submit" value="Send" /></p>
</form>
</div>
</div>
<div id="hoyrekolonne">
<div id="snarveier">
<h2>{SHORTCUTS_XHTML_HEADING}</h2>
<ul>{shortcuts}
</ul>
</div>
</div>
</div>
<div id="bunntekst">
<p><strong>Akershus fylkeskommune</strong><br />
{POSTAL}<br />
{VISITING_XHTML}<br />
{SWITCHBOARD}<br />
E-post: <a href="mailto:{MAIL_XHTML}">{MAIL_XHTML}</a></p>
<ul>
<li><a href="/om-fylkeskommunen/kontakt-oss/">Kontakt oss</a></li>
<li><a href="{PRIVACY}">Personvern</a></li>
<li><a href="/om-fylkeskommunen/pressesenter/">Presse</a></li>
<li><a href="https://www.facebook.com/akershusfylkeskommune">Facebook</a></li>
<li><a href="https://twitter.com/akershusfk">Twitter</a></li>
</ul>
<p>{EDITOR}</p>
</div>
</div>
</body>
</html>
"""


def _xhtml_listing(pager: Pager) -> str:
    parts = (f'<p class="antall">{pager.shown}</p>', _xhtml_news(pager.items), _xhtml_pager(pager))
    return "\n" + "\n".join(filter(None, parts))


# -- dispatch -------------------------------------------------------------------
RENDER: dict[str, Callable[..., str]] = {"table": render_table, "xhtml": render_xhtml}
LISTING: dict[str, Callable[[Pager], str]] = {"table": _table_listing, "xhtml": _xhtml_listing}


def render(page: Page, nav: Nav, era: EraConfig, *, extra: str = "") -> str:
    """Render ``page`` in the era's (older) generation."""
    return RENDER[era.generation](page, nav, era, extra=extra)


def render_listing(generation: str, pager: Pager) -> str:
    """The press listing's body (count line, news list, page links) in the generation."""
    return LISTING[generation](pager)
