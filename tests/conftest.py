"""Shared fixtures: the replica on 127.0.0.1 and crawls of it in a subprocess.

Crawls run in a subprocess because the Twisted reactor cannot restart in one
process; the replica runs in a thread of the test process so its request log
can be read directly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
REPLICA_HOSTS = ("www.akershus.no", "akershus.no", "static.akershus.no", "www.viken.no")
SEED = "http://www.akershus.no/"


def connect_to(port: int) -> list[str]:
    args = []
    for host in REPLICA_HOSTS:
        args += ["--connect-to", f"{host}:80:127.0.0.1:{port}"]
    return args


def cli(*args: str, timeout: float = 300, check: bool = False,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``akershus-archive`` in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "akershus_archive", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\n"
                             f"stderr:\n{proc.stderr[-4000:]}")
    return proc


def crawl_replica(out: Path, port: int, *extra: str, timeout: float = 300,
                  check: bool = True) -> subprocess.CompletedProcess[str]:
    return cli("crawl", SEED, "--out", str(out), *connect_to(port), "--delay", "0",
               "--concurrency", "4", "--quiet", *extra, timeout=timeout, check=check)


def records(archive_dir: Path, check_digests: bool = True) -> Iterator[tuple[str, object]]:
    """(file name, record) for every record of every WARC in the archive, payload read."""
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=check_digests):
                record.raw = record.content_stream().read() if record.rec_type in {
                    "response", "revisit", "metadata", "request", "resource", "warcinfo"} else b""
                yield path.name, record


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer() as server:
        yield server


@pytest.fixture(scope="session")
def replica_crawl(tmp_path_factory: pytest.TempPathFactory, replica: ReplicaServer) -> Path:
    """One default crawl of the replica (robots obeyed), shared by the crawl tests."""
    out = tmp_path_factory.mktemp("crawl")
    first = len(replica.requests)
    crawl_replica(out, replica.port)
    replica.crawl_requests = list(replica.requests[first:])  # type: ignore[attr-defined]
    return out
