"""Full-text search that works from file://: a sharded index loaded by script tags.

Browsers refuse ``fetch()`` of file:// URLs, so the index is JavaScript:
each shard file calls ``window.__searchShards.push({...})`` and the search
page adds a ``<script>`` tag for just the shards a query needs. Terms are
sharded by their first two letters, documents in fixed-size chunks, so a query
at 20 000 pages loads a few hundred kilobytes, not the whole index.

Writing streams too: postings go to per-shard spool files as pages are added,
and each shard is assembled alone at the end.

The analyser must match ``static/search.js`` exactly (the tests check it in a
browser): lower-case, NFC, accents stripped except æ ø å (ä -> æ, ö -> ø),
then folded to ASCII (æ -> ae, ø -> o, å -> aa, and the digraph oe -> o), so
"lorenskog", "raelingen" and "opplaering" are the terms of "Lørenskog",
"Rælingen" and "opplæring"; words of letters and digits, a small nb/nn stop
list, and a light nb+nn stemmer (after Savoy's light Norwegian stemmer, as in
Lucene's NorwegianLightStemmer, with both bokmål and nynorsk rules on).

Compounds are split when the index is closed, when the whole vocabulary is
known: a term that is a known term's stem (with a linking -s- or -e-) followed
by another known term is also indexed under its parts, so "strategi" finds
"planstrategi" (see ``compound_parts``). Queries are not split.

Beside the postings the index keeps, per entry, its type (page, press release,
strategy, document) and year in ``meta.js``, for filters and ranking in the
browser, and a bounded part of its text in the document chunks, from which the
browser cuts the snippet around the first match.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

DOC_CHUNK = 25  # documents per docs-N.js file (about 18 KB at TEXT_KEPT characters each):
# a page of 20 results reads up to 20 of them; at 100 a file (70 KB) that reading
# was a third of a query on the 100 000-entry site (bench/SEARCH-RESULTS.md)
TEXT_KEPT = 600  # characters of an entry's text kept for its snippet
SPOOL_FLUSH = 50_000  # buffered postings before spooling to disk
SHARD_GROUP = 250_000  # postings held at once while a shard is written (2 MB packed)
WRITE_SLICE = 8192  # integers of a posting list joined into text at once
MIN_LINE = 6  # bytes every spool line has at least ("ab\t0\t1\n" is 7)
TITLE_WEIGHT = 10
HEADING_WEIGHT = 5
HEADING_CAP = 20
BODY_CAP = 10  # a word repeated 50 times is not 50 times as relevant
TITLE_FLAG = 1000  # added to a posting's weight when the term is in the title (search.js reads it)
MIN_COMPOUND = 7  # shortest term split into parts
MIN_HEAD = 3  # shortest first part (its stem must be a term)
MIN_TAIL = 4  # shortest last part (must be a term)
# Entry types as meta.js spells them, one letter each.
KINDS = {"page": "p", "press": "n", "strategy": "s", "document": "d"}

_KEEP = frozenset("æøå")
_MAP = {"ä": "æ", "ö": "ø"}
_WORD = re.compile(r"[^\W_]+")

# Function words of bokmål and nynorsk, kept short on purpose: a stop word
# is dropped from queries too, so a longer list would make phrases unfindable.
_STOP_LIST = (
    ["og", "i", "på", "er", "det", "en", "et", "til", "av", "for", "som", "med", "at", "de", "den", "å", "om", "ikkje", "ikke", "har", "var", "vi", "seg", "kan", "fra", "ved", "eller", "men", "så", "skal", "da", "nå", "han", "hun", "dei", "ein", "eit", "eg", "jeg", "du", "the", "of", "and", "to", "in"]
)


_OTHER = re.compile(r"[^\x00-\x7fæøå]")


def _fold_char(m: re.Match[str]) -> str:
    ch = _MAP.get(m.group(0), m.group(0))
    if ch in _KEEP:
        return ch
    return "".join(c for c in unicodedata.normalize("NFD", ch)
                   if not unicodedata.category(c).startswith("M"))


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping the Norwegian letters æ, ø, å."""
    text = unicodedata.normalize("NFC", text.lower())
    return _OTHER.sub(_fold_char, text)  # ASCII and æøå, nearly all text, pass untouched


