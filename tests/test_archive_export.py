"""Export: JSON Lines, JSON, CSV; --latest; --strategies; datapackage.json with sha256."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from fixtures_archive_pages import SEED_URL, sample_archive

from archive.errors import ArchiveError
from archive.export import PAGE_COLUMNS, run_export
from archive.extract import run_extract


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
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid,url,")
    with path.open(encoding="utf-8-sig", newline="") as fh:
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
                               .open(encoding="utf-8-sig", newline="")))
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
