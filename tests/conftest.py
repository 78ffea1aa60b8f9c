"""Shared fixtures: the replica on 127.0.0.1 and crawls of it in a subprocess.

Crawls run in a subprocess because the Twisted reactor cannot restart in one
process; the replica runs in a thread of the test process so its request log
can be read directly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import redis
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

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
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\n"
                             f"stderr:\n{proc.stderr[-4000:]}")
    return proc


def crawl_replica(out: Path, port: int, *extra: str, timeout: float = 300,
                  check: bool = True) -> subprocess.CompletedProcess[str]:
    return cli("crawl", SEED, "--out", str(out), *connect_to(port), "--delay", "0",
               "--concurrency", "4", "--quiet", *extra, timeout=timeout, check=check)


def chunked(record: object) -> bool:
    http = record.http_headers  # type: ignore[attr-defined]
    return http is not None and "chunked" in (http.get_header("Transfer-Encoding") or "").lower()


def entity_body(record: object, transferred: bytes) -> bytes:
    """The body with chunk framing removed, content coding kept, by warcio's de-chunker.

    An implementation independent of the project's own (archive/digest.py), so the
    payload digests the crawl writes are checked against the standard, not themselves.
    """
    if not chunked(record):
        return transferred
    return ChunkedDataReader(BytesIO(transferred), decomp_type=None).read()


def digest_problems(record: object, transferred: bytes) -> list[str]:
    """warcio's digest problems, the payload digest judged by the standard (WARC 1.1 5.9).

    warcio 1.8 digests a chunked body with its framing (warcio #74); the standard,
    as clarified in iipc/warc-specifications#22, digests the entity body.
    """
    checker = record.digest_checker  # type: ignore[attr-defined]
    problems = list(checker.problems) if checker.passed is False else []
    declared = record.rec_headers.get_header("WARC-Payload-Digest")  # type: ignore[attr-defined]
    if record.rec_type != "response" or not declared or not chunked(record):  # type: ignore[attr-defined]
        return problems
    problems = [p for p in problems if not p.startswith("payload digest")]
    sha1 = hashlib.sha1(entity_body(record, transferred)).digest()
    if declared != "sha1:" + base64.b32encode(sha1).decode("ascii"):
        problems.append(f"payload digest {declared} is not the entity body's")
    return problems


def content(record: object, transferred: bytes) -> bytes:
    """What ``content_stream()`` gives (framing and content coding undone), from the bytes."""
    http = record.http_headers  # type: ignore[attr-defined]
    if not http:
        return transferred
    encoding = (http.get_header("Content-Encoding") or "").lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    if chunked(record):
        return ChunkedDataReader(BytesIO(transferred), decomp_type=encoding).read()
    return BufferedReader(BytesIO(transferred), decomp_type=encoding).read() if encoding \
        else transferred


def warcio_check(files: list[Path]) -> tuple[int, dict[str, list[str]]]:
    """Run ``warcio check -v``: its exit status and the problems it prints, by record id."""
    proc = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v",
                           *map(str, files)], capture_output=True, text=True, timeout=300,
                          check=False)
    problems: dict[str, list[str]] = {}
    record = ""
    for line in proc.stdout.splitlines():
        if "WARC-Record-ID" in line:
            record = line.split("WARC-Record-ID", 1)[1].split()[0]
        elif line.startswith("    ") and "fail" in line:
            problems.setdefault(record, []).append(line.strip())
    return proc.returncode, problems


def assert_warcio_check_fails_only_on_framing(files: list[Path]) -> int:
    """warcio check passes every digest but the payload digests of chunked responses.

    warcio 1.8 digests a chunked body with its framing (warcio #74, #75); ours are of
    the entity body (WARC 1.1 5.9 per iipc/warc-specifications#22). Each failure it
    prints must be such a record whose digest the standard's reading confirms.
    Returns how many records it failed.
    """
    status, failed = warcio_check(files)
    confirmed = 0
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                rid = record.rec_headers.get_header("WARC-Record-ID")
                transferred = record.raw_stream.read()
                if rid not in failed:
                    continue
                assert chunked(record) and record.rec_type == "response", (rid, failed[rid])
                assert all(p.startswith("payload digest failed") for p in failed[rid]), failed[rid]
                assert not digest_problems(record, transferred), rid
                confirmed += 1
    assert confirmed == len(failed), set(failed)
    assert status == (1 if failed else 0)
    return confirmed


def records(archive_dir: Path, check_digests: bool = True) -> Iterator[tuple[str, object]]:
    """(file name, record) for every record of every WARC in the archive, payload read.

    ``record.raw`` is the decoded payload, ``record.transferred`` the payload as
    transferred, ``record.digest_problems`` what is wrong with its digests.
    """
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=check_digests):
                record.transferred = record.raw_stream.read()
                record.raw = content(record, record.transferred)
                record.digest_problems = digest_problems(record, record.transferred) \
                    if check_digests else []
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (once this returns)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: Path, port: int | None = None,
                persist: bool = False) -> tuple[subprocess.Popen, int]:
    """A redis-server of its own on 127.0.0.1, answering PING; the process and its port.

    ``persist``: its data on disk in ``folder``, each write synced (append-only file),
    so a server started again on ``folder`` has it back.
    """
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (Debian package redis-server; .ci/run installs it)"
    port = port or free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "yes" if persist else "no",
                             *(["--appendfsync", "always"] if persist else []),
                             "--dir", str(folder)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 30
    while True:  # wait for the condition "answers PING", with a deadline
        try:
            client.ping()
            return proc, port
        except redis.ConnectionError:
            assert time.monotonic() < deadline and proc.poll() is None, "redis did not start"
            time.sleep(0.02)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's redis-server (the distributed crawl's frontier); its URL."""
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for a module's tests (tests/browser.py)."""
    from browser import ARGS, CHROMIUM, MISSING
    from playwright import sync_api

    assert CHROMIUM.exists(), MISSING
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Any]]:
    """A fresh context's page, and a Watch of what it does."""
    from browser import Watch

    context = browser.new_context()
    pg = context.new_page()
    yield pg, Watch(pg)
    context.close()
