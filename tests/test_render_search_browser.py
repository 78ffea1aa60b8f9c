"""The search page in headless Chromium, from file://, over a real render of the replica.

ASCII spellings, compounds, paging, snippets with marks, type and year filters,
and ranking, as a reader uses them: typing in the form, pressing Enter,
following the pager's links. No sleeps: every wait is for ``body[data-search-done]``.
Needs the ``playwright`` Python package and Debian's ``chromium`` at /usr/bin/chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api
from test_render_browser import replica_site  # noqa: F401 - a fixture

from render.search_index import terms


@pytest.fixture(scope="module")
def site(replica_site: Path) -> Path:  # noqa: F811 - the fixture it builds on
    """The replica's offline archive, built once (tests/test_render_browser.py)."""
    return replica_site






def search(pg: Any, site: Path, query: str, type_: str = "", year: str = "") -> None:
    """Open the search page, fill the form as a reader does and press Enter."""
    pg.goto((site / "search.html").as_uri())
    pg.locator("#q").fill(query)
    if type_:
        pg.get_by_label("Type").select_option(type_)
    if year:
        pg.get_by_label("År").select_option(year)
    pg.locator("#q").press("Enter")
    pg.wait_for_selector("body[data-search-done]")


def results(pg: Any) -> list[dict[str, Any]]:
    return pg.eval_on_selector_all("#search-results li", """(lis) => lis.map((li) => ({
        title: li.querySelector("a").textContent, href: li.querySelector("a").href,
        kind: li.dataset.kind, meta: li.querySelector(".meta").textContent,
        snippet: li.querySelector(".snippet") ? li.querySelector(".snippet").innerHTML : "",
        marks: Array.from(li.querySelectorAll("mark")).map((m) => m.textContent)}))""")


@pytest.mark.parametrize(("typed", "written"), [
    ("lorenskog", "Lørenskog"), ("raelingen", "Rælingen"), ("opplaering", "opplæring"),
    ("Loerenskog", "Lørenskog"),
])
def test_ascii_spellings_find_the_norwegian_words(site: Path, page, typed: str,
                                                  written: str) -> None:
    pg, watch = page
    search(pg, site, typed)
    found = results(pg)
    assert found, pg.locator("#search-status").text_content()
    # the word as written is what is marked, in the first result's title or passage
    assert any(written.lower() in m.lower() for m in found[0]["marks"]), found[0]
    assert any(written in r["title"] for r in found)
    sync_api.expect(pg.locator("#search-status")).to_contain_text(f"treff på «{typed}»")
    watch.assert_clean()


def test_strategi_finds_regional_planstrategi(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "strategi")
    found = results(pg)
    plan = [r for r in found if r["title"] == "Regional planstrategi 2017-2020"]
    assert plan, [r["title"] for r in found]
    assert "planstrategi" in plan[0]["marks"]  # the compound is marked where it matched
    assert "strategi" not in terms("Regional planstrategi 2017-2020")  # found by its part
    watch.assert_clean()


def test_paging_beyond_the_first_page(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "opplaering")
    status = pg.locator("#search-status").text_content()
    total = int(status.split(" ", 1)[0])
    assert total > 20 and "viser 1–20" in status
    first = results(pg)
    assert len(first) == 20
    pager = pg.get_by_role("navigation", name="Sider med treff / Result pages")
    sync_api.expect(pager).to_contain_text("Side 1 av 2")
    assert pager.locator("a[rel=prev]").count() == 0
    pager.locator("a[rel=next]").focus()
    pg.keyboard.press("Enter")  # the pager works from the keyboard
    pg.wait_for_url("**/search.html?*p=2*")
    pg.wait_for_selector("body[data-search-done]")
    second = results(pg)
    assert len(second) == total - 20
    assert not {r["href"] for r in first} & {r["href"] for r in second}
    assert pg.locator("#search-results").get_attribute("start") == "21"
    assert pg.locator("#q").input_value() == "opplaering"
    sync_api.expect(pg.locator("#search-status")).to_contain_text(f"viser 21–{total}")
    sync_api.expect(pager.locator("a[rel=prev]")).to_have_count(1)
    assert pager.locator("a[rel=next]").count() == 0
    watch.assert_clean()


