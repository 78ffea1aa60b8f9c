"""Property tests: arbitrary and malformed HTML never makes the parser raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.decoding import decode_html
from archive.figures import find_figures
from archive.page import read_page
from archive.strategy import detect_strategy

TAGS = ["p", "div", "ul", "ol", "li", "h1", "h2", "h3", "table", "tr", "td", "th", "a",
        "blockquote", "main", "article", "nav", "form", "script", "br", "img", "figure",
        "span", "b", "dl", "dt", "dd", "header", "footer"]
ATTRS = ['', ' class="ingress"', ' class="viken-notice"', ' id="innhold"',
         ' class="contact-block"', ' href="/x.pdf"', ' href="%3F/"', ' src="a.png"',
         ' class="main-content"', ' class="report-content"', ' href="javascript:x"',
         ' href="http://[::1"']


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(
        st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS)),
        st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
        st.text(max_size=30),
        st.sampled_from(["<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#xD800;", "<?xml ?>",
                         "2014-2018", "570 000 innbyggere", "Hovedmål:", "<h2>Prioriteringer",
                         "\x00", "\ud800"]),
    ), max_size=60))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup())
def test_structured_soup_never_raises(html: str) -> None:
    page = read_page(html, "http://www.akershus.no/a%3F/b/")
    detect_strategy(page.title, page.sections, page.template)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    page = read_page(text, "http://www.akershus.no/")
    assert isinstance(page.text, str)
    find_figures(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.one_of(st.none(), st.text(max_size=40)))
def test_any_bytes_decode(body: bytes, content_type: str | None) -> None:
    decoded = decode_html(body, content_type)
    read_page(decoded.text, "http://www.akershus.no/")
