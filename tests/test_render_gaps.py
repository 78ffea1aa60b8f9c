"""Gaps and notices: contact addresses never live, "not archived" pages that say why,
notices that tell the facts (one source), and captures from a local copy marked.

Most checks read a demo archive (the crawl of the bundled replica on loopback,
through ``--connect-to``), built once per module; the reader's view is checked
in headless Chromium (/usr/bin/chromium, never a downloaded browser).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from archive import notices, succession
from archive.model import Successor
from render import gaps

TEMPLATES = Path(__file__).parents[1] / "render" / "templates"
CONTACT_HREF = re.compile(r"^\s*(mailto|tel|sms|callto):", re.IGNORECASE)
# The demo replica's known gaps (crawler/scope.py, replica robots.txt, replica 404).
NOT_FOUND = "http://www.akershus.no/politikk/mote-og-saksdokumenter/arkiv-2011-2015/"
ROBOTS = "http://www.akershus.no/intranett/"
TRAP = "http://www.akershus.no/arrangementer/kalender/?dato=2019-09-22"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gaps") / "demo"
    cli = Path(sys.executable).parent / "akershus-archive"
    done = subprocess.run([str(cli), "demo", "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "site"


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def doc(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def missing_page(site: Path, url: str) -> Path:
    for path in sorted((site / "missing").glob("*.html")):
        if url in doc(path).xpath("//main//code[@class='url']/text()"):
            return path
    raise AssertionError(f"no not-archived page for {url}")


# -- contact addresses ------------------------------------------------------------

def test_no_contact_link_is_live_in_any_page_of_either_view(demo: Path) -> None:
    live = []
    reading = original = 0
    for path in html_files(demo):
        d = doc(path)
        live += [(path.name, v) for v in d.xpath("//@href | //@*[local-name()='href']")
                 if CONTACT_HREF.match(v)]
        body = path.read_text(encoding="utf-8")
        if path.name.endswith(".orig.html"):
            original += "akarkiv-contact" in body
        else:
            reading += "contact-marker" in body
    assert live == []
    assert reading > 0 and original > 0  # the demo pages do carry addresses: all marked


def test_contact_addresses_stay_visible_as_text_with_the_marker(demo: Path) -> None:
    pages = [p for p in html_files(demo / "pages")
             if not p.name.endswith(".orig.html") and "contact-address" in p.read_text("utf-8")]
    assert pages
    d = doc(pages[0])
    shown = d.xpath("//span[@class='contact-address']")
    assert shown and all(s.text and s.text.strip() for s in shown)
    for s in shown:
        marker = s.getnext()
        assert marker is not None and "contact-marker" in marker.get("class")
        want = notices.texts()[s.get("data-contact")]
        assert want["nb"] in text(marker) and want["en"] in text(marker)
    orig = Path(str(pages[0]).replace("-http.html", "-http.orig.html"))
    marked = doc(orig).xpath("//span[@class='akarkiv-contact']")
    assert marked and all("kan nå en person i dag" in text(m) for m in marked)


# -- not archived: why, and who links there ---------------------------------------

def reasons_and_referrers(path: Path) -> tuple[list[lxml.html.HtmlElement], list[Any]]:
    d = doc(path)
    return d.xpath("//ul[@class='gap-reasons']/li"), d.xpath("//ul[@class='gap-referrers']/li")


def assert_referrers_link_reading_views(path: Path, items: list[Any]) -> None:
    assert items
    for li in items:
        href = li.xpath(".//a/@href")
        assert href, text(li)
        assert (path.parent / href[0]).resolve().is_file()
        assert not href[0].endswith(".orig.html")


def test_not_archived_404_says_the_status_and_lists_linking_pages(demo: Path) -> None:
    page = missing_page(demo, NOT_FOUND)
    reasons, referrers = reasons_and_referrers(page)
    assert [r.get("data-reason") for r in reasons] == ["status"]
    assert "HTTP-status 404" in text(reasons[0]) and "HTTP status 404" in text(reasons[0])
    assert_referrers_link_reading_views(page, referrers)
    assert "mote-og-saksdokumenter" in text(referrers[0])


def test_not_archived_robots_says_robots_txt(demo: Path) -> None:
    page = missing_page(demo, ROBOTS)
    reasons, referrers = reasons_and_referrers(page)
    assert [r.get("data-reason") for r in reasons] == ["robots"]
    assert "robots.txt" in text(reasons[0])
    assert_referrers_link_reading_views(page, referrers)


def test_not_archived_trap_says_the_rule(demo: Path) -> None:
    page = missing_page(demo, TRAP)
    reasons, referrers = reasons_and_referrers(page)
    assert [r.get("data-reason") for r in reasons] == ["trap"]
    assert "query_hops" in text(reasons[0]) and "SCOPE_MAX_QUERY_HOPS = 20" in text(reasons[0])
    assert "feleregelen" in text(reasons[0]) and "trap rule" in text(reasons[0])
    assert_referrers_link_reading_views(page, referrers)
    assert "?dato=2019-09-21" in text(referrers[0])  # the calendar day that linked on


def test_every_not_archived_page_gives_a_reason(demo: Path) -> None:
    pages = sorted((demo / "missing").glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        reasons, _ = reasons_and_referrers(page)
        assert reasons and all(r.get("data-reason") != "unknown" for r in reasons), page


def facts_with(skipped: dict[str, list[str]], **settings: Any) -> gaps.CrawlFacts:
    facts = gaps.CrawlFacts(settings=dict(settings))
    for reason, urls in skipped.items():
        for url in urls:
            facts.skipped.setdefault(gaps.url_key(url), []).append(reason)
    return facts


def test_reasons_for_limit_error_scope_and_unknown() -> None:
    facts = facts_with({"limit:max_pages": ["http://www.akershus.no/a/"],
                        "error:TimeoutError": ["http://www.akershus.no/b/"],
                        "excluded": ["http://www.akershus.no/c/"]}, SCOPE_MAX_PAGES=500)
    hosts = {"www.akershus.no"}

    def codes(url: str) -> list[tuple[str, str]]:
        return [(r["code"], r["nb"] + " " + r["en"])
                for r in gaps.reasons_for(url, facts, [], hosts, None)]

    [(code, words)] = codes("http://www.akershus.no/a/")
    assert code == "limit" and "SCOPE_MAX_PAGES = 500" in words
    [(code, words)] = codes("http://www.akershus.no/b/")
    assert code == "error" and "TimeoutError" in words and "network error" in words
    [(code, words)] = codes("http://www.akershus.no/c/")
    assert code == "scope" and "SCOPE_EXCLUDE" in words
    [(code, words)] = codes("http://aarsrapport2013.akershus-fk.no/")
    assert code == "scope" and "aarsrapport2013.akershus-fk.no" in words
    assert codes("http://www.akershus.no/d/")[0][0] == "unknown"


def test_archived_robots_txt_explains_a_url_the_report_left_out() -> None:
    robots = gaps.RobotsCheck(lambda url: "User-agent: *\nDisallow: /intranett/\n"
                              if url == "http://www.akershus.no/robots.txt" else None, "bot")
    found = gaps.reasons_for("http://www.akershus.no/intranett/x/", gaps.CrawlFacts(), [],
                             {"www.akershus.no"}, robots)
    assert [r["code"] for r in found] == ["robots"]
    assert gaps.reasons_for("http://www.akershus.no/open/", gaps.CrawlFacts(), [],
                            {"www.akershus.no"}, robots)[0]["code"] == "unknown"


def test_report_examples_of_a_harvest_and_their_cap_are_read(tmp_path: Path) -> None:
    (tmp_path / "crawl-report.json").write_text(
        '{"skipped": {"robots": 80}, "skipped_examples": '
        '{"robots": ["20190102030405 http://www.akershus.no/sok/"]}}', encoding="utf-8")
    facts = gaps.CrawlFacts.load(tmp_path)
    assert facts.skipped == {gaps.url_key("http://www.akershus.no/sok/"): ["robots"]}
    assert facts.limited == {"robots"}


# -- local copy ---------------------------------------------------------------------

def test_demo_captures_say_they_came_from_a_local_copy(demo: Path) -> None:
    pages = [p for p in html_files(demo / "pages") if re.search(r"\d{14}-https?\.html$", p.name)]
    assert pages
    for path in pages[:40]:
        note = doc(path).xpath("//aside[@class='provenance']//dd[@data-local-copy]")
        assert note, path
        words = text(note[0])
        assert notices.texts()["local_copy"]["nb"] in words
        assert "Captured from a local copy, not the live site" in words
        assert "127.0.0.1" in words


def test_capture_source_loopback_private_connect_to_and_live() -> None:
    facts = gaps.CrawlFacts(connect_to={"a.warc.gz": ["www.akershus.no:443:10.0.0.5:8443"]})
    assert gaps.capture_source(facts, "127.0.0.1", "b.warc.gz", "http://www.akershus.no/")["local"]
    assert gaps.capture_source(facts, "::1", None, "http://www.akershus.no/")["local"]
    assert gaps.capture_source(facts, "192.168.1.4", None, "http://www.akershus.no/")["local"]
    via = gaps.capture_source(facts, None, "a.warc.gz", "https://www.akershus.no/x/")
    assert via["local"] and "WIRE_CONNECT_TO" in via["how"]
    live = gaps.capture_source(facts, "185.14.186.44", "b.warc.gz", "http://www.akershus.no/")
    assert not live["local"]
    other_host = gaps.capture_source(facts, "185.14.186.44", "a.warc.gz", "http://static.akershus.no/")
    assert not other_host["local"]


# -- notices: true, in both languages, from one source ------------------------------

# How a template would spell a fact itself: a date in words, a successor, the owner.
FACTS_IN_TEMPLATES = re.compile(
    r"\d{1,2}\.? (januar|January|desember|December) (19|20)\d\d|Viken|viken\.no|afk\.no"
    r"|tilhører|belongs to|oppdateres ikke|ikke lenger oppdatert|no longer updated"
    r"|stopped being updated|gjenopprett|re-established", re.IGNORECASE)


def test_no_template_hard_codes_the_facts() -> None:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        body = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        found += [(path.name, m.group(0)) for m in FACTS_IN_TEMPLATES.finditer(body)]
    assert found == []
    assert FACTS_IN_TEMPLATES.search("før Viken 1. januar 2020")  # the check can fail


def test_notices_follow_the_succession_chain() -> None:
    t = notices.texts()
    assert "1. januar 2020" in t["stopped"]["nb"] and "1 January 2020" in t["stopped"]["en"]
    assert "Viken fylkeskommune" in t["stopped"]["nb"]
    for lang in ("nb", "en"):
        assert "akershus.no" in t["owner"][lang] and "afk.no" in t["owner"][lang]
        assert "ikke lenger" not in t["owner"][lang] and "no longer belongs" not in t["owner"][lang]
    assert "gjenopprettede Akershus fylkeskommune" in t["owner"]["nb"]
    assert "re-established Akershus fylkeskommune" in t["owner"]["en"]
    other = (Successor("A", "https://a.example/", None, "2009-12-31", ""),
             Successor("B", "https://b.example/", "2010-01-01", "2015-12-31", ""),
             Successor("C", "https://c.example/", "2016-01-01", None, ""))
    f = notices.facts(other)
    assert (f.merged.name, f.merged.start, f.current.name) == ("B", "2010-01-01", "C")
    assert notices.facts().current.site == succession.CHAIN[-1].site


def banner_text(d: lxml.html.HtmlElement, lang: str) -> str:
    section = d.xpath("//section[@data-archive-banner]")[0]
    paras = section.xpath("./div/p[@lang='en']" if lang == "en" else
                          "./div/p[not(@lang) and not(@class='banner-title')]")
    return " ".join(text(p) for p in paras)


def test_page_and_original_banners_say_when_updates_stopped_and_who_owns_the_domain(
        demo: Path) -> None:
    page = next(p for p in html_files(demo / "pages") if p.name.endswith("-http.html"))
    for path in (page, Path(str(page).replace("-http.html", "-http.orig.html"))):
        d = doc(path)
        nb, en = banner_text(d, "nb"), banner_text(d, "en")
        assert "ikke lenger oppdatert fra 1. januar 2020" in nb, path
        assert "stopped being updated on 1 January 2020" in en, path
        assert "Domenet akershus.no tilhører nå den gjenopprettede Akershus fylkeskommune" in nb
        assert "The domain akershus.no now belongs to the re-established Akershus" in en
        assert "no longer belongs" not in en and "tilhører ikke lenger" not in nb


def test_provenance_and_front_page_tell_the_same_facts(demo: Path) -> None:
    page = next(p for p in html_files(demo / "pages") if p.name.endswith("-http.html"))
    prov = text(doc(page).xpath("//aside[@class='provenance']")[0])
    assert notices.texts()["as_text"]["nb"] in prov and notices.texts()["as_text"]["en"] in prov
    assert "no longer belongs" not in prov
    home = doc(demo / "index.html")
    items = home.xpath("//ol[@class='succession']/li")
    assert len(items) == 3
    for li in items:  # each note in both languages, the English one marked as English
        en = li.xpath(".//span[@lang='en']")
        assert en and text(en[-1]).startswith("/ ")
        assert text(li).split(". ", 1)[1].split(" / ")[0] not in text(en[-1])
    assert "oppløst 1. januar 2024" in text(items[1])
    notice = text(home.xpath("//section[@data-site-notice]")[0])
    assert "1. januar 2020" in notice and "1 January 2020" in notice
    assert "gjenopprettede Akershus fylkeskommune" in notice


# -- what a reader sees ---------------------------------------------------------------



def test_reader_sees_addresses_as_marked_text_in_both_views(demo: Path, browser: Any) -> None:
    page_file = next(p for p in html_files(demo / "pages") if p.name.endswith("-http.html")
                     and "contact-address" in p.read_text("utf-8"))
    tab = browser.new_page()
    try:
        for path, marker in ((page_file, ".contact-marker"),
                             (Path(str(page_file).replace(".html", ".orig.html")),
                              ".akarkiv-contact")):
            tab.goto(path.as_uri())
            assert tab.locator("a[href^='mailto:' i], a[href^='tel:' i]").count() == 0
            seen = tab.locator(marker).first
            assert seen.is_visible()
            assert "kan nå en person i dag" in seen.inner_text()
        tab.goto(page_file.as_uri())
        address = tab.locator(".contact-address").first
        before = tab.url
        address.click()
        assert tab.url == before  # text, not a link: nothing opens
    finally:
        tab.close()


def test_reader_sees_why_a_page_is_missing_and_can_go_to_a_linking_page(
        demo: Path, browser: Any) -> None:
    tab = browser.new_page()
    try:
        tab.goto(missing_page(demo, NOT_FOUND).as_uri())
        why = tab.locator("ul.gap-reasons li").first
        assert why.is_visible() and "404" in why.inner_text()
        link = tab.locator("ul.gap-referrers a").first
        link.click()
        tab.wait_for_url(re.compile(r"mote-og-saksdokumenter/~/\d{14}-http\.html$"))
        assert tab.locator("h1").first.is_visible()
        banner = tab.locator("section[data-archive-banner]").inner_text()
        assert "1. januar 2020" in banner and "1 January 2020" in banner
    finally:
        tab.close()
