"""The original view made inert: nothing may run or phone home."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from selectolax.lexbor import LexborHTMLParser
from test_render_support import Exchange, page_for, parse, resolve_href, write_warc

from archive.decoding import decode_html
from archive.extract import run_extract
from render.build import run_render
from render.css import rewrite_css
from render.sanitize import CSP, inert_check, inert_svg, make_inert

PAGE = "http://www.akershus.no/a/b/"
BANNER = '<section data-archive-banner=""><p>Arkivert</p></section>'


def rewrite(ref: str, want: str) -> str | None:
    """A stand-in link map: the old site is archived, the rest is outside."""
    from urllib.parse import urljoin

    url = urljoin(PAGE, ref.strip())
    if url.startswith("http://www.akershus.no/"):
        return "local/" + url.split("/", 3)[3].replace("/", "_") + ("#f" if "#" in ref else "")
    if want == "link" and url.startswith(("http://", "https://", "mailto:")):
        return url
    return None


def inert(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(make_inert(html, PAGE, rewrite, BANNER))


def all_attrs(doc: lxml.html.HtmlElement) -> list[tuple[str, str, str]]:
    return [(el.tag, k, v) for el in doc.iter() if isinstance(el.tag, str)
            for k, v in el.attrib.items()]


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<body onload="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="http://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="http://evil.example/x.swf"></object><embed src="x.swf">',
    '<form action="http://evil.example/"><button formaction="http://evil.example/">x</button></form>',
    '<meta http-equiv="refresh" content="0;url=http://evil.example/">',
    '<meta http-equiv="Set-Cookie" content="a=b">',
    '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)"><rect/></a></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/></svg>',
    '<svg onload="alert(1)"><foreignObject><iframe src="http://evil.example/"></iframe></foreignObject></svg>',
    '<a href="/x" ping="http://evil.example/ping">x</a>',
    '<link rel="prefetch" href="http://evil.example/p"><link rel="dns-prefetch" href="//evil.example">',
    '<link rel="import" href="http://evil.example/i.html"><link rel="manifest" href="/m.json">',
    '<base href="http://evil.example/">',
    '<img src="http://evil.example/pixel.gif" srcset="http://evil.example/a.png 1x, /ok.png 2x">',
    '<div style="background:url(http://evil.example/s.gif)">x</div>',
    '<style>@import url(http://evil.example/x.css); body{background:url("http://evil.example/b.png")}</style>',
    '<style>@import "http://evil.example/y.css";</style>',
    '<div style="background:url(\'\\6a avascript:alert(1)\')">x</div>',
    '<!--[if IE]><script>alert(1)</script><![endif]-->',
    '<noscript><img src="http://evil.example/noscript.gif"></noscript>',
    '<video poster="http://evil.example/p.jpg" src="http://evil.example/v.mp4"></video>',
    '<table background="http://evil.example/t.gif"><tr><td>x</td></tr></table>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<portal src="http://evil.example/"></portal><template><script>alert(1)</script></template>',
]


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_can_run_or_fetch_from_the_web(html: str) -> None:
    doc = inert(f"<html><head></head><body>{html}<p>keep</p></body></html>")
    tags = {el.tag for el in doc.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "iframe", "object", "embed", "form", "base", "noscript",
                       "portal", "template", "animate", "set", "foreignobject"}
    for tag, name, value in all_attrs(doc):
        low = value.strip().lower().replace("\t", "")
        assert not name.lower().startswith("on"), (tag, name)
        assert name.lower() not in ("srcdoc", "formaction", "action", "ping"), (tag, name)
        assert not low.startswith(("javascript:", "vbscript:", "data:text")), (tag, name, value)
        if tag == "meta":
            assert name != "http-equiv" or value == "Content-Security-Policy"
        if name.lower() in ("src", "srcset", "poster", "background", "xlink:href") or (
                tag == "link" and name == "href"):
            assert "evil.example" not in value, (tag, name, value)
        if name == "style":
            assert "evil.example" not in value and "javascript" not in low
    for style in doc.iter("style"):
        assert "evil.example" not in (style.text or "")
    assert doc.xpath("//p[text()='keep']")


def test_csp_comes_first_and_banner_is_injected_first_in_body() -> None:
    doc = inert("<html><head><title>t</title><script>x()</script></head><body><p>x</p></body></html>")
    head = doc.find("head")
    assert head[0].tag == "meta" and head[0].get("charset") == "utf-8"
    assert head[1].get("http-equiv") == "Content-Security-Policy"
    assert head[1].get("content") == CSP
    assert "script-src 'none'" in CSP and "default-src 'none'" in CSP
    assert doc.find("body")[0].get("data-archive-banner") == ""


def test_links_rewritten_into_the_archive_and_out_links_marked() -> None:
    doc = inert('<body><a id="in" href="../c/">in</a><a id="frag" href="#top">top</a>'
                '<a id="out" href="https://www.regjeringen.no/">out</a>'
                '<a id="mail" href="mailto:post@example.org">m</a>'
                '<link rel="stylesheet" href="/static/a.css"></body>')
    assert doc.get_element_by_id("in").get("href") == "local/a_c_"
    assert doc.get_element_by_id("frag").get("href") == "#top"
    out = doc.get_element_by_id("out")
    assert out.get("href") == "https://www.regjeringen.no/"
    assert out.get("data-leaves-archive") == "" and "noreferrer" in out.get("rel")
    assert doc.get_element_by_id("mail").get("href") is None  # contact links never live
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["local/static_a.css"]


@pytest.mark.parametrize("href", ["mailto:ola.nordmann@afk.no", "MAILTO:ola.nordmann@afk.no",
                                  " tel:+4722055000", "sms:+4791377026", "callto:ola.n",
                                  "mailto:ola.nordmann@afk.no?subject=Hei"])
def test_contact_links_lose_their_href_and_are_marked(href: str) -> None:
    doc = inert(f'<body><p>Skriv til <a id="c" href="{href}" title="t">Ola</a>.</p>'
                f'<map><area id="ar" href="{href}" alt="x"></map>'
                f'<svg><a id="s" href="{href}"><text>s</text></a></svg></body>')
    assert not [a for a in all_attrs(doc) if a[1].endswith("href")
                and a[2].strip().lower().startswith(("mailto", "tel", "sms", "callto"))]
    link = doc.get_element_by_id("c")
    assert link.get("href") is None and link.text == "Ola"
    marker = link.getnext()
    assert marker is not None and marker.get("class") == "akarkiv-contact"
    address = href.strip().split(":", 1)[1].split("?", 1)[0]
    assert address in marker.text_content()  # the link text was not the address: shown
    assert "kan nå en person i dag" in marker.text_content()
    assert "it may reach someone today" in marker.text_content()
    assert doc.get_element_by_id("ar").get("href") is None


def test_contact_marker_does_not_repeat_an_address_the_link_shows() -> None:
    doc = inert('<body><p id="p">E-post: <a href="mailto:post@afk.no">post@afk.no</a></p></body>')
    text = doc.get_element_by_id("p").text_content()
    assert text.count("post@afk.no") == 1
    assert "e-postadresse fra den arkiverte siden" in text
    tel = inert('<body><p id="p"><a href="tel:22055000">Ring oss</a></p></body>').get_element_by_id("p")
    assert "22055000" in tel.text_content() and "telefonnummer" in tel.text_content()


def test_a_page_cannot_spoof_a_contact_marker_into_a_link() -> None:
    doc = inert('<body><span class="akarkiv-contact"><a href="mailto:x@y.no">x</a></span></body>')
    assert not doc.xpath("//a[@href]")


def test_base_href_is_applied_then_removed() -> None:
    doc = inert('<head><base href="http://www.akershus.no/other/"></head>'
                '<body><a id="x" href="page/">p</a></body>')
    assert doc.find(".//base") is None
    assert doc.get_element_by_id("x").get("href") == "local/other_page_"


def test_text_and_layout_kept() -> None:
    doc = inert('<body><h1 class="t">Tittel</h1><ul><li>Samferdsel og miljø</li></ul>'
                '<img src="/img/a.png" alt="A" srcset="/img/a.png 1x, /img/b.png 2x"></body>')
    assert doc.findtext(".//h1") == "Tittel" and doc.find(".//h1").get("class") == "t"
    assert doc.findtext(".//li") == "Samferdsel og miljø"
    img = doc.find(".//img")
    assert img.get("src") == "local/img_a.png"
    assert img.get("srcset") == "local/img_a.png 1x, local/img_b.png 2x"


def test_decoding_trusts_record_then_meta() -> None:
    latin = "<meta charset='iso-8859-1'><p>Blåbær</p>".encode("iso-8859-1")
    assert "Blåbær" in decode_html(latin, None).text
    assert "Blåbær" in decode_html(latin, "text/html; charset=iso-8859-1").text
    assert "Blåbær" in decode_html("<p>Blåbær</p>".encode(), "text/html; charset=utf-8").text


def test_css_urls_resolved_or_emptied() -> None:
    css = ('@import url("a.css"); @import "http://evil.example/b.css";\n'
           "a{background:url(img.png)} b{background:url('http://evil.example/x.png')}"
           " c{fill:url(#grad)} d{background:url(\\6a avascript:alert(1))}")
    out = rewrite_css(css, lambda ref: "L-" + ref if not ref.startswith(("http", "j")) else None)
    assert "@import url(L-a.css);" in out and "evil.example" not in out
    assert "url(L-img.png)" in out and "url(#grad)" in out
    # the unquoted url holding "(" is a bad-url token: dropped, as a browser drops it
    assert "javascript" not in out and out.count("url(data:,)") == 1


def test_svg_files_lose_scripts_handlers_and_outside_references() -> None:
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
           b'xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
           b'<script>alert(1)</script><a xlink:href="javascript:alert(1)"><rect/></a>'
           b'<image href="http://evil.example/i.png"/><use href="#shape"/>'
           b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
           b'<set attributeName="href" to="javascript:alert(1)"/>'
           b'<style>rect{fill:url(http://evil.example/f)}</style></svg>')
    root = etree.fromstring(inert_svg(svg))
    names = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert not names & {"script", "foreignObject", "set"}
    text = etree.tostring(root).decode()
    assert "evil.example" not in text and "javascript" not in text and "onload" not in text
    assert root.find("{http://www.w3.org/2000/svg}use").get("href") == "#shape"
    assert inert_svg(b"not svg <<<") == b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert b"ENTITY" not in inert_svg(
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>')


def test_attribute_names_that_read_as_namespaces_are_dropped_not_fatal() -> None:
    page = ('<html><body><p {x}y="1" {a}onclick="x()" onclick="y()" class="c">hi</p>'
            '<a href="javascript:x()" {q}r="1">z</a></body></html>')
    out = make_inert(page, "http://www.akershus.no/", lambda ref, want: ref, "", "")
    body = lxml.html.document_fromstring(out).find("body")
    p, a = body.find("p"), body.find("a")
    assert dict(p.attrib) == {"class": "c"} and p.text == "hi"
    assert "href" not in a.attrib and a.text == "z"


# --- the tree the browser builds: foreign content, mutation XSS, round trip -----


MXSS = [
    # text inside foreign <style> is markup to the browser, text to libxml2
    '<svg><style><img src=x onerror="top.__pwned=1"></style></svg>',
    '<math><style><img src=x onerror="top.__pwned=1"></style></math>',
    '<math><mtext><table><mglyph><style><img src=x onerror="top.__pwned=1">',
    '<svg></p><style><a id="</style><img src=1 onerror=top.__pwned=1>">',
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror=top.__pwned=1>',
    '<noscript><p title="</noscript><img src=x onerror=top.__pwned=1>">',
    '<svg><foreignObject><iframe src="data:text/html,x"></iframe></foreignObject></svg>',
    '<math><annotation-xml encoding="text/html"><img src=x onerror=top.__pwned=1>',
    ('<svg xmlns:h="http://www.w3.org/1999/xhtml"><h:frame src="data:text/html,<script>1'
    '</script>"/><h:meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/"/></svg>'),
    '<svg><desc><img src=x onerror=top.__pwned=1></desc><title><b>t</b></title></svg>',
    '<xmp><img src=x onerror=top.__pwned=1></xmp>',
    '<noembed><img src=x onerror=top.__pwned=1></noembed>',
    '<noframes><img src=x onerror=top.__pwned=1></noframes>',
    '<textarea></textarea><img src=x onerror=top.__pwned=1></textarea>',
    '<title></title><img src=x onerror=top.__pwned=1></title>',
    '<!--><img src=x onerror=top.__pwned=1>-->',
    '<![CDATA[<img src=x onerror=top.__pwned=1>]]>',
    '<template><img src=x onerror=top.__pwned=1></template>',
    ('<svg><a><foreignobject><a><table><a></table><style><!--</style></svg><a id="-><img src '
    'onerror=top.__pwned=1>">.'),
    ('<style>a{background:url("\\3c /style\\3e <meta http-equiv=refresh '
    'content=0;url=//127.0.0.1:9/>")}</style>'),
    '<style>@import "\\3c /style\\3e <img src=x onerror=top.__pwned=1>";</style>',
    '<div style="background:u\\72 l(http://127.0.0.1:9/x)">x</div>',
    '<div style="background:image-set(&quot;http://127.0.0.1:9/a.png&quot; 1x)">x</div>',
    '<p style="width:expression(top.__pwned=1);behavior:url(x.htc)">x</p>',
    '<table><td><p><a href="javascript:top.__pwned=1">x</a></table>',
    '<a href="&#106;avascript:top.__pwned=1">x</a><a href="java&#x0A;script:1">y</a>',
    '<img srcset="http://127.0.0.1:9/a.png 1x, javascript:1 2x">',
    '<input type="image" src="http://127.0.0.1:9/i.png"><isindex action="http://127.0.0.1:9/">',
    ('<svg><animate attributeName="href" values="javascript:top.__pwned=1"/><set '
    'attributeName="onmouseover" to="top.__pwned=1"/><use href="data:image/svg+xml,x"/></svg>'),
    ('<a xlink:href="javascript:top.__pwned=1">x</a><svg><a xlink:href="javascript:1"><text>t'
    '</text></a></svg>'),
]


def _tags_and_attrs(html: str) -> list[tuple[str, dict[str, str | None]]]:
    tree = LexborHTMLParser(html)
    return [(n.tag or "", n.attributes) for n in tree.root.traverse()]


@pytest.mark.parametrize("html", MXSS)
def test_mutation_families_come_out_inert_and_parse_back_the_same(html: str) -> None:
    view = make_inert(f"<!DOCTYPE html><html><body>{html}<p>keep</p></body></html>", PAGE,
                      rewrite, "")
    assert inert_check(view) == view  # the browser's tree of it is the tree written
    for tag, attrs in _tags_and_attrs(view):
        assert tag not in ("script", "iframe", "frame", "object", "embed", "form", "template",
                           "noscript", "math", "foreignObject", "xmp", "noembed", "noframes"), tag
        for name, value in attrs.items():
            low = (value or "").lower()
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript" not in low and "127.0.0.1" not in low, (tag, name, value)
            if tag == "meta":
                assert name != "http-equiv" or value == "Content-Security-Policy"
    for style in LexborHTMLParser(view).css("style"):
        assert "</" not in style.text() and style.parent.tag == "head" or \
            style.parent.tag == "body"
    assert "keep" in view  # parsed with scripting on, as the browser does: <noscript> is text


def test_style_in_html_is_kept_and_cannot_close_itself() -> None:
    view = make_inert('<style>a{content:"</style><img src=x onerror=1>"}</style><p>p</p>', PAGE,
                      rewrite, "")
    tree = LexborHTMLParser(view)
    # the style ends at the first </style>, as in a browser: the <img> is an element
    assert [n.text() for n in tree.css("style")] == ['a{content:"']
    assert tree.css_first("img").attributes == {"src": "local/a_b_x"}
    assert inert_check(view) == view
    view = make_inert(r'<style>a{content:"\3c /style\3e <img src=x onerror=1>"}</style>', PAGE,
                      rewrite, "")
    tree = LexborHTMLParser(view)
    assert tree.css("img") == [] and "<\\/style>" in tree.css_first("style").text()


def test_the_pages_doctype_is_kept_so_the_browser_uses_the_same_mode() -> None:
    quirks = make_inert("<p>x<table><tr><td>y</td></tr></table>", PAGE, rewrite, "")
    assert quirks.startswith("<html>")  # no doctype: quirks mode, where a table stays in <p>
    assert inert_check(quirks) == quirks
    strict = make_inert('<?xml version="1.0"?><!-- c --><!DOCTYPE html PUBLIC '
                        '"-//W3C//DTD XHTML 1.0 Strict//EN" '
                        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><p>x', PAGE,
                        rewrite, "")
    assert strict.startswith('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n')
    odd = make_inert("<!DOCTYPE html <script>><p>x", PAGE, rewrite, "")
    assert odd.startswith("<!DOCTYPE html>\n")


def test_a_form_becomes_a_box_that_cannot_submit() -> None:
    view = make_inert('<form id="s" class="quicksearch" action="http://127.0.0.1:9/" '
                      'onsubmit="x()"><input name="q"><button formaction="//127.0.0.1:9/">'
                      'Søk</button></form>', PAGE, rewrite, "")
    tree = LexborHTMLParser(view)
    box = tree.css_first("#s")
    assert box.tag == "div" and box.attributes == {"id": "s", "class": "quicksearch"}
    assert tree.css("form") == [] and tree.css_first("button").attributes == {}
    assert tree.css_first("input").attributes == {"name": "q"}


def test_pre_keeps_its_leading_newline_through_the_round_trip() -> None:
    view = make_inert("<pre>\n\nline</pre><textarea>\n\nt</textarea>", PAGE, rewrite, "")
    assert LexborHTMLParser(view).css_first("pre").text() == "\nline"
    assert inert_check(view) == view


_PIECES = st.sampled_from([
    "<p>", "</p>", "<svg>", "</svg>", "<math>", "<mtext>", "<mglyph>", "<style>", "</style>",
    "<table>", "<td>", "<tr>", "</table>", "<form>", "</form>", "<noscript>", "</noscript>",
    "<template>", "</template>", "<a href='/x'>", "</a>", "<img src=x onerror=1>", "<b>", "</b>",
    "<select>", "<option>", "<textarea>", "</textarea>", "<title>", "</title>", "<!--", "-->",
    "<xmp>", "</xmp>", "<foreignObject>", "<desc>", "<annotation-xml encoding=text/html>",
    "<pre>\n", "<li>", "<ul>", "<div style='background:url(/y.png)'>", "</div>", "text",
    "&lt;img src=x onerror=1&gt;", "<iframe>", "</iframe>", "<object>", "<br>", "<h1>",
    "<foo onclick=1>", "</foo>", "<x-kort autofocus onfocus=1>", "<keygen onfocus=1>",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=24))
def test_any_soup_of_tags_parses_back_to_the_tree_written(pieces: list[str]) -> None:
    view = make_inert("".join(pieces), PAGE, rewrite, "")
    assert inert_check(view) == view
    for tag, attrs in _tags_and_attrs(view):
        assert tag not in ("script", "iframe", "object", "form", "template", "noscript",
                           "math", "xmp", "foreignObject")
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)


def test_inline_svg_keeps_drawing_and_loses_the_rest() -> None:
    view = make_inert('<svg viewBox="0 0 10 10" onload="x()"><defs><linearGradient id="g">'
                      '<stop offset="0" stop-color="red"/></linearGradient></defs>'
                      '<rect width="10" height="10" fill="url(#g)" '
                      'style="stroke:url(http://127.0.0.1:9/s)"/><use href="#g"/>'
                      '<use href="http://127.0.0.1:9/u.svg#x"/><image href="/img/a.png"/>'
                      '<script>1</script><style>rect{fill:red}</style></svg>', PAGE, rewrite, "")
    tree = LexborHTMLParser(view)
    svg = tree.css_first("svg")
    assert svg.attributes == {"viewBox": "0 0 10 10"}
    tags = [n.tag for n in svg.traverse()]
    assert tags == ["svg", "defs", "linearGradient", "stop", "rect", "use", "use", "image"]
    assert tree.css_first("rect").attributes["fill"] == "url(#g)"
    assert "127.0.0.1" not in view and tree.css_first("image").attributes == {
        "href": "local/img_a.png"}
    assert [u.attributes for u in tree.css("use")] == [{"href": "#g"}, {}]


def test_svg_files_keep_no_xhtml_smuggled_in() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
           b'<h:frame src="data:text/html,&lt;script&gt;top.x=1&lt;/script&gt;"/>'
           b'<h:meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/"/>'
           b'<h:img src="http://127.0.0.1:9/i.png"/><h:style>@import url(x.css)</h:style>'
           b'<rect width="1" height="1" style="fill:u\\72 l(http://127.0.0.1:9/f)"/>'
           b'<rect fill="image-set(&quot;http://127.0.0.1:9/a.png&quot; 1x)"/>'
           b'<feImage href="http://127.0.0.1:9/fe.png"/><title>T</title></svg>')
    out = inert_svg(svg)
    root = etree.fromstring(out)
    assert {etree.QName(el).namespace for el in root.iter()} == {"http://www.w3.org/2000/svg"}
    assert b"127.0.0.1" not in out and b"xhtml" not in out and b"data:text" not in out
    assert [etree.QName(el).localname for el in root.iter()] == ["svg", "rect", "rect", "title"]
    assert inert_svg(b'<html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>') \
        == b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def test_a_link_to_an_svg_file_opens_a_page_that_shows_it_as_a_picture(tmp_path: Path) -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="top.__pwned=1"><script>1</script>'
           b'<rect width="4" height="4"/></svg>')
    page = (b'<!DOCTYPE html><html lang="nb"><head><title>Kart</title></head><body><main>'
            b'<h1>Kart</h1><p><a id="svg" href="/kart.svg">Kartet</a>'
            b'<img id="pic" src="/kart.svg" alt="Kart"></p></main></body></html>')
    url = "http://www.akershus.no/kart/"
    write_warc(tmp_path / "warc" / "a.warc.gz", [
        Exchange(url, "2019-06-20T08:15:32Z", page),
        Exchange("http://www.akershus.no/kart.svg", "2019-06-20T08:15:33Z", svg,
                 "image/svg+xml")])
    run_extract(tmp_path)
    assert run_render(tmp_path).ok
    site = tmp_path / "site"
    orig = page_for(site, url, view="original")
    doc = parse(orig)
    link = resolve_href(orig, doc.get_element_by_id("svg").get("href"))
    pic = resolve_href(orig, doc.get_element_by_id("pic").get("src"))
    assert link.name.endswith(".svg.html") and pic.suffix == ".svg"
    assert link.parent == pic.parent and link.name == pic.name + ".html"
    shown = parse(link)
    img = shown.find(".//main//img")
    assert resolve_href(link, img.get("src")) == pic  # the file, through <img> only
    assert shown.find(".//object") is None and shown.find(".//iframe") is None
    assert b"script" not in pic.read_bytes() and b"onload" not in pic.read_bytes()


def test_a_page_nested_too_deep_gets_no_original_view_and_a_big_shallow_one_does() -> None:
    """100 000 nested divs took Lexbor 18 s a parse: refused at once; 20 000 paragraphs are fine."""
    from archive.nesting import MAX_DEPTH, too_deep
    from render.sanitize import make_inert

    deep = "<body>" + "<div>" * (MAX_DEPTH + 1) + "x" + "<span></span>" * 5000
    assert too_deep(deep)
    with pytest.raises(ValueError, match="nested more than"):
        make_inert(deep, "http://www.akershus.no/", lambda ref, want: ref, "")
    # unclosed <p>, <li> and <font> close themselves: not depth, however many
    shallow = "<body><ul>" + "<li><p>Tekst <font>med <b>skrift</b>" * 20_000 + "</ul>"
    assert not too_deep(shallow)
    assert "Tekst" in make_inert(shallow, "http://www.akershus.no/", lambda ref, want: ref, "")
