"""A failed WARC write (disk full, I/O error) is cut back, reported, and stops the crawl cleanly.

Two full disks: a real one (a small tmpfs, when the tests run as root, as in CI)
and, everywhere, :class:`FullDisk`, files that fail as a full disk's do, put in
through ``WarcFile.opener``. The crawls run the CLI in a subprocess against the
replica, read the WARCs back with warcio, and resume to the captures of an
uninterrupted crawl.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED, cli, connect_to, crawl_replica, records
from warcio.archiveiterator import ArchiveIterator

from archive.folder import OPEN_SUFFIX
from crawler.recovery import recover_file
from crawler.warcfile import WarcFile

TESTS = Path(__file__).resolve().parent
AGAIN = "run the same command again to resume"


class FullDisk:
    """A disk of ``capacity`` bytes holding ``folder``: writes past it fail with ``error``.

    Like a real disk it takes what fits of a write before refusing the next, and
    a file cut shorter gives its space back (what is used is what the files hold).
    """

    def __init__(self, folder: Path, capacity: int, error: int = errno.ENOSPC,
                 truncate_fails: bool = False) -> None:
        self.folder = folder
        self.capacity = capacity
        self.error = error
        self.truncate_fails = truncate_fails

    def used(self) -> int:
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    def open(self, path: Path) -> FullDiskFile:
        return FullDiskFile(self, path)


class FullDiskFile(io.FileIO):
    """A real file on :class:`FullDisk`."""

    def __init__(self, disk: FullDisk, path: Path) -> None:
        super().__init__(path, "xb")
        self.disk = disk

    def write(self, data: Any) -> int:
        free = self.disk.capacity - self.disk.used()
        if free <= 0:
            raise OSError(self.disk.error, os.strerror(self.disk.error))
        return super().write(memoryview(data)[:free])

    def truncate(self, size: int | None = None) -> int:
        if self.disk.truncate_fails:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return super().truncate(size)


# -- WarcFile itself --------------------------------------------------------------------------


def warc_file(folder: Path, disk: FullDisk, max_size: int = 10**9) -> WarcFile:
    wf = WarcFile(folder, "test", max_size, {"software": "tests"})
    wf.opener = disk.open
    return wf


def pair(wf: WarcFile, n: int, size: int = 3000) -> tuple[Any, Any]:
    """A response and its request record; the body does not compress."""
    body = random.Random(n).randbytes(size)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"
    uri = f"http://www.akershus.no/{n}"
    writer = wf.writer
    response = writer.create_warc_record(uri, "response", payload=BytesIO(head + body),
                                         length=len(head) + len(body))
    get = b"GET /%d HTTP/1.1\r\nHost: www.akershus.no\r\n\r\n" % n
    request = writer.create_warc_record(uri, "request", payload=BytesIO(get), length=len(get))
    return response, request


def kinds(path: Path) -> list[str]:
    """Record types of a WARC whose every gzip member is whole and every digest right."""
    with gzip.open(path) as fh:
        fh.read()
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            record.content_stream().read()
            assert record.digest_checker.passed is not False, record.digest_checker.problems
            out.append(record.rec_type)
    return out


@pytest.mark.parametrize(("code", "disk_full"), [(errno.ENOSPC, True), (errno.EDQUOT, True),
                                                 (errno.EIO, False)])
def test_a_failed_write_is_cut_back_to_the_start_of_its_pair(tmp_path: Path, code: int,
                                                             disk_full: bool) -> None:
    wf = warc_file(tmp_path, FullDisk(tmp_path, 20_000, code))
    told: list[WarcFile.WriteError] = []
    wf.on_failure = told.append
    offsets = []
    assert wf.refusal() is None
    with pytest.raises(WarcFile.WriteError) as caught:
        for n in range(100):
            offsets.append(wf.write(*pair(wf, n))[1])
    failure = caught.value
    refusal = wf.refusal()
    assert refusal is not None and (refusal.reason, refusal.file) == (failure.reason, failure.file)
    assert wf.path is not None
    path = wf.path
    assert (failure.reason, failure.disk_full) == (errno.errorcode[code], disk_full)
    assert len(offsets) == 5  # five pairs fit in 20 000 bytes, the sixth did not
    assert failure.cut > 0  # part of the sixth had reached the disk...
    assert path.stat().st_size == failure.offset  # ...and the file is back to where it began
    assert told == [failure]
    with pytest.raises(WarcFile.WriteError, match="not written: an earlier write"):
        wf.write(*pair(wf, 99))  # sealed: later writes are refused untried
    assert path.stat().st_size == failure.offset
    assert told == [failure]
    wf.close()
    final = tmp_path / failure.file
    assert wf.closed_files == [final] and not list(tmp_path.glob("*" + OPEN_SUFFIX))
    assert kinds(final) == ["warcinfo"] + ["response", "request"] * 5


def test_a_new_file_whose_warcinfo_fails_is_removed(tmp_path: Path) -> None:
    disk = FullDisk(tmp_path, 10**9)
    wf = warc_file(tmp_path, disk, max_size=1000)  # one pair per file
    wf.write(*pair(wf, 1))
    wf.write(*pair(wf, 2))
    disk.capacity = disk.used() + 100  # the third file's warcinfo record gets 100 bytes
    with pytest.raises(WarcFile.WriteError) as caught:
        wf.write(*pair(wf, 3))  # the third file is started for this pair's records
    assert (caught.value.offset, caught.value.cut) == (0, 100)
    wf.close()
    assert sorted(tmp_path.iterdir()) == sorted(wf.closed_files) and len(wf.closed_files) == 2
    for path in wf.closed_files:
        assert kinds(path) == ["warcinfo", "response", "request"]


def test_a_file_that_cannot_be_cut_back_stays_open_for_recovery(tmp_path: Path) -> None:
    wf = warc_file(tmp_path, FullDisk(tmp_path, 20_000, truncate_fails=True))
    with pytest.raises(WarcFile.WriteError) as caught:
        for n in range(100):
            wf.write(*pair(wf, n))
    assert wf.path is not None
    left = wf.path
    wf.close()
    assert wf.closed_files == [] and left.stat().st_size == 20_000  # half a pair at its end
    recover_file(left)  # what the next run does first
    final = tmp_path / caught.value.file
    assert not left.exists() and final.stat().st_size == caught.value.offset
    assert kinds(final) == ["warcinfo"] + ["response", "request"] * 5


# -- crawls that fill the disk -----------------------------------------------------------------

DRIVER = f"""
import errno, sys
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
from test_write_failure import FullDisk
from crawler.warcfile import WarcFile
disk = FullDisk(Path(sys.argv[1]) / "warc", int(sys.argv[2]), getattr(errno, sys.argv[3]))
WarcFile.opener = staticmethod(disk.open)
from akershus_archive.cli import main
sys.exit(main(sys.argv[4:]))
"""


def crawl_on_full_disk(out: Path, port: int, capacity: int,
                       error: str) -> subprocess.CompletedProcess[str]:
    """The CLI's crawl, its WARC folder on a :class:`FullDisk` of ``capacity`` bytes."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    argv = ["crawl", SEED, "--out", str(out), *connect_to(port), "--delay", "0",
            "--concurrency", "4"]
    return subprocess.run([sys.executable, "-c", DRIVER, str(out), str(capacity), error, *argv],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
                          check=False)


