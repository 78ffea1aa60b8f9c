"""The reading archive as a reader sees it, in headless Chromium (round 2, items 8-11).

Phone layout (390 x 844: no view scrolls sideways), the keyboard (the archive's skip link
first, focus visible), the strategies table (its columns, its CSV and JSON downloads,
figures as the text says them), in-text links, breadcrumbs, captures in time (previous,
next, timeline, "what changed") and axe-core's WCAG 2.1 AA check of every view.

Needs Debian's chromium at /usr/bin/chromium (no browser download) and axe-core from
npm in ``.npm-interop/axe-core`` (``make .npm-interop/axe-core/axe.min.js``; ``make
test`` fetches it). No sleeps: every wait is Playwright waiting for a condition.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api
from test_render_browser import capture_replica
from test_render_support import (
    CHAIN,
    Exchange,
    page_html,
    para,
    record,
    write_warc,
)

from render.build import run_render

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".npm-interop" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

WWW = "www.akershus.no"
TOPIC = f"http://{WWW}/ansvarsomrader/samferdsel/"
BUS = f"http://{WWW}/ansvarsomrader/samferdsel/buss/"
GONE = f"http://{WWW}/ansvarsomrader/samferdsel/ferje/"
DATES = ["2017-03-01T09:00:00Z", "2018-05-02T10:00:00Z", "2019-07-03T11:00:00Z"]
TEXTS = ["Bussene går hver time fra Lillestrøm.",
         "Bussene går hver halvtime fra Lillestrøm.",
         "Bussene går hvert kvarter fra Lillestrøm og Jessheim."]


# -- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The replica's pages captured, extracted by the real extractor and rendered."""
    from archive import extract
    archive = tmp_path_factory.mktemp("reader-demo")
    capture_replica(archive)
    extract.run_extract(archive)
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive / "site"


def make_multi_archive(root: Path) -> Path:
    """A page captured three times with changed text, and the page above it once."""
    exchanges = [Exchange(TOPIC, DATES[0], page_html("Samferdsel", "<p>Om samferdsel.</p>"))]
    exchanges += [Exchange(BUS, d, page_html("Buss", f"<p>{t}</p>")) for d, t in zip(DATES, TEXTS, strict=True)]
    where = write_warc(root / "warc" / "multi-00001.warc.gz", exchanges)
    links = [{"url": TOPIC, "text": "samferdsel", "internal": True},
             {"url": GONE, "text": "ferja", "internal": True}]
    records = [record(TOPIC, DATES[0], "Samferdsel", [{"heading": None, "level": 1, "blocks": [
        para("Om samferdsel i fylket.")]}], provenance=where[(TOPIC, DATES[0])])]
    for d, t in zip(DATES, TEXTS, strict=True):
        records.append(record(BUS, d, "Buss", [{"heading": "Rutetider", "level": 2, "blocks": [
            para(t), para("Les mer om samferdsel, og om ferja, som ikke går lenger.")]}],
            links=links, provenance=where[(BUS, d)]))
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    assert records[1]["succession"] == CHAIN
    return root


@pytest.fixture(scope="module")
def multi_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = make_multi_archive(tmp_path_factory.mktemp("multi"))
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive / "site"




@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def captures_of(site: Path, url: str) -> list[dict[str, Any]]:
    """The manifest's captures of ``url``, oldest first."""
    pages = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["pages"]
    return sorted((p for p in pages if p["url"] == url), key=lambda p: p["captured_at"])


def seed_page(site: Path) -> Path:
    return next(site.glob("pages/**/internasjonal-strategi/~/*-http.html"))


def views(site: Path) -> dict[str, Path]:
    """One of every kind of view of the demo site."""
    seed = seed_page(site)
    found = {
        "front": site / "index.html", "reading": seed,
        "original": seed.with_name(seed.name[:-5] + ".orig.html"),
        "document": next(site.glob("documents/**/*.html")),
        "strategies": site / "browse/strategies.html", "search": site / "search.html",
        "not archived": next(site.glob("missing/**/*.html")),
        "captures": seed.parent / "index.html", "a-z": site / "browse/a-z.html",
        "a-z letter": next(site.glob("browse/a-z/*.html")),
        "documents": site / "browse/documents.html", "browse": site / "browse/index.html",
        "tree": next(site.glob("browse/tree/**/*.html")), "press": site / "browse/press.html",
        "data": site / "data.html",
    }
    for name, path in found.items():
        assert path.is_file(), (name, path)
    return found


