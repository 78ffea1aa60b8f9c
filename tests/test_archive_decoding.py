"""Charset decoding as browsers do it: BOM, HTTP header, meta, detection."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures_archive_pages import SITE, sample_archive

from archive.decoding import decode_html, has_mojibake
from archive.extract import run_extract


def test_latin1_declared_in_header_is_read_as_windows_1252() -> None:
    body = "<p>Søknadsfrist – «snart»</p>".encode("cp1252")
    decoded = decode_html(body, "text/html; charset=iso-8859-1")
    assert decoded.text == "<p>Søknadsfrist – «snart»</p>"
    assert decoded.charset == "windows-1252"
    assert decoded.source == "http"


def test_meta_charset_when_header_has_none() -> None:
    body = '<meta charset="iso-8859-1"><p>blåbær</p>'.encode("latin-1")
    decoded = decode_html(body, "text/html")
    assert "blåbær" in decoded.text and decoded.source == "meta"


def test_bom_wins_over_a_wrong_header() -> None:
    body = "\ufeff<p>Ås</p>".encode("utf-8")
    decoded = decode_html(body, "text/html; charset=iso-8859-1")
    assert decoded.text == "<p>Ås</p>" and decoded.source == "bom"


def test_detection_without_any_declaration() -> None:
    assert decode_html("<p>Ørsta</p>".encode(), None).charset == "utf-8"
    legacy = decode_html("<p>Ørsta</p>".encode("cp1252"), None)
    assert legacy.charset == "windows-1252" and "Ørsta" in legacy.text


def test_mojibake_detector() -> None:
    assert has_mojibake("Ã¸") and has_mojibake("\ufffd") and not has_mojibake("æøå ÆØÅ")


def test_no_mojibake_in_extracted_pages_gzip_and_latin1(tmp_path: Path) -> None:
    report = run_extract(sample_archive(tmp_path))
    assert report.mojibake == []
    records = [json.loads(line) for line in (tmp_path / "data" / "pages.jsonl").open()]
    for record in records:
        assert not has_mojibake(json.dumps(record, ensure_ascii=False)), record["url"]
    latin = next(r for r in records if r["url"] == SITE + "/opplaring/")
    assert latin["charset"] == "windows-1252"
    assert "Søknadsfristen er 1. mars – ikke glem den." in latin["text"]
    assert "Ærlig «sitat»" in latin["text"]
    gz = [r for r in records if r["provenance"]["record_type"] == "response"
          and "pressemeldinger" in r["url"]]
    assert gz and gz[0]["title"] == "Ny samferdselsplan vedtatt"
