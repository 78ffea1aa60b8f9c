"""The archive folder's contract (archive/folder.py) and that nothing else spells it out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import folder
from archive.css import css_urls
from archive.documents import document_extension, is_document_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "archive", "render", "akershus_archive")
# Literal spellings of the layout that belong in archive/folder.py only.
LAYOUT = re.compile(
    r"""/\s*["'](?:warc|site|indexes|data)["']"""  # DIR / "warc" ...
    r"""|["'](?:pages\.jsonl|crawl-report\.json|crawl-state\.json|documents\.jsonl"""
    r"""|extract-report\.json|index\.cdxj|\.open|\.warc|\.warc\.gz"""
    r"""|site\.partial(?:\.sqlite)?)["']"""
    r"""|glob\(\s*f?["'][^"']*(?:\.warc|\.open)"""
    r"""|\{prefix\}-\{stamp\}"""
)
# The site's own data folder (site/data/, the renderer's layout inside the site).
SITE_INTERNAL = re.compile(r"""self\.out\s*/\s*"data"|b\.out\s*/\s*"data\"""")


def test_layout_is_spelled_only_in_the_folder_module() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "archive" / "folder.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = SITE_INTERNAL.sub("", line.split("#", 1)[0])
                if LAYOUT.search(code):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "layout spelled outside archive/folder.py:\n" + "\n".join(found)


def test_version_has_one_home() -> None:
    import akershus_archive

    assert akershus_archive.__version__ == folder.__version__
    for package in ("crawler", "archive", "render"):
        for path in (ROOT / package).rglob("*.py"):
            assert "from akershus_archive" not in path.read_text(encoding="utf-8"), path


def test_paths(tmp_path: Path) -> None:
    assert folder.warc_dir(tmp_path) == tmp_path / "warc"
    assert folder.pages_file(tmp_path) == tmp_path / "data" / "pages.jsonl"
    assert folder.site_dir(tmp_path) == tmp_path / "site"
    assert folder.index_file(tmp_path) == tmp_path / "indexes" / "index.cdxj"
    assert folder.report_file(tmp_path) == tmp_path / "crawl-report.json"
    assert folder.report_file(tmp_path, "h-1") == tmp_path / "crawl-report-h-1.json"
    assert folder.state_file(tmp_path) == tmp_path / "crawl-state.json"


def test_warc_names_round_trip() -> None:
    name = folder.warc_name("akershus", "20240101120000123", 7, "box_1.local", 4242)
    assert name == "akershus-20240101120000123-00007-box_1.local-4242.warc.gz"
    for given in (name, folder.open_name(name)):
        parts = folder.parse_warc_name(given)
        assert parts == folder.WarcName("akershus", "20240101120000123", 7, "box_1.local", 4242)
        assert str(parts) == name
    assert folder.parse_warc_name("my-prefix-20240101120000123-00001-h-9.warc.gz.open") \
        == folder.WarcName("my-prefix", "20240101120000123", 1, "h", 9)
    assert folder.parse_warc_name("copied-in.warc.gz") is None
    assert folder.final_name(folder.open_name(name)) == name == folder.final_name(name)


def test_listing_finished_and_open(tmp_path: Path) -> None:
    warc = folder.warc_dir(tmp_path)
    (warc / "sub.warc").mkdir(parents=True)  # a folder, not a file
    for name in ("b-2.warc.gz", "a-1.warc", "c-3.warc.gz.open", "a-0.warc.gz", "notes.txt",
                 "d.warc.gz.tmp"):
        (warc / name).write_bytes(b"")
    assert [p.name for p in folder.finished_warcs(tmp_path)] == \
        ["a-0.warc.gz", "a-1.warc", "b-2.warc.gz"]
    assert [p.name for p in folder.open_warcs(tmp_path)] == ["c-3.warc.gz.open"]
    assert folder.finished_warcs(tmp_path / "none") == []
    assert folder.warc_relative(tmp_path, warc / "a-1.warc") == "a-1.warc"
    assert folder.locate_warc(tmp_path, "b-2.warc.gz") == warc / "b-2.warc.gz"
    assert folder.locate_warc(tmp_path, "elsewhere/b-2.warc.gz") == warc / "b-2.warc.gz"
    with pytest.raises(FileNotFoundError):
        folder.locate_warc(tmp_path, "gone.warc.gz")


def test_writer_names_its_files_by_the_pattern(tmp_path: Path) -> None:
    from crawler.warcfile import WarcFile

    wf = WarcFile(tmp_path, "test", 1 << 20, {"software": "t"})
    wf.write(wf.writer.create_warc_record("http://x/", "resource", payload=None, length=0))
    [open_file] = folder.open_in(tmp_path)
    assert folder.parse_warc_name(open_file.name) is not None
    wf.close()
    [closed] = folder.finished_in(tmp_path)
    assert closed.name == folder.final_name(open_file.name) and not folder.open_in(tmp_path)


@pytest.mark.parametrize(("css", "urls"), [
    ('a { background: url("img/a b.png") }', ["img/a b.png"]),
    ("a{background:url( img/x.png )} @import 'base.css';", ["img/x.png", "base.css"]),
    ("a{background:URL(up.png)}", ["up.png"]),
    ('a{background-image:image-set("s.png" 1x)}', ["s.png"]),
    ("a{background:url(data:image/png;base64,AA==)} b{fill:url(#g)}", []),
    ("/* url(commented.png) */", []),
    ("color: red", []),
])
def test_css_urls_are_what_the_renderer_rewrites(css: str, urls: list[str]) -> None:
    from archive.css import rewrite_css

    assert css_urls(css) == urls
    seen: list[str] = []
    rewrite_css(css, lambda ref: seen.append(ref) or ref)  # type: ignore[func-returns-value]
    assert [u for u in seen if not u.startswith("data:")] == urls


def test_document_types() -> None:
    assert document_extension("/files/Plan.PDF") == "pdf"
    assert document_extension("/sitemap.xml") == ""  # data for machines, not a document
    assert document_extension("/a.pdf/page") == ""
    assert is_document_path("/x/budget.xlsx") and not is_document_path("/feed.xml")
