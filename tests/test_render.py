"""The rendered site, asserted on its parsed HTML (never on substrings alone)."""

from __future__ import annotations

import json
import os
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from test_render_support import (
    D2019,
    D2020,
    ENGLISH,
    FRONT,
    LISTING,
    NOT_CAPTURED,
    OUTSIDE,
    PARENT,
    PDF,
    PDF_URL,
    PRESS,
    PRIORITIES,
    SEED_HTTP,
    SEED_HTTPS,
    make_archive,
    manifest,
    page_for,
    resolve_href,
    soup,
)

from render.build import RenderError, run_render
from render.linkcheck import check_site
from render.paths import url_key


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    archive = make_archive(tmp_path_factory.mktemp("archive"))
    report = run_render(archive)
    return archive / "site", report


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[0]


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


def test_build_reports_ok(built) -> None:
    site, report = built
    assert report.ok, report.summary()
    assert report.captures == 7 and report.urls == 6
    assert (site / "index.html").is_file()
    assert not (site.parent / "site.partial").exists()
    # the build's scratch database is gone, and never was part of the site
    assert not list(site.parent.glob("site.partial*"))
    assert not [p for p in site.rglob("*") if p.suffix in (".sqlite", ".db")]


def test_each_capture_has_its_own_page_in_its_language(site: Path) -> None:
    old = page_for(site, SEED_HTTP, D2019)
    new = page_for(site, SEED_HTTPS, D2020)
    assert old != new and old.parent == new.parent  # one URL's history, two files
    for path in (old, new):
        assert soup(path).html["lang"] == "nb"
    assert soup(page_for(site, ENGLISH)).html["lang"] == "en"
    assert soup(new).h1.get_text(strip=True) == "Internasjonal strategi"


def test_banner_on_every_archived_page_names_date_and_successors(site: Path) -> None:
    views = [page_for(site, SEED_HTTPS, D2020, v) for v in ("page", "original", "captures")]
    views.append(page_for(site, SEED_HTTP, D2019))
    for path in views:
        banner = soup(path).find(attrs={"data-archive-banner": True})
        assert banner is not None, path
        hrefs = [a["href"] for a in banner.find_all("a", href=True)]
        assert "https://www.viken.no/" in hrefs and "https://afk.no/" in hrefs
        text = " ".join(banner.get_text(" ").split())
        assert "Viken fylkeskommune ble selv oppløst" in text
        assert "was itself dissolved on 1 January 2024" in text
        assert banner["lang"] == "nb"
        assert "en" in {el["lang"] for el in banner.find_all(attrs={"lang": True})}
    times = [t["datetime"] for t in soup(views[0]).find(
        attrs={"data-archive-banner": True}).find_all("time")]
    assert "2020-09-14T10:42:07Z" in times


