"""The replica's PDF documents: deterministic, and saying what their gold records say.

The PDFs are read back with pypdf only to check the generator: text is
compared after joining the declared line-end hyphens and collapsing
whitespace, which is an extractor's job and not under test here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
import reportlab  # noqa: F401 - the generator this module checks
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from replica import pdfs
from replica.pdfs_content import BAD, DOCUMENTS, SHY
from replica.pdfs_gold import gold_records

STRATEGIES = [d.name for d in DOCUMENTS]
_WS = re.compile(r"\s+")


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return pdfs.build_all()


@pytest.fixture(scope="module")
def gold() -> dict[str, dict[str, Any]]:
    return gold_records()


def reader(data: bytes) -> Any:
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(data: bytes, password: str | None = None) -> list[str]:
    pdf = reader(data)
    if password:
        pdf.decrypt(password)
    return [page.extract_text() for page in pdf.pages]


def content_pages(texts: list[str], record: dict[str, Any]) -> list[str]:
    """Each page's text without the running header and footer (its first two lines)."""
    furniture = record["furniture"]
    pages = list(texts)
    for page, footer in zip(furniture["pages"], furniture["footers"], strict=True):
        lines = pages[page - 1].splitlines()
        assert lines[0] == furniture["header"] and lines[1] == footer
        pages[page - 1] = "\n".join(lines[2:])
    return pages


def content(texts: list[str], record: dict[str, Any]) -> str:
    return "\n".join(content_pages(texts, record))


def joined(raw: str, record: dict[str, Any]) -> str:
    """Page text read as content: declared line-end hyphens joined, whitespace collapsed."""
    for lb in record.get("line_breaks", []):
        raw = raw.replace(f"{lb['before']}\n{lb['after']}", lb["joined"])
    return collapse(raw)


def strings(record: dict[str, Any]) -> list[str]:
    """Every heading, paragraph, list item and table cell of a record."""
    out = []
    for section in record["sections"]:
        out.append(section["heading"])
        for block in section["blocks"]:
            if isinstance(block, str):
                out.append(block)
            elif block["type"] == "list":
                out += block["items"]
            else:
                out += [cell for row in block["rows"] for cell in row]
    return out


def test_same_bytes_every_run(files: dict[str, bytes]) -> None:
    again = pdfs.build_all()
    assert list(again) == list(files)
    for name, data in files.items():
        assert hashlib.sha256(again[name]).digest() == hashlib.sha256(data).digest(), name


def test_gold_is_json_ready_and_covers_every_file(files, gold) -> None:
    assert set(gold) == set(files)
    text = json.dumps(gold, ensure_ascii=False)
    assert SHY not in text
    assert json.loads(text) == gold
    assert {g["reason"] for g in gold.values() if g["kind"] == "bad"} == {
        "encrypted", "damaged", "no_text_layer"}


@pytest.mark.parametrize("name", STRATEGIES)
def test_strategy_opens_with_its_page_count_and_metadata(files, gold, name) -> None:
    record, pdf = gold[name], reader(files[name])
    assert 4 <= record["page_count"] <= 12
    assert len(pdf.pages) == record["page_count"]
    meta, expected = pdf.metadata, record["metadata"]
    assert meta.title == expected["title"] == record["title"]
    assert meta.author == expected["author"] == "Akershus fylkeskommune"
    assert meta.subject == expected["subject"]
    assert meta.producer == expected["producer"]
    assert meta.creation_date == datetime.fromisoformat(expected["created"])
    assert meta.modification_date == datetime.fromisoformat(expected["modified"])