_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "aa"})


def ascii_fold(folded: str) -> str:
    """Folded text to ASCII: æ -> ae, ø -> o, å -> aa, and the digraph oe -> o.

    Both sides meet at one form: "Lørenskog", "Loerenskog" and "lorenskog" are
    all "lorenskog"; "Rælingen" and "raelingen" both "raelingen".
    """
    return folded.translate(_ASCII).replace("oe", "o")


# The stop words as the analyser sees them (folded: "på" is "paa").
STOPWORDS = frozenset(ascii_fold(w) for w in _STOP_LIST)


def _ends(word: str, length: int, suffix: str) -> bool:
    return word[:length].endswith(suffix)


@lru_cache(maxsize=20_000)  # common words are stemmed once; rare ones again when evicted
def stem(word: str) -> str:
    """Light Norwegian stemmer, bokmål and nynorsk rules together."""
    n = len(word)
    if n > 4 and word[n - 1] == "s":  # possessive: bilens -> bilen
        n -= 1
    w = word
    if n > 7 and any(_ends(w, n, s) for s in ("heter", "heten", "heita")):
        return w[: n - 5]
    if n > 8 and any(_ends(w, n, s) for s in ("heiter", "leiken", "leikar")):
        return w[: n - 6]
    if n > 5 and any(_ends(w, n, s) for s in ("dom", "het")):
        return w[: n - 3]
    if n > 6 and any(_ends(w, n, s) for s in ("heit", "semd", "leik")):
        return w[: n - 4]
    if n > 7 and any(_ends(w, n, s) for s in ("elser", "elsen")):
        return w[: n - 5]
    if n > 6 and any(_ends(w, n, s) for s in
                     ("ende", "ande", "else", "este", "aste", "eren", "aren")):
        return w[: n - 4]
    if n > 5 and any(_ends(w, n, s) for s in ("ere", "are", "est", "ast", "ene", "ane")):
        return w[: n - 3]
    if n > 4 and any(_ends(w, n, s) for s in ("er", "en", "et", "ar", "st", "te")):
        return w[: n - 2]
    if n > 3 and w[n - 1] in "aen":
        return w[: n - 1]
    return w[:n]


def words(text: str) -> list[str]:
    """Folded (ASCII) words of a text, before stop words and stemming."""
    return _WORD.findall(ascii_fold(fold(text)))


def terms(text: str) -> Iterator[str]:
    """Index terms of a text: folded, stop words dropped, stemmed."""
    for w in words(text):
        if len(w) > 1 and w not in STOPWORDS:
            yield stem(w)


# Latin-1 byte -> itself if it is a word character of _WORD (str.isalnum() is
# exactly what [^\W_] matches), else a space: then bytes.split() gives the words.
_WORD_BYTES = bytes(b if chr(b).isalnum() else 0x20 for b in range(256))


def word_counts(text: str) -> Counter[str]:
    """How often each folded word occurs, in order of first occurrence.

    A page body has thousands of words but a few hundred distinct ones, so they
    are counted before anything else looks at them. Folded text is nearly
    always Latin-1 (ASCII and æøå): as bytes, splitting is a table lookup and a
    split in C; other text goes through the regular expression.
    """
    folded = ascii_fold(fold(text))
    try:
        raw = folded.encode("latin-1")
    except UnicodeEncodeError:
        return Counter(_WORD.findall(folded))
    counts = Counter(raw.translate(_WORD_BYTES).split())
    return Counter({w.decode("latin-1"): c for w, c in counts.items()})


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs: counted per distinct word, then filtered and stemmed.

    Terms come in order of first occurrence, as the index files list them so.
    """
    out: Counter[str] = Counter()
    for w, c in word_counts(text).items():
        if len(w) > 1 and w not in STOPWORDS:
            out[stem(w)] += c
    return out


def shard_key(term: str) -> str:
    """Shard of a term: its first two letters as hex code points (file-name safe)."""
    return "_".join(f"{ord(c):x}" for c in term[:2])


# The shard of a term depends on its first two letters only: a few thousand
# prefixes at most, looked up for every term of every page.
_prefix_shard = lru_cache(maxsize=8192)(shard_key)


def _js(var: str, payload: Any) -> str:
    # "<\/" for "</": a payload can never end a script element it is embedded in.
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.{var}=window.{var}||[];window.{var}.push({body});\n"


def _json_str(text: str) -> str:
    """A JSON string as ``_js`` writes it (not ASCII-escaped, "</" kept from ending a script)."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


