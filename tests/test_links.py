"""Outlinks, requisites and documents found in pages and stylesheets."""

from __future__ import annotations

import pytest

from archive.nesting import CHECK_TAGS, MAX_DEPTH, too_deep
from crawler.links import LEXBOR_MAX_CHARS, css_outlinks, html_outlinks, refresh_target

BASE = "http://www.akershus.no/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"

HTML = """<html><head>
<link rel="stylesheet" href="/static/css/akershus.css">
<link rel="shortcut icon" href="/favicon.ico">
<script src="/static/js/akershus.js"></script>
<style>body { background: url('/static/img/bg.png') }</style>
</head><body>
<a href="internasjonal-strategi/">strategi</a>
<a href="internasjonal-strategi/#top">again, with fragment</a>
<a href="/dokumenter/strategi.pdf">PDF</a>
<a href="mailto:post@akershus.no">mail</a><a href="javascript:void(0)">js</a><a href="#x">top</a>
<img src="http://static.akershus.no/bilder/a.png" srcset="b.png 2x, c.png 3x" alt="">
<a href="https://www.viken.no/">Viken</a>
</body></html>"""


def test_html_outlinks() -> None:
    links = html_outlinks(BASE, HTML)
    urls = {(o.url, o.hop) for o in links}
    assert ("http://www.akershus.no/static/css/akershus.css", "E") in urls
    assert ("http://www.akershus.no/favicon.ico", "E") in urls
    assert ("http://www.akershus.no/static/js/akershus.js", "E") in urls
    assert ("http://www.akershus.no/static/img/bg.png", "E") in urls
    assert ("http://static.akershus.no/bilder/a.png", "E") in urls
    assert (BASE + "b.png", "E") in urls and (BASE + "c.png", "E") in urls
    # %3F survives resolution; the fragment is dropped and the repeat folded
    page = BASE + "internasjonal-strategi/"
    assert [o.url for o in links].count(page) == 1
    assert ("https://www.viken.no/", "L") in urls
    assert not any(o.url.startswith(("mailto:", "javascript:")) for o in links)
    docs = [o for o in links if o.is_document]
    assert [d.url for d in docs] == ["http://www.akershus.no/dokumenter/strategi.pdf"]


def test_base_href() -> None:
    links = html_outlinks("http://www.akershus.no/a/", '<base href="/b/"><a href="c/">c</a>')
    assert links[0].url == "http://www.akershus.no/b/c/"


@pytest.mark.parametrize(("content", "target"), [
    ("0; url=/ny/", "/ny/"),
    ("5;URL='side med mellomrom.html'", "side med mellomrom.html"),
    ('3, "http://www.akershus.no/a"  etter', "http://www.akershus.no/a"),
    ("0;/uten-url-ord", "/uten-url-ord"),
    ("  10 ; Url = neste.html", "neste.html"),
    ("0", None),  # reloads the page itself
    ("", None),
])
def test_refresh_target(content: str, target: str | None) -> None:
    assert refresh_target(content) == target


def test_meta_refresh_is_a_link_beside_the_others() -> None:
    page = ("<html><head><META HTTP-EQUIV='Refresh' CONTENT='0; URL=../ny.html'>"
            "<meta http-equiv='content-type' content='text/html'></head>"
            "<body><a href='/x'>x</a></body></html>")
    links = html_outlinks("http://www.akershus.no/d/gammel.html", page)
    assert [(o.url, o.hop, o.context) for o in links] == [
        ("http://www.akershus.no/x", "L", "a/@href"),
        ("http://www.akershus.no/ny.html", "L", "meta/@content"),
    ]


XHTML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
  "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="no"><head><title>Akershus</title>
