"""Search: Norwegian-aware analysis, the sharded index, and the real search.js on replica texts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from render.search_index import (
    DOC_CHUNK,
    TEXT_KEPT,
    TITLE_FLAG,
    IndexWriter,
    ascii_fold,
    compound_parts,
    fold,
    kept_text,
    page_kind,
    page_weights,
    shard_key,
    stem,
    terms,
)

STATIC = Path(__file__).resolve().parent.parent / "render" / "static"
NODE = shutil.which("node")


def test_fold_keeps_norwegian_letters_and_folds_case_and_accents() -> None:
    assert fold("ÆØÅ Ærlig Øst Årsrapport") == "æøå ærlig øst årsrapport"
    assert fold("Crème brûlée, Müller") == "creme brulee, muller"
    assert fold("Göteborg Ärø") == "gøteborg ærø"
    assert fold("NÆRINGS- OG SAMFUNNSUTVIKLING") == "nærings- og samfunnsutvikling"
    assert fold("A\u030angstrøm") == "ångstrøm"  # decomposed å is still å


@pytest.mark.parametrize("forms", [
    ["prioriteringer", "prioritering", "prioriteringen", "prioriteringene"],
    ["tematiske", "tematisk"],
    ["skole", "skolen", "skoler", "skolene"],          # bokmål
    ["skule", "skulen", "skulane"],                    # nynorsk
    ["fylkeskommune", "fylkeskommunen", "fylkeskommunens"],
    ["næring", "nærings", "næringer"],
])
def test_light_stemmer_joins_inflected_forms(forms: list[str]) -> None:
    assert len({stem(f) for f in forms}) == 1, {f: stem(f) for f in forms}


def test_terms_drop_stop_words_and_split_on_punctuation() -> None:
    assert list(terms("Nærings- og samfunnsutvikling")) == ["naering", "samfunnsutvikling"]
    assert list(terms("Tematiske prioriteringer")) == ["tematisk", "prioritering"]
    assert list(terms("TEMATISKE PRIORITERINGER")) == ["tematisk", "prioritering"]
    assert list(terms("2014-2018")) == ["2014", "2018"]


@pytest.mark.parametrize(("typed", "written"), [
    ("lorenskog", "Lørenskog"), ("loerenskog", "Lørenskog"), ("raelingen", "Rælingen"),
    ("opplaering", "opplæring"), ("aas", "Ås"), ("OPPLÆRINGEN", "opplaering"),
    ("baerum", "Bærum"), ("Göteborg", "Goteborg"),
])
def test_ascii_spellings_have_the_terms_of_the_norwegian_words(typed: str, written: str) -> None:
    assert list(terms(typed)) == list(terms(written)) != []


def test_ascii_fold_and_stop_words_are_folded_alike() -> None:
    assert ascii_fold(fold("Ærlig østover på Ås")) == "aerlig ostover paa aas"
    assert list(terms("på så nå å")) == []  # the stop words, folded, are still stop words
    assert list(terms("pa")) == ["pa"]  # but an unfolded "pa" is a word


def test_stemmer_joins_nynorsk_and_bokmal_plural_and_definite_forms() -> None:
    assert len({stem(w) for w in ["planane", "planar", "planen", "planer", "planene"]}) == 1
    assert stem("strategien") == stem("strategiene") == stem("strategi") == "strategi"
    assert stem("bu") == "bu" and stem("hus") == "hus"  # short words are left alone


def test_compounds_split_into_known_parts_only() -> None:
    vocab = {stem(w) for w in ["plan", "strategi", "regional", "næring", "kommune", "fylke"]}
    vocab = {ascii_fold(t) for t in vocab} | {"planstrategi"}
    assert compound_parts("planstrategi", vocab) == {stem("plan"), "strategi"}
    assert compound_parts("naeringsstrategi", vocab) == {"naering", "strategi"}  # linking -s-
    assert compound_parts("fylkeskommun", vocab) == {stem("fylke"), "kommun"}
    assert compound_parts("regionalplanstrategi", vocab) >= {"regional", "planstrategi",
                                                            "strategi"}
    assert compound_parts("strategi", vocab) == set()  # a known word is not split
    assert compound_parts("xyzplanstrategi", vocab) == set()  # "xyz" is no word
    assert compound_parts("planxyzstrategi", vocab) == set()


def test_title_terms_carry_the_title_flag_and_body_weight_is_capped() -> None:
    w = page_weights("Regional planstrategi", ["Mål", "Mål"], "plan " * 50 + "regional")
    assert w["regional"] >= TITLE_FLAG and w["planstrategi"] >= TITLE_FLAG
    assert w[stem("plan")] == 10 and w["maal"] == 10
    assert kept_text("a " * 1000).count("a") <= TEXT_KEPT // 2 + 1
    assert kept_text("  Ei   lita \n tekst ") == "Ei lita tekst"
    assert page_kind("news", None) == "press" and page_kind("news", {"title": "x"}) == "strategy"
    assert page_kind("article", {}) == "page"


def test_index_keeps_types_years_and_splits_compounds(tmp_path: Path) -> None:
    writer = IndexWriter(tmp_path / "search", tmp_path / "spool")
    entries = [
        ("Regional planstrategi", "Planstrategien for Akershus.", "strategy", "2016-05-01"),
        ("Pressemelding om strategi", "Ny strategi vedtatt.", "press", "2019-01-02"),
        ("Om fylket", "Lørenskog og Rælingen.", "page", ""),
        ("Plan for skolen", "Opplæring.", "document", "2014-11-20"),
    ]
    for title, body, kind, date in entries:
        writer.add([title, "p.html", date, "nb", "http://x/", kept_text(body), kind],
                   title, [], body)
    stats = writer.close()
    assert stats["docs"] == 4 and stats["compounds"] >= 1
    folder = tmp_path / "search"
    meta_js = (folder / "meta.js").read_text(encoding="utf-8")
    meta = json.loads(meta_js[meta_js.index("=") + 1: meta_js.rindex(";")])
    assert meta == {"k": "snpd", "y": [2016, 2019, 0, 2014]}
    manifest_js = (folder / "manifest.js").read_text(encoding="utf-8")
    manifest = json.loads(manifest_js[manifest_js.index("=") + 1: manifest_js.rindex(";")])
    assert manifest["years"] == [2014, 2016, 2019]
    assert manifest["kinds"] == {"page": 1, "press": 1, "strategy": 1, "document": 1}
    assert python_query(folder, "strategi") == [0, 1]  # 0 only through "planstrategi"
    strategi = load_shard(folder, shard_key("strategi"))["strategi"]
    assert dict(zip(strategi[::2], strategi[1::2]))[0] >= TITLE_FLAG  # a title compound
    assert python_query(folder, "lorenskog raelingen") == [2]
    assert python_query(folder, "opplaering") == [3]
    chunk = (folder / "docs-0.js").read_text(encoding="utf-8")
    docs = json.loads(chunk[chunk.index(".push(") + 6: chunk.rindex(");")])["d"]
    assert [len(d) for d in docs] == [6] * 4 and docs[2][5] == "Lørenskog og Rælingen."


def test_shard_keys_are_file_name_safe() -> None:
    assert shard_key("tematisk") == "74_65"
    assert shard_key("æøå") == "e6_f8"
    assert all(re.fullmatch(r"[0-9a-f_]+", shard_key(t)) for t in terms("Ærø Østfold Åsgård"))
    assert re.fullmatch(r"[0-9a-f_]+", shard_key("ø"))


# --- the index over the replica's own texts ----------------------------------

def replica_docs() -> list[tuple[str, str, list[str], str]]:
    """(path, title, headings, text) of every page of the replica (2020 era)."""
    import replica.site as site_mod
    site = site_mod.Site("2020")
    out = []
    for path, page in sorted(site.pages.items()):
        headings = [b[1] for b in page.blocks if b and b[0] in ("h2", "h3")]
        text = page.all_text()
        out.append((path, page.title, headings, text))
    return out


@pytest.fixture(scope="module")
def replica_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    out = tmp_path_factory.mktemp("index")
    docs = replica_docs()
    writer = IndexWriter(out / "search", out / "spool")
    for path, title, headings, text in docs:
        writer.add([title, f"pages{path}index.html", "2020-09-14", "nb", path, text[:100]],
                   title, headings, text)
    stats = writer.close()
    assert stats["docs"] == len(docs) and not (out / "spool").exists()
    return out / "search", docs


def load_shard(folder: Path, key: str) -> dict[str, list[int]]:
    text = (folder / f"t-{key}.js").read_text(encoding="utf-8")
    payload = text[text.index(".push(") + 6: text.rindex(");")]
    return json.loads(payload.replace("<\\/", "</"))["t"]


def python_query(folder: Path, query: str) -> list[int]:
    """The AND query search.js runs, over the written shards (exact terms)."""
    sets = []
    for t in terms(query):
        postings = load_shard(folder, shard_key(t)).get(t, [])
        sets.append(set(postings[::2]))
    return sorted(set.intersection(*sets)) if sets else []


def test_index_finds_the_seed_page_among_replica_pages(replica_index) -> None:
    folder, docs = replica_index
    paths = [d[0] for d in docs]
    seed = next(i for i, p in enumerate(paths) if p.endswith("/internasjonal-strategi/"))
    assert seed in python_query(folder, "Tematiske prioriteringer")
    assert seed in python_query(folder, "tematiske PRIORITERINGER")
    assert seed in python_query(folder, "Nærings- og samfunnsutvikling")
    assert seed in python_query(folder, "prioritering")  # singular finds the plural


def test_index_is_sharded_and_manifest_lists_every_shard(replica_index) -> None:
    folder, docs = replica_index
    manifest_js = (folder / "manifest.js").read_text(encoding="utf-8")
    manifest = json.loads(manifest_js[manifest_js.index("=") + 1: manifest_js.rindex(";")])
    shards = {p.name[2:-3] for p in folder.glob("t-*.js")}
    assert set(manifest["shards"]) == shards and len(shards) > 20
    assert manifest["docs"] == len(docs) and manifest["docChunk"] == DOC_CHUNK
    assert len(list(folder.glob("docs-*.js"))) == -(-len(docs) // DOC_CHUNK)
    for f in folder.glob("*.js"):
        assert "</script" not in f.read_text(encoding="utf-8").lower()


def test_shards_written_in_groups_and_slices_are_the_same_bytes(tmp_path: Path,
                                                              monkeypatch) -> None:
    """A shard too big to hold is written a group of terms and a slice of postings at
    a time; the files are exactly those written in one piece."""
    from render import search_index

    docs = replica_docs()

    def build(out: Path) -> dict[str, bytes]:
        writer = IndexWriter(out / "search", out / "spool")
        for path, title, headings, text in docs:
            writer.add([title, path, "2020-09-14", "nb", path, text[:50]], title, headings, text)
        writer.close()
        return {p.name: p.read_bytes() for p in sorted((out / "search").iterdir())}

    whole = build(tmp_path / "whole")
    monkeypatch.setattr(search_index, "SHARD_GROUP", 3)
    monkeypatch.setattr(search_index, "WRITE_SLICE", 2)
    assert build(tmp_path / "grouped") == whole
    big = max((n for n in whole if n.startswith("t-")), key=lambda n: len(whole[n]))
    assert max(map(len, load_shard(tmp_path / "grouped" / "search", big[2:-3]).values())) > 6


# --- the real search.js, run by node when it is installed ----------------------

HARNESS = r"""
const fs = require("fs"), vm = require("vm"), path = require("path");
const dir = process.argv[2];
const scripts = [];
global.window = global;
global.document = {
  currentScript: null,
  getElementById: () => null,
  createElement: () => ({}),
  head: { appendChild: (s) => { vm.runInThisContext(fs.readFileSync(path.join(dir, s.src), "utf8")); s.onload(); } },
};
vm.runInThisContext(fs.readFileSync(path.join(dir, "search/manifest.js"), "utf8"));
vm.runInThisContext(fs.readFileSync(process.argv[3], "utf8"));
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const out = { terms: input.texts.map((t) => window.archiveSearch.terms(t)), results: {} };
Promise.all(input.queries.map((q) => window.archiveSearch.query(q).then((r) => {
  out.results[q] = r.docs.map((d) => d[4]);
}))).then(() => process.stdout.write(JSON.stringify(out)));
"""


def run_search_js(site_root: Path, texts: list[str], queries: list[str]) -> dict[str, Any]:
    harness = site_root / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    proc = subprocess.run([NODE, str(harness), str(site_root), str(STATIC / "search.js")],
                          input=json.dumps({"texts": texts, "queries": queries}),
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed (the browser tests cover this)")
def test_search_js_matches_python_and_finds_seed(replica_index) -> None:
    folder, docs = replica_index
    texts = [d[3] for d in docs] + ["ÆØÅ Ærlig Crème Göteborg NÆRINGS-", "A\u030angstrøm"]
    queries = ["Tematiske prioriteringer", "nærings- og samfunnsutvikling", "TEMATISK",
               "temat", "xyzzyplugh"]
    out = run_search_js(folder.parent, texts, queries)
    assert out["terms"] == [list(terms(t)) for t in texts]  # one analyser in two languages
    seed = next(d[0] for d in docs if d[0].endswith("/internasjonal-strategi/"))
    assert out["results"]["Tematiske prioriteringer"][0] == seed
    assert seed in out["results"]["nærings- og samfunnsutvikling"]
    assert seed in out["results"]["TEMATISK"]
    assert seed in out["results"]["temat"]  # the word being typed matches as a prefix
    assert out["results"]["xyzzyplugh"] == []
