"""The faster paths of rendering give what the plain ones gave.

Search terms are counted per distinct word, the sanitiser skips elements it
has nothing to do with, and the link check parses in worker processes with
its bookkeeping on disk: each is checked here against the straightforward
way of doing the same thing.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from render import linkcheck
from render.linkcheck import MAX_LISTED, MAX_UNREACHABLE, LinkReport, check_site
from render.sanitize import Rewriter, make_inert
from render.search_index import STOPWORDS, stem, term_counts, word_counts, words

# --- search: counting before filtering -----------------------------------------

TEXTS = [
    "",
    "Og i på er det",  # stop words only
    "Skolen skoler skole SKOLENE skulane skulen",
    "Tematiske prioriteringer 2014-2018, 2014–2018 og 2019.",
    "a b c æ ø å x1 1x __init__ snake_case a_b",
    "Crème brûlée, Müller; Göteborg Ärø ÆØÅ",
    "ª º ² ³ ¹ ¼ ½ µ ß ð þ × ÷ ¡ ¿ « » · ­ \u00a0 x²y",  # Latin-1 letters, digits, signs
    "日本語 テキスト, Ελληνικά, кириллица, € 5 – “sitat”",  # not Latin-1 when folded
    "ǅ ǈ ﬁ İstanbul K",  # case and compatibility oddities
    "fylkeskommunen " * 50 + "fylkeskommunens fylkeskommune",
]


def naive_term_counts(text: str) -> Counter[str]:
    """The definition: every word occurrence filtered and stemmed in turn."""
    return Counter(stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS)


@pytest.mark.parametrize("text", TEXTS)
def test_term_counts_match_one_word_at_a_time(text: str) -> None:
    got = term_counts(text)
    assert got == naive_term_counts(text)
    assert list(got) == list(naive_term_counts(text))  # same order: first occurrence


@pytest.mark.parametrize("text", TEXTS)
def test_word_counts_are_the_words_counted(text: str) -> None:
    got = word_counts(text)
    assert got == Counter(words(text))
    assert list(got) == list(dict.fromkeys(words(text)))


def test_every_latin1_character_splits_or_joins_words_as_the_pattern_does() -> None:
    for code in range(256):
        ch = chr(code)
        for text in (ch, f"ab{ch}cd", f"{ch}{ch} x{ch}"):
            assert list(word_counts(text).elements()) == words(text), repr(text)


# --- sanitiser: only elements with something to do are handled ------------------

def recording(calls: list[tuple[str, str]]) -> Rewriter:
    def rewrite(ref: str, want: str) -> str | None:
        calls.append((ref, want))
        return None if "drop" in ref else f"local/{ref.strip('/')}"
    return rewrite


def test_links_inside_dropped_elements_are_not_resolved_and_form_content_stays() -> None:
    html = ('<p>x</p><noscript><a href="/a">a</a></noscript><p><a href="/b">b</a></p>'
            '<form action="/f"><a href="/c">c</a><img src="/d.png"></form>'
            '<template><a href="/e">e</a></template><a href="/g" style="background:url(/h.png)">g</a>')
    calls: list[tuple[str, str]] = []
    out = make_inert(html, "http://www.akershus.no/", recording(calls), "<div>banner</div>")
    # what is dropped is never shown, so its links make no not-archived pages; a
    # <form> is unwrapped: its content is the page's, only submitting it is gone
    assert calls == [("/b", "link"), ("/c", "link"), ("/d.png", "file"), ("/g", "link"),
                     ("/h.png", "file")]
    doc = lxml.html.document_fromstring(out)
    assert [a.get("href") for a in doc.iter("a")] == ["local/b", "local/c", "local/g"]
    assert doc.find(".//noscript") is None and doc.find(".//form") is None


def test_elements_without_attributes_that_matter_are_still_handled() -> None:
    html = ('<head><link><style>body{background:url(/bg.png)}</style></head>'
            '<body><p>kept <b>as</b> it is</p><!-- comment --><script>x()</script>'
            '<iframe></iframe><p>tail</p></body>')
    calls: list[tuple[str, str]] = []
    out = make_inert(html, "http://www.akershus.no/", recording(calls), "<div>b</div>")
    assert calls == [("/bg.png", "file")]
    assert out.startswith("<html>")  # no doctype in the page: none in the view (quirks)
    assert "<link>" not in out and "comment" not in out and "<script>" not in out
    assert "<iframe" not in out and "local/bg.png" in out
    assert "<p>kept <b>as</b> it is</p>" in out and "<p>tail</p>" in out


def test_text_attributes_are_kept_as_text_and_javascript_urls_dropped() -> None:
    html = ('<div class="a:b" title="javascript:alert(1)" data-x="plain" '
            'onclick="x()" lang="nb">t</div><a id="j" href="javascript:alert(1)">j</a>')
    out = make_inert(html, "http://www.akershus.no/", lambda ref, want: ref, "<div>b</div>")
    doc = lxml.html.document_fromstring(out)
    # a title is a tooltip, never a URL: its text stays whatever it says
    assert dict(doc.find(".//div[@lang]").attrib) == {
        "class": "a:b", "title": "javascript:alert(1)", "data-x": "plain", "lang": "nb"}
    assert dict(doc.get_element_by_id("j").attrib) == {"id": "j"}


# --- link check: same report, bounded memory, streamed required pages ------------

def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    """A site with a bit of everything the check reports."""
    site = tmp_path / "site"
    links = "".join(f'<a href="pages/p{i}.html">{i}</a>' for i in range(40))
    write(site / "index.html", f'<html><body id="top"><a href="#top">t</a>{links}'
                               '<a href="#nowhere">x</a><a href="missing.html">m</a>'
                               '<link rel="stylesheet" href="static/a.css"></body></html>')
    write(site / "static" / "a.css", "body{background:url(../img/none.png)}")
    for i in range(40):
        nxt = f'<a href="p{(i + 1) % 40}.html">n</a><a href="sub/">dir</a>'
        extra = ""
        if i % 7 == 0:
            extra = ('<a href="http://www.akershus.no/old">old</a>'
                     '<img src="https://cdn.example/x.png" srcset="a.png 1x, b.png 2x">'
                     '<link rel="original" href="https://www.akershus.no/x">')
        write(site / "pages" / f"p{i}.html",
              f'<html><body><a href="../index.html">h</a>{nxt}{extra}</body></html>')
    write(site / "pages" / "sub" / "index.html", '<a href="../p0.html">p</a>')
    write(site / "orphan" / "o.html", '<a href="gone.html">g</a><a href="#a" id="a">s</a>')
    write(site / "orphan" / "empty.html", "")
    return site


def test_report_is_the_same_with_and_without_worker_processes(small_site: Path) -> None:
    required = [f"pages/p{i}.html" for i in range(40)] + ["orphan/o.html", "pages/none.html"]
    one = check_site(small_site, list(required), workers=1)
    two = check_site(small_site, list(required), workers=2)
    assert dataclasses.asdict(one) == dataclasses.asdict(two)
    assert not one.ok
    assert one.unreachable == ["orphan/o.html", "pages/none.html"] and one.unreachable_count == 2
    assert ("index.html", "#nowhere") in one.broken and ("index.html", "missing.html") in one.broken
    assert ("orphan/o.html", "gone.html") in one.broken  # unreachable files are checked too
    assert ("orphan/empty.html", "(file does not parse as HTML)") in one.broken
    assert ("static/a.css", "../img/none.png") in one.broken
    assert one.live_old_site == [(f"pages/p{i}.html", "http://www.akershus.no/old")
                                 for i in (0, 7, 14, 21, 28, 35)]
    assert len(one.external_embeds) == 6
    assert one.files == 45


def test_required_pages_are_streamed_once_after_the_crawl(
        small_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    scan = linkcheck._Scanner.scan

    def logged_scan(self: linkcheck._Scanner, rel: str, queued: bool) -> linkcheck._Result:
        events.append("scan")
        return scan(self, rel, queued)

    def stream() -> Iterator[str]:
        for i in range(40):
            events.append("required")
            yield f"pages/p{i}.html"

    monkeypatch.setattr(linkcheck._Scanner, "scan", logged_scan)
    report = check_site(small_site, stream(), workers=1)
    assert events.count("required") == 40 and events.count("scan") == report.files
    assert events.index("required") == report.files  # only after every file was checked
    assert report.unreachable == [] and report.unreachable_count == 0


def test_unreachable_pages_are_counted_but_only_the_first_are_kept(small_site: Path) -> None:
    missing = (f"pages/x{i:05d}.html" for i in range(MAX_UNREACHABLE + 234, 0, -1))
    report = check_site(small_site, missing, workers=1)
    assert report.unreachable_count == MAX_UNREACHABLE + 234
    assert report.unreachable == [f"pages/x{i:05d}.html" for i in range(1, MAX_UNREACHABLE + 1)]
    lines = report.lines()
    assert f"  ... and {MAX_UNREACHABLE + 234 - MAX_LISTED} more unreachable pages" in lines
    assert not report.ok


def test_ok_follows_the_unreachable_count() -> None:
    assert LinkReport().ok
    assert not LinkReport(unreachable_count=3).ok
    assert not LinkReport(unreachable=["pages/a.html"]).ok


_scan_many = linkcheck._scan_many


def crash_on_p5(jobs: list[tuple[str, bool]]) -> list[linkcheck._Result]:
    """A worker task that dies when it meets one page, as an out-of-memory kill would."""
    if any(rel == "pages/p5.html" for rel, _ in jobs):
        os._exit(1)
    return _scan_many(jobs)


def test_a_dying_worker_does_not_change_the_report(small_site: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check_site(small_site, ["pages/p3.html"], workers=1)
    monkeypatch.setattr(linkcheck, "_scan_many", crash_on_p5)
    got = check_site(small_site, ["pages/p3.html"], workers=2)
    assert dataclasses.asdict(got) == dataclasses.asdict(expected)


def test_no_worker_processes_while_another_thread_runs(small_site: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check_site(small_site, [], workers=1)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(linkcheck, "ProcessPoolExecutor", no_pool)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        got = check_site(small_site, [], workers=2)
    finally:
        stop.set()
        other.join()
    assert dataclasses.asdict(got) == dataclasses.asdict(expected)


def test_reached_pages_live_on_disk_in_queue_order() -> None:
    pages = linkcheck._Pages()
    try:
        pages.add(["a.html", "b.html", "a.html"])
        pages.add(["c.html", "b.html"])
        assert pages.take(2) == ["a.html", "b.html"]
        pages.add(["d.html", "a.html"])
        assert pages.take(10) == ["c.html", "d.html"] and pages.take(10) == []
        assert list(pages.not_reached(["x", "a.html", "x", "d.html", "y"])) == ["x", "x", "y"]
    finally:
        pages.close()


def test_a_folder_and_what_is_below_it_is_one_index_range(tmp_path: Path) -> None:
    """The browse tree asks for a folder's pages once per folder: a query that scans the
    whole host makes a tree of many small folders quadratic (minutes at 100 000 pages)."""
    from render import browse
    from render.records import PageSummary
    from render.store import BuildStore

    store = BuildStore(tmp_path / "store.sqlite")
    paths = ["/a/b/", "/a/b/c/", "/a/b/c/d/", "/a/b-2/", "/a/b.x/", "/a/bc/", "/a/", "/b/"]
    for n, path in enumerate(paths):
        url = f"http://www.akershus.no{path}"
        s = PageSummary(id=str(n), url=url, key=url, captured_at="2019-11-20T12:00:00Z",
                        title=path, language="nb", template="article", status=200,
                        page=f"p{n}.html", original=None)
        store.add_capture(n, s, 0, **browse.placement(s))
    store.ready()
    where, args = browse._under("a/b")
    found = sorted(s.url[len("http://www.akershus.no"):]
                   for s in store.newest(where, ("www.akershus.no", *args)))
    assert found == ["/a/b/", "/a/b/c/", "/a/b/c/d/"]
    assert store.count_newest(where, ("www.akershus.no", *args)) == 3
    plan = " ".join(str(row) for row in store.db.execute(
        f"EXPLAIN QUERY PLAN SELECT n FROM capture c WHERE {where}", ("www.akershus.no", *args)))
    assert "tree>? AND tree<?" in plan, plan
    store.close()