@pytest.mark.parametrize("name", STRATEGIES)
def test_text_holds_every_heading_item_and_figure(files, gold, name) -> None:
    record = gold[name]
    text = joined(content(page_texts(files[name]), record), record)
    for expected in strings(record) + record["title_page"]:
        assert collapse(expected) in text, expected
    model = record["strategy"]
    assert model["period"] in record["title"]
    assert collapse(model["goal"]) in text
    for priority in model["priorities"]:
        assert priority["title"] in text
        for goal in priority["goals"]:
            assert collapse(goal) in text
    assert model["figures"]
    for figure in model["figures"]:
        assert f"{figure['value']} {figure['context']}" in text, figure
    assert all(c in text for c in "æøåÆØÅ")


@pytest.mark.parametrize("name", STRATEGIES)
def test_running_header_and_footer_on_all_but_the_title_page(files, gold, name) -> None:
    record = gold[name]
    texts = page_texts(files[name])
    furniture = record["furniture"]
    assert furniture["pages"] == list(range(2, len(texts) + 1))
    assert "Side" not in texts[0]
    assert not texts[0].startswith(furniture["header"] + "\n")
    for page, footer in zip(furniture["pages"], furniture["footers"], strict=True):
        lines = texts[page - 1].splitlines()
        assert lines[0] == furniture["header"]
        assert footer == f"Side {page} av {len(texts)}"
        assert re.findall(r"Side \d+ av \d+", texts[page - 1]) == [footer]


def _outline(items: list[Any], pdf: Any, level: int = 1) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, list):
            out += _outline(item, pdf, level + 1)
        else:
            out.append({"title": item.title, "level": level})
    return out


@pytest.mark.parametrize("name", STRATEGIES)
def test_outline_as_the_gold_says(files, gold, name) -> None:
    pdf = reader(files[name])
    assert _outline(pdf.outline, pdf) == gold[name]["outline"]
    outlined = [n for n in STRATEGIES if gold[n]["outline"]]
    assert outlined and len(outlined) < len(STRATEGIES)


def test_headings_have_three_levels_lists_of_both_kinds_and_tables(gold) -> None:
    records = [gold[n] for n in STRATEGIES]
    sections = [s for r in records for s in r["sections"]]
    assert {s["level"] for s in sections} == {1, 2, 3}
    blocks = [b for s in sections for b in s["blocks"] if isinstance(b, dict)]
    assert {b["ordered"] for b in blocks if b["type"] == "list"} == {True, False}
    assert sum(b["type"] == "table" for b in blocks) >= 4


@pytest.mark.parametrize("name", STRATEGIES)
def test_split_paragraph_continues_on_the_next_page(files, gold, name) -> None:
    record = gold[name]
    pages = content_pages(page_texts(files[name]), record)
    texts = [joined(t, record) for t in pages]
    for paragraph in record["split_paragraphs"]:
        words = paragraph.split()
        head, tail = " ".join(words[:8]), " ".join(words[-8:])
        (page,) = [i for i, t in enumerate(texts) if head in t]
        assert tail not in texts[page] and tail in texts[page + 1]
        assert collapse(paragraph) in joined(f"{pages[page]}\n{pages[page + 1]}", record)
    assert any(gold[n]["split_paragraphs"] for n in STRATEGIES)


@pytest.mark.parametrize("name", STRATEGIES)
def test_every_line_end_hyphen_is_declared(files, gold, name) -> None:
    record = gold[name]
    raw = "\n".join(page_texts(files[name]))
    for lb in record["line_breaks"]:
        assert f"{lb['before']}\n{lb['after']}" in raw, lb
    found = re.findall(r"(\S+-)\n(\w+)", raw)
    assert sorted(found) == sorted((lb["before"], lb["after"]) for lb in record["line_breaks"])


def test_both_kinds_of_hyphen_break_occur(gold) -> None:
    breaks = [lb for n in STRATEGIES for lb in gold[n]["line_breaks"]]
    soft = [lb for lb in breaks if lb["joined"] == lb["before"][:-1] + lb["after"]]
    hard = [lb for lb in breaks if lb["joined"] == lb["before"] + lb["after"]]
    assert soft and hard
    sources = [b.text for d in DOCUMENTS for s in d.sections for b in s.blocks
               if hasattr(b, "text")]
    for lb in soft:
        shy = f"{lb['before'][:-1]}{SHY}{lb['after']}"
        assert any(shy in text for text in sources), shy


