"""Extraction on every markup generation of the replica, scored against gold made by construction.

One archive holds captures of three generations of the same URLs (2006
layout tables, 2013 XHTML divs, 2020 CMS), as a harvest from the web
archives would; each is served by the replica on 127.0.0.1 and written to a
WARC. ``replica.gold`` knows what every page says and which phrases are
chrome, from the data the replica renders, so the floors below are measured
on content, not on names. The same pages are also read one at a time with no
site profile and no template hints: the per-page rules alone must come close.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from fixtures_archive_replica import CaptureWriter

from archive.decoding import decode_html
from archive.export import run_export
from archive.extract import run_extract
from archive.model import to_jsonable
from archive.page import read_page
from archive.reader import ArchiveReader
from render.build import run_render
from replica.eras import era_config
from replica.gold import STRATEGIES, Expected, expected_pages, score, view_of_record
from replica.server import ReplicaServer

ERAS = ("2006", "2013", "2020")
# Floors (a lowering is a reviewed change); leaks are counted, and none is allowed.
FLOORS = {"title": 1.0, "headings": 1.0, "items": 1.0, "text": 0.99}
PER_PAGE_FLOORS = {"title": 1.0, "headings": 0.98, "items": 0.98, "text": 0.98}


def capture_date(era: str) -> str:
    return era_config(era).capture_day.isoformat() + "T10:00:00Z"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive holding captures of all three generations, extracted."""
    folder = tmp_path_factory.mktemp("generations")
    writer = CaptureWriter(folder / "warc" / "generations-00000.warc.gz")
    try:
        for era in ERAS:
            with ReplicaServer(era=era) as srv:
                for ex in expected_pages(era):
                    writer.capture(srv.port, ex.url.removeprefix("http://www.akershus.no"),
                                   capture_date(era))
    finally:
        writer.close()
    report = run_extract(folder)
    assert report.ok
    return folder


