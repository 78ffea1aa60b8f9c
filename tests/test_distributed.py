"""Three crawler processes share one crawl on a real redis-server; one is killed midway."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from conftest import ROOT, SEED, cli, connect_to, free_port, records, start_redis

from replica.server import ReplicaServer

LATENCY_MS = 80
# Seconds a gap between request starts, as the replica timestamps them when it
# reads a request, may fall short of --delay: its own event loop's jitter.
DELAY_TOLERANCE = 0.003


def worker(out: Path, port: int, url: str, concurrency: int = 2,
           log: str = "") -> subprocess.Popen:
    """One crawl worker on Redis ``url``, its errors in ``out.parent / log``."""
    with open(out.parent / (log or f"worker-{time.monotonic_ns()}.log"), "w") as errors:
        return subprocess.Popen(  # the worker keeps its own descriptor of the log
            [sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
             *connect_to(port), "--delay", "0", "--concurrency", str(concurrency), "--quiet",
             "--redis", url], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)


def warc_sizes(out: Path) -> dict[str, int]:
    warc = out / "warc"
    return {p.name: p.stat().st_size for p in warc.glob("*.warc.gz*")} if warc.is_dir() else {}


def held(out: Path) -> tuple[set[tuple[str, str]], Counter[str]]:
    caps, responses = set(), Counter()
    for _n, rec in records(out):
        if rec.rec_type in {"response", "revisit"}:
            uri = rec.rec_headers.get_header("WARC-Target-URI")
            caps.add((uri, rec.rec_headers.get_header("WARC-Payload-Digest")))
            if rec.rec_type == "response":
                responses[uri] += 1
    return caps, responses


def test_three_workers_one_killed_equal_one_crawl(tmp_path, redis_url) -> None:
    with ReplicaServer(latency_ms=LATENCY_MS) as replica:
        single = tmp_path / "single"
        subprocess.run([sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out",
                        str(single), *connect_to(replica.port), "--delay", "0",
                        "--concurrency", "2", "--quiet"], cwd=ROOT, check=True, timeout=600)
        out = tmp_path / "shared"
        procs = [worker(out, replica.port, redis_url) for _ in range(3)]
        # kill a worker once every worker has written and the crawl is well under way
        deadline = time.monotonic() + 300
        total = sum(warc_sizes(single).values())
        while not (len(warc_sizes(out)) >= 3 and sum(warc_sizes(out).values()) > total // 2):
            assert time.monotonic() < deadline, "the workers did not share the crawl"
            assert all(p.poll() is None for p in procs), "a worker ended early"
            time.sleep(0.01)
        victim = procs[1]
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)  # reaped, as its shell would: its pid is gone
        for p in procs:
            p.wait(timeout=600)
        assert procs[0].returncode == 0 and procs[2].returncode == 0
    assert not list((out / "warc").glob("*.open")), "the dead worker's file is mended"
    assert cli("verify", str(out)).returncode == 0
    names = {p.name for p in (out / "warc").glob("*.warc.gz")}
    assert len({n.rsplit("-", 1)[1] for n in names}) == 3  # each worker its own files
    caps, responses = held(out)
    single_caps, _ = held(single)
    assert {u for u, _ in caps} == {u for u, _ in single_caps}
    assert caps == single_caps
    assert max(responses.values()) == 1, [u for u, n in responses.items() if n > 1]


def test_politeness_shared_across_workers(tmp_path, redis_url) -> None:
    """Three workers with --concurrency 1 never have two requests in flight to the host."""
    with ReplicaServer(latency_ms=5) as replica:
        out = tmp_path / "polite"
        args = [sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
                *connect_to(replica.port), "--delay", "0.02", "--concurrency", "1", "--quiet",
                "--redis", redis_url.replace("/0", "/1"), "--max-pages", "30"]
        procs = [subprocess.Popen(args, cwd=ROOT) for _ in range(3)]
        for p in procs:
            assert p.wait(timeout=600) == 0
        starts = sorted(r["time"] for r in replica.requests if r["host"] == "www.akershus.no")
    from datetime import datetime
    times = [datetime.fromisoformat(t) for t in starts]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert len(times) > 10
    # 20 ms between starts across all three workers (measured where the server
    # reads the request, so a few ms of jitter): three independent workers would
    # often start within a millisecond of each other
    gaps.sort()
    print("smallest gaps between request starts (s):", gaps[:5])
    assert gaps[len(gaps) // 2] >= 0.019, gaps[:5]
    # the start-time slot is reserved when the bytes are sent (crawler/handler.py):
    # every gap is the delay, less the server's own jitter in reading (DELAY_TOLERANCE)
    assert gaps[0] >= 0.020 - DELAY_TOLERANCE, gaps[:5]


def test_redis_lost_midway_stops_the_worker_cleanly_and_it_resumes(tmp_path) -> None:
    """The Redis server dies mid-crawl: one line, exit 1, closed WARCs; a later run goes on."""
    data = tmp_path / "redis"
    data.mkdir()
    server, port = start_redis(data, persist=True)
    url = f"redis://127.0.0.1:{port}/0"
    out = tmp_path / "shared"
    try:
        with ReplicaServer(latency_ms=20) as replica:
            single = tmp_path / "single"
            subprocess.run([sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out",
                            str(single), *connect_to(replica.port), "--delay", "0",
                            "--concurrency", "2", "--quiet"], cwd=ROOT, check=True, timeout=600)
            args = [sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
                    *connect_to(replica.port), "--delay", "0", "--concurrency", "2", "--quiet",
                    "--redis", url]
            proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            total = sum(warc_sizes(single).values())
            deadline = time.monotonic() + 300
            while sum(warc_sizes(out).values()) < total // 3:
                assert time.monotonic() < deadline and proc.poll() is None, "the crawl stalled"
                time.sleep(0.01)
            server.kill()  # the Redis server is gone, mid-crawl
            server.wait()
            _stdout, stderr = proc.communicate(timeout=120)  # the worker ends: it used to hang
            assert proc.returncode == 1
            assert "Traceback" not in stderr
            lines = [ln for ln in stderr.splitlines() if ln.strip()]
            assert len(lines) == 1 and "Redis server" in lines[0] and "resume" in lines[0], lines
            assert not list((out / "warc").glob("*.open")), "its WARC files are closed"
            assert cli("verify", str(out)).returncode == 0
            server, port = start_redis(data, port, persist=True)  # back, with its data
            again = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,
                                   check=False)
            assert again.returncode == 0, again.stderr[-2000:]
    finally:
        server.kill()
        server.wait()
    assert cli("verify", str(out)).returncode == 0
    caps, _responses = held(out)
    single_caps, _ = held(single)
    assert {u for u, _ in caps} == {u for u, _ in single_caps}  # nothing lost


def test_an_unreachable_redis_is_one_line(tmp_path) -> None:
    port = free_port()
    proc = cli("crawl", SEED, "--out", str(tmp_path / "x"), "--redis",
               f"redis://127.0.0.1:{port}/0", "--quiet")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "cannot reach the Redis server" in proc.stderr