def scroll_width(pg: Any) -> tuple[int, int]:
    return tuple(pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


# -- 8. phone layout -----------------------------------------------------------

def test_no_view_scrolls_sideways_on_a_phone(demo_site: Path, phone) -> None:
    """Every kind of view, and every seventh HTML file of the site, at 390 px."""
    files = sorted(demo_site.rglob("*.html"))
    checked = {*views(demo_site).values(), *files[::7]}
    wide = []
    for path in sorted(checked):
        phone.goto(path.as_uri())
        sw, iw = scroll_width(phone)
        if sw > iw:
            wide.append((str(path.relative_to(demo_site)), sw))
    assert len(checked) > 100
    assert wide == []


def test_multi_capture_views_fit_a_phone(multi_site: Path, phone) -> None:
    caps = captures_of(multi_site, BUS)
    for path in (caps[1]["page"], caps[1]["page"][:-5] + ".changes.html",
                 caps[1]["page"].rsplit("/", 1)[0] + "/index.html"):
        phone.goto((multi_site / path).as_uri())
        sw, iw = scroll_width(phone)
        assert sw <= iw, (path, sw)


def test_strategies_table_scrolls_in_its_box_not_the_page(demo_site: Path, phone) -> None:
    phone.goto((demo_site / "browse/strategies.html").as_uri())
    box = phone.locator("[data-table-scroll]")
    table = box.locator("table")
    sync_api.expect(table).to_be_visible()
    sw, iw = scroll_width(phone)
    assert sw <= iw
    bounds = box.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= iw
    assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    # the box is a keyboard stop when it scrolls (a reader without a mouse can scroll it)
    assert box.get_attribute("tabindex") == "0"


def test_banner_and_header_leave_room_for_the_page_on_a_phone(demo_site: Path, phone) -> None:
    phone.goto(seed_page(demo_site).as_uri())
    top = phone.locator("main h1").bounding_box()["y"]
    assert top < PHONE["height"] * 0.8, top


# -- 10. keyboard ------------------------------------------------------------

FOCUS_SHOWN = """e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none', inView: r.top >= 0 && r.bottom <= innerHeight
          && r.left >= 0 && r.right <= innerWidth && r.width > 1 && r.height > 1,
          onTop: hit === e || e.contains(hit)};
}"""


@pytest.mark.parametrize("view", ["reading", "front", "strategies", "document", "not archived",
                                  "captures", "search"])
def test_tab_lands_first_on_the_visible_skip_link(demo_site: Path, phone, view: str) -> None:
    phone.goto(views(demo_site)[view].as_uri())
    phone.keyboard.press("Tab")
    skip = phone.locator("a.skip-link")
    sync_api.expect(skip).to_be_focused()
    shown = skip.evaluate(FOCUS_SHOWN)
    assert shown == {"outline": True, "shadow": True, "inView": True, "onTop": True}, shown
    phone.keyboard.press("Enter")
    sync_api.expect(phone.locator("#main")).to_be_focused()
    phone.keyboard.press("Tab")  # the next stop is inside the content, not the header
    assert phone.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_original_view_skip_link_first_then_the_pages_own_links(demo_site: Path, phone) -> None:
    phone.goto(views(demo_site)["original"].as_uri())
    phone.keyboard.press("Tab")
    skip = phone.locator("a.akarkiv-skip")
    sync_api.expect(skip).to_be_focused()
    shown = skip.evaluate(FOCUS_SHOWN)
    assert shown == {"outline": True, "shadow": True, "inView": True, "onTop": True}, shown
    phone.keyboard.press("Enter")
    sync_api.expect(phone.locator("#akarkiv-content")).to_be_focused()
    # the next stop is the archived page's own skip link: shown, not hidden under the banner
    phone.keyboard.press("Tab")
    focused = phone.locator(":focus")
    assert focused.evaluate("e => !e.closest('.akarkiv-banner')")
    assert focused.evaluate(FOCUS_SHOWN) == {"outline": True, "shadow": True, "inView": True,
                                             "onTop": True}


# -- 9. strategy data, in-text links, breadcrumbs ------------------------------

def test_strategies_table_has_goal_period_document_and_capture_date(demo_site: Path,
                                                                    phone) -> None:
    phone.goto((demo_site / "browse/strategies.html").as_uri())
    heads = phone.locator("table.strategies thead th").all_inner_texts()
    for word in ("Periode", "Overordnet mål", "Lagret", "Dokument"):
        assert any(word in h for h in heads), (word, heads)
    row = phone.locator("table.strategies tbody tr", has_text="Internasjonal strategi 2014")
    sync_api.expect(row).to_have_count(1)
    cells = row.locator("td").all_inner_texts()
    assert "2014–2018" in cells
    assert any("realisere fylkeskommunens målsettinger" in c for c in cells)
    assert any("desember" in c or "20" in c for c in cells[3:4])  # the capture date
    sync_api.expect(row.locator("[data-document-view]")).to_be_visible()


def test_strategies_downloads_exist_and_parse(demo_site: Path, phone) -> None:
    page = demo_site / "browse/strategies.html"
    phone.goto(page.as_uri())
    shown = phone.locator("table.strategies tbody tr").count()
    hrefs = {kind: phone.locator(f"a[data-download={kind}]").get_attribute("href")
             for kind in ("csv", "json")}
    rows = json.loads((page.parent / hrefs["json"]).read_text(encoding="utf-8"))
    table = list(csv.DictReader(io.StringIO((page.parent / hrefs["csv"]).read_text(
        encoding="utf-8"))))
    assert len(rows) == len(table) == shown > 0
    first = next(r for r in rows if r["title"].startswith("Internasjonal strategi"))
    assert (first["period_start"], first["period_end"]) == (2014, 2018)
    assert first["goal"] and first["captured_at"] and first["document_view"]
    assert (demo_site / first["document_view"]).is_file()
    as_csv = next(r for r in table if r["title"] == first["title"])
    assert as_csv["goal"] == first["goal"] and as_csv["period_start"] == "2014"


def test_figures_are_shown_as_the_text_says_them(demo_site: Path, phone) -> None:
    page = next(p for p in sorted(demo_site.glob("pages/**/*-http.html"))
                if "data-approximate" in p.read_text(encoding="utf-8"))
    phone.goto(page.as_uri())
    figures = phone.locator(".strategy-box [data-figure]")
    assert figures.count() > 0
    texts = figures.all_inner_texts()
    assert not any(t.strip().replace(".0", "").isdigit() for t in texts), texts  # no bare number
    approx = phone.locator(".strategy-box [data-figure]:has([data-approximate])")
    assert approx.count() > 0
    sync_api.expect(approx.first).to_contain_text("omtrentlig")


def test_in_text_links_point_into_the_archive_or_say_not_archived(multi_site: Path,
                                                                  phone) -> None:
    caps = captures_of(multi_site, BUS)
    phone.goto((multi_site / caps[0]["page"]).as_uri())
    para_ = phone.locator("main p", has_text="Les mer om")
    inside = para_.locator("[data-in-text=page] a")
    sync_api.expect(inside).to_have_text("samferdsel")
    inside.click()
    sync_api.expect(phone.locator("main h1")).to_have_text("Samferdsel")
    phone.go_back()
    missing = phone.locator("main p", has_text="Les mer om").locator("[data-in-text=missing]")
    sync_api.expect(missing.locator("a.not-archived")).to_have_text("ferja")
    sync_api.expect(missing).to_contain_text("ikke arkivert")


def test_in_text_links_in_the_demo_reading_views(demo_site: Path, phone) -> None:
    hits = [p for p in demo_site.glob("pages/**/*-http.html")
            if "data-in-text=" in p.read_text(encoding="utf-8")]
    assert hits
    phone.goto(hits[0].as_uri())
    link = phone.locator("main p [data-in-text] a").first
    sync_api.expect(link).to_be_visible()
    assert link.get_attribute("href")


def test_breadcrumbs_lead_up_the_old_site(demo_site: Path, phone) -> None:
    phone.goto(seed_page(demo_site).as_uri())
    crumbs = phone.locator("nav[data-breadcrumbs] li")
    texts = crumbs.all_inner_texts()
    assert texts[0].startswith("Arkivets forside")
    assert texts[-1] == "Internasjonal strategi"
    sync_api.expect(crumbs.last).to_have_attribute("aria-current", "page")
    crumbs.nth(len(texts) - 2).locator("a").click()
    sync_api.expect(phone.locator("main h1")).to_have_text("Hvordan jobber vi internasjonalt?")


# -- 11. captures in time ----------------------------------------------------------

def test_previous_next_and_timeline_move_between_captures(multi_site: Path, phone) -> None:
    caps = captures_of(multi_site, BUS)
    assert len(caps) == 3
    phone.goto((multi_site / caps[1]["page"]).as_uri())
    sync_api.expect(phone.locator("main")).to_contain_text(TEXTS[1])
    timeline = phone.locator("[data-timeline] li")
    sync_api.expect(timeline).to_have_count(3)
    sync_api.expect(timeline.nth(1)).to_have_attribute("aria-current", "page")
    phone.locator("a[data-capture-next]").click()
    sync_api.expect(phone.locator("main")).to_contain_text(TEXTS[2])
    sync_api.expect(phone.locator("a[data-capture-next]")).to_have_count(0)
    phone.locator("a[data-capture-previous]").click()
    phone.locator("a[data-capture-previous]").click()
    sync_api.expect(phone.locator("main")).to_contain_text(TEXTS[0])
    sync_api.expect(phone.locator("a[data-capture-previous]")).to_have_count(0)
    phone.locator("[data-timeline] li").nth(2).locator("a").first.click()
    sync_api.expect(phone.locator("main")).to_contain_text(TEXTS[2])
    assert phone.url.endswith(caps[2]["page"])


def test_what_changed_shows_the_changed_words(multi_site: Path, phone) -> None:
    caps = captures_of(multi_site, BUS)
    phone.goto((multi_site / caps[2]["page"]).as_uri())
    phone.locator("[data-capture-nav] a[data-capture-changes]").click()
    sync_api.expect(phone.locator("main h1")).to_contain_text("Hva er endret")
    changed = phone.locator("[data-diff=changed]")
    sync_api.expect(changed).to_have_count(1)
    sync_api.expect(changed.locator("del")).to_contain_text(["hver halvtime"])
    sync_api.expect(changed.locator("ins").first).to_contain_text("hvert kvarter")
    sync_api.expect(changed.locator("ins").last).to_contain_text("Jessheim")
    phone.locator("a[data-older]").click()
    sync_api.expect(phone.locator("main")).to_contain_text(TEXTS[1])
    # the captures list links each capture's changes; the oldest has none
    phone.goto((multi_site / caps[0]["page"].rsplit("/", 1)[0] / "index.html").as_uri())
    sync_api.expect(phone.locator(".captures-list a[data-capture-changes]")).to_have_count(2)


def test_one_capture_has_no_capture_nav_and_no_changes(multi_site: Path, phone) -> None:
    [topic] = captures_of(multi_site, TOPIC)
    phone.goto((multi_site / topic["page"]).as_uri())
    sync_api.expect(phone.locator("main h1")).to_have_text("Samferdsel")
    sync_api.expect(phone.locator("[data-capture-nav]")).to_have_count(0)
    assert not (multi_site / (topic["page"][:-5] + ".changes.html")).exists()


# -- axe-core ------------------------------------------------------------------

def axe_violations(browser: Any, paths: dict[str, Path], viewport: dict[str, int]
                   ) -> dict[str, list[Any]]:
    """axe-core's WCAG 2.1 A/AA violations of each page (CSP bypassed only to inject it)."""
    source = AXE.read_text(encoding="utf-8")
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    pg = context.new_page()
    found = {}
    for name, path in paths.items():
        pg.goto(path.as_uri())
        pg.add_script_tag(content=source)
        result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                             ".then(r => ({passes: r.passes.length, violations: r.violations.map("
                             "v => [v.id, v.nodes.map(n => n.target.join(' '))])}))", AXE_TAGS)
        assert result["passes"] > 0, name  # axe ran and checked something
        if result["violations"]:
            found[name] = result["violations"]
    context.close()
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_wcag21_aa_violation_on_any_view(demo_site: Path, multi_site: Path,
                                                      browser, viewport) -> None:
    assert AXE.is_file(), "run `make .npm-interop/axe-core/axe.min.js` (npm pack axe-core)"
    caps = captures_of(multi_site, BUS)
    paths = dict(views(demo_site))
    paths["multi-capture reading"] = multi_site / caps[1]["page"]
    paths["what changed"] = multi_site / (caps[1]["page"][:-5] + ".changes.html")
    assert axe_violations(browser, paths, viewport) == {}


def test_axe_does_report_a_violation(browser, tmp_path: Path) -> None:
    """The check can fail: a page with an image without alt text and an unlabelled input."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main>'
                   '<img src="x.png"><input type="text"></main></body></html>', encoding="utf-8")
    found = axe_violations(browser, {"bad": bad}, DESKTOP)
    ids = {v[0] for v in found["bad"]}
    assert {"image-alt", "html-has-lang"} <= ids
