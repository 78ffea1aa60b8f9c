"""HTML to sections: content in order, typed blocks, chrome never in sections."""

from __future__ import annotations

import json

from fixtures_archive import CHROME_STRINGS, legacy_page, report_page
from fixtures_archive_pages import (
    CONTACT_BODY,
    REPORT_BODY,
    SEED_INGRESS,
    SEED_URL,
    SITE,
    seed_html,
)

from archive.model import to_jsonable
from archive.page import read_page


def sections_json(page) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(to_jsonable(page.sections), ensure_ascii=False)


def test_seed_sections_in_document_order() -> None:
    page = read_page(seed_html(), SEED_URL)
    assert page.title == "Internasjonal strategi"
    assert page.template == "article" and page.matched
    assert [s.heading for s in page.sections] == [
        "Internasjonal strategi",
        "Internasjonal strategi 2014-2018",
        "Overordnet målsetting for det internasjonale arbeidet",
        "Tematiske prioriteringer",
    ]
    first = page.sections[0].blocks
    assert first[0].type == "paragraph" and first[0].ingress and first[0].text == SEED_INGRESS
    assert [b.type for b in first] == ["paragraph"] * 5 + ["list"]
    assert len(first[-1].items) == 3
    assert page.description == SEED_INGRESS


def test_chrome_never_in_sections() -> None:
    pages = [
        read_page(seed_html(), SEED_URL),
        read_page(seed_html(notice=False, older=True), SEED_URL),
        read_page(legacy_page("Tannhelse", CONTACT_BODY), SITE + "/tannhelse/"),
        read_page(report_page("Årsrapport 2015", REPORT_BODY, "Lead."), SITE + "/r/"),
    ]
    for page in pages:
        text = sections_json(page) + page.text
        for chrome in CHROME_STRINGS:
            assert chrome not in text, (chrome, page.title)
        assert "Publisert:" not in text


def test_notice_is_detected_not_content() -> None:
    page = read_page(seed_html(), SEED_URL)
    assert page.notice_text and page.notice_text.startswith("Akershus fylkeskommune er fra 01.01.2020")
    assert read_page(seed_html(notice=False), SEED_URL).notice_text is None


def test_notice_found_by_wording_outside_the_template() -> None:
    html = ("<html><body><div><p>Akershus fylkeskommune er fra 01.01.2020 en del av Viken "
            "fylkeskommune. Disse nettsidene oppdateres ikke.</p></div><main><h1>T</h1>"
            "<p>Innhold.</p></main></body></html>")
    page = read_page(html, SITE + "/x/")
    assert page.template == "generic" and not page.matched
    assert page.notice_text is not None
    assert "Viken" not in page.text


def test_contact_table_quote_blocks() -> None:
    page = read_page(legacy_page("Tannhelse", CONTACT_BODY), SITE + "/tannhelse/")
    blocks = [b for s in page.sections for b in s.blocks]
    table = next(b for b in blocks if b.type == "table")
    assert table.header and table.rows == [["Alder", "Pris"], ["0-18", "Gratis"]]
    quote = next(b for b in blocks if b.type == "quote")
    assert quote.text == "Gode tenner hele livet." and quote.cite == "Tannhelsesjefen"
    contact = next(b for b in blocks if b.type == "contact")
    assert contact.name == "Kari Nordmann" and contact.title == "Fylkestannlege"
    assert contact.email == "kari.nordmann@akershus.no" and contact.phone == "22 05 50 00"
    assert page.sections[-1].heading == "Kontakt"


def test_links_absolute_with_percent_encoding_kept() -> None:
    html = legacy_page("T", '<p><a href="internasjonal-strategi/">Strategi</a> '
                       '<a href="https://eu.example.org/x">EU</a> '
                       '<a href="/filer/plan.PDF">Planen</a> <a href="mailto:a@b.no">Post</a></p>')
    base = SITE + "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
    page = read_page(html, base)
    urls = {link.url: link for link in page.links}
    assert base + "internasjonal-strategi/" in urls
    assert urls[base + "internasjonal-strategi/"].internal
    assert not urls["https://eu.example.org/x"].internal
    assert page.documents == [(SITE + "/filer/plan.PDF", "Planen", "pdf")]
    assert all(not u.startswith("mailto:") for u in urls)


def test_annual_report_template() -> None:
    page = read_page(report_page("Årsrapport 2015", REPORT_BODY, "Året i korte trekk."),
                     SITE + "/rapporter/arsrapport/2015/")
    assert page.template == "annual-report"
    assert page.description == "Året i korte trekk."
    assert [s.heading for s in page.sections] == ["Årsrapport 2015", "Økonomi"]


def test_press_release_date_and_template() -> None:
    html = legacy_page("Pressemelding", '<p class="news-date"><time datetime="2019-05-14">'
                       "14.05.2019</time></p><p>Tekst.</p>", body_class="page-news", meta="")
    page = read_page(html, SITE + "/p/")
    assert page.template == "news" and page.published == "2019-05-14"
    assert "14.05.2019" not in page.text


def test_language_from_lang_attribute_and_from_words() -> None:
    assert read_page(legacy_page("T", "<p>x</p>", lang="nb-NO"), SITE).language == "nb"
    assert read_page(legacy_page("T", "<p>x</p>", lang="en-GB"), SITE).language == "en"
    assert read_page(legacy_page("T", "<p>x</p>", lang="no"), SITE).language == "nb"
    english = "<html><body><p>The county and the state will work for the people.</p></body></html>"
    assert read_page(english, SITE).language == "en"
    nynorsk = "<html><body><p>Eg veit ikkje kva det er, men det skal vere bra.</p></body></html>"
    assert read_page(nynorsk, SITE).language == "nn"


def test_loose_text_and_nested_lists_are_kept() -> None:
    html = ("<html><body><main><h1>T</h1><div>Løs tekst <b>fet</b> her.<br>Ny linje</div>"
            "<ul><li>En<ul><li>En-a</li></ul></li><li>To</li></ul></main></body></html>")
    page = read_page(html, SITE)
    blocks = page.sections[0].blocks
    assert blocks[0].text == "Løs tekst fet her. Ny linje"
    assert blocks[1].items == ["En", "En-a", "To"]


def test_empty_and_broken_input_give_empty_pages() -> None:
    for html in ("", "   ", "<", "<html>", "\x00\x01", "<?xml version='1.0' encoding='utf-8'?><p>x"):
        page = read_page(html, SITE)
        assert isinstance(page.sections, list)