def test_snippet_is_the_passage_around_the_match_with_marks(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "raelingen")
    found = {r["title"]: r for r in results(pg)}
    centre = found["Pressesenter"]
    # the lead of the press centre does not name Rælingen: the passage later in it does
    assert centre["snippet"].startswith("… ")
    assert "<mark>Rælingen</mark>" in centre["snippet"]
    assert "Rælingen" not in centre["snippet"].split("<mark>")[0]
    assert len(centre["snippet"]) < 400
    watch.assert_clean()


def test_type_filter_shows_only_that_type(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "strategi")
    every = int(pg.locator("#search-status").text_content().split(" ", 1)[0])
    search(pg, site, "strategi", type_="press")
    assert "type=press" in pg.url
    found = results(pg)
    status = pg.locator("#search-status").text_content()
    assert 0 < int(status.split(" ", 1)[0]) < every
    assert found and {r["kind"] for r in found} == {"n"}
    assert all("Pressemelding" in r["meta"] for r in found)
    assert pg.get_by_label("Type").input_value() == "press"  # the choice is kept
    search(pg, site, "strategi", type_="strategy")
    assert {r["kind"] for r in results(pg)} == {"s"}
    watch.assert_clean()


def test_year_filter_shows_only_that_year(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "opplaering")
    every = int(pg.locator("#search-status").text_content().split(" ", 1)[0])
    years = pg.locator("#search-year option").evaluate_all("(os) => os.map((o) => o.value)")
    assert "2014" in years and "2019" in years
    all_dates = {r["meta"][-11:-1] for r in results(pg)}
    assert any(not d.startswith("2014") for d in all_dates)
    search(pg, site, "opplaering", year="2014")
    found = results(pg)
    assert found and {r["meta"][-11:-7] for r in found} == {"2014"}
    assert int(pg.locator("#search-status").text_content().split(" ", 1)[0]) < every
    assert pg.get_by_label("År").input_value() == "2014"
    watch.assert_clean()


def test_empty_filter_result_is_announced(site: Path, page) -> None:
    pg, watch = page
    pg.goto((site / "search.html").as_uri() + "?q=lorenskog&type=strategy&year=2014")
    pg.wait_for_selector("body[data-search-done]")
    assert results(pg) == []
    status = pg.get_by_role("status")
    sync_api.expect(status).to_contain_text("Ingen treff")
    sync_api.expect(status).to_have_attribute("aria-live", "polite")
    watch.assert_clean()


def test_strategy_ranked_above_press_releases_that_name_it(site: Path, page) -> None:
    pg, watch = page
    search(pg, site, "klima")
    found = results(pg)
    kinds = [r["kind"] for r in found]
    assert found[0]["kind"] == "s" and found[0]["title"].startswith("Klimastrategi")
    # press releases with klima in their titles come after the strategy
    press = [i for i, r in enumerate(found) if r["kind"] == "n"
             and "klima" in r["title"].lower()]
    assert press and min(press) > kinds.index("s")
    search(pg, site, "regional planstrategi")
    assert results(pg)[0]["title"] == "Regional planstrategi 2017-2020"
    watch.assert_clean()


def test_queries_and_pages_are_shown_in_place_and_back_returns(site: Path, page) -> None:
    """No page load for a new query or page: the address changes (history), Back goes back."""
    pg, watch = page
    search(pg, site, "lorenskog")
    pg.evaluate("() => { window.__samePage = true; }")  # gone if the page were loaded again
    first = results(pg)
    pg.locator("#q").fill("opplaering")
    pg.locator("#q").press("Enter")
    pg.wait_for_selector("body[data-search-done]")
    assert "q=opplaering" in pg.url and pg.evaluate("() => window.__samePage === true")
    assert results(pg) != first
    pager = pg.get_by_role("navigation", name="Sider med treff / Result pages")
    pager.locator("a[rel=next]").click()
    pg.wait_for_url("**/search.html?*p=2*")
    pg.wait_for_selector("body[data-search-done]")
    assert pg.evaluate("() => window.__samePage === true")
    # focus moves from the link that went with the old pager to the new count
    assert pg.evaluate("() => document.activeElement.id") == "search-status"
    pg.go_back()
    pg.wait_for_url("**/search.html?q=opplaering")
    pg.wait_for_selector("body[data-search-done]")
    pg.evaluate("() => document.body.removeAttribute('data-search-done')")
    pg.go_back()
    pg.wait_for_url("**/search.html?q=lorenskog")
    pg.wait_for_selector("body[data-search-done]")  # set again once Back's results are shown
    assert results(pg) == first and pg.locator("#q").input_value() == "lorenskog"
    assert pg.evaluate("() => window.__samePage === true")
    watch.assert_clean()