def _term_groups(spool: Path) -> list[list[str] | None]:
    """The terms of a spool in groups of at most SHARD_GROUP postings, in their order.

    A spool too small to hold more than one group (every line takes at least
    MIN_LINE bytes) is one group, ``None`` ("every term"), and is not counted:
    only the large shards of a large archive pay for the extra pass.
    """
    if spool.stat().st_size <= SHARD_GROUP * MIN_LINE:
        return [None]
    counts: dict[str, int] = {}
    with spool.open(encoding="utf-8") as fh:
        for line in fh:
            term = line[:line.index("\t")]
            counts[term] = counts.get(term, 0) + 1
    groups: list[list[str] | None] = []
    held = 0
    for term, n in counts.items():
        if not groups or (held and held + n > SHARD_GROUP):
            groups.append([])
            held = 0
        groups[-1].append(term)  # type: ignore[union-attr]
        held += n
    return groups


def page_weights(title: str, headings: Iterable[str], body: str) -> dict[str, int]:
    """Weight of each term of a page: title and headings count most, the body is capped.

    A term of the title also has TITLE_FLAG added, so the browser can rank the
    entries whose title has the query's words first.
    """
    weights: dict[str, int] = defaultdict(int)
    titled = set(terms(title))
    for t in titled:
        weights[t] += TITLE_WEIGHT
    heads: dict[str, int] = defaultdict(int)
    for heading in headings:
        for t in terms(heading):
            heads[t] += HEADING_WEIGHT
    for t, w in heads.items():
        weights[t] += min(w, HEADING_CAP)
    for t, c in term_counts(body).items():
        weights[t] += min(c, BODY_CAP)
    for t in titled:
        weights[t] += TITLE_FLAG
    return dict(weights)


def compound_parts(term: str, vocabulary: set[str] | frozenset[str],
                   depth: int = 2) -> set[str]:
    """The known parts of a compound term ("planstrategi" -> {"pla", "strategi"}).

    A split is made where the rest is a term of the vocabulary (at least
    MIN_TAIL letters) and the part before it, with or without a linking -s- or
    -e-, stems to a term too; the rest is split again (``depth`` levels).
    Conservative on purpose: both halves must be words the archive uses.
    """
    parts: set[str] = set()
    if depth <= 0 or len(term) < MIN_COMPOUND:
        return parts
    for i in range(MIN_HEAD, len(term) - MIN_TAIL + 1):
        tail = term[i:]
        if tail not in vocabulary:
            continue
        head = term[:i]
        heads = [head]
        if head[-1] in "se" and len(head) > MIN_HEAD:
            heads.append(head[:-1])
        for h in heads:
            if h in STOPWORDS:
                continue
            hs = stem(h)
            if hs in vocabulary and len(hs) >= MIN_HEAD:
                parts.update((hs, tail))
                parts |= compound_parts(tail, vocabulary, depth - 1)
                break
    parts.discard(term)
    return parts


