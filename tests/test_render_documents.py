"""Document records (data/documents.jsonl) in the rendered site: reading views, links, search,
the strategies table; asserted on the parsed HTML of a real build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from test_render_search import python_query
from test_render_support import (
    D2020,
    PARENT,
    PDF,
    SEED_HTTPS,
    WWW,
    Exchange,
    make_archive,
    manifest,
    page_for,
    resolve_href,
    soup,
    write_warc,
)

from archive.model import (
    DocumentExtraction,
    DocumentMetadata,
    DocumentRecord,
    Figure,
    ListBlock,
    Paragraph,
    Period,
    Provenance,
    Section,
    Strategy,
    SubGoals,
    Table,
    document_schema,
    dumps,
)
from render.build import run_render
from render.linkcheck import check_site
from render.linkmap import is_site_host

D_DOC = "2020-09-14T10:45:00Z"
STRATEGY_URL = f"http://{WWW}/dokumenter/internasjonal-strategi-2014-2018-fullversjon.pdf"
SCANNED_URL = f"http://{WWW}/dokumenter/skannet-vedtak-2016.pdf"
PLAN_URL = f"http://{WWW}/dokumenter/regional-plan-klima-2019-2030.pdf"
STRATEGY_PDF = PDF + b"% internasjonal strategi\n"
SCANNED_PDF = PDF + b"% skannet\n"
PLAN_PDF = PDF + b"% klimaplan\n"
ONLY_IN_PDF = "fjordbyregionsamarbeidet"  # a word no page holds
DOC_GOAL = "Akershus skal være en internasjonalt orientert region med sterke partnerskap."
DOC_PRIORITIES = ["Samferdsel og miljø", "Nærings- og samfunnsutvikling", "Ungdom og opplæring",
                  "Kultur"]
SUB_GOAL = "Styrke samarbeidet med regioner i Østersjøområdet"
PLAN_GOAL = "Akershus skal bli et lavutslippssamfunn."
DIFFERENCE = ("priorities: the page lists 3 (Samferdsel og miljø, ...), the document 4 "
              "(... Kultur)")


def _prov(where: dict[str, Any]) -> Provenance:
    return Provenance(warc_file=where["warc_file"], offset=where["offset"],
                      length=where["length"], record_id=where["record_id"],
                      record_type="response", payload_digest=where["payload_digest"],
                      captured_at=where["captured_at"], refers_to=None)


def _record(id_: str, url: str, where: dict[str, Any], **kw: Any) -> DocumentRecord:
    fields: dict[str, Any] = {
        "id": id_, "url": url, "captured_at": D_DOC, "status": 200,
        "content_type": "application/pdf", "format": "pdf", "reason": None, "detail": None,
        "title": "", "title_source": "file_name", "pages": 1, "language": "nb",
        "metadata": DocumentMetadata(None, None, None, None, None, None, None, None),
        "title_page": [], "word_count": 0, "sections": [], "text": "", "strategy": None,
        "linked_from": [], "extraction": None, "provenance": _prov(where)}
    fields.update(kw)
    return DocumentRecord(**fields)


def document_records(where: dict[tuple[str, str], dict[str, Any]]) -> list[DocumentRecord]:
    """A strategy PDF read in full, a scanned one without text, and a plan no page names."""
    text = ("Internasjonal strategi for Akershus 2014-2018. Innledning. Strategien bygger på "
            f"{ONLY_IN_PDF} i Østersjøområdet. " + " ".join(DOC_PRIORITIES) + f". {SUB_GOAL}.")
    full = _record(
        "doc-strategi", STRATEGY_URL, where[(STRATEGY_URL, D_DOC)],
        title="Internasjonal strategi for Akershus 2014–2018", title_source="metadata",
        pages=12,
        metadata=DocumentMetadata(
            title="Internasjonal strategi for Akershus 2014–2018", author="Akershus fylkeskommune",
            subject="Internasjonalt arbeid", keywords="strategi, internasjonalt",
            creator="Adobe InDesign CS6", producer="Adobe PDF Library 10.0.1",
            created="2014-11-20T10:00:00+01:00", modified="2015-01-05T08:30:00+01:00"),
        title_page=["Internasjonal strategi", "for Akershus fylkeskommune", "2014–2018"],
        word_count=len(text.split()),
        sections=[
            Section("Innledning", 2, [Paragraph(
                f"Strategien bygger på {ONLY_IN_PDF} i Østersjøområdet.")]),
            Section("Tematiske prioriteringer", 2, [ListBlock(DOC_PRIORITIES)]),
            Section("Delmål for samferdsel og miljø", 3, [ListBlock([SUB_GOAL], ordered=True)]),
            Section("Nøkkeltall", 2, [Table([["Tall", "Hva"], ["570 000", "innbyggere i Akershus"]],
                                            header=True, caption="Akershus i tall")]),
        ],
        text=text,
        strategy=Strategy(
            title="Internasjonal strategi for Akershus 2014–2018",
            period=Period(2014, 2018), goal=DOC_GOAL, priorities=DOC_PRIORITIES,
            sub_goals=[SubGoals("Samferdsel og miljø", [SUB_GOAL])],
            figures=[Figure(value=570000.0, text="570 000 innbyggere", counts="innbyggere",
                            approximate=False, sentence="Akershus har 570 000 innbyggere.",
                            period=None, when=None)],
            document=None, differences=[]),
        linked_from=[SEED_HTTPS],
        extraction=DocumentExtraction(reader="pdfium 7763", pages_read=12,
                                      headings_from="outline", furniture=24,
                                      two_column_pages=[5, 6]))
    scanned = _record(
        "doc-skannet", SCANNED_URL, where[(SCANNED_URL, D_DOC)], title="skannet vedtak 2016",
        pages=3, reason="no_text_layer", detail="its pages hold no text, only pictures",
        extraction=DocumentExtraction(reader="pdfium 7763", pages_read=3, headings_from="none",
                                      furniture=0, two_column_pages=[]))
    plan = _record(
        "doc-klimaplan", PLAN_URL, where[(PLAN_URL, D_DOC)],
        title="Regional plan for klima og energi 2019–2030", title_source="heading", pages=40,
        sections=[Section("Mål", 2, [Paragraph(PLAN_GOAL)])], text=PLAN_GOAL,
        word_count=len(PLAN_GOAL.split()),
        strategy=Strategy(title="Regional plan for klima og energi 2019–2030",
                          period=Period(2019, 2030), goal=PLAN_GOAL,
                          priorities=["Utslippskutt", "Klimatilpasning"], sub_goals=[],
                          figures=[], document=None, differences=[]),
        linked_from=[PARENT])
    return [full, scanned, plan]


def add_documents(archive: Path) -> list[DocumentRecord]:
    """Add the documents' captures (a second WARC), documents.jsonl, and point the seed page
    at the strategy's record."""
    where = write_warc(archive / "warc" / "test-00002.warc.gz", [
        Exchange(STRATEGY_URL, D_DOC, STRATEGY_PDF, "application/pdf"),
        Exchange(SCANNED_URL, D_DOC, SCANNED_PDF, "application/pdf"),
        Exchange(PLAN_URL, D_DOC, PLAN_PDF, "application/pdf"),
    ])
    records = document_records(where)
    schema = document_schema()
    lines = []
    for rec in records:
        line = dumps(rec)
        jsonschema.validate(json.loads(line), schema)
        lines.append(line)
    (archive / "data" / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pages = archive / "data" / "pages.jsonl"
    out = []
    for line in pages.read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        for d in page["documents"]:
            d.setdefault("record", None)
        if page["url"] == SEED_HTTPS:
            page["documents"].append({"url": STRATEGY_URL, "title": "Strategien i fullversjon",
                                      "format": "pdf", "captured": True,
                                      "record": "doc-strategi"})
            page["strategy"].update(sub_goals=[], document="doc-strategi",
                                    differences=[DIFFERENCE])
        out.append(json.dumps(page, ensure_ascii=False))
    pages.write_text("\n".join(out) + "\n", encoding="utf-8")
    return records


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    archive = make_archive(tmp_path_factory.mktemp("archive"))
    add_documents(archive)
    report = run_render(archive)
    return archive / "site", report


@pytest.fixture(scope="module")
def site(built: tuple[Path, Any]) -> Path:
    return built[0]


def view_of(site: Path, url: str) -> Path:
    """The reading view of a document, found from the documents list (as a reader would)."""
    listing = site / "browse" / "documents.html"
    for row in soup(listing).find("tbody").find_all("tr"):
        link = row.find("a", attrs={"data-document-view": True})
        if link is None:
            continue
        view = resolve_href(listing, link["href"])
        if soup(view).find("link", rel="original")["href"] == url:
            return view
    raise KeyError(url)


def text_of(el: Any) -> str:
    return " ".join(el.get_text(" ").split())


def test_build_is_ok_and_counts_the_document_records(built: tuple[Path, Any]) -> None:
    site, report = built
    assert report.ok, report.summary()
    assert report.document_records == 3
    views = sorted(p.relative_to(site).as_posix() for p in (site / "documents").rglob("*.html"))
    assert len(views) == 3 and all(v.startswith("documents/www.akershus.no/dokumenter/")
                                   for v in views)


def test_reading_view_shows_title_metadata_sections_and_strategy(site: Path) -> None:
    view = view_of(site, STRATEGY_URL)
    page = soup(view)
    article = page.find("article")
    assert article.h1.get_text() == "Internasjonal strategi for Akershus 2014–2018"
    assert page.title.get_text().startswith("Internasjonal strategi for Akershus 2014–2018")
    headings = [h.get_text() for h in article.find_all(["h2", "h3"])]
    assert headings[:4] == ["Innledning", "Tematiske prioriteringer",
                            "Delmål for samferdsel og miljø", "Nøkkeltall"]
    assert article.find("h3", string="Delmål for samferdsel og miljø")
    lists = article.find("h2", string="Tematiske prioriteringer").find_next("ul")
    assert [li.get_text() for li in lists.find_all("li")] == DOC_PRIORITIES
    assert article.find("ol").li.get_text() == SUB_GOAL
    table = article.find("table")
    assert table.caption.get_text() == "Akershus i tall"
    assert "innbyggere i Akershus" in [td.get_text() for td in table.find_all("td")]
    meta = {text_of(dt): text_of(dt.find_next_sibling("dd"))
            for dt in article.find("dl", class_="document-meta").find_all("dt")}
    assert meta["Forfatter / Author"] == "Akershus fylkeskommune"
    assert meta["Opprettet / Created"] == "20. november 2014"
    assert meta["Sist endret / Modified"] == "5. januar 2015"
    assert meta["Skrevet i / Creator"] == "Adobe InDesign CS6"
    assert meta["PDF laget med / Producer"] == "Adobe PDF Library 10.0.1"
    assert meta["Format"].startswith("PDF, 12 sider")
    title_page = [p.get_text() for p in article.find(class_="title-page").find_all("p")]
    assert title_page[1:] == ["Internasjonal strategi", "for Akershus fylkeskommune", "2014–2018"]
    box = article.find("section", class_="strategy-box")
    facts = {text_of(dt): dt.find_next_sibling("dd") for dt in box.find_all("dt")}
    assert text_of(facts["Overordnet mål"]) == DOC_GOAL
    assert text_of(facts["Periode"]) == "2014–2018"
    sub = facts["Prioriteringer"].find("ul", class_="sub-goals")
    assert sub.find_parent("li").contents[0].strip() == "Samferdsel og miljø"
    assert [li.get_text() for li in sub.find_all("li")] == [SUB_GOAL]
    assert "570 000 innbyggere" in text_of(facts["Tall / Figures"])
    assert article.find("section", class_="document-reason") is None


def test_reading_view_links_the_original_file_and_the_linking_page(site: Path) -> None:
    view = view_of(site, STRATEGY_URL)
    page = soup(view)
    link = page.find("a", attrs={"data-original-file": True})
    href = link["href"]
    assert not href.startswith(("/", "http:", "https:", "file:"))
    target = resolve_href(view, href)
    assert target.is_file() and target.read_bytes() == STRATEGY_PDF
    assert site.resolve() in target.parents and target.suffix == ".pdf"
    entry = next(f for f in manifest(site)["files"] if f["url"] == STRATEGY_URL)
    assert target == (site / entry["path"]).resolve()
    linked = page.find("h2", id="linked-h").find_next("ul").find_all("a")
    assert [resolve_href(view, a["href"]) for a in linked] == [
        page_for(site, SEED_HTTPS).resolve()]
    assert [a.get_text() for a in linked] == ["Internasjonal strategi"]  # the page's title


def test_reading_view_has_provenance_and_a_json_record(site: Path, built) -> None:
    view = view_of(site, STRATEGY_URL)
    page = soup(view)
    aside = page.find("aside", class_="provenance")
    facts = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in aside.find("dl")("dt")}
    records = [json.loads(line) for line in
               (site.parent / "data" / "documents.jsonl").read_text().splitlines()]
    prov = next(r for r in records if r["url"] == STRATEGY_URL)["provenance"]
    assert facts["Post-ID / Record ID"] == prov["record_id"]
    assert facts["WARC-fil / WARC file"].startswith("test-00002.warc.gz")
    assert facts["Opprinnelig adresse / Original URL"].startswith(STRATEGY_URL)
    assert prov["record_id"] in text_of(aside.find(class_="citation"))
    assert page.find(attrs={"data-archive-banner": True}).find("a", href="https://www.viken.no/")
    json_link = page.find("link", rel="alternate")["href"]
    published = json.loads(resolve_href(view, json_link).read_text(encoding="utf-8"))
    assert published["id"] == "doc-strategi" and published["strategy"]["goal"] == DOC_GOAL
    assert (site / published["archive"]["reading_view"]).resolve() == view.resolve()


