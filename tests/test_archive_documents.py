"""``extract`` writes documents.jsonl: one record per captured PDF, linked both ways with pages.

The archive is written as the crawler writes it (real WARC files), holding the
replica's strategy PDFs and its bad ones (encrypted, damaged, scanned) with
pages that link them; the records are read back and checked against the
schema, the gold records of the PDFs and each other.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fixtures_archive import Response, write_warc

from archive.export import run_export
from archive.extract import run_extract
from archive.model import DOCUMENT_SCHEMA_PATH, document_schema, document_schema_text
from archive.wacz import run_package
from replica.pdfs import build_all
from replica.pdfs_gold import gold_records

SITE = "http://www.akershus.no"
FOLDER = "/globalassets/dokumenter/"


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body><main><h1>{title}</h1>{body}</main></body></html>").encode()


STRATEGY_PAGE = _page("Internasjonal strategi 2014-2018", (
    "<p class='ingress'>Fylkeskommunens internasjonale strategi.</p>"
    "<h2>Overordnet målsetting</h2><p>Akershus skal være en attraktiv region i Europa.</p>"
    "<h2>Tematiske prioriteringer</h2><ul><li>Samferdsel og miljø</li>"
    "<li>Ungdom og opplæring</li><li>Kultur og idrett</li></ul>"
    f"<p><a href='{FOLDER}internasjonal-strategi-2014-2018.pdf'>Les strategien (PDF)</a></p>"
))
HEALTH_PAGE = _page("Folkehelse", (
    "<p>Om folkehelsearbeidet.</p>"
    f"<p><a href='{FOLDER}folkehelsestrategi-2019-2023.pdf'>Folkehelsestrategi (PDF)</a> og "
    f"<a href='{FOLDER}folkehelseoversikt-2016.pdf'>oversikten</a>, "
    f"<a href='{FOLDER}saksprotokoll-fylkestinget-2014-06-16-skannet.pdf'>protokollen</a>, "
    f"<a href='{FOLDER}handlingsprogram-internasjonalt-2016-konfidensielt.pdf'>program</a>, "
    f"<a href='{FOLDER}samferdselsstrategi-2018-2030.pdf'>samferdsel</a>, "
    f"<a href='{FOLDER}tall.xlsx'>tall</a>.</p>"
))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    pdfs = build_all()
    responses = [
        Response(SITE + "/internasjonalt/", STRATEGY_PAGE),
        Response(SITE + "/folkehelse/", HEALTH_PAGE),
        *(Response(f"{SITE}{FOLDER}{name}.pdf", body, content_type="application/pdf",
                   chunked=name.startswith("folke"))
          for name, body in pdfs.items()),
        Response(SITE + FOLDER + "tall.xlsx", b"PK\x03\x04 not really a workbook",
                 content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        # a later capture of the same strategy, deduplicated into a revisit
        Response(f"{SITE}{FOLDER}internasjonal-strategi-2014-2018.pdf",
                 pdfs["internasjonal-strategi-2014-2018"], date="2022-05-01T10:00:00Z",
                 content_type="application/pdf"),
    ]
    write_warc(root / "warc" / "docs-00000.warc.gz", responses)
    report = run_extract(root)
    assert report.ok, report.damaged
    return root


def _documents(root: Path) -> list[dict[str, Any]]:
    lines = (root / "data" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _by_name(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for d in _documents(root):
        name = d["url"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        out.setdefault(name, d)  # the first capture of each
    return out


def _pages(root: Path) -> dict[str, dict[str, Any]]:
    lines = (root / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["url"]: json.loads(line) for line in lines}


def test_document_schema_is_current_and_copied(extracted: Path) -> None:
    assert DOCUMENT_SCHEMA_PATH.read_text(encoding="utf-8") == document_schema_text(), (
        "regenerate archive/schema/document.schema.json from archive.model.document_schema_text()")
    copied = json.loads((extracted / "data" / "document.schema.json").read_text("utf-8"))
    assert copied == document_schema()


def test_every_captured_document_has_a_valid_record(extracted: Path) -> None:
    docs = _documents(extracted)
    assert len(docs) == 8  # 6 laid-out PDFs, the workbook, and the revisit of one PDF
    validator = jsonschema.Draft202012Validator(document_schema())
    for d in docs:
        errors = [e.message for e in validator.iter_errors(d)]
        assert not errors, (d["url"], errors)
    assert len({d["id"] for d in docs}) == len(docs)


def test_strategy_documents_come_out_with_their_content(extracted: Path) -> None:
    docs, gold = _by_name(extracted), gold_records()
    for name in ("internasjonal-strategi-2014-2018", "folkehelsestrategi-2019-2023",
                 "samferdselsstrategi-2018-2030"):
        d, g = docs[name], gold[name]
        assert d["reason"] is None and d["format"] == "pdf"
        assert d["pages"] == g["page_count"] and d["title"] == g["title"]
        assert d["metadata"]["author"] == g["metadata"]["author"]
        assert d["metadata"]["created"] == g["metadata"]["created"]
        headings = [s["heading"] for s in d["sections"] if s["heading"]]
        assert headings == [s["heading"] for s in g["sections"]]
        assert d["language"] == "nb" and d["word_count"] > 300
        assert "Side 2 av" not in d["text"]
        assert d["strategy"] is not None, name
        assert d["strategy"]["period"]["start"] == int(g["strategy"]["period"][:4])
        assert d["extraction"]["pages_read"] == g["page_count"]
        assert d["provenance"]["payload_digest"].startswith("sha1:")


def test_sub_goals_of_priorities(extracted: Path) -> None:
    d, g = _by_name(extracted)["folkehelsestrategi-2019-2023"], gold_records()[
        "folkehelsestrategi-2019-2023"]
    strategy = d["strategy"]
    assert [p["title"] for p in g["strategy"]["priorities"]] == strategy["priorities"]
    found = {s["priority"]: s["goals"] for s in strategy["sub_goals"]}
    for p in g["strategy"]["priorities"]:
        assert found.get(p["title"]) == p["goals"], p["title"]


def test_bad_documents_say_why(extracted: Path) -> None:
    docs = _by_name(extracted)
    expect = {
        "handlingsprogram-internasjonalt-2016-konfidensielt": "encrypted",
        "folkehelseoversikt-2016": "damaged",
        "saksprotokoll-fylkestinget-2014-06-16-skannet": "no_text_layer",
        "tall": "not_read",
    }
    for name, reason in expect.items():
        d = docs[name]
        assert d["reason"] == reason, (name, d["reason"])
        assert d["detail"], name
        assert d["sections"] == [] and d["text"] == "" and d["strategy"] is None
    assert docs["saksprotokoll-fylkestinget-2014-06-16-skannet"]["pages"] == 1
    assert docs["tall"]["format"] == "xlsx"


def test_revisit_is_a_record_of_its_own_with_the_same_content(extracted: Path) -> None:
    captures = [d for d in _documents(extracted)
                if d["url"].endswith("internasjonal-strategi-2014-2018.pdf")]
    assert len(captures) == 2
    first, later = sorted(captures, key=lambda d: d["captured_at"])
    assert later["provenance"]["record_type"] == "revisit"
    assert later["provenance"]["refers_to"]["record_id"] == first["provenance"]["record_id"]
    assert later["text"] == first["text"] and later["id"] != first["id"]


def test_pages_and_documents_point_to_each_other(extracted: Path) -> None:
    pages, docs = _pages(extracted), _by_name(extracted)
    health = pages[SITE + "/folkehelse/"]
    pointers = {d["url"].rsplit("/", 1)[-1]: d["record"] for d in health["documents"]}
    assert pointers["folkehelsestrategi-2019-2023.pdf"] == docs["folkehelsestrategi-2019-2023"]["id"]
    assert docs["folkehelsestrategi-2019-2023"]["linked_from"] == [SITE + "/folkehelse/"]
    # the strategy page names its document's record, captured nearest in time (the first)
    strategy = pages[SITE + "/internasjonalt/"]["strategy"]
    assert strategy["document"] == docs["internasjonal-strategi-2014-2018"]["id"]
    assert docs["internasjonal-strategi-2014-2018"]["linked_from"] == [SITE + "/internasjonalt/"]


def test_a_page_that_disagrees_with_its_document_says_so(extracted: Path) -> None:
    strategy = _pages(extracted)[SITE + "/internasjonalt/"]["strategy"]
    # the page names "Kultur og idrett", which the document does not prioritise
    assert any(line.startswith("priorities:") and "Kultur og idrett" in line
               for line in strategy["differences"]), strategy["differences"]
    report = json.loads((extracted / "data" / "extract-report.json").read_text("utf-8"))
    assert report["document_records"]["conflict_count"] == 1
    assert report["document_records"]["reasons"]["encrypted"] == 1


def test_export_documents_and_strategies_from_documents(extracted: Path) -> None:
    out = run_export(extracted, "csv", documents=True)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["id", "url", "captured_at"] and len(rows) == 1 + 8
    out = run_export(extracted, "jsonl", documents=True)
    assert (out.parent / "document.jsonschema.json").is_file()
    package = json.loads((out.parent / "datapackage.json").read_text("utf-8"))
    assert {"documents-jsonl", "document-schema"} <= {r["name"] for r in package["resources"]}
    out = run_export(extracted, "jsonl", strategies=True)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    sources = {(r["source"], r["url"].rsplit("/", 1)[-1]) for r in records}
    assert ("document", "folkehelsestrategi-2019-2023.pdf") in sources
    page_rows = [r for r in records if r["source"] == "page"]
    assert page_rows and all(r["document_id"] for r in page_rows)


def test_wacz_carries_the_document_records(extracted: Path, tmp_path: Path) -> None:
    wacz = run_package(extracted, tmp_path / "docs.wacz")
    with zipfile.ZipFile(wacz) as zf:
        names = set(zf.namelist())
        assert {"data/documents.jsonl", "data/document.schema.json", "data/pages.jsonl"} <= names
        package = json.loads(zf.read("datapackage.json"))
    assert "data/documents.jsonl" in {r["path"] for r in package["resources"]}


def test_every_gold_figure_and_goal_of_the_strategy_documents(extracted: Path) -> None:
    docs, gold = _by_name(extracted), gold_records()
    for name in ("internasjonal-strategi-2014-2018", "folkehelsestrategi-2019-2023",
                 "samferdselsstrategi-2018-2030"):
        strategy, want = docs[name]["strategy"], gold[name]["strategy"]
        assert strategy["goal"] == want["goal"], name
        assert strategy["priorities"] == [p["title"] for p in want["priorities"]], name
        for figure in want["figures"]:
            # the figure as written, with its context: the table row it stands in, or
            # (where the text states the same number of the same thing) that sentence
            assert any(figure["value"] in f["text"] and (
                figure["context"] in f["sentence"] or figure["context"].startswith(
                    f["counts"] or "-")) for f in strategy["figures"]), (name, figure)


def test_export_documents_from_the_command_line(extracted: Path, tmp_path: Path) -> None:
    from conftest import cli

    out = tmp_path / "docs.csv"
    proc = cli("export", str(extracted), "--documents", "--format", "csv", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("id,url,captured_at,status")
    proc = cli("export", str(extracted), "--documents", "--strategies")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("Error: ") and len(proc.stderr.strip().splitlines()) == 1
    empty = tmp_path / "no-documents"
    (empty / "data").mkdir(parents=True)
    (empty / "data" / "pages.jsonl").write_text("", encoding="utf-8")
    proc = cli("export", str(empty), "--documents")
    assert proc.returncode == 1 and "run `akershus-archive extract" in proc.stderr