<link rel="stylesheet" type="text/css" href="/css/main.css" /></head>
<body><div id="meny"><a href="/tjenester/">Tjenester</a></div>
<img src="/bilder/logo.gif" alt="" /><table background="/bilder/bg.gif"><tr><td>x</td></tr></table>
</body></html>"""


def test_xhtml_with_an_xml_declaration_is_parsed_as_html() -> None:
    """XHTML 1.0 pages served as text/html began with <?xml ...?>: still HTML, as in a browser."""
    links = html_outlinks("http://www.akershus.no/", XHTML)
    assert [(o.url, o.hop, o.context) for o in links] == [
        ("http://www.akershus.no/css/main.css", "E", "link/@href"),
        ("http://www.akershus.no/bilder/logo.gif", "E", "img/@src"),
        ("http://www.akershus.no/bilder/bg.gif", "E", "*/@background"),
        ("http://www.akershus.no/tjenester/", "L", "a/@href"),
    ]


def test_fallback_content_and_templates_are_read() -> None:
    """Content a browser shows only without frames, plugins or iframes, or once a script runs."""
    page = ("<html><head><title>t</title></head><frameset><frame src='/meny.html'>"
            "<noframes><body><a href='/uten-rammer.html'>uten rammer</a></body></noframes>"
            "</frameset></html>")
    urls = [o.url for o in html_outlinks("http://www.akershus.no/", page)]
    # links (a/@href) are listed before frames (frame/@src): each kind in document order
    assert urls == ["http://www.akershus.no/uten-rammer.html", "http://www.akershus.no/meny.html"]
    page = ("<body><iframe src='/kart.html'><a href='/kart-tekst.html'>kart</a></iframe>"
            "<embed src='/film.swf'><noembed><img src='/film.png'></noembed>"
            "<template><a href='/mal.html'>mal</a><template><img src='/indre.png'></template>"
            "</template></body>")
    urls = {o.url.rsplit("/", 1)[1] for o in html_outlinks("http://www.akershus.no/", page)}
    assert urls == {"kart.html", "kart-tekst.html", "film.swf", "film.png", "mal.html",
                    "indre.png"}


def test_links_are_those_of_the_tree_a_browser_builds() -> None:
    """<image> is <img> to an HTML parser, and a second <body> lends its attributes to the first."""
    page = "<body><p>x</p><image src='/a.png'><body background='/bg.png'></body>"
    links = html_outlinks("http://www.akershus.no/", page)
    assert [(o.url, o.context) for o in links] == [("http://www.akershus.no/a.png", "img/@src"),
                                                    ("http://www.akershus.no/bg.png",
                                                     "*/@background")]


def test_a_page_that_may_nest_too_deep_gives_the_same_links_from_the_linear_parser() -> None:
    """Past MAX_DEPTH nested elements the page is read from libxml2's tree: the same links."""
    padding = "<div>" * (MAX_DEPTH + 1) + "</div>" * (MAX_DEPTH + 1)
    assert not too_deep(HTML) and too_deep(HTML + padding)
    padded = HTML.replace("</body>", padding + "</body>")
    assert html_outlinks(BASE, padded) == html_outlinks(BASE, HTML)
    assert html_outlinks(BASE, XHTML + padding) == html_outlinks(BASE, XHTML)


def test_deep_nesting_is_read_in_linear_time() -> None:
    """100 000 nested divs (1.1 MB; Lexbor took 18 s): read by libxml2, to its depth limit.

    libxml2 stops at 2 048 open elements ("Excessive depth"): a link that deep is
    not found, as it was not before; browsers flatten such trees (Chromium at 512).
    """
    page = ("<body>" + "<div>" * 1000 + "<a href='/midt'>x</a>" + "<div>" * 99_000
            + "<a href='/bunn'>x</a>" + "</div>" * 100_000)
    assert [o.url for o in html_outlinks("http://www.akershus.no/", page)] == [
        "http://www.akershus.no/midt"]


def test_css_outlinks() -> None:
    css = "@import 'print.css'; .a{background:url(../img/x.png)} .b{background:url(data:image/png;base64,AA)}"
    urls = [o.url for o in css_outlinks("http://www.akershus.no/static/css/a.css", css)]
    assert urls == ["http://www.akershus.no/static/css/print.css",
                    "http://www.akershus.no/static/img/x.png"]


def test_absolute_with_its_shared_cache_is_urljoin() -> None:
    """Absolute paths and URLs share cache entries across pages; the result must still be
    exactly what urljoin gives against each page's own URL."""
    from urllib.parse import urljoin, urlsplit

    from crawler.links import absolute

    bases = ["http://www.akershus.no/a/b/?x=1", "https://www.akershus.no/a/",
             "http://www.akershus.no:8080/a/b/c.html", "http://user@www.akershus.no/"]
    hrefs = ["/", "/x/../y/", "//static.akershus.no/s.css", "http://www.viken.no/#top",
             "?n_po=2", "c/d/", "../e", "mailto:post@akershus.no", "javascript:void(0)",
             " /med mellomrom/ ", "#top", "HTTP://WWW.AKERSHUS.NO/Stor/", "/x?y=1#z"]
    for _ in range(2):  # the second round is served from the cache
        for base in bases:
            for href in hrefs:
                joined = urljoin(base, href.strip()).split("#", 1)[0]
                want = joined if urlsplit(joined).scheme in ("http", "https") and \
                    href.strip() and not href.strip().startswith("#") else None
                assert absolute(base, href) == want, (base, href)


def test_a_big_shallow_page_is_read_as_a_browser_reads_it() -> None:
    """20 000 paragraphs are many tags but no depth: Lexbor reads them (archive/nesting.py).

    ``<image>`` is a tell: the HTML parser makes it an ``<img>``, libxml2 does not.
    """
    page = ("<body>" + "<p>Tekst <a href='/side'>lenke</a>" * 20_000
            + "<image src='/bilde.png'></body>")
    assert len(page) < LEXBOR_MAX_CHARS and page.count("<") > CHECK_TAGS
    assert [o.url for o in html_outlinks("http://www.akershus.no/", page)] == [
        "http://www.akershus.no/bilde.png", "http://www.akershus.no/side"]


def test_a_page_that_may_nest_too_deep_is_read_by_libxml2() -> None:
    """MAX_DEPTH + 1 nested divs, under LEXBOR_MAX_CHARS: libxml2's tree, which has no <image>."""
    page = ("<body><a href='/topp'>x</a><image src='/bilde.png'>"
            + "<div>" * (MAX_DEPTH + 1) + "</div>" * (MAX_DEPTH + 1) + "</body>")
    assert len(page) < LEXBOR_MAX_CHARS and too_deep(page)
    assert [o.url for o in html_outlinks("http://www.akershus.no/", page)] == [
        "http://www.akershus.no/topp"]
