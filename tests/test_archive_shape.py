"""Content found by its shape on markup we did not write: other generators, archive rewrites, odd pages.

Each page is read alone (no site profile, no template of ours matches), so
only the per-page rules can find its content: density scoring, layout
tables walked as flow, controls, skip links, breadcrumbs, tools and cookie
notices removed by what they are made of.
"""

from __future__ import annotations

from archive.layout import is_layout_table
from archive.model import Table
from archive.page import read_page
from archive.parse import parse_document

URL = "http://www.example-kommune.no/tjenester/vei/"
PROSE = ("Kommunen har ansvar for brøyting, strøing og vedlikehold av de kommunale veiene, "
         "og arbeidet utføres etter en prioriteringsliste som politikerne har vedtatt.")
PROSE2 = ("Innbyggerne kan melde fra om hull i veien, manglende brøyting eller ødelagte skilt, "
          "og meldingene blir fulgt opp av driftsavdelingen innen tre virkedager.")


def headings(html: str, url: str = URL) -> list[str | None]:
    return [s.heading for s in read_page(html, url).sections]


def test_wordpress_theme_with_widgets() -> None:
    html = f"""<!DOCTYPE html><html lang="nb"><head><title>Veier | Example kommune</title></head>
<body class="page-template-default"><div id="page" class="hfeed site">
<a class="skip-link screen-reader-text" href="#content">Gå til innhold</a>
<div id="masthead"><div class="site-branding"><p class="site-title"><a href="/">Example kommune</a></p></div>
<div id="site-navigation"><ul id="primary-menu"><li><a href="/a/">Barnehage</a></li><li><a href="/b/">Skole</a></li>
<li><a href="/c/">Helse og omsorg</a></li><li><a href="/d/">Kultur og fritid</a></li></ul></div></div>
<div id="content" class="site-content"><div id="primary"><div class="entry">
<h1 class="entry-title">Veier</h1><div class="entry-content"><p>{PROSE}</p>
<h2>Meld fra om feil</h2><p>{PROSE2}</p><ul><li>Hull i veien</li><li>Gatelys som ikke virker</li></ul>
</div></div></div>
<div id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">Siste nytt</h2>
<ul><li><a href="/n1/">Nytt boligfelt regulert</a></li><li><a href="/n2/">Ny rektor ved skolen</a></li></ul></section>
<section class="widget"><h2 class="widget-title">Søk</h2><form role="search"><input type="search" name="s"><button>Søk</button></form></section></div>
</div><div id="colophon"><p>Example kommune, Rådhusveien 1, 1234 Eksempel. Telefon 12 34 56 78, og e-post postmottak@example.no.</p></div>
</div></body></html>"""
    page = read_page(html, URL)
    assert [s.heading for s in page.sections] == ["Veier", "Meld fra om feil"]
    assert PROSE in page.text and PROSE2 in page.text and "Gatelys som ikke virker" in page.text
    for chrome in ("Gå til innhold", "Barnehage", "Siste nytt", "Nytt boligfelt", "Rådhusveien"):
        assert chrome not in page.text, chrome
    assert page.extraction.method == "density"


def test_frontpage_table_layout_without_h1() -> None:
    """A 1990s editor's page: no h1, bold text for headings, a layout table with a menu cell."""
    html = f"""<html><head><meta name="GENERATOR" content="Microsoft FrontPage 4.0">
<title>Veier og trafikk</title></head><body bgcolor="#FFFFFF">
<table border="0" width="100%"><tr><td width="20%" valign="top" bgcolor="#DDDDFF">
<p><a href="index.htm">Forside</a><br><a href="skole.htm">Skole</a><br><a href="helse.htm">Helse</a>
<br><a href="kultur.htm">Kultur</a></p></td>
<td width="80%" valign="top"><p><font size="4"><b>Veier og trafikk</b></font></p>
<p><font face="Arial">{PROSE}</font></p><p><font face="Arial">{PROSE2}</font></p>
<table border="1"><tr><td><b>Vei</b></td><td><b>Lengde</b></td></tr><tr><td>Storgata</td><td>2 km</td></tr></table>
</td></tr></table></body></html>"""
    page = read_page(html, URL)
    assert page.title == "Veier og trafikk"
    assert PROSE in page.text and PROSE2 in page.text
    assert "Kultur" not in page.text and "Helse" not in page.text
    tables = [b for s in page.sections for b in s.blocks if isinstance(b, Table)]
    assert [t.rows for t in tables] == [[["Vei", "Lengde"], ["Storgata", "2 km"]]]
    assert page.extraction.layout_tables >= 1


