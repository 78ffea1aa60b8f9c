"""Accuracy on the replica: a gold set of hand-checked records, scored element by element.

The replica is served on 127.0.0.1 (two eras: 2019 without the Viken notice,
2020 with it); every page is fetched over HTTP and written to a WARC, the
archive is extracted, and each gold file in tests/gold/ is compared with its
record. Floors (lowering one is a reviewed change): titles and strategy
fields 100 %, headings, blocks and list items at least 98 %, and no chrome
anywhere in the sections of any replica page.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fixtures_archive_replica import CaptureWriter
from lxml import html as lxml_html

from archive.decoding import decode_html, has_mojibake
from archive.extract import run_extract
from archive.parse import clean
from archive.reader import ArchiveReader
from replica.inventory import all_urls
from replica.server import ReplicaServer

GOLD_DIR = Path(__file__).parent / "gold"
SEED_PATH = ("/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
             "internasjonal-strategi/")
OLD_DATE, NEW_DATE = "2019-06-01T08:00:00Z", "2021-03-01T10:00:00Z"
FLOORS = {"title": 1.0, "strategy": 1.0, "headings": 0.98, "blocks": 0.98, "items": 0.98}

# The legacy templates' chrome (see the template notes): selectors and texts that
# must never reach sections.
CHROME_SELECTORS = (
    "#skiplinks", ".viken-notice", "header.site-header", "nav.main-menu", "nav.breadcrumbs",
    "nav.secondary-menu", "form.feedback-form", "footer.site-footer", "div.skip",
    "#report-header", ".report-nav", "#report-footer",
)
CONTENT_SELECTORS = "main#innhold, .report-content"
CHROME_TEXTS = (
    "Hopp til innhold", "Hopp til meny", "Hopp til sekundærmeny", "Hopp til hurtigsøk",
    "Gå til søkesiden", "Fant du det du lette etter", "Trykk send-knappen", "Fyll ut skjemaet",
    "Disse nettsidene oppdateres ikke", "Avansert søk", "Publisert:", "Sist endret:",
)


@pytest.fixture(scope="module")
def replica_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every page of the replica (2020) and an older capture of the seed (2019)."""
    out = tmp_path_factory.mktemp("replica-archive")
    writer = CaptureWriter(out / "warc" / "replica-00000.warc.gz")
    try:
        with ReplicaServer(era="2019") as old:
            writer.capture(old.port, SEED_PATH, OLD_DATE)
        with ReplicaServer(era="2020") as new:
            for entry in all_urls("2020"):
                if entry.host == "www.akershus.no" and entry.status == 200:
                    writer.capture(new.port, entry.target, NEW_DATE)
    finally:
        writer.close()
    run_extract(out)
    return out


@pytest.fixture(scope="module")
def records(replica_archive: Path) -> list[dict[str, Any]]:
    path = replica_archive / "data" / "pages.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.json"))


def find(records: list[dict[str, Any]], gold: dict[str, Any]) -> dict[str, Any]:
    matches = [r for r in records
               if r["url"] == gold["url"] and r["captured_at"] == gold["captured_at"]]
    assert len(matches) == 1, f"no single capture of {gold['url']} at {gold['captured_at']}"
    return matches[0]


def score(gold: dict[str, Any], rec: dict[str, Any]) -> Counter[str]:
    """Hits and totals per element kind: ``kind`` and ``kind/total``."""
    c: Counter[str] = Counter()

    def tally(kind: str, hit: bool) -> None:
        c[kind] += hit
        c[kind + "/total"] += 1

    tally("title", rec["title"] == gold["title"])
    for key in ("language", "charset", "template", "notice", "published", "modified"):
        tally("fields", rec[key] == gold[key])
    got_sections = rec["sections"]
    for i, section in enumerate(gold["sections"]):
        got = got_sections[i] if i < len(got_sections) else {"heading": None, "level": -1,
                                                             "blocks": []}
        tally("headings", (got["heading"], got["level"]) == (section["heading"],
                                                             section["level"]))
        got_items = [item for b in got["blocks"] if b["type"] == "list" for item in b["items"]]
        for block in section["blocks"]:
            tally("blocks", block in got["blocks"])
            for item in block.get("items", []):
                tally("items", item in got_items)
    gs, rs = gold["strategy"], rec["strategy"]
    if gs is None:
        tally("strategy", rs is None)
    else:
        rs = rs or {"title": None, "period": None, "goal": None, "priorities": [], "figures": []}
        for key in ("title", "period", "goal"):
            tally("strategy", rs[key] == gs[key])
        tally("strategy", len(rs["priorities"]) == len(gs["priorities"]))
        for i, priority in enumerate(gs["priorities"]):
            tally("strategy", i < len(rs["priorities"]) and rs["priorities"][i] == priority)
        for figure in gs["figures"]:
            tally("strategy", figure in rs["figures"])
    return c