def test_scanned_document_says_why_its_text_is_missing(site: Path) -> None:
    view = view_of(site, SCANNED_URL)
    page = soup(view)
    reason = page.find("section", class_="document-reason")
    assert reason["data-reason"] == "no_text_layer"
    said = text_of(reason)
    assert "Sidene er bilder" in said and "ikke noe tekstlag" in said and "OCR" in said
    assert "its pages hold no text, only pictures" in said
    original = resolve_href(view, page.find("a", attrs={"data-original-file": True})["href"])
    assert original.read_bytes() == SCANNED_PDF
    assert "Ingen arkivert side lenker til dokumentet" in text_of(page.find("article"))


def test_page_and_documents_list_link_the_reading_view(site: Path) -> None:
    seed = page_for(site, SEED_HTTPS, D2020)
    page = soup(seed)
    docs = page.find("h2", id="docs-h").find_next("ul")
    views = [resolve_href(seed, a["href"]) for a in
             docs.find_all("a", attrs={"data-document-view": True})]
    assert views == [view_of(site, STRATEGY_URL).resolve()]
    note = page.find(attrs={"data-strategy-document": True})
    assert resolve_href(seed, note.a["href"]) == view_of(site, STRATEGY_URL).resolve()
    assert DIFFERENCE in [li.get_text() for li in page.find("ul", class_="differences")("li")]
    listing = site / "browse" / "documents.html"
    titles = [th.get_text(strip=True) for th in soup(listing).find("tbody").find_all("th")]
    # the scanned document and the plan are listed though no page lists them
    assert "skannet vedtak 2016" in titles
    assert "Regional plan for klima og energi 2019–2030" in titles