def captures(archive_dir: Path) -> set[tuple[str, str]]:
    """(URL, payload digest) of every response and revisit: what the archive holds."""
    return {(rec.rec_headers.get_header("WARC-Target-URI"),
             rec.rec_headers.get_header("WARC-Payload-Digest"))
            for _name, rec in records(archive_dir) if rec.rec_type in {"response", "revisit"}}


def warc_bytes(archive_dir: Path) -> int:
    return sum(p.stat().st_size for p in (archive_dir / "warc").iterdir())


def assert_stopped_cleanly(proc: subprocess.CompletedProcess[str], out: Path,
                           message: str) -> None:
    """Exit 1, one line on stderr, no traceback; closed WARCs that verify passes."""
    assert proc.returncode == 1, proc.stderr[-4000:]
    assert proc.stderr == f"Error: {message}\n"
    assert "Traceback" not in proc.stdout
    assert not list((out / "warc").glob("*" + OPEN_SUFFIX))
    check = cli("verify", str(out))
    assert check.returncode == 0, check.stdout
    assert "OK: all records valid" in check.stdout


def assert_resumes_to(out: Path, port: int, reference: Path) -> None:
    """The same command again (space freed) finishes what an uninterrupted crawl holds."""
    crawl_replica(out, port)
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    assert (report["mode"], report["finish_reason"]) == ("resume", "finished")
    assert cli("verify", str(out)).returncode == 0
    assert captures(out) == captures(reference)
    held = Counter(rec.rec_headers.get_header("WARC-Target-URI")
                   for _n, rec in records(out) if rec.rec_type == "response")
    assert max(held.values()) == 1  # nothing the stopped crawl held was fetched again