@pytest.fixture(scope="module")
def records(archive_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """era -> url -> page record."""
    folder = archive_dir
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    by_date = {capture_date(e): e for e in ERAS}
    for line in (folder / "data" / "pages.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        out[by_date[rec["captured_at"]]][rec["url"]] = rec
    return out


def scores(era: str, view_records: dict[str, dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    expected = expected_pages(era)
    total: dict[str, float] = defaultdict(float)
    worst: list[str] = []
    for ex in expected:
        s = score(view_of_record(view_records[ex.url]), ex)
        for key, value in s.items():
            total[key] += value
        if s["leaks"] or any(s[k] < f for k, f in FLOORS.items()):
            worst.append(f"{ex.url}: {s}")
    n = len(expected)
    return {k: (v if k == "leaks" else v / n) for k, v in total.items()}, worst


@pytest.mark.parametrize("era", ERAS)
def test_every_generation_holds_the_floors(records: dict[str, Any], era: str) -> None:
    figures, worst = scores(era, records[era])
    assert len(records[era]) >= 60
    assert figures["leaks"] == 0, worst[:5]
    for key, floor in FLOORS.items():
        assert figures[key] >= floor, (key, figures, worst[:5])


@pytest.mark.parametrize("era", ERAS)
def test_strategies_are_found_in_every_generation(records: dict[str, Any], era: str) -> None:
    for path, want in STRATEGIES.items():
        got = records[era]["http://www.akershus.no" + path]["strategy"]
        assert got is not None, (era, path)
        assert got["title"] == want["title"]
        assert got["period"] == want["period"]
        assert got["goal"] == want["goal"], (era, path)
        assert got["priorities"] == want["priorities"]
        for fig in want["figures"]:
            assert any(f["value"] == fig["value"] and f["counts"] == fig["counts"]
                       for f in got["figures"]), (era, path, fig)


def test_figures_keep_their_year_in_every_generation(records: dict[str, Any]) -> None:
    url = "http://www.akershus.no/ansvarsomrader/klima-og-miljo/klimastrategi-2030/"
    for era in ERAS:
        figures = records[era][url]["strategy"]["figures"]
        cut = next(f for f in figures if f["value"] == 55)
        assert cut["period"] == {"start": None, "end": 2030}
        assert cut["when"] == "innen 2030"
        assert "sammenlignet med 1990" in cut["sentence"]


def test_the_record_says_how_the_content_was_found(records: dict[str, Any]) -> None:
    for era in ERAS:
        methods = {r["extraction"]["method"] for r in records[era].values()}
        assert methods == ({"template"} if era == "2020" else {"density"}), (era, methods)
        assert all(r["extraction"]["site_pages"] > 100 for r in records[era].values())
    assert sum(r["extraction"]["layout_tables"] for r in records["2006"].values()) > 50
    assert sum(r["extraction"]["template_blocks"] for r in records["2013"].values()) > 100
    assert all(r["template"] == "generic" for r in records["2006"].values())


def test_layout_tables_are_not_data(records: dict[str, Any]) -> None:
    """The 2006 pages are tables inside tables; only the content's own data tables are tables."""
    url = "http://www.akershus.no/ansvarsomrader/samferdsel/fylkesveier/"
    for era in ERAS:
        tables = [b for s in records[era][url]["sections"] for b in s["blocks"]
                  if b["type"] == "table"]
        assert len(tables) == 1, era
        assert tables[0]["header"] is True
        assert all(len(cell) < 120 for row in tables[0]["rows"] for cell in row)


@pytest.mark.parametrize("era", ERAS)
def test_one_page_at_a_time_without_hints(archive_dir: Path, era: str) -> None:
    """No site profile, no template names: the per-page shape rules alone."""
    views: dict[str, dict[str, Any]] = {}
    for capture in ArchiveReader(archive_dir).captures():
        if capture.captured_at == capture_date(era) and capture.payload is not None:
            decoded = decode_html(capture.payload, capture.content_type)
            page = read_page(decoded.text, capture.url, hints=False)
            views[capture.url] = {"title": page.title, "sections": to_jsonable(page.sections)}
    figures, worst = scores(era, views)
    assert figures["leaks"] == 0, worst[:5]
    for key, floor in PER_PAGE_FLOORS.items():
        assert figures[key] >= floor, (key, figures, worst[:5])


def test_gold_pages_cover_the_generations() -> None:
    pages: dict[str, list[Expected]] = {era: expected_pages(era) for era in ERAS}
    for era, expected in pages.items():
        assert len(expected) >= 60, era
        assert sum(len(e.chrome) for e in expected) > 10 * len(expected), era
        assert sum(len(e.items) for e in expected) > 100, era


def test_search_index_and_exports_carry_no_chrome(archive_dir: Path) -> None:
    """What researchers search and export is the extracted content: no chrome of any generation."""
    run_render(archive_dir, workers=1)
    phrases = {p for era in ERAS for ex in expected_pages(era) for p in ex.chrome}
    search = archive_dir / "site" / "search"
    docs = "".join(p.read_text(encoding="utf-8") for p in sorted(search.rglob("*.js")))
    assert "Vi bruker informasjonskapsler" not in docs
    csv_text = run_export(archive_dir, "csv").read_text(encoding="utf-8")
    json_text = run_export(archive_dir, "json").read_text(encoding="utf-8")
    # the Viken notice is a field of its own (notice_text), never content
    notice = {p for p in phrases if "Viken" in p or "oppdateres ikke" in p}
    for phrase in phrases:
        assert phrase not in docs, phrase
        assert phrase in notice or phrase not in csv_text, phrase
    records = json.loads(json_text)
    records = records["pages"] if isinstance(records, dict) else records
    for rec in records:
        text = " ".join([rec["text"], rec["description"] or "", rec["title"]])
        leaked = [p for p in phrases if p in text]
        assert not leaked, (rec["url"], leaked)
    # a term only the 2006 footer has is not in the index either
    terms = "".join(p.read_text(encoding="utf-8") for p in sorted(search.rglob("*.js"))
                    if not p.name.startswith("docs"))
    assert "telefaks" not in terms.lower()
