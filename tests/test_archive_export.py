"""Export: JSON Lines, JSON, CSV; --latest; --strategies; datapackage.json with sha256."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
from pathlib import Path

import pytest
from fixtures_archive import Response, legacy_page, write_warc
from fixtures_archive_pages import SEED_URL, SITE, sample_archive

from archive.errors import ArchiveError
from archive.export import PAGE_COLUMNS, csv_safe, read_pages, run_export
from archive.extract import run_extract

# Text a spreadsheet program would run as a formula, one value per trigger character.
FORMULAS = ['=HYPERLINK("http://127.0.0.1/x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
            "\tx", "\rx"]


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    out = sample_archive(tmp_path)
    run_extract(out)
    return out


def test_jsonl_and_json_hold_every_record(archive: Path) -> None:
    lines = run_export(archive, "jsonl").read_text(encoding="utf-8").splitlines()
    array = json.loads(run_export(archive, "json").read_text(encoding="utf-8"))
    assert len(lines) == len(array) == 9
    assert [json.loads(x)["id"] for x in lines] == [r["id"] for r in array]


def test_csv_reads_back_with_header_one_row_per_page(archive: Path) -> None:
    path = run_export(archive, "csv")
    assert path.read_bytes().startswith(b"id,url,")  # no byte-order mark: utf-8 as declared
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9
    assert list(rows[0]) == [name for name, _, _ in PAGE_COLUMNS]
    seed = [r for r in rows if r["url"] == SEED_URL][-1]
    assert seed["title"] == "Internasjonal strategi"
    assert seed["strategy_priorities"] == (
        "Samferdsel og miljø | Nærings- og samfunnsutvikling | Ungdom og opplæring")
    assert seed["strategy_start"] == "2014" and seed["notice"] == "true"
    assert "\n" in seed["text"]  # multi-line cells survive quoting


def test_latest_keeps_the_newest_capture_per_url(archive: Path) -> None:
    records = [json.loads(x) for x in run_export(archive, "jsonl", latest=True).open()]
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)) == 7
    seed = next(r for r in records if r["url"] == SEED_URL)
    assert seed["captured_at"] == "2021-03-01T10:00:00Z"


def test_strategies_on_their_own(archive: Path) -> None:
    out = archive / "s.jsonl"
    records = [json.loads(x) for x in run_export(archive, "jsonl", out, strategies=True).open()]
    assert len(records) == 4
    assert set(records[0]) >= {"page_id", "url", "title", "period", "goal", "priorities",
                               "figures"}
    rows = list(csv.DictReader(run_export(archive, "csv", latest=True, strategies=True)
                               .open(encoding="utf-8", newline="")))
    assert len(rows) == 3


def test_datapackage_hashes_match(archive: Path) -> None:
    run_export(archive, "csv")
    path = run_export(archive, "jsonl")
    package = json.loads((path.parent / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert {"pages-csv", "pages-jsonl", "page-schema"} <= names
    for res in package["resources"]:
        data = (path.parent / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert res["bytes"] == len(data)
    csv_res = next(r for r in package["resources"] if r["name"] == "pages-csv")
    assert [f["name"] for f in csv_res["schema"]["fields"]][:2] == ["id", "url"]


def test_export_needs_an_extract_first(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="extract"):
        run_export(tmp_path, "jsonl")
    with pytest.raises(ArchiveError, match="format"):
        run_export(tmp_path, "xml")


def hostile_archive(archive: Path) -> Path:
    """pages.jsonl rewritten: per formula one copy of the seed carrying it as its title,
    headings, text and strategy goal (a year of -3 beside it), then the seed as it was."""
    pages = archive / "data" / "pages.jsonl"
    seed = [r for r in read_pages(pages) if r["url"] == SEED_URL][-1]
    records = []
    for n, value in enumerate(FORMULAS):
        r = copy.deepcopy(seed)
        r["id"] = f"formula-{n}"
        r["title"] = r["text"] = r["strategy"]["goal"] = value
        for i, section in enumerate(r["sections"]):
            section["heading"] = value if i == 0 else None
        r["strategy"]["period"]["start"] = -3
        records.append(r)
    records.append(seed)
    pages.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                     encoding="utf-8")
    return archive


def test_csv_cells_that_would_run_as_formulas_get_a_quote_in_front(archive: Path) -> None:
    path = run_export(hostile_archive(archive), "csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(FORMULAS) + 1
    for row, value in zip(rows, FORMULAS, strict=False):
        for column in ("title", "headings", "text", "strategy_goal"):
            assert row[column] == "'" + value, (column, row[column])
        assert row["strategy_start"] == "-3"  # a number in a numeric column stays a number
        assert row["word_count"] == "446" and row["status"] == "200"
    normal = rows[-1]
    assert normal["title"] == "Internasjonal strategi"
    assert normal["headings"].startswith("Internasjonal strategi | ")
    assert normal["strategy_start"] == "2014"
    package = json.loads((path.parent / "datapackage.json").read_text(encoding="utf-8"))
    csv_res = next(r for r in package["resources"] if r["name"] == "pages-csv")
    assert "single quote" in csv_res["description"]


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_exports_keep_formula_text_exactly(archive: Path, fmt: str) -> None:
    text = run_export(hostile_archive(archive), fmt).read_text(encoding="utf-8")
    records = ([json.loads(line) for line in text.splitlines()] if fmt == "jsonl"
               else json.loads(text))
    assert [r["title"] for r in records] == [*FORMULAS, "Internasjonal strategi"]
    assert [r["text"] for r in records[:-1]] == FORMULAS
    assert [r["sections"][0]["heading"] for r in records[:-1]] == FORMULAS


def test_strategies_csv_is_neutralised_too(archive: Path) -> None:
    path = run_export(hostile_archive(archive), "csv", strategies=True)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["goal"] for r in rows[:-1]] == ["'" + v for v in FORMULAS]
    assert {r["period_start"] for r in rows[:-1]} == {"-3"}
    assert not rows[-1]["goal"].startswith("'")


def test_csv_safe_touches_only_risky_text() -> None:
    assert [csv_safe(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [csv_safe(v) for v in ("Tannhelse", "", " =1", "a=b", "'quoted")] == [
        "Tannhelse", "", " =1", "a=b", "'quoted"]
    assert [csv_safe(v) for v in (-3, -2.5, 0, None)] == [-3, -2.5, 0, None]


def test_site_pages_csv_is_neutralised(tmp_path: Path) -> None:
    """The site's own pages.csv (written when no CSV export exists) follows the same rule."""
    from render.build import run_render

    titles = [v for v in FORMULAS if v.strip() == v]  # the extractor trims tabs and CRs
    responses = [Response(f"{SITE}/side-{n}/", legacy_page(t, "<p>Tekst.</p>").encode())
                 for n, t in enumerate([*titles, "Tannhelse"])]
    write_warc(tmp_path / "warc" / "formulas-00000.warc.gz", responses)
    run_extract(tmp_path)
    run_render(tmp_path, workers=1)
    with (tmp_path / "site" / "data" / "pages.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["url"]: r for r in csv.DictReader(fh)}
    got = [rows[f"{SITE}/side-{n}/"]["title"] for n in range(len(titles) + 1)]
    assert got == ["'" + t for t in titles] + ["Tannhelse"]
    assert {r["status"] for r in rows.values()} == {"200"}
