"""Citing a capture and checking the sources: the cite box, its downloads, the original
view's provenance (on screen and in print), the verify page and its links.

Two archives: the render tests' own (``make_archive``, crawled captures), and a small
harvested one whose response records carry ``WARC-Source-URI`` (the public archive's
replay URL), with a crawl report and a WACZ packaged before the render. The browser
tests drive Debian's /usr/bin/chromium through Playwright, from file://, no sleeps.
"""

from __future__ import annotations

import hashlib
import json
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from browser import Watch
from playwright import sync_api
from test_render_support import (
    D2020,
    FRONT,
    SEED_HTTPS,
    make_archive,
    page_for,
    page_html,
    resolve_href,
    soup,
)
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.digest import sha1_digest
from render.build import run_render
from render.citation import bibtex_escape, wayback_timestamp
from render.linkcheck import archive_target, check_site

HARVEST_DATE = "2019-03-02T11:22:33Z"
HARVEST_STAMP = "20190302112233"
REPLAY = "https://web.archive.org/web/{stamp}id_/{url}"
ROBOTS = "http://www.akershus.no/robots.txt"
FINISHED = "2024-05-06T07:08:09Z"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_harvested_warc(path: Path) -> None:
    """Two pages and robots.txt as a harvest writes them: each with its WARC-Source-URI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = [(FRONT, page_html("Forside", '<p>Velkommen.</p><a href="/om/">Om</a>'), "text/html; charset=utf-8"),
             ("http://www.akershus.no/om/", page_html("Om fylket", "<p>Om oss.</p>"),
              "text/html; charset=utf-8"),
             (ROBOTS, b"User-agent: *\nDisallow: /sok/\n", "text/plain")]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, body, ctype in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype),
                                               ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            headers = {"WARC-Date": HARVEST_DATE, "WARC-Payload-Digest": sha1_digest(body),
                       "WARC-Source-URI": REPLAY.format(stamp=HARVEST_STAMP, url=url)}
            writer.write_record(writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body),
                warc_headers_dict=headers, http_headers=http))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The render tests' archive (crawled: no source URI), rendered."""
    archive = make_archive(tmp_path_factory.mktemp("cite-crawled"))
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A harvested archive, extracted, packaged as WACZ, then rendered."""
    from archive import extract
    from archive.wacz import run_package
    archive = tmp_path_factory.mktemp("cite-harvested")
    write_harvested_warc(archive / "warc" / "harvest-00001.warc.gz")
    (archive / "crawl-report.json").write_text(json.dumps({
        "started_at": "2024-05-06T07:00:00Z", "finished_at": FINISHED}), encoding="utf-8")
    extract.run_extract(archive)
    run_package(archive, archive / "akershus.wacz")
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive


def records(archive: Path) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for line in (archive / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        out[(rec["url"], rec["captured_at"])] = rec
    return out


def bib_fields(text: str) -> tuple[str, str, dict[str, str]]:
    """(entry type, key, fields) of one BibTeX entry, braces balanced by hand."""
    m = re.match(r"@(\w+)\{([^,]+),", text)
    assert m, text
    fields: dict[str, str] = {}
    i = m.end()
    while True:
        f = re.compile(r"\s*(\w+)\s*=\s*\{").match(text, i)
        if not f:
            break
        depth, j = 1, f.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
            j += 1
        fields[f.group(1)] = text[f.end():j - 1]
        i = j + 1 if j < len(text) and text[j] == "," else j
    assert text[i:].strip() == "}", text[i:]
    return m.group(1), m.group(2), fields


# -- the cite box --------------------------------------------------------------
def test_cite_box_names_the_capture_as_web_archives_do(crawled: Path) -> None:
    site = crawled / "site"
    path = page_for(site, SEED_HTTPS, D2020)
    rec = records(crawled)[(SEED_HTTPS, D2020)]
    box = soup(path).find("aside", class_="provenance")
    locator = box.find(attrs={"data-cite-locator": True}).get_text()
    assert locator == f"20200914104207/{SEED_HTTPS}"
    citation = " ".join(box.find("p", id="cite-nb").get_text().split())
    assert locator in citation
    assert rec["provenance"]["record_id"] in citation
    assert rec["provenance"]["payload_digest"] in citation
    warc = crawled / "warc" / "test-00001.warc.gz"
    digest = hashlib.sha256(warc.read_bytes()).hexdigest()
    assert f"warc/test-00001.warc.gz sha256:{digest}" in citation
    assert box.find(attrs={"data-warc-sha256": True}).get_text() == digest
    assert "Arkiv av www.akershus.no" in citation
    english = " ".join(box.find("p", id="cite-en").get_text().split())
    assert locator in english and digest in english
    link = box.find("a", attrs={"data-warc-file": True})
    assert resolve_href(path, link["href"]) == warc.resolve()
    assert not box.find(attrs={"data-source-uri": True})  # crawled, not harvested
    # copy buttons: there, hidden until the archive's own script shows them
    buttons = box.find_all("button", attrs={"data-copy": True})
    assert {b["data-copy"] for b in buttons} == {"cite-nb", "cite-en", "cite-locator"}
    assert all(b.has_attr("hidden") for b in buttons)


def test_csl_json_download_has_the_fields_reference_managers_read(crawled: Path) -> None:
    site = crawled / "site"
    path = page_for(site, SEED_HTTPS, D2020)
    rec = records(crawled)[(SEED_HTTPS, D2020)]
    link = soup(path).find("a", attrs={"data-csl": True})
    assert not link["href"].startswith(("/", "http", "file:"))
    items = json.loads(resolve_href(path, link["href"]).read_text(encoding="utf-8"))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["type"] == "webpage"
    assert item["title"] == "Internasjonal strategi"
    assert item["URL"] == SEED_HTTPS
    assert item["accessed"] == {"date-parts": [[2020, 9, 14]]}
    assert item["issued"] == {"date-parts": [[2014, 11, 20]]}
    assert item["archive"] == "Arkiv av www.akershus.no"
    assert item["archive_location"] == f"20200914104207/{SEED_HTTPS}"
    assert item["container-title"] == "Akershus fylkeskommune"
    assert rec["provenance"]["record_id"] in item["note"]
    assert rec["provenance"]["payload_digest"] in item["note"]
    assert "source" not in item


def test_bibtex_download_is_one_misc_entry(crawled: Path) -> None:
    site = crawled / "site"
    path = page_for(site, SEED_HTTPS, D2020)
    rec = records(crawled)[(SEED_HTTPS, D2020)]
    link = soup(path).find("a", attrs={"data-bibtex": True})
    text = resolve_href(path, link["href"]).read_text(encoding="utf-8")
    kind, key, fields = bib_fields(text)
    assert kind == "misc" and key == f"akershus-{rec['id']}"
    assert fields["title"] == "{Internasjonal strategi}"
    # % is a comment character in TeX: escaped in the URL fields
    assert fields["url"] == SEED_HTTPS.replace("%", "\\%")
    assert fields["howpublished"] == "\\url{" + SEED_HTTPS.replace("%", "\\%") + "}"
    assert fields["urldate"] == "2020-09-14"
    assert fields["year"] == "2014"
    assert "20200914104207/" in fields["note"]
    assert bibtex_escape(rec["provenance"]["record_id"]) in fields["note"]


def test_bibtex_escape_and_wayback_timestamp() -> None:
    assert bibtex_escape("50% & {x}_#$") == "50\\% \\& \\{x\\}\\_\\#\\$"
    assert wayback_timestamp("2020-09-14T10:42:07.123456Z") == "20200914104207"
    assert wayback_timestamp("2020-09-14T12:42:07+02:00") == "20200914104207"


# -- a harvested capture -----------------------------------------------------------
def test_harvested_capture_cites_the_public_replay_url(harvested: Path) -> None:
    site = harvested / "site"
    path = page_for(site, FRONT)
    replay = REPLAY.format(stamp=HARVEST_STAMP, url=FRONT)
    box = soup(path).find("aside", class_="provenance")
    link = box.find("a", attrs={"data-source-uri": True})
    assert link["href"] == replay and link.get_text() == replay
    assert box.find(attrs={"data-cite-locator": True}).get_text() == f"{HARVEST_STAMP}/{FRONT}"
    assert replay in box.find("p", id="cite-nb").get_text()
    assert replay in box.find("p", id="cite-en").get_text()
    # the archive's date is its crawl report's end
    assert "6. mai 2024" in box.find("p", id="cite-nb").get_text()
    item = json.loads(resolve_href(path, box.find("a", attrs={"data-csl": True})["href"])
                      .read_text(encoding="utf-8"))[0]
    assert item["source"] == replay and replay in item["note"]
    _, _, fields = bib_fields(resolve_href(path, box.find("a", attrs={"data-bibtex": True})["href"])
                              .read_text(encoding="utf-8"))
    assert bibtex_escape(replay) in fields["note"]
    original = soup(page_for(site, FRONT, view="original"))
    prov = original.find(attrs={"data-archive-provenance": True})
    assert prov.find("a", attrs={"data-source-uri": True})["href"] == replay


# -- the original view -------------------------------------------------------------
def test_original_view_banner_carries_the_provenance(crawled: Path) -> None:
    site = crawled / "site"
    path = page_for(site, SEED_HTTPS, D2020, view="original")
    rec = records(crawled)[(SEED_HTTPS, D2020)]
    prov = soup(path).find(attrs={"data-archive-provenance": True})
    assert prov.find(attrs={"data-original-url": True}).get_text() == SEED_HTTPS
    assert prov.find("time")["datetime"] == D2020
    assert prov.find(attrs={"data-record-id": True}).get_text() == rec["provenance"]["record_id"]
    assert prov.find(attrs={"data-payload-digest": True}).get_text() == \
        rec["provenance"]["payload_digest"]
    assert prov.find(attrs={"data-cite-locator": True}).get_text() == f"20200914104207/{SEED_HTTPS}"
    assert prov.find(attrs={"data-warc-sha256": True}).get_text() == \
        sha256(crawled / "warc" / "test-00001.warc.gz")
    assert not prov.find("a", href=SEED_HTTPS)  # the old domain stays text
    assert not soup(path).find("script")  # nothing runs in an original view, copy buttons neither
    hrefs = [a["href"] for a in prov.find_all("a")]
    assert any(h.endswith(".csl.json") for h in hrefs) and any(h.endswith(".bib") for h in hrefs)
    reading = [h for h in hrefs if h.endswith("#cite-h")]
    assert reading and resolve_href(path, reading[0]) == page_for(site, SEED_HTTPS, D2020).resolve()


# -- the verify page and the links to the sources ------------------------------------
def test_verify_page_lists_the_real_files_and_digests(harvested: Path) -> None:
    site = harvested / "site"
    page = site / "verify.html"
    doc = soup(page)
    files = {"warc/harvest-00001.warc.gz": harvested / "warc" / "harvest-00001.warc.gz",
             "crawl-report.json": harvested / "crawl-report.json",
             "akershus.wacz": harvested / "akershus.wacz"}
    shown = {c["data-sha256"]: c.get_text() for c in doc.find_all("code", attrs={"data-sha256": True})}
    assert shown == {name: sha256(p) for name, p in files.items()}
    for a in doc.find_all("a", attrs={"data-file": True}):
        assert resolve_href(page, a["href"]) == files[a["data-file"]].resolve()
    commands = {pre["data-command"]: pre.get_text() for pre in doc.find_all("pre", attrs={"data-command": True})}
    assert "akershus-archive verify ." in commands["verify"]
    assert "warcio check -v warc/harvest-00001.warc.gz" in commands["warcio"]
    assert "warcio index" in commands["warcio-index"] and "warc/harvest-00001.warc.gz" in commands["warcio-index"]
    assert "wacz validate -f akershus.wacz" in commands["wacz"]
    assert "sha256sum warc/harvest-00001.warc.gz crawl-report.json akershus.wacz" in commands["sha256sum"]
    sums = (site / "sha256sums.txt").read_text(encoding="utf-8").splitlines()
    assert sums == [f"{sha256(p)}  {name}" for name, p in files.items()]
    robots = doc.find("a", attrs={"data-robots": True})
    assert robots.get_text() == ROBOTS
    assert resolve_href(page, robots["href"]).read_bytes() == b"User-agent: *\nDisallow: /sok/\n"
    assert resolve_href(page, doc.find("a", attrs={"data-crawl-report": True})["href"]) == \
        files["crawl-report.json"].resolve()


def test_every_page_links_the_verify_page(crawled: Path) -> None:
    site = crawled / "site"
    for path in (site / "index.html", page_for(site, SEED_HTTPS, D2020)):
        hrefs = [resolve_href(path, a["href"]) for a in soup(path).find_all("a", href=True)
                 if a["href"].endswith("verify.html")]
        assert (site / "verify.html").resolve() in hrefs, path
    assert "wacz validate" in (site / "verify.html").read_text(encoding="utf-8")  # how to make one


def test_link_check_allows_only_the_archive_files_beside_the_site(tmp_path: Path) -> None:
    assert archive_target("pages/a/b.html", "../../../warc/x.warc.gz") == "warc/x.warc.gz"
    assert archive_target("verify.html", "../crawl-report.json") == "crawl-report.json"
    assert archive_target("verify.html", "../akershus.wacz") == "akershus.wacz"
    for ref in ("../data/pages.jsonl", "../../warc/x.warc.gz", "../warc/sub/x.warc.gz",
                "../warc/notes.txt", "../crawl-state.json", "/etc/passwd", "index.html"):
        assert archive_target("verify.html", ref) is None, ref
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "there.warc.gz").write_bytes(b"x")
    (site / "index.html").write_text(
        '<a href="../warc/there.warc.gz">w</a><a href="../warc/gone.warc.gz">g</a>'
        '<a href="../data/pages.jsonl">d</a>', encoding="utf-8")
    report = check_site(site, [], workers=1)
    assert sorted(ref for _, ref in report.broken) == ["../data/pages.jsonl", "../warc/gone.warc.gz"]
    assert report.links == 3


def test_rendered_sites_pass_their_link_check(crawled: Path, harvested: Path) -> None:
    for archive in (crawled, harvested):
        site = archive / "site"
        report = check_site(site, [])
        assert report.ok, report.lines()
        # the downloads and the WARC links are among what it checked
        assert report.links > 0


# -- in the browser --------------------------------------------------------------


def test_copy_button_puts_the_citation_on_the_clipboard(crawled: Path, browser: Any) -> None:
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    watch = Watch(pg)
    pg.goto(page_for(crawled / "site", SEED_HTTPS, D2020).as_uri())
    button = pg.locator("button[data-copy=cite-nb]")
    sync_api.expect(button).to_be_visible()
    expected = " ".join(pg.locator("#cite-nb").inner_text().split())
    assert "20200914104207/" in expected
    button.click()
    sync_api.expect(button).to_have_attribute("data-copied", "yes")
    assert pg.evaluate("navigator.clipboard.readText()") == expected
    pg.locator("button[data-copy=cite-locator]").click()
    sync_api.expect(pg.locator("button[data-copy=cite-locator]")).to_have_attribute("data-copied", "yes")
    assert pg.evaluate("navigator.clipboard.readText()") == f"20200914104207/{SEED_HTTPS}"
    watch.assert_clean()
    context.close()


def test_without_javascript_the_citation_is_selectable_text(crawled: Path, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(page_for(crawled / "site", SEED_HTTPS, D2020).as_uri())
    sync_api.expect(pg.locator("button[data-copy]").first).to_be_hidden()
    cite = pg.locator("#cite-nb")
    sync_api.expect(cite).to_be_visible()
    assert cite.evaluate("e => getComputedStyle(e).userSelect") != "none"
    pg.locator("#cite-nb").select_text()
    assert "20200914104207/" in pg.evaluate("String(window.getSelection())")
    context.close()


def test_original_view_provenance_on_screen_and_in_print(crawled: Path, browser: Any) -> None:
    context = browser.new_context()
    pg = context.new_page()
    watch = Watch(pg)
    rec = records(crawled)[(SEED_HTTPS, D2020)]
    pg.goto(page_for(crawled / "site", SEED_HTTPS, D2020, view="original").as_uri())
    prov = pg.locator("[data-archive-provenance]")
    for media in ("screen", "print"):
        pg.emulate_media(media=media)
        sync_api.expect(prov).to_be_visible()
        sync_api.expect(pg.locator("[data-archive-banner]")).to_be_visible()
        sync_api.expect(prov.locator("[data-original-url]")).to_have_text(SEED_HTTPS)
        sync_api.expect(prov.locator("[data-record-id]")).to_have_text(rec["provenance"]["record_id"])
        sync_api.expect(prov.locator("[data-payload-digest]")).to_have_text(
            rec["provenance"]["payload_digest"])
        sync_api.expect(prov.locator("time")).to_have_text("2020-09-14 10:42:07 UTC")
        box = prov.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, media
    assert pg.evaluate("window.__pwned === undefined")
    assert pg.locator("script").count() == 0
    watch.assert_clean()
    context.close()


def test_reading_view_prints_the_citation_not_the_buttons(crawled: Path, browser: Any) -> None:
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(page_for(crawled / "site", SEED_HTTPS, D2020).as_uri())
    sync_api.expect(pg.locator("button[data-copy=cite-nb]")).to_be_visible()
    pg.emulate_media(media="print")
    sync_api.expect(pg.locator("#cite-nb")).to_be_visible()
    sync_api.expect(pg.locator("[data-warc-sha256]")).to_be_visible()
    sync_api.expect(pg.locator("button[data-copy=cite-nb]")).to_be_hidden()
    context.close()