def test_gold_set_covers_what_the_issue_names() -> None:
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in gold_files()]
    assert len(golds) >= 12
    assert sum(g["strategy"] is not None for g in golds) >= 5
    assert any(g["language"] == "en" for g in golds)
    assert any(g["charset"] == "windows-1252" for g in golds)
    assert any(g["template"] == "news" for g in golds)
    assert any(g["template"] == "annual-report" for g in golds)
    assert any(b["type"] == "contact" for g in golds for s in g["sections"] for b in s["blocks"])


def test_gold_scores_hold_the_floors(records: list[dict[str, Any]]) -> None:
    total: Counter[str] = Counter()
    failures = []
    for path in gold_files():
        gold = json.loads(path.read_text(encoding="utf-8"))
        c = score(gold, find(records, gold))
        total += c
        if any(c[k] < c[k + "/total"] for k in ("title", "strategy", "fields")):
            failures.append(path.name)
    rates = {k: total[k] / total[k + "/total"] for k in FLOORS}
    report = ", ".join(f"{k} {total[k]}/{total[k + '/total']}" for k in FLOORS)
    for kind, floor in FLOORS.items():
        assert rates[kind] >= floor, f"{kind} below floor {floor}: {report}; {failures}"
    assert total["fields"] == total["fields/total"], failures


def test_seed_page_strategy(records: list[dict[str, Any]]) -> None:
    seeds = [r for r in records if r["url"].endswith(SEED_PATH)]
    assert [r["notice"] for r in seeds] == [False, True]
    s = seeds[-1]["strategy"]
    assert seeds[-1]["title"] == "Internasjonal strategi"
    assert s["title"] == "Internasjonal strategi 2014-2018"
    assert s["period"] == {"start": 2014, "end": 2018}
    assert s["goal"] == ("Akershus fylkeskommunes internasjonale engasjement skal bidra til "
                         "å realisere fylkeskommunens målsettinger og oppgaveløsning.")
    assert s["priorities"] == ["Samferdsel og miljø", "Nærings- og samfunnsutvikling",
                               "Ungdom og opplæring"]
    assert {(f["value"], f["counts"]) for f in s["figures"]} >= {
        (570000, "innbyggere"), (1200000, "innbyggere"), (200000, "økning")}


def test_strategies_are_exactly_the_strategy_pages(records: list[dict[str, Any]]) -> None:
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in gold_files()]
    expected = {g["url"] for g in golds if g["strategy"] is not None}
    found = {r["url"] for r in records if r["strategy"] is not None}
    assert found == expected


def test_no_chrome_leaks_anywhere_in_the_replica(replica_archive: Path,
                                                 records: list[dict[str, Any]]) -> None:
    by_key = {(r["url"], r["captured_at"]): r for r in records}
    checked = 0
    for cap in ArchiveReader(replica_archive).captures():
        if not cap.is_html or cap.payload is None:
            continue
        rec = by_key[(cap.url, cap.captured_at)]
        doc = lxml_html.document_fromstring(decode_html(cap.payload, cap.content_type).text)
        content = " ".join(clean(el.text_content()) for el in doc.cssselect(CONTENT_SELECTORS))
        chrome = {clean(el.text_content()) for sel in CHROME_SELECTORS for el in doc.cssselect(sel)}
        chrome |= {clean(p.text_content()) for sel in CHROME_SELECTORS
                   for el in doc.cssselect(sel) for p in el.iter("p", "li", "a", "legend")}
        chrome = {t for t in chrome if len(t) > 3 and t not in content}
        texts = [rec["title"]] + [
            piece
            for s in rec["sections"]
            for piece in [s["heading"] or ""] + [
                t for b in s["blocks"]
                for t in (b.get("items") or [b.get("text") or ""])
            ]
        ]
        leaks = [t for t in texts if t in chrome]
        leaks += [c for c in CHROME_TEXTS if c in json.dumps(rec["sections"], ensure_ascii=False)]
        assert not leaks, (cap.url, leaks)
        checked += 1
    assert checked == len(records) > 200


def test_no_mojibake_on_the_replica(records: list[dict[str, Any]]) -> None:
    bad = [r["url"] for r in records if has_mojibake(json.dumps(r, ensure_ascii=False))]
    assert bad == []
    latin = [r for r in records if r["charset"] == "windows-1252"]
    assert latin and all("ø" in r["text"] or "å" in r["text"] for r in latin)


def test_every_template_matched(replica_archive: Path, records: list[dict[str, Any]]) -> None:
    report = json.loads((replica_archive / "data" / "extract-report.json").read_text())
    assert report["unmatched_template"] == []
    assert report["damaged"] == []
    assert {r["template"] for r in records} == {"article", "news", "annual-report"}
