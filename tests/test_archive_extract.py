"""The extract run: pages.jsonl, its schema, the report; records validate against the schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fixtures_archive_pages import SEED_URL, SITE, sample_archive

from archive.errors import ArchiveError
from archive.extract import run_extract
from archive.model import SCHEMA_PATH, page_schema, schema_text


@pytest.fixture()
def extracted(tmp_path: Path) -> tuple[Path, list[dict]]:
    archive = sample_archive(tmp_path)
    run_extract(archive)
    lines = (archive / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    return archive, [json.loads(line) for line in lines]


def test_schema_in_repo_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "regenerate archive/schema/page.schema.json from archive.model.schema_text()"
    )


def test_every_record_validates(extracted: tuple[Path, list[dict]]) -> None:
    archive, records = extracted
    schema = json.loads((archive / "data" / "page.schema.json").read_text(encoding="utf-8"))
    assert schema == page_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for record in records:
        validator.validate(record)


def test_one_record_per_html_capture(extracted: tuple[Path, list[dict]]) -> None:
    _, records = extracted
    assert len(records) == 9
    seeds = [r for r in records if r["url"] == SEED_URL]
    assert [r["captured_at"] for r in seeds] == ["2016-05-01T08:00:00Z", "2021-03-01T10:00:00Z"]
    assert [r["notice"] for r in seeds] == [False, True]
    assert len({r["id"] for r in records}) == len(records)
    assert list(records[0]) == list(page_schema()["properties"])


def test_seed_record(extracted: tuple[Path, list[dict]]) -> None:
    _, records = extracted
    seed = [r for r in records if r["url"] == SEED_URL][-1]
    assert seed["title"] == "Internasjonal strategi"
    assert seed["language"] == "nb" and seed["status"] == 200
    assert seed["superseded_by"] == "https://www.viken.no/"
    assert [s["name"] for s in seed["succession"]] == [
        "Akershus fylkeskommune", "Viken fylkeskommune", "Akershus fylkeskommune"]
    assert seed["strategy"]["period"] == {"start": 2014, "end": 2018}
    doc = seed["documents"][0]
    assert doc["format"] == "pdf" and doc["captured"] is True
    prov = seed["provenance"]
    assert prov["warc_file"] == "sample-00000.warc.gz" and prov["record_id"].startswith("<urn:")
    assert prov["payload_digest"].startswith("sha1:")


def test_report_counts(tmp_path: Path) -> None:
    report = run_extract(sample_archive(tmp_path))
    assert report.pages == 9
    assert report.by_status == {"200": 11, "301": 1, "404": 1}
    assert report.non_html == {"application/pdf": 1, "text/css": 1}
    assert report.documents == 1 and report.revisits == 1
    assert report.strategies == 4
    assert report.unmatched_template == [] and report.damaged == []
    assert any("pages" in line for line in report.lines())
    docs = (tmp_path / "data" / "documents.jsonl").read_text().splitlines()
    assert json.loads(docs[0])["content_type"] == "application/pdf"
    saved = json.loads((tmp_path / "data" / "extract-report.json").read_text())
    assert saved["pages"] == 9


def test_unmatched_template_is_reported(tmp_path: Path) -> None:
    from fixtures_archive import Response, write_warc

    write_warc(tmp_path / "warc" / "a.warc.gz", [
        Response(SITE + "/annen/", b"<html><body><h1>Annen</h1><p>Tekst.</p></body></html>")])
    report = run_extract(tmp_path)
    assert report.unmatched_template == [SITE + "/annen/"]
    assert "matched no known template" in "\n".join(report.lines())


def test_bad_input_raises_domain_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="run a crawl"):
        run_extract(tmp_path)
    assert not (tmp_path / "data" / "pages.jsonl").exists()