def test_archive_toolbar_of_a_rewriting_replay_is_chrome() -> None:
    """A capture saved from a replay that inserts its banner (form, links, counts) into the page."""
    html = f"""<html><head><title>Veier</title></head><body>
<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id="wm-ipp-base"><div id="wm-ipp"><form target="_top" method="get" action="/web/submit">
<input type="text" name="url" value="http://www.example-kommune.no/"><input type="submit" value="Go"></form>
<a href="/web/2008/*/http://www.example-kommune.no/">12 captures</a> 1 Jan 2005 - 31 Dec 2019</div></div>
<!-- END WAYBACK TOOLBAR INSERT -->
<div id="ramme"><div id="tekst"><h1>Veier</h1><p>{PROSE}</p><p>{PROSE2}</p></div></div></body></html>"""
    page = read_page(html, URL)
    assert page.sections[0].heading == "Veier"
    assert "captures" not in page.text and "Go" not in page.text.split()
    assert PROSE in page.text


def test_title_cell_above_the_text_cell() -> None:
    """The heading in a row of its own: the root widens to it, or the title heads the sections."""
    html = f"""<html><head><title>Brøyting - Example kommune</title></head><body><table>
<tr><td colspan="2"><a href="/">Example kommune</a> | <a href="/kontakt/">Kontakt</a></td></tr>
<tr><td></td><td><h1>Brøyting</h1></td></tr>
<tr><td><a href="/a/">Meny A</a><br><a href="/b/">Meny B</a></td><td><p>{PROSE}</p><h2>Når brøytes det?</h2><p>{PROSE2}</p></td></tr>
</table></body></html>"""
    page = read_page(html, URL)
    assert [s.heading for s in page.sections][:2] == ["Brøyting", "Når brøytes det?"]
    assert "Meny A" not in page.text and PROSE in page.text


def test_breadcrumb_tools_and_cookie_notice_by_shape() -> None:
    html = f"""<html><head><title>Vei</title></head><body>
<div class="x1">Vi bruker informasjonskapsler for å forbedre nettstedet. <a href="#" onclick="ok()">Jeg forstår</a></div>
<div class="x2"><a href="/">Hjem</a> » <a href="/tjenester/">Tjenester</a> » Vei</div>
<div class="x3"><h1>Vei</h1><p>{PROSE}</p><p>{PROSE2}</p>
<p class="x4"><a href="javascript:window.print()">Skriv ut</a> | <a href="https://www.facebook.com/sharer/sharer.php?u=x">Del</a></p>
<p>Les også om <a href="/">forsiden</a> og <a href="/tjenester/">alle tjenester</a>, som oppdateres hver uke.</p></div>
</body></html>"""
    page = read_page(html, URL)
    for chrome in ("informasjonskapsler", "Hjem", "Skriv ut", "Del"):
        assert chrome not in page.text, chrome
    assert "Les også om forsiden og alle tjenester" in page.text
    assert {"cookie", "breadcrumb", "tools"} <= set(page.extraction.chrome_rules)


def test_a_privacy_page_about_cookies_keeps_its_text() -> None:
    html = """<html><head><title>Personvern</title></head><body><div><h1>Personvern</h1>
<p>Nettstedet bruker informasjonskapsler (cookies) til statistikk, og vi lagrer ikke IP-adresser.</p>
<p>Du kan slette informasjonskapsler i nettleseren din, og les mer på <a href="/hjelp/">hjelpesidene</a>.</p>
</div></body></html>"""
    page = read_page(html, URL)
    assert "til statistikk" in page.text and "slette informasjonskapsler" in page.text


def test_layout_and_data_tables_told_apart() -> None:
    def table(html: str) -> bool:
        doc = parse_document(f"<html><body>{html}</body></html>")
        assert doc is not None
        return is_layout_table(next(doc.iter("table")))

    assert not table("<table><tr><th>År</th><th>Elever</th></tr><tr><td>2018</td><td>31 000</td></tr></table>")
    assert not table("<table><tr><td><p>Én celle med ett avsnitt</p></td><td>2</td></tr></table>")
    assert table("<table><tr><td><h2>Tittel</h2><p>Tekst</p></td></tr></table>")
    assert table("<table><tr><td><ul><li>a</li></ul></td><td>menu</td></tr></table>")
    assert table("<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>")
    assert table("<table><tr><td><p>a</p><p>b</p></td></tr></table>")
    assert table("<table role='presentation'><tr><td>x</td></tr></table>")
    assert table("<table><tr><td><input type='text'></td></tr></table>")


def test_odd_pages_give_a_result() -> None:
    deep = "<table><tr><td>" * 300 + f"<p>{PROSE}</p>" + "</td></tr></table>" * 300
    for html in (
        "<html><body></body></html>",
        "<html><body><a href='/a'>a</a> <a href='/b'>b</a></body></html>",
        f"<html><body>{deep}</body></html>",
        "<html><body><form><input><textarea></textarea></form></body></html>",
        f"<html><body><font><h1>Tittel</h1><p>{PROSE}</p></font></body></html>",
        "<frameset><frame src='meny.htm'><frame src='tekst.htm'></frameset>",
    ):
        page = read_page(html, URL)
        assert isinstance(page.text, str)
    font = read_page(f"<html><body><font><h1>Tittel</h1><p>{PROSE}</p></font></body></html>", URL)
    assert [s.heading for s in font.sections] == ["Tittel"]
    assert PROSE in read_page(f"<html><body>{deep}</body></html>", URL).text
