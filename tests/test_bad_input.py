"""Bad input to every command: one line naming the problem and the fix, the right exit
status, no traceback, and nothing already archived changed."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from conftest import cli
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

READERS = ["verify", "extract", "render", "export"]


def assert_one_line_error(proc, status: int) -> None:
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr
    assert err.startswith("Error: ") and " - " in err, err
    assert len(err.splitlines()) == 1, err


def digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*.warc*")) if p.is_file()}


@pytest.fixture
def good(tmp_path: Path, replica_crawl: Path) -> Path:
    """A copy of a real crawl's WARCs, to damage."""
    out = tmp_path / "good"
    shutil.copytree(replica_crawl / "warc", out / "warc")
    return out


@pytest.mark.parametrize("command", READERS)
def test_missing_directory(tmp_path: Path, command: str) -> None:
    assert_one_line_error(cli(command, str(tmp_path / "nowhere")), 1)


@pytest.mark.parametrize("command", READERS)
def test_empty_directory(tmp_path: Path, command: str) -> None:
    assert_one_line_error(cli(command, str(tmp_path)), 1)


def test_serve_without_a_site(tmp_path: Path) -> None:
    assert_one_line_error(cli("serve", str(tmp_path)), 1)


@pytest.mark.parametrize("command", ["verify", "extract"])
def test_file_that_is_not_a_warc(tmp_path: Path, command: str) -> None:
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "notes.warc.gz").write_text("these are my notes, not a WARC\n")
    proc = cli(command, str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "notes.warc.gz" in proc.stdout + proc.stderr


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "corrupt-gzip":
        middle = len(data) // 2
        data[middle:middle + 64] = b"\x00" * 64
    elif how == "truncated":
        data = data[: len(data) * 3 // 5]
    elif how == "cut-in-trailer":  # every record complete but the last member's checksum
        data = data[:-4]
    elif how == "cut-after-member-header":  # a new gzip member begun, nothing of it readable
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            starts = [it.get_record_offset() for _ in it]
        data = data[: min(starts, key=lambda s: abs(s - len(data) * 3 // 5)) + 6]
    path.write_bytes(bytes(data))


def wrong_digest_warc(path: Path) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        body = b"<html><head><title>Feil</title></head><body><h1>Feil</h1><p>Tekst.</p></body></html>"
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        rec = writer.create_warc_record(
            "http://www.akershus.no/feil/", "response", payload=io.BytesIO(body),
            length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Payload-Digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
        writer.write_record(rec)


CUTS = ["truncated", "cut-in-trailer", "cut-after-member-header"]


@pytest.mark.parametrize("how", ["corrupt-gzip", *CUTS, "wrong-digest"])
def test_damaged_warc_reported_by_verify(good: Path, how: str) -> None:
    target = min((good / "warc").glob("*.warc.gz"))
    if how == "wrong-digest":
        target = good / "warc" / "zz-wrong-digest.warc.gz"
        wrong_digest_warc(target)
    else:
        damage(target, how)
    before = digests(good)
    proc = cli("verify", str(good))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert target.name in proc.stdout and "FAILED" in proc.stdout
    if how == "wrong-digest":
        assert "digest" in proc.stdout
    assert digests(good) == before


@pytest.mark.parametrize("how", ["corrupt-gzip", *CUTS])
def test_extract_and_render_carry_on_past_damage(good: Path, how: str) -> None:
    damage(min((good / "warc").glob("*.warc.gz")), how)
    before = digests(good)
    proc = cli("extract", str(good))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1  # partial failure is reported, not hidden
    pages = (good / "data" / "pages.jsonl").read_text().splitlines()
    assert len(pages) >= 10  # the readable records before the damage
    assert "damaged" in (proc.stdout + proc.stderr).lower()
    proc = cli("render", str(good))
    assert "Traceback" not in proc.stderr
    assert (good / "site" / "index.html").exists(), (proc.stdout, proc.stderr)
    assert proc.returncode == 1 and "damaged" in proc.stdout.lower()
    assert digests(good) == before


def test_unreadable_warc(good: Path) -> None:
    """A WARC name that cannot be opened (a dangling link) is named, not a traceback."""
    (good / "warc" / "gone.warc.gz").symlink_to(good / "nowhere.warc.gz")
    proc = cli("verify", str(good))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "gone.warc.gz" in proc.stdout + proc.stderr


def test_readers_never_modify_the_archive(good: Path) -> None:
    before = digests(good)
    for command in ("verify", "extract", "render"):
        cli(command, str(good))
    cli("export", str(good), "--format", "csv")
    assert digests(good) == before


@pytest.mark.parametrize("args", [
    ["crawl", "ftp://www.akershus.no/", "--out", "x"],
    ["crawl", "not a url", "--out", "x"],
    ["crawl", "http:///nohost", "--out", "x"],
    ["crawl", "http://www.akershus.no/", "--out", "x", "--resume", "--new-crawl"],
    ["crawl", "http://www.akershus.no/", "--out", "x", "--delay", "-1"],
    ["crawl", "http://www.akershus.no/", "--out", "x", "--max-pages", "many"],
    ["crawl", "http://www.akershus.no/"],
    ["export", "x", "--format", "xml"],
    ["nonsense"],
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    assert_one_line_error(cli(*args, cwd=tmp_path), 2)


def test_output_directory_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    proc = cli("crawl", "http://www.akershus.no/", "--out", str(blocker / "sub"))
    assert_one_line_error(proc, 1)
    assert "choose another" in proc.stderr


def test_bad_connect_to_and_regex(tmp_path: Path) -> None:
    assert_one_line_error(cli("crawl", "http://www.akershus.no/", "--out", str(tmp_path),
                              "--connect-to", "nonsense"), 1)
    assert_one_line_error(cli("crawl", "http://www.akershus.no/", "--out", str(tmp_path),
                              "--exclude", "(unclosed"), 1)
    assert not (tmp_path / "warc").exists()  # failed before writing anything


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = cli("--debug", "verify", str(tmp_path / "nowhere"))
    assert proc.returncode == 1 and "Traceback" in proc.stderr


def test_every_cut_is_reported(good: Path, tmp_path: Path) -> None:
    """A file cut anywhere (inside WARC headers, a payload, a gzip header or trailer)
    is named as damaged by verify, extraction and rendering, and none of them raises."""
    from archive.reader import ArchiveReader
    from archive.verify import check_file
    from render.warcs import iter_index

    source = min((good / "warc").glob("*.warc.gz"))
    data = source.read_bytes()
    work = tmp_path / "cut"
    (work / "warc").mkdir(parents=True)
    target = work / "warc" / source.name
    with source.open("rb") as fh:  # where each record's gzip member starts
        it = ArchiveIterator(fh)
        starts = {it.get_record_offset() for _ in it}
    step = len(data) // 97
    for cut in [*range(1, len(data), step), len(data) - 8, len(data) - 1]:
        if cut in starts:
            # Cut between two members: what is left is a shorter, valid WARC, and
            # nothing in it can tell; move the cut into the next member.
            cut += 1
        target.write_bytes(data[:cut])
        assert check_file(target).problems, cut
        damaged: list[str] = []
        list(iter_index(work, damaged))
        assert damaged, cut
        reader = ArchiveReader(work)
        list(reader.captures())
        assert reader.damaged, cut
    target.write_bytes(data)  # and the whole file is clean
    assert not check_file(target).problems


@pytest.mark.parametrize("where", [0.15, 0.3, 0.45, 0.6, 0.75, 0.9])
def test_render_survives_zeroed_bytes_anywhere(good: Path, where: float) -> None:
    """Zeroed bytes at any point of a WARC: the build goes on, names the damage, and
    renders what is readable (extraction and rendering in-process, to see any exception)."""
    from archive.extract import run_extract
    from render.build import run_render

    target = min((good / "warc").glob("*.warc.gz"))
    data = bytearray(target.read_bytes())
    at = int(len(data) * where)
    data[at:at + 64] = bytes(64)
    target.write_bytes(bytes(data))
    run_extract(good)
    report = run_render(good, workers=1)
    assert report.damaged and not report.ok
    assert (good / "site" / "index.html").is_file()


def test_workers_starting_on_one_out_folder_all_find_it_writable(tmp_path: Path) -> None:
    """Distributed crawl workers start on one --out folder at once: the writability
    probe of one must never remove another's."""
    from concurrent.futures import ThreadPoolExecutor

    from akershus_archive.cli import writable_dir

    out = tmp_path / "shared"

    def probe(_: int) -> Path:
        return writable_dir(out)

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(probe, range(800))) == {out}
    assert list(out.iterdir()) == []  # no probe left behind
