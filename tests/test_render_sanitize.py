"""The original view made inert: nothing may run or phone home."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from archive.decoding import decode_html
from render.css import rewrite_css
from render.sanitize import CSP, inert_svg, make_inert

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
    assert doc.get_element_by_id("mail").get("href") == "mailto:post@example.org"
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["local/static_a.css"]


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