def kept_text(text: str) -> str:
    """The part of an entry's text the index keeps for snippets: TEXT_KEPT characters."""
    flat = " ".join(text.split())
    if len(flat) <= TEXT_KEPT:
        return flat
    cut = flat.rfind(" ", 0, TEXT_KEPT)
    return flat[: cut if cut > TEXT_KEPT // 2 else TEXT_KEPT]


def page_kind(template: str | None, strategy: Any) -> str:
    """Type of a page entry: a strategy, a press release (template "news") or a page."""
    if isinstance(strategy, dict) and strategy:
        return "strategy"
    return "press" if template == "news" else "page"


def document_kind(strategy: Any) -> str:
    """Type of a document entry: a strategy document or another document."""
    return "strategy" if isinstance(strategy, dict) and strategy else "document"


class IndexWriter:
    """Collects pages one by one and writes the sharded index under ``out_dir``."""

    def __init__(self, out_dir: Path, spool_dir: Path) -> None:
        self.out_dir = out_dir
        self.spool_dir = spool_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        spool_dir.mkdir(parents=True, exist_ok=True)
        self._buffer: dict[str, list[str]] = defaultdict(list)
        self._buffered = 0
        self._docs: list[list[Any]] = []
        self.count = 0
        self._shards: set[str] = set()
        self._vocabulary: set[str] = set()
        self._kinds: list[str] = []
        self._years = array("H")
        self.compounds = 0

    def add(self, doc: list[Any], title: str, headings: Iterable[str], body: str) -> int:
        """Index one page; ``doc`` is what a result shows: [title, path, date, lang, url,
        text] and, seventh, its type (page, press, strategy, document; page if left out)."""
        return self.add_weights(doc, page_weights(title, headings, body))

    def add_weights(self, doc: list[Any], weights: dict[str, int]) -> int:
        """Index one page whose term weights were computed already (by a render worker)."""
        doc_id = self.count
        self.count += 1
        kind = doc[6] if len(doc) > 6 else "page"
        self._kinds.append(KINDS.get(kind, "p"))
        year = str(doc[2] or "")[:4]
        self._years.append(int(year) if year.isdigit() else 0)
        doc = doc[:6]
        self._vocabulary.update(weights)
        for t, w in weights.items():
            key = _prefix_shard(t[:2])
            self._buffer[key].append(f"{t}\t{doc_id}\t{w}\n")
        self._buffered += len(weights)
        self._docs.append(doc)
        if len(self._docs) == DOC_CHUNK:
            self._write_docs()
        if self._buffered >= SPOOL_FLUSH:
            self._spool()
        return doc_id

    def _write_docs(self) -> None:
        chunk = (self.count - 1) // DOC_CHUNK
        (self.out_dir / f"docs-{chunk}.js").write_text(
            _js("__searchDocs", {"c": chunk, "d": self._docs}), encoding="utf-8")
        self._docs = []

    def _spool(self) -> None:
        for key, lines in self._buffer.items():
            with (self.spool_dir / f"{key}.tsv").open("a", encoding="utf-8") as fh:
                fh.writelines(lines)
            self._shards.add(key)
        self._buffer.clear()
        self._buffered = 0

    def _write_shard(self, key: str) -> int:
        """Assemble one term shard from its spool; return its length in characters.

        Postings are held as packed integers (8 bytes a posting, not some 70 as
        Python ints in lists), at most SHARD_GROUP of them at once: the terms are
        read back in groups, in their order, one pass over the spool per group
        (see ``_term_groups``). Each term's list is written in slices. Memory
        stays the same however large the archive, and the bytes are exactly
        those of ``_js`` over the whole shard.
        """
        spool = self.spool_dir / f"{key}.tsv"
        var = "__searchShards"
        head = (f"window.{var}=window.{var}||[];window.{var}.push("
                '{"k":' + _json_str(key) + ',"t":{')
        size = len(head)
        first = True
        with (self.out_dir / f"t-{key}.js").open("w", encoding="utf-8") as out:
            out.write(head)
            for group in _term_groups(spool):
                postings: dict[str, array[int]] = {t: array("i") for t in group or ()}
                with spool.open(encoding="utf-8") as fh:
                    for line in fh:
                        term, doc_id, weight = line.rstrip("\n").split("\t")
                        packed = postings.get(term)
                        if packed is None:
                            if group is not None:
                                continue  # another group's term
                            packed = postings[term] = array("i")
                        packed.append(int(doc_id))
                        packed.append(int(weight))
                for term, packed in postings.items():
                    part = ("" if first else ",") + _json_str(term) + ":["
                    first = False
                    for i in range(0, len(packed), WRITE_SLICE):
                        part += ("," if i else "") + ",".join(map(str, packed[i:i + WRITE_SLICE]))
                        out.write(part)
                        size += len(part)
                        part = ""
                    out.write(part + "]")
                    size += len(part) + 1
            out.write("}});\n")
        return size + 5

    def _split_compounds(self) -> None:
        """Give the parts of every compound term the compound's postings.

        The vocabulary is complete only now; every spool is read once and the
        derived postings (title flag kept, the rest of the weight halved) are
        appended to the parts' spools after all are read.
        """
        splits: dict[str, set[str]] = {}
        for t in self._vocabulary:
            parts = compound_parts(t, self._vocabulary)
            if parts:
                splits[t] = parts
        self.compounds = len(splits)
        if not splits:
            return
        derived = self.spool_dir / "derived"
        derived.mkdir(exist_ok=True)
        buffer: dict[str, list[str]] = defaultdict(list)
        held = 0

        def flush() -> None:
            for key, lines in buffer.items():
                with (derived / f"{key}.tsv").open("a", encoding="utf-8") as fh:
                    fh.writelines(lines)
            buffer.clear()

        for key in sorted(self._shards):
            with (self.spool_dir / f"{key}.tsv").open(encoding="utf-8") as fh:
                for line in fh:
                    term, rest = line.split("\t", 1)
                    of_term = splits.get(term)
                    if of_term is None:
                        continue
                    doc_id, weight = rest.rstrip("\n").split("\t")
                    w = int(weight)
                    half = (w >= TITLE_FLAG) * TITLE_FLAG + max(1, (w % TITLE_FLAG) // 2)
                    for part in of_term:
                        buffer[_prefix_shard(part[:2])].append(f"{part}\t{doc_id}\t{half}\n")
                    held += len(of_term)
            if held >= SPOOL_FLUSH:
                flush()
                held = 0
        flush()
        for extra in sorted(derived.glob("*.tsv")):
            with (self.spool_dir / extra.name).open("a", encoding="utf-8") as out, \
                    extra.open(encoding="utf-8") as fh:
                shutil.copyfileobj(fh, out)
            self._shards.add(extra.stem)
        shutil.rmtree(derived)

    def _write_meta(self) -> None:
        """meta.js: every entry's type (a letter) and year (0 when unknown), by entry number."""
        meta = {"k": "".join(self._kinds), "y": self._years.tolist()}
        (self.out_dir / "meta.js").write_text(
            f"window.__searchMeta={json.dumps(meta, separators=(',', ':'))};\n",
            encoding="utf-8")

    def close(self) -> dict[str, int]:
        """Write the remaining docs, every term shard, meta.js and the manifest; remove the spool."""
        if self._docs:
            self._write_docs()
        self._spool()
        self._split_compounds()
        self._write_meta()
        sizes = []
        for key in sorted(self._shards):
            sizes.append(self._write_shard(key))
        shutil.rmtree(self.spool_dir, ignore_errors=True)
        years = sorted({y for y in self._years if y})
        kinds = {k: self._kinds.count(letter) for k, letter in KINDS.items()}
        manifest = {"shards": sorted(self._shards), "docChunk": DOC_CHUNK, "docs": self.count,
                    "stopwords": sorted(STOPWORDS), "years": years, "kinds": kinds,
                    "titleFlag": TITLE_FLAG}
        (self.out_dir / "manifest.js").write_text(
            f"window.__searchManifest={json.dumps(manifest, ensure_ascii=False)};\n",
            encoding="utf-8")
        return {"docs": self.count, "shards": len(sizes), "largest_shard": max(sizes, default=0),
                "compounds": self.compounds}
