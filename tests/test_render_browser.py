"""The archive in headless Chromium, opened from file:// as a reader would.

Needs the ``playwright`` Python package and Debian's ``chromium`` at
/usr/bin/chromium (no browser download). The site is built from captures of the
replica's pages, extracted by the real extractor and rendered;
the hostile test archive checks that nothing from an archived page runs.
No sleeps: every wait is Playwright waiting for a condition.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Watch
from playwright import sync_api
from test_render_support import SEED_HTTPS, Exchange, make_archive, page_for, write_warc

from render.build import run_render
from render.search_index import terms
from replica.inventory import build_inventory
from replica.site import Site

SEED_PATH = "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/"



def capture_replica(archive: Path, era: str = "2020") -> None:
    """Every URL the replica answers with 200 or a redirect, written to a WARC.

    Responses come straight from the replica's router (no socket, no crawler),
    so these tests depend on the replica's pages, not on the crawl's state.
    """
    site = Site(era)
    date = {"2019": "2019-06-20T08:15:32Z", "2020": "2020-09-14T10:42:07Z"}[era]
    exchanges = []
    for entry in build_inventory(site):
        if entry.kind not in ("page", "news", "listing", "requisite", "document", "redirect"):
            continue
        resp = site.respond("GET", entry.target, entry.host)
        ctype = dict(resp.headers).get("Content-Type", entry.content_type or "text/html")
        extra = [(k, v) for k, v in resp.headers if k == "Location"]
        exchanges.append(Exchange(entry.url, date, resp.body, ctype,
                                  status=f"{resp.status} {'OK' if resp.status == 200 else 'Moved'}",
                                  headers=extra))
    write_warc(archive / "warc" / f"replica-{era}.warc.gz", exchanges)


@pytest.fixture(scope="module")
def replica_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from archive import extract
    archive = tmp_path_factory.mktemp("replica-archive")
    capture_replica(archive)
    extract.run_extract(archive)
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive / "site"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = make_archive(tmp_path_factory.mktemp("hostile"))
    assert run_render(archive).ok
    return archive / "site"








def test_navigate_the_tree_to_the_seed_page(replica_site: Path, page) -> None:
    pg, watch = page
    pg.goto((replica_site / "index.html").as_uri())
    pg.get_by_role("link", name="Bla i nettstedets struktur").click()
    pg.get_by_role("link", name="ansvarsomrader", exact=True).click()
    pg.locator(".tree").get_by_role("link", name="Internasjonal strategi", exact=True).click()
    sync_api.expect(pg.locator("h1")).to_have_text("Internasjonal strategi")
    assert pg.url.startswith("file://")
    assert pg.locator("link[rel=original]").get_attribute("href").endswith(SEED_PATH)
    assert pg.locator("html").get_attribute("lang") == "nb"
    watch.assert_clean()


def test_banner_visible_with_a_working_link_to_viken(replica_site: Path, browser) -> None:
    context = browser.new_context()
    pg = context.new_page()
    watch = Watch(pg)
    seed = next(p for p in replica_site.glob("pages/**/internasjonal-strategi/~/*-http.html"))
    # The successor is answered here, never fetched: no host but 127.0.0.1 is contacted.
    context.route("https://www.viken.no/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Viken stand-in</title>"))
    pg.goto(seed.as_uri())
    banner = pg.locator("[data-archive-banner]")
    sync_api.expect(banner).to_be_visible()
    sync_api.expect(banner).to_contain_text("Arkivert side")
    sync_api.expect(banner).to_contain_text("archived copy")
    link = banner.locator("a.successor").first
    assert link.get_attribute("href") == "https://www.viken.no/"
    box = link.bounding_box()
    assert box and box["width"] > 0 and box["y"] < 400  # near the top, not hidden
    link.click()
    pg.wait_for_url("https://www.viken.no/")
    assert pg.title() == "Viken stand-in"
    assert watch.errors == []
    assert watch.outside == ["https://www.viken.no/"]  # the click, answered by the route
    context.close()


def test_search_finds_the_seed_page(replica_site: Path, page) -> None:
    pg, watch = page
    pg.goto((replica_site / "index.html").as_uri())
    pg.get_by_role("link", name="Søk i fulltekst").click()
    pg.locator("#q").fill("Tematiske prioriteringer")
    pg.locator("#q").press("Enter")
    pg.wait_for_selector("body[data-search-done]")
    # the seed page and the strategy document it links (which has the words too)
    results = pg.locator("#search-results li a")
    sync_api.expect(results.filter(has_text="Internasjonal strategi 2014-2018").first).to_be_visible()
    seed = results.get_by_text("Internasjonal strategi", exact=True)
    sync_api.expect(seed).to_have_count(1)
    seed.click()
    sync_api.expect(pg.locator("h1")).to_have_text("Internasjonal strategi")
    assert pg.locator("link[rel=original]").get_attribute("href").endswith(SEED_PATH)
    watch.assert_clean()


def test_search_analyser_in_the_browser_equals_the_indexer(replica_site: Path, page) -> None:
    pg, watch = page
    pg.goto((replica_site / "search.html").as_uri())
    texts = ["Tematiske prioriteringer", "Nærings- og samfunnsutvikling", "ÆØÅ ærlig ØST",
             "Crème brûlée Göteborg Ärø", "A\u030angstrøm", "fylkeskommunens skulane 2014-2018",
             "Lørenskog lorenskog Loerenskog Rælingen raelingen opplæring OPPLAERING",
             "på så nå å Ås Bærum planstrategien planane skoene"]
    got = pg.evaluate("(texts) => texts.map((t) => window.archiveSearch.terms(t))", texts)
    assert got == [list(terms(t)) for t in texts]
    assert got[6][:3] == ["lorenskog"] * 3 and got[6][3:5] == ["raeling"] * 2  # ASCII folding
    watch.assert_clean()


def test_original_view_has_its_css_and_no_script_runs(replica_site: Path, page) -> None:
    pg, watch = page
    seed = next(p for p in replica_site.glob("pages/**/internasjonal-strategi/~/*-http.html"))
    pg.goto(seed.as_uri())
    pg.locator("aside.provenance").get_by_role("link", name="Opprinnelig visning").click()
    pg.wait_for_url("**/*.orig.html")
    notice = pg.locator(".viken-notice")
    sync_api.expect(notice).to_have_css("background-color", "rgb(251, 233, 169)")
    sync_api.expect(pg.locator("[data-archive-banner]")).to_be_visible()
    # The archived akershus.js labels PDF links when it runs; it must not have run.
    assert pg.locator("[aria-label$='(PDF-dokument)']").count() == 0
    assert pg.locator("script").count() == 0
    watch.assert_clean()


def test_hostile_page_runs_nothing_and_fetches_nothing(hostile_site: Path, page) -> None:
    pg, watch = page
    orig = page_for(hostile_site, SEED_HTTPS, view="original")
    pg.goto(orig.as_uri())
    pg.wait_for_load_state("load")
    assert pg.evaluate("() => window.__pwned") is None
    for link in ("#js-link", "#js-link2"):
        pg.locator(link).click()
    pg.locator("#handler").click()
    assert pg.evaluate("() => window.__pwned") is None
    sync_api.expect(pg.locator("body")).to_have_css("background-color", "rgb(1, 2, 3)")
    assert pg.evaluate("() => document.querySelector('img.logo-img').naturalWidth") == 1
    watch.assert_clean()


def test_everything_but_search_works_without_javascript(replica_site: Path, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    watch = Watch(pg)
    pg.goto((replica_site / "index.html").as_uri())
    pg.get_by_role("link", name="Titler A–Å").first.click()
    pg.get_by_role("link", name="I", exact=True).click()
    pg.get_by_role("link", name="Internasjonal strategi", exact=True).click()
    sync_api.expect(pg.locator("h1")).to_have_text("Internasjonal strategi")
    sync_api.expect(pg.locator("aside.provenance")).to_contain_text("WARC")
    pg.goto((replica_site / "search.html").as_uri())
    sync_api.expect(pg.locator("noscript a").first).to_have_attribute("href", "browse/a-z.html")
    watch.assert_clean()
    context.close()


def test_keyboard_skip_link_reaches_main(replica_site: Path, page) -> None:
    pg, watch = page
    pg.goto((replica_site / "index.html").as_uri())
    pg.keyboard.press("Tab")
    skip = pg.locator("a.skip-link")
    sync_api.expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # shown when focused
    pg.keyboard.press("Enter")
    sync_api.expect(pg.locator("#main")).to_be_focused()
    watch.assert_clean()


def test_print_keeps_banner_and_provenance(replica_site: Path, page) -> None:
    pg, watch = page
    seed = next(p for p in replica_site.glob("pages/**/internasjonal-strategi/~/*-http.html"))
    pg.goto(seed.as_uri())
    pg.emulate_media(media="print")
    sync_api.expect(pg.locator("[data-archive-banner]")).to_be_visible()
    sync_api.expect(pg.locator("aside.provenance")).to_be_visible()
    sync_api.expect(pg.locator(".site-nav")).to_be_hidden()
    watch.assert_clean()
