"""Retry chains that cross crawl workers, on a real redis-server, as whole processes.

The site (tests/chainsite.py) answers 503 to worker ``a`` and holds ``a``
until worker ``b`` has taken the retry: the chain starts at ``a`` and ends at
``b``, every run. Before, ``a``'s token of the chain stayed in its in-flight
hash and the crawl never ended; a dead holder's put-back replayed the chain.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from chainsite import FAILING, PAGES, SEED, ChainSite
from conftest import cli, records
from test_distributed import worker

from crawler.distributed import slots_key

NAME = "akershus"  # the crawl's DISTRIBUTED_KEY: its Redis keys start with it


STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    """A failing test leaves no worker running against the next test's servers."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start(out: Path, port: int, url: str, concurrency: int, log: str) -> subprocess.Popen:
    """One worker. Slots are shared: ``a`` runs with 2 and ``b`` with more, so ``b`` has
    one while ``a`` holds two (and, holding the chain, one more for its other pages)."""
    proc = worker(out, port, url, concurrency, log)
    STARTED.append(proc)
    return proc


def wait_for(condition: Callable[[], bool], what: str, procs: list[subprocess.Popen],
             limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        assert all(p.poll() is None for p in procs), f"a worker ended before {what}"
        time.sleep(0.01)


# Each worker reads robots.txt (and the sitemap it may name) for itself.
OWN = {"/robots.txt", "/sitemap.xml"}


def responses(out: Path) -> Counter[tuple[str, int]]:
    """(path, status) of every response record but each worker's own robots.txt reads."""
    held: Counter[tuple[str, int]] = Counter()
    for _n, rec in records(out):
        if rec.rec_type == "response":
            path = rec.rec_headers.get_header("WARC-Target-URI").removeprefix(SEED[:-1])
            if path not in OWN:
                held[(path, int(rec.http_headers.get_statuscode()))] += 1
    return held


def every_page_once() -> Counter[tuple[str, int]]:
    expected = Counter({("/", 200): 1})
    expected.update({(f"/side/{n}/", 200): 1 for n in range(1, PAGES + 1)})
    return expected


def frontier_empty(server: redis.Redis) -> list[str]:
    """What is left of the crawl's queue, in-flight hashes and tokens (nothing, when done)."""
    left = [k.decode() for k in server.keys(f"{NAME}:requests*")
            if b":heartbeat:" not in k and server.type(k) in (b"zset", b"hash")
            and (server.zcard(k) if server.type(k) == b"zset" else server.hlen(k))]
    return left


def test_a_retry_chain_across_workers_ends_the_crawl(tmp_path, redis_url) -> None:
    url = redis_url.replace("/0", "/4")
    server = redis.Redis.from_url(url)
    server.flushdb()
    out = tmp_path / "shared"
    with ChainSite() as site:
        a = start(out, site.ports["a"], url, 2, "a.log")
        wait_for(site.refused.is_set, "a got its 503", [a])
        b = start(out, site.ports["b"], url, 3, "b.log")
        assert a.wait(timeout=120) == 0 and b.wait(timeout=120) == 0, "the crawl never ended"
        asked = [(x.worker, x.status) for x in site.answers if x.path == FAILING]
    assert asked == [("a", 503), ("b", 200)], "the chain started at a and ended at b"
    assert frontier_empty(server) == []
    expected = every_page_once()
    expected.update({(FAILING, 503): 1, (FAILING, 200): 1})
    assert responses(out) == expected
    assert cli("verify", str(out)).returncode == 0


def test_the_worker_holding_a_chain_is_killed(tmp_path, redis_url) -> None:
    url = redis_url.replace("/0", "/5")
    server = redis.Redis.from_url(url)
    server.flushdb()
    out = tmp_path / "shared"
    with ChainSite(kill=True) as site:
        a = start(out, site.ports["a"], url, 2, "a.log")
        wait_for(site.refused.is_set, "a got its 503", [a])
        b = start(out, site.ports["b"], url, 4, "b.log")
        wait_for(site.chain_held.is_set, "b holds the chain", [a, b])
        # b's only request in flight is the chain's retry: nothing else of b's to replay
        inflight = f"{NAME}:requests:inflight:"
        wait_for(lambda: [server.hlen(k) for k in server.keys(inflight + "*")
                          if k.decode().endswith(f"-{b.pid}")] == [1],
                 "b holds only the chain", [a, b])
        b.send_signal(signal.SIGKILL)
        b.wait(timeout=60)
        site.released.set()
        assert a.wait(timeout=120) == 0, "the crawl never ended"
        # b died holding a politeness slot: freed with its heartbeat, not after 90 s
        assert server.zcard(slots_key(NAME, "www.akershus.no")) == 0
        again = start(out, site.ports["b"], url, 4, "b2.log")  # the killed worker run again
        assert again.wait(timeout=300) == 0
        asked = [(x.worker, x.status) for x in site.answers if x.path == FAILING]
    # a's 503, b's request cut by the kill, then the chain once more, from where it was
    assert asked == [("a", 503), ("b", 200), ("a", 200)]
    assert frontier_empty(server) == []
    assert not list((out / "warc").glob("*.open")), "the dead worker's file is mended"
    expected = every_page_once()
    expected.update({(FAILING, 503): 1, (FAILING, 200): 1})
    assert responses(out) == expected  # the chain is not replayed: one 503, one 200
    assert cli("verify", str(out)).returncode == 0