def test_search_finds_a_word_only_in_a_document(site: Path) -> None:
    folder = site / "search"
    hits = python_query(folder, ONLY_IN_PDF)
    assert len(hits) == 1
    docs: list[Any] = []
    for chunk in sorted(folder.glob("docs-*.js"), key=lambda p: int(p.stem.split("-")[1])):
        text = chunk.read_text(encoding="utf-8")
        docs.extend(json.loads(text[text.index(".push(") + 6: text.rindex(");")])["d"])
    title, path, date, lang, url, snippet = docs[hits[0]]
    assert ONLY_IN_PDF in snippet
    assert url == STRATEGY_URL and title == "Internasjonal strategi for Akershus 2014–2018"
    assert (site / path).resolve() == view_of(site, STRATEGY_URL).resolve()
    assert date == "2014-11-20" and lang == "nb"
    assert python_query(folder, "lavutslippssamfunn")  # the plan's text too
    # no page holds the word: the hit can only come from the document's text
    assert not [p for p in (site / "pages").rglob("*.html")
                if ONLY_IN_PDF in p.read_text(encoding="utf-8")]


def test_strategies_table_prefers_the_document_and_lists_unnamed_ones(site: Path) -> None:
    path = site / "browse" / "strategies.html"
    rows = soup(path).find("tbody").find_all("tr")
    by_title = {r.th.get_text(): r for r in rows}
    seed_row = by_title["Internasjonal strategi for Akershus 2014–2018"]
    cells = seed_row.find_all("td")
    # columns: period, goal, priorities, captured, page, document
    assert [li.get_text() for li in cells[2].find_all("li")] == DOC_PRIORITIES
    assert resolve_href(path, cells[4].a["href"]) == page_for(site, SEED_HTTPS).resolve()
    doc_link = cells[5].find("a", attrs={"data-document-view": True})
    assert resolve_href(path, doc_link["href"]) == view_of(site, STRATEGY_URL).resolve()
    assert "differs" in seed_row["class"]
    assert DIFFERENCE in [li.get_text() for li in cells[5].find("ul", class_="differences")("li")]
    plan_row = by_title["Regional plan for klima og energi 2019–2030"]
    cells = plan_row.find_all("td")
    assert cells[0].get_text() == "2019–2030" and cells[4].find("a") is None
    assert resolve_href(path, cells[5].a["href"]) == view_of(site, PLAN_URL).resolve()
    assert len(rows) == 2  # the seed's two captures are one strategy; the scan has none