@pytest.mark.parametrize(("error", "message"), [
    ("ENOSPC", "disk full writing {warc} - free space and " + AGAIN),
    ("EIO", "cannot write {warc} (Input/output error) - fix the disk or its permissions "
            "and " + AGAIN),
])
def test_a_failed_write_stops_the_crawl_cleanly_and_it_resumes(
        tmp_path: Path, replica: Any, replica_crawl: Path, error: str, message: str) -> None:
    out = tmp_path / "out"
    proc = crawl_on_full_disk(out, replica.port, warc_bytes(replica_crawl) // 2, error)
    assert_stopped_cleanly(proc, out, message.format(warc=out / "warc"))
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    assert report["finish_reason"] == ("disk_full" if error == "ENOSPC" else "write_error")
    assert report["errors_by_reason"][f"write_error/{error}"] == 1
    failure = report["write_failure"]
    assert failure["error"] == error
    assert (out / "warc" / failure["file"]).stat().st_size == failure["offset"]
    assert f"write failed: {error}" in proc.stdout  # the summary says so too
    state = json.loads((out / "crawl-state.json").read_text(encoding="utf-8"))
    assert state["status"] == "interrupted"
    assert len(captures(out)) < len(captures(replica_crawl))
    assert_resumes_to(out, replica.port, replica_crawl)


def test_a_report_that_cannot_be_written_is_one_line_and_the_crawl_resumes(
        tmp_path: Path, replica: Any, replica_crawl: Path) -> None:
    out = tmp_path / "out"
    blocker = out / "crawl-report.json.tmp"  # where the report is written before its rename
    blocker.mkdir(parents=True)
    proc = crawl_replica(out, replica.port, check=False)
    assert proc.returncode == 1
    assert proc.stderr == (f"Error: cannot write {blocker} (Is a directory) - fix the disk or "
                           f"its permissions and {AGAIN}\n")
    assert not (out / "crawl-report.json").exists()
    state = json.loads((out / "crawl-state.json").read_text(encoding="utf-8"))
    assert state["status"] == "running"  # so the next run resumes, and writes the report
    blocker.rmdir()
    assert_resumes_to(out, replica.port, replica_crawl)


# -- a real full disk (root: CI) ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path, replica_crawl: Path) -> Iterator[Path]:
    """A tmpfs half the size of the replica's WARCs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (FullDisk tests the same without it)")
    mount = tmp_path / "disk"
    mount.mkdir()
    size = warc_bytes(replica_crawl) // 2 // 4096 * 4
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_real_full_disk_stops_the_crawl_cleanly_and_it_resumes(
        small_disk: Path, replica: Any, replica_crawl: Path) -> None:
    out = small_disk / "out"
    message = f"disk full writing {out / 'warc'} - free space and {AGAIN}"
    proc = cli("crawl", SEED, "--out", str(out), *connect_to(replica.port), "--delay", "0",
               "--concurrency", "4")
    assert_stopped_cleanly(proc, out, message)
    assert "write failed: ENOSPC" in proc.stdout  # crawl-report.json may not have fitted
    held = captures(out)
    assert 0 < len(held) < len(captures(replica_crawl))
    # again without freeing space: it stops the same way and harms nothing
    again = crawl_replica(out, replica.port, check=False)
    assert again.returncode == 1 and again.stderr.startswith("Error: disk full writing ")
    assert len(again.stderr.splitlines()) == 1 and "Traceback" not in again.stdout
    assert cli("verify", str(out)).returncode == 0
    assert held <= captures(out)
    room = warc_bytes(replica_crawl) * 4 // 1024
    subprocess.run(["mount", "-o", f"remount,size={room}k", str(small_disk)], check=True)
    assert_resumes_to(out, replica.port, replica_crawl)