def test_banner_follows_the_record_chain_not_the_template(tmp_path: Path) -> None:
    archive = make_archive(tmp_path)
    lines = (archive / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        rec = json.loads(line)
        rec["superseded_by"] = "https://www.viken.no/internasjonalt/"
        rec["succession"][2]["name"] = "Testfylket"
        out.append(json.dumps(rec, ensure_ascii=False))
    (archive / "data" / "pages.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    run_render(archive)
    page = soup(page_for(archive / "site", SEED_HTTPS))
    banner = page.find(attrs={"data-archive-banner": True})
    assert "Testfylket" in banner.get_text()
    assert banner.find("a", class_="successor")["href"] == "https://www.viken.no/internasjonalt/"
    assert page.find("link", rel="successor-version")["href"] == \
        "https://www.viken.no/internasjonalt/"


def test_machine_readable_marks_and_json_record(site: Path) -> None:
    path = page_for(site, SEED_HTTPS, D2020)
    page = soup(path)
    assert page.find("link", rel="canonical") is None
    assert page.find("link", rel="successor-version")["href"] == "https://www.viken.no/"
    assert page.find("link", rel="dcterms:isReplacedBy")["href"] == "https://www.viken.no/"
    original = page.find("link", rel="original")
    assert original["href"] == SEED_HTTPS
    assert page.find("meta", attrs={"name": "memento-datetime"})["content"] == \
        "Mon, 14 Sep 2020 10:42:07 GMT"
    record = json.loads(page_for(site, SEED_HTTPS, D2020, "record").read_text("utf-8"))
    assert record["url"] == SEED_HTTPS
    assert record["archive"]["successor_version"] == "https://www.viken.no/"
    assert record["archive"]["dcterms:isReplacedBy"] == "https://www.viken.no/"
    assert record["archive"]["original"] == SEED_HTTPS
    assert [s["name"] for s in record["archive"]["succession"]][1] == "Viken fylkeskommune"


def test_provenance_panel_reads_without_javascript(site: Path) -> None:
    path = page_for(site, SEED_HTTPS, D2020)
    panel = soup(path).find("aside", class_="provenance")
    facts = {" ".join(dt.get_text(" ").split()): " ".join(dt.find_next_sibling("dd")
                                                          .get_text(" ").split())
             for dt in panel.find_all("dt")}
    assert any(SEED_HTTPS in v for k, v in facts.items() if k.startswith("Opprinnelig"))
    assert facts["HTTP-status"] == "200"
    assert any("test-00001.warc.gz" in v for v in facts.values())
    assert any(v.startswith("<urn:uuid:") for v in facts.values())
    assert any(v.startswith("sha1:") for v in facts.values())
    assert not panel.find("a", href=SEED_HTTPS)  # the original URL is text, never a link
    targets = {a.get_text(" ", strip=True).split(" /")[0]: a["href"]
               for a in panel.find_all("a", href=True)}
    assert resolve_href(path, targets["JSON-posten"]).suffix == ".json"
    assert resolve_href(path, targets["Opprinnelig visning"]).name.endswith(".orig.html")
    cite = panel.find(class_="citation")
    assert "14. september 2020" in cite.get_text() and SEED_HTTPS in cite.get_text()
    # the only script is the archive's own copy-button script; the panel needs none of it
    assert [s["src"].rsplit("/", 1)[-1] for s in soup(path).find_all("script")] == ["cite.js"]


def test_captures_listed_newest_first_and_linked_from_every_capture(site: Path) -> None:
    for date, url in ((D2019, SEED_HTTP), (D2020, SEED_HTTPS)):
        path = page_for(site, url, date)
        lists = soup(path).find_all("ol", class_="captures-list")
        assert lists, path
        times = [t["datetime"] for t in lists[0].find_all("time")]
        assert times == ["2020-09-14T10:42:07Z", "2019-06-20T08:15:32Z"]
        for a in lists[0].find_all("a", href=True):
            assert resolve_href(path, a["href"]).is_file()
    listing = soup(page_for(site, SEED_HTTPS, view="captures"))
    assert [t["datetime"] for t in listing.find("ol", class_="captures-list").find_all("time")] \
        == ["2020-09-14T10:42:07Z", "2019-06-20T08:15:32Z"]


def test_links_go_to_local_copies_not_archived_pages_or_are_marked(site: Path) -> None:
    path = page_for(site, SEED_HTTPS, D2020)
    links = {a.get_text(" ", strip=True): a for a in soup(path).find("article").find_all("a")}
    parent = resolve_href(path, links["Hvordan jobber vi internasjonalt?"]["href"])
    assert parent == page_for(site, PARENT).resolve()
    english = resolve_href(path, links["English"]["href"])  # via the 301 to /english/
    assert english == page_for(site, ENGLISH).resolve()
    missing = resolve_href(path, links["Ikke lagret"]["href"])
    assert missing.parent.name == "missing"
    shown = soup(missing)
    assert NOT_CAPTURED in [c.get_text() for c in shown.find_all("code")]
    assert not shown.find("a", href=NOT_CAPTURED)
    outside = links["Regjeringen"]
    assert outside["href"] == OUTSIDE and "leaves-archive" in outside["class"]


def test_no_live_link_to_the_old_domain_anywhere(site: Path) -> None:
    for path in html_files(site):
        for a in soup(path).find_all("a", href=True):
            assert "akershus.no" not in a["href"].split("/")[2:3], (path, a["href"])


def test_documents_copied_and_linked(site: Path) -> None:
    entry = next(f for f in manifest(site)["files"] if f["url"] == PDF_URL)
    assert (site / entry["path"]).read_bytes() == PDF
    assert entry["path"].endswith(".pdf")
    docs = site / "browse" / "documents.html"
    rows = soup(docs).find("tbody").find_all("tr")
    by_title = {r.th.get_text(strip=True): r for r in rows}
    href = by_title["Internasjonal strategi 2014-2018"].th.a["href"]
    assert resolve_href(docs, href) == (site / entry["path"]).resolve()
    assert "ikke arkivert" in by_title["Borte"].get_text()


def test_headings_in_order_and_text_escaped(site: Path) -> None:
    page = soup(page_for(site, SEED_HTTPS, D2020))
    levels = [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert page.find("h3", string="Tall")  # level 4 in the record, no h3 skipped
    assert [s["src"].rsplit("/", 1)[-1] for s in page.find_all("script")] == ["cite.js"]
    assert any("<script>alert('x')</script>" in p.get_text() for p in page.find_all("p"))
    items = [li.get_text() for li in page.find("h2", string="Tematiske prioriteringer")
             .find_next("ul").find_all("li")]
    assert items == PRIORITIES
    table = page.find("article").find("table")
    assert [th.get_text() for th in table.find_all("th")] == ["Tall", "Hva"]


def test_images_local_or_replaced_by_their_alt(site: Path) -> None:
    path = page_for(site, SEED_HTTPS, D2020)
    article = soup(path).find("article")
    imgs = article.find_all("img")
    assert [i["alt"] for i in imgs] == ["Logo"]
    assert resolve_href(path, imgs[0]["src"]).suffix == ".png"
    assert "Sporing" in article.get_text()  # the tracker image: its alt text, no request


def test_manifest_maps_every_url_to_a_file_inside_the_site(site: Path) -> None:
    m = manifest(site)
    assert len(m["pages"]) == 7
    for entry in m["pages"]:
        for key in ("page", "original", "record", "captures"):
            path = (site / entry[key]).resolve()
            assert path.is_file() and site.resolve() in path.parents
    assert {e["url"] for e in m["missing"]} >= {NOT_CAPTURED}
    keys = {url_key(e["url"]) for e in m["pages"]}
    assert url_key(LISTING) in keys and len(keys) == 6


def test_link_check_passes_and_catches_breakage(built, tmp_path: Path) -> None:
    site, report = built
    assert report.linkcheck.ok and report.linkcheck.links > 100
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    victim = page_for(copy, PARENT)
    victim.unlink()
    broken = check_site(copy, [])
    assert not broken.ok and broken.broken
    unreachable = check_site(copy, ["pages/nowhere.html"])
    assert "pages/nowhere.html" in unreachable.unreachable


def test_front_page_says_what_when_and_how(site: Path) -> None:
    page = soup(site / "index.html")
    about = {" ".join(dt.get_text(" ").split()): " ".join(dt.find_next_sibling("dd")
                                                          .get_text(" ").split())
             for dt in page.find_all("dt")}
    crawled = next(v for k, v in about.items() if k.startswith("Høstet"))
    assert "20. juni 2019" in crawled and "14. september 2020" in crawled
    assert any("6 adresser i 7 lagringer" in v for v in about.values())
    assert any("akershus-archive" in v for v in about.values())
    succession = [li.strong.get_text() for li in page.find("ol", class_="succession")("li")]
    assert succession == ["Akershus fylkeskommune", "Viken fylkeskommune",
                          "Akershus fylkeskommune"]
    assert page.find("a", href="https://afk.no/")
    landmarks = [page.find(tag) for tag in ("header", "main", "footer", "nav")]
    assert all(landmarks)
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main" and page.find(id="main")


def test_browse_tree_reaches_the_seed_page(site: Path) -> None:
    index = site / "browse" / "index.html"
    section = next(a for a in soup(index).find_all("a") if a.get_text() == "ansvarsomrader")
    section_path = resolve_href(index, section["href"])
    seed = next(a for a in soup(section_path).find_all("a")
                if a.get_text() == "Internasjonal strategi")
    assert resolve_href(section_path, seed["href"]) == page_for(site, SEED_HTTPS).resolve()
    labels = [s.get_text() for s in soup(section_path).find_all(class_="segment")]
    assert "hvordan-jobber-vi-internasjonalt?" in labels  # %3F shown decoded, as a label


def test_strategies_press_and_a_to_z(site: Path) -> None:
    table = soup(site / "browse" / "strategies.html").find("table")
    row = table.find("tbody").find("tr")
    assert row.th.get_text() == "Internasjonal strategi 2014-2018"
    cells = row.find_all("td")
    assert cells[0].get_text() == "2014–2018"
    assert cells[1].get_text() == "Bidra til å realisere fylkeskommunens målsettinger."
    assert [li.get_text() for li in cells[2].find_all("li")] == PRIORITIES
    assert cells[3].time["datetime"].startswith("2020-09-14")  # the capture shown
    press = soup(site / "browse" / "press.html")
    assert press.find("h2").get_text() == "2019"
    item = press.find("h2").find_next("li")
    assert item.time["datetime"] == "2019-05-14" and "næringsklynge" in item.a.get_text()
    az = site / "browse" / "a-z.html"
    letters = [a.get_text() for a in soup(az).find("ul", class_="az-letters").find_all("a")]
    assert letters == ["A", "F", "H", "I", "N", "P"]
    i_page = resolve_href(az, soup(az).find("a", string="I")["href"])
    titles = [a.get_text() for a in soup(i_page).find("main").find("ul").find_all("a")]
    assert titles == ["Internasjonal strategi"]


def test_only_the_search_page_has_scripts_and_it_has_a_fallback(site: Path) -> None:
    for path in html_files(site):
        scripts = soup(path).find_all("script")
        if path.name == "search.html":
            assert [s["src"] for s in scripts] == ["search/manifest.js", "static/search.js"]
        elif scripts and path.parts[len(site.parts)] == "pages" and \
                not path.name.endswith(".orig.html"):  # a reading view: its copy buttons
            assert [s["src"].rsplit("../", 1)[-1] for s in scripts] == ["static/cite.js"], path
            assert not any(s.get_text() for s in scripts), path
        else:
            assert not scripts, path
    noscript = soup(site / "search.html").find("noscript")
    assert noscript.find("a", href="browse/a-z.html")


def test_data_downloads(site: Path) -> None:
    page = site / "data.html"
    hrefs = [a["href"] for a in soup(page).find("main").find_all("a", href=True)]
    assert {"data/pages.jsonl", "data/pages.csv", "data/page.schema.json"} <= set(hrefs)
    for href in hrefs:
        assert resolve_href(page, href).is_file()


def test_site_data_keeps_the_exports_it_was_built_from(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "a")
    assert run_render(archive).ok
    records = archive / "data" / "pages.jsonl"
    copy = archive / "site" / "data" / "pages.jsonl"
    built_from = records.read_bytes()
    assert copy.read_bytes() == built_from
    newer = records.with_name("pages.jsonl.open")  # how extract replaces the file
    newer.write_bytes(built_from[: len(built_from) // 2])
    os.replace(newer, records)
    assert copy.read_bytes() == built_from


def test_csp_meta_on_generated_pages(site: Path) -> None:
    csp = soup(site / "index.html").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert "script-src 'none'" in csp["content"]
    # a reading view runs the archive's own copy-button file, nothing inline
    csp = soup(page_for(site, SEED_HTTPS)).find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert "script-src 'self' file:" in csp["content"] and "unsafe-inline" not in csp["content"]


def test_user_templates_override_package_templates(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "a")
    override = tmp_path / "templates"
    override.mkdir()
    (override / "_cite.html").write_text('<p class="citation" id="custom-cite">Egen</p>\n')
    assert run_render(archive, override).ok
    page = soup(page_for(archive / "site", SEED_HTTPS))
    assert page.find(id="custom-cite").get_text() == "Egen"
    assert page.find(attrs={"data-archive-banner": True})  # the rest still the package's


def test_missing_records_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    with pytest.raises(RenderError, match="run extraction first"):
        run_render(tmp_path)


def test_a_rebuild_replaces_the_site_and_is_the_same(built, tmp_path: Path) -> None:
    archive = make_archive(tmp_path)
    run_render(archive)
    first = manifest(archive / "site")
    (archive / "site" / "stale.html").write_text("old")
    run_render(archive)
    assert manifest(archive / "site") == first
    assert not (archive / "site" / "stale.html").exists()


def test_renders_what_the_real_extractor_writes(tmp_path: Path) -> None:
    from archive import extract
    archive = make_archive(tmp_path)
    shutil.rmtree(archive / "data")
    extract.run_extract(archive)
    report = run_render(archive)
    assert report.ok, report.summary()
    seed = soup(page_for(archive / "site", SEED_HTTPS))
    assert seed.find("h2", string="Tematiske prioriteringer")
    assert seed.find(attrs={"data-archive-banner": True}).find("a", href="https://www.viken.no/")
    assert FRONT in {e["url"] for e in manifest(archive / "site")["pages"]}
    assert PRESS in {e["url"] for e in manifest(archive / "site")["pages"]}


def test_serve_gives_the_site_and_nothing_outside_it(site: Path) -> None:
    import http.client
    import threading

    from render.serve import make_server

    server = make_server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def get(path: str) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()

        status, body = get("/index.html")
        assert status == 200 and b"Arkiv av www.akershus.no" in body
        assert server.server_address[0] == "127.0.0.1"
        assert get("/../../../../etc/passwd")[0] == 404
        assert get("/%2e%2e/%2e%2e/etc/passwd")[0] == 404
        assert get("/static/")[0] == 404  # no directory listings
        assert get("/browse/")[0] == 200  # a folder with an index.html serves it
    finally:
        server.shutdown()
        server.server_close()


def _tree_reach(site: Path) -> set[Path]:
    """Archived pages reached from the browse index through tree pages only."""
    start = site / "browse" / "index.html"
    tree = (site / "browse" / "tree").resolve()
    seen, queue, pages = {start.resolve()}, [start], set()
    while queue:
        page = queue.pop()
        for a in soup(page).find("main").find_all("a", href=True):
            if a["href"].startswith(("#", "http")):
                continue
            target = resolve_href(page, a["href"])
            if target.is_relative_to(tree) and target not in seen:
                seen.add(target)
                queue.append(target)
            elif target.is_relative_to((site / "pages").resolve()):
                pages.add(target)
    return pages


def test_large_sections_are_split_by_sub_folder(tmp_path: Path, monkeypatch) -> None:
    """A folder too big for one page lists its sub-folders on pages of their own, to any
    depth, and long lists of entries are paged: the tree still reaches every page."""
    from render import browse

    archive = make_archive(tmp_path / "archive")
    whole = run_render(archive)
    in_tree = _tree_reach(archive / "site")
    assert in_tree
    monkeypatch.setattr(browse, "TREE_PAGE_MAX", 1)
    monkeypatch.setattr(browse, "LIST_PAGE_MAX", 1)
    split = run_render(archive)
    assert split.ok, split.summary()  # every page still reachable from index.html
    assert split.captures == whole.captures
    assert _tree_reach(archive / "site") == in_tree
    sub_pages = sorted((archive / "site" / "browse" / "tree").glob("*/*/*.html"))
    assert sub_pages, "no section was split"
    assert list((archive / "site" / "browse" / "tree").rglob("*~p2.html")), "nothing paged"
    deeper = [p for p in sub_pages if p.parent.parent.name != "tree"
              and not p.stem.endswith("~p2")]
    section = deeper[0].parent.with_suffix(".html")
    pages_of_section = [section, *section.parent.glob(f"{section.stem}~p*.html")]
    targets = {a.get("href") for p in pages_of_section for a in soup(p).find_all("a")}
    assert f"{section.stem}/{deeper[0].name}" in targets
    crumbs = {a.get("href") for a in soup(deeper[0]).find(
        "nav", attrs={"aria-label": "Brødsmuler / Breadcrumbs"}).find_all("a")}
    assert f"../{section.name}" in crumbs


def test_long_lists_are_paged_with_every_entry_once(tmp_path: Path, monkeypatch) -> None:
    """An A–Å letter or the press list longer than a page continues on numbered pages,
    each linked from the others; no entry is lost or shown twice."""
    from render import browse

    archive = make_archive(tmp_path / "archive")
    run_render(archive)
    az = archive / "site" / "browse" / "a-z"
    whole = {p.name: [a["href"] for a in soup(p).find("main").find("ul", class_=None)
                      .find_all("a")] for p in sorted(az.glob("*.html"))}
    monkeypatch.setattr(browse, "LIST_PAGE_MAX", 1)
    report = run_render(archive)
    assert report.ok, report.summary()  # every page reachable, every pager link resolves
    for name, entries in whole.items():
        stem = name[:-5]
        pages = [az / name] + [az / f"{stem}-{k}.html" for k in range(2, len(entries) + 1)]
        assert all(p.is_file() for p in pages)
        assert not (az / f"{stem}-{len(entries) + 1}.html").exists()
        paged = [a["href"] for p in pages
                 for a in soup(p).find("main").find("ul", class_=None).find_all("a")]
        assert paged == entries
        if len(pages) > 1:
            pager = soup(pages[1]).find("nav", class_="pager")
            assert pager.find(attrs={"aria-current": "page"}).get_text() == "2"
            assert next(a["href"] for a in pager.find_all("a")) == name
    press = archive / "site" / "browse" / "press.html"  # one release: one page, no pager
    assert soup(press).find("nav", class_="pager") is None
    assert len(soup(press).find("main").find_all("time")) == 1
    assert not (archive / "site" / "browse" / "press-2.html").exists()


def test_workers_build_the_same_site_file_for_file(tmp_path: Path) -> None:
    """Rendering in several processes changes nothing in the site, search index included."""
    archive = make_archive(tmp_path / "archive")

    def files() -> dict[str, bytes]:
        site = archive / "site"
        return {p.relative_to(site).as_posix(): p.read_bytes()
                for p in sorted(site.rglob("*")) if p.is_file()}

    one = run_render(archive, workers=1)
    serial = files()
    three = run_render(archive, workers=3)
    assert one.ok and three.ok, three.summary()
    assert files() == serial
    assert (one.captures, one.documents, one.missing, one.no_payload) == \
        (three.captures, three.documents, three.missing, three.no_payload)


def test_workers_end_in_a_process_whose_sigterm_handler_waits(tmp_path: Path) -> None:
    """``build`` and ``demo`` render in the process that crawled, where the crawler's
    graceful-stop handler is still installed; rendering with workers must still end."""
    import subprocess
    import sys

    archive = make_archive(tmp_path / "archive")
    code = (
        "import signal, sys, threading\n"
        "from pathlib import Path\n"
        "held = threading.Lock()\n"
        "held.acquire()\n"
        "signal.signal(signal.SIGTERM, lambda *_: held.acquire())  # waits forever\n"
        "from render.build import run_render\n"
        "report = run_render(Path(sys.argv[1]), workers=2)\n"
        "print(report.captures, report.ok)\n")
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", code, str(archive)], cwd=root,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    captures, ok = proc.stdout.split()
    assert int(captures) > 0 and ok == "True"
