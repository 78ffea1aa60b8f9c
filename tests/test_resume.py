"""Crash-safe, resumable crawls: SIGKILL at five points, Ctrl-C, and the .open repair."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, SEED, cli, connect_to, digest_problems, records
from test_render_support import Exchange, write_warc
from warcio.archiveiterator import ArchiveIterator

from crawler.recovery import recover_file
from crawler.resume import scan
from replica.server import ReplicaServer

KILL_POINTS = 5
LATENCY_MS = 15  # slow enough that a crawl lasts, fast enough for CI


def captures(archive_dir: Path) -> set[tuple[str, str]]:
    """(URL, payload digest) of every response and revisit: what the archive holds."""
    out = set()
    for _name, rec in records(archive_dir):
        if rec.rec_type in {"response", "revisit"}:
            out.add((rec.rec_headers.get_header("WARC-Target-URI"),
                     rec.rec_headers.get_header("WARC-Payload-Digest")))
    return out


def response_counts(archive_dir: Path) -> Counter[str]:
    return Counter(rec.rec_headers.get_header("WARC-Target-URI")
                   for _n, rec in records(archive_dir) if rec.rec_type == "response")


def crawl_args(out: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
            *connect_to(port), "--delay", "0", "--concurrency", "1", "--quiet"]


def archived_bytes(out: Path) -> int:
    """Bytes in the archive's WARC files now; a file renamed while counted (closed) is
    counted under its new name on the next call."""
    warc = out / "warc"
    total = 0
    for path in warc.glob("*.warc.gz*") if warc.is_dir() else []:
        try:
            total += path.stat().st_size
        except FileNotFoundError:  # .open renamed to .warc.gz between glob and stat
            pass
    return total


def wait_for_growth(proc: subprocess.Popen[bytes], out: Path, target: int,
                    deadline: float) -> None:
    """Block until the archive holds ``target`` bytes (or the crawl ended)."""
    while archived_bytes(out) < target and proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError("crawl made no progress")
        time.sleep(0.005)  # polling a condition with a deadline, not a fixed wait


@pytest.fixture(scope="module")
def slow_replica():
    with ReplicaServer(latency_ms=LATENCY_MS) as server:
        yield server


@pytest.fixture(scope="module")
def reference(tmp_path_factory, slow_replica) -> Path:
    out = tmp_path_factory.mktemp("uninterrupted")
    subprocess.run(crawl_args(out, slow_replica.port), cwd=ROOT, check=True, timeout=600)
    return out


def test_killed_five_times_equals_one_crawl(tmp_path, slow_replica, reference) -> None:
    full = archived_bytes(reference)
    out = tmp_path / "killed"
    kills = 0
    for point in range(1, KILL_POINTS + 1):
        proc = subprocess.Popen(crawl_args(out, slow_replica.port), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_growth(proc, out, full * point // (KILL_POINTS + 1), time.monotonic() + 300)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    assert kills == KILL_POINTS
    # the same command again finishes the crawl
    subprocess.run(crawl_args(out, slow_replica.port), cwd=ROOT, check=True, timeout=600)
    assert not list((out / "warc").glob("*.open"))
    assert cli("verify", str(out)).returncode == 0
    assert captures(out) == captures(reference)
    # nothing fetched twice into the archive: at most one response record per URL
    # (robots.txt and sitemaps asked again on resume come back as revisits)
    assert max(response_counts(out).values()) == 1


def test_ctrl_c_once_closes_files_and_resumes(tmp_path, slow_replica, reference) -> None:
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(crawl_args(out, slow_replica.port), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_growth(proc, out, archived_bytes(reference) // 3, time.monotonic() + 300)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert not list((out / "warc").glob("*.open")), "Ctrl-C must leave closed WARC files"
    assert cli("verify", str(out)).returncode == 0
    state = (out / "crawl-state.json").read_text()
    assert '"interrupted"' in state
    subprocess.run(crawl_args(out, slow_replica.port), cwd=ROOT, check=True, timeout=600)
    assert captures(out) == captures(reference)


def test_ctrl_c_twice_still_leaves_valid_resumable_files(tmp_path, slow_replica,
                                                         reference) -> None:
    out = tmp_path / "forced"
    proc = subprocess.Popen(crawl_args(out, slow_replica.port), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_growth(proc, out, archived_bytes(reference) // 3, time.monotonic() + 300)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    subprocess.run(crawl_args(out, slow_replica.port), cwd=ROOT, check=True, timeout=600)
    assert cli("verify", str(out)).returncode == 0
    assert captures(out) == captures(reference)


def test_partial_record_is_cut_back(tmp_path, reference) -> None:
    """An .open file ending in half a gzip member is cut to its last whole exchange."""
    source = min((reference / "warc").glob("*.warc.gz"))
    data = source.read_bytes()
    damaged = tmp_path / (source.name + ".open")
    cut = len(data) * 2 // 3
    while data[cut:cut + 2] == b"\x1f\x8b":  # a member starts here: cut inside one instead
        cut += 1
    damaged.write_bytes(data[:cut])
    rec = recover_file(damaged)
    final = tmp_path / source.name
    assert final.exists() and not damaged.exists()
    assert rec.cut_bytes > 0 and rec.records > 1
    assert data.startswith(final.read_bytes())
    # what is left is whole: every member inflates, every digest checks out,
    # and no response is left without its request record
    with gzip.open(final) as fh:
        fh.read()
    kinds = []
    with open(final, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            problems = digest_problems(record, record.raw_stream.read())
            assert not problems, problems
            kinds.append(record.rec_type)
    assert kinds[0] == "warcinfo" and kinds[-1] != "response"


def test_resume_is_reported(tmp_path, slow_replica) -> None:
    out = tmp_path / "report"
    proc = subprocess.Popen(crawl_args(out, slow_replica.port), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_growth(proc, out, 20_000, time.monotonic() + 300)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert list((out / "warc").glob("*.open"))
    done = subprocess.run(crawl_args(out, slow_replica.port)[:-1], cwd=ROOT, check=True,
                          timeout=600, capture_output=True, text=True)
    report = (out / "crawl-report.json").read_text()
    assert '"mode": "resume"' in report
    assert '"recovered"' in report and ".warc.gz" in report
    assert "resumed" in done.stdout.lower()


def test_resume_reads_past_a_redirect_to_an_unparsable_url(tmp_path: Path) -> None:
    first = "http://www.akershus.no/flyttet/"
    after = "http://www.akershus.no/etter/"
    write_warc(tmp_path / "a.warc.gz", [
        Exchange(first, "2019-06-20T08:15:32Z", b"", status="301 Moved",
                 headers=[("Location", "http://[::1/")]),
        Exchange(after, "2019-06-20T08:15:33Z", b"<p>etter</p>")])
    state = scan(tmp_path)
    assert {first, after} <= state.done  # the record after it was still read
    assert [link.url for link in state.links[first]] == ["http://[::1/"]


def test_resume_caps_what_it_inflates(tmp_path: Path) -> None:
    """A small gzip body that inflates a thousandfold is read only up to the crawl's cap."""
    import zlib

    from crawler.resume import MAX_BODY

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = b" " * (1 << 20)
    size = MAX_BODY * 3
    parts = [packer.compress(b"<html><body><a href='/x/'>x</a>")]
    parts += [packer.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(packer.flush())
    body = b"".join(parts)
    assert len(body) < size // 500
    page = "http://www.akershus.no/stor/"
    write_warc(tmp_path / "a.warc.gz", [
        Exchange(page, "2019-06-20T08:15:32Z", body, headers=[("Content-Encoding", "gzip")])])
    # in a process of its own, so that its peak memory is its own
    child = ("import resource, sys; from pathlib import Path; from crawler.resume import scan; "
             f"state = scan(Path({str(tmp_path)!r})); "
             f"print({page!r} in state.done, "
             "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    out = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    assert out[0] == "True"
    peak_mb = int(out[1])
    # capped: the body, its text and the parser's copy of MAX_BODY; uncapped, three times that
    assert peak_mb < 5 * MAX_BODY // (1 << 20), peak_mb