def _block_x(page: Any) -> list[float]:
    """x of every translation the page's content makes (the layout places each block so)."""
    ops = pypdf.generic.ContentStream(page.get_contents(), page.pdf).operations
    return [float(args[4]) for args, op in ops if op == b"cm" and float(args[4]) > 0]


def test_two_column_page(files, gold) -> None:
    (name,) = [n for n in STRATEGIES if gold[n]["two_column_pages"]]
    pdf = reader(files[name])
    for number in gold[name]["two_column_pages"]:
        xs = _block_x(pdf.pages[number - 1])
        assert any(x < pdfs.WIDTH / 2 for x in xs) and any(x > pdfs.WIDTH / 2 for x in xs)
    assert all(x < pdfs.WIDTH / 2 for x in _block_x(pdf.pages[1]))


def test_encrypted_needs_its_password(files, gold) -> None:
    record = gold[BAD.encrypted.name]
    data = files[BAD.encrypted.name]
    pdf = reader(data)
    assert pdf.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        pdf.pages[0].extract_text()
    assert not reader(data).decrypt("feil passord")
    text = joined(content(page_texts(data, record["password"]), record), record)
    for expected in strings(record):
        assert collapse(expected) in text


def test_damaged_does_not_parse_cleanly(files, gold) -> None:
    data = files[BAD.damaged.name]
    assert gold[BAD.damaged.name]["reason"] == "damaged"
    assert pdfs.render(BAD.damaged).startswith(data)
    assert b"%%EOF" not in data and b"startxref" not in data
    with pytest.raises(PdfReadError):
        reader_strict = pypdf.PdfReader(io.BytesIO(data), strict=True)
        [page.extract_text() for page in reader_strict.pages]
    with pytest.raises(PyPdfError):
        [page.extract_text() for page in reader(data).pages]


def test_image_only_has_no_text_layer(files, gold) -> None:
    record = gold[BAD.scanned.name]
    pdf = reader(files[BAD.scanned.name])
    assert len(pdf.pages) == record["page_count"] == 1
    page = pdf.pages[0]
    assert page.extract_text().strip() == ""
    assert not re.search(rb"T[jJ]\b|'", page.get_contents().get_data())
    assert len(page.images) == 1
    assert record["reason"] == "no_text_layer" and record["image_text"]


def test_layout_contradicting_the_data_raises() -> None:
    with pytest.raises(pdfs.LayoutError):
        pdfs.render(dataclasses.replace(DOCUMENTS[0], pages=DOCUMENTS[0].pages + 1))
    with pytest.raises(pdfs.LayoutError):
        pdfs.render(dataclasses.replace(DOCUMENTS[0], two_column_pages=()))


def test_same_bytes_in_another_process(tmp_path, files) -> None:
    """Another interpreter (another hash seed) writes the same files."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "replica.pdfs", str(tmp_path)], check=True,
                   env=env, cwd=Path(pdfs.__file__).parent.parent, capture_output=True)
    for name, data in files.items():
        assert (tmp_path / f"{name}.pdf").read_bytes() == data, name


def test_write_pdfs_and_cli(tmp_path, files) -> None:
    written = pdfs.write_pdfs(tmp_path / "a")
    assert {name: path.read_bytes() for name, path in written.items()} == files
    assert all(path.name == f"{name}.pdf" for name, path in written.items())
    assert pdfs.main([str(tmp_path / "b"), "--gold"]) == 0
    gold = json.loads((tmp_path / "b" / "gold.json").read_text(encoding="utf-8"))
    assert set(gold) == set(files)
    assert (tmp_path / "b" / f"{STRATEGIES[0]}.pdf").read_bytes() == files[STRATEGIES[0]]