def test_link_check_is_clean_and_requires_the_views(built: tuple[Path, Any],
                                                    tmp_path: Path) -> None:
    site, report = built
    assert report.linkcheck.ok and not report.linkcheck.broken
    assert not report.linkcheck.unreachable and not report.linkcheck.external_embeds
    for path in (site / "documents").rglob("*.html"):
        page = soup(path)
        assert not page.find("script")
        for a in page.find_all("a", href=True):  # <link rel=original> is metadata, not a link
            href = a["href"]
            if href.startswith(("http:", "https:")):
                assert not is_site_host(urlsplit(href).hostname), href
            else:
                assert not href.startswith(("/", "file:")), href
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    view = view_of(copy, SCANNED_URL)
    views = [p.relative_to(copy).as_posix() for p in (copy / "documents").rglob("*.html")]
    (copy / "browse" / "documents.html").unlink()
    broken = check_site(copy, views)
    assert not broken.ok
    assert view.relative_to(copy).as_posix() in broken.unreachable


def test_older_document_records_and_no_file_do_not_break_render(tmp_path: Path) -> None:
    archive = make_archive(tmp_path)
    report = run_render(archive)  # no documents.jsonl at all
    assert report.ok and report.document_records == 0
    assert not (archive / "site" / "documents").exists()
    where = write_warc(archive / "warc" / "test-00002.warc.gz", [
        Exchange(SCANNED_URL, D_DOC, SCANNED_PDF, "application/pdf")])[(SCANNED_URL, D_DOC)]
    old = {"url": SCANNED_URL, "captured_at": D_DOC, "content_type": "application/pdf",
           "length": len(SCANNED_PDF), "warc_file": where["warc_file"],
           "offset": where["offset"], "record_id": where["record_id"]}
    (archive / "data" / "documents.jsonl").write_text(
        json.dumps(old) + "\n" + "{not json\n" + json.dumps({"title": "no url"}) + "\n",
        encoding="utf-8")
    report = run_render(archive)
    assert report.ok, report.summary()
    assert report.document_records == 1
    view = view_of(archive / "site", SCANNED_URL)
    page = soup(view)
    assert page.find("article").h1.get_text() == "skannet-vedtak-2016.pdf"
    assert page.find("section", class_="document-reason")["data-reason"] == "legacy"
    facts = {text_of(dt): text_of(dt.find_next_sibling("dd"))
             for dt in page.find("aside", class_="provenance").find("dl")("dt")}
    assert facts["Post-ID / Record ID"] == where["record_id"]
    original = resolve_href(view, page.find("a", attrs={"data-original-file": True})["href"])
    assert original.read_bytes() == SCANNED_PDF


def test_workers_build_the_same_document_views(tmp_path: Path) -> None:
    archive = make_archive(tmp_path)
    add_documents(archive)

    def files(workers: int) -> dict[str, bytes]:
        report = run_render(archive, workers=workers)
        assert report.ok, report.summary()
        site = archive / "site"
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
                if p.is_file()}

    one = files(1)
    # 3 views, their 3 JSON records, and a CSL-JSON and a BibTeX citation of each
    assert len([k for k in one if k.startswith("documents/")]) == 12
    assert files(3) == one
