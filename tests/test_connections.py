"""Kept connections: reuse, the per-host bound, stale ones, TLS, and small listen queues.

Small servers on 127.0.0.1 written here (not the replica) answer in the ways
real ones do: keep-alive by default, ``Connection: close``, HTTP/1.0, a
``Keep-Alive: timeout=``, closing an idle connection as the next request
arrives. The crawl tests run the CLI against the replica listening with
Python's http.server backlog of 5 and count the kernel's dropped connects.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from conftest import SEED, connect_to, records

from crawler.wire import WireClient, WireError
from replica.server import ReplicaServer
from replica.synthetic import self_signed_context

Handler = Callable[[int, int, bytes], Awaitable[bytes | None]]


class SmallServer:
    """An asyncio HTTP server; ``answer(conn_no, request_no, head)`` gives the bytes to send.

    ``None`` closes the connection without an answer.
    """

    def __init__(self, answer: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.answer = answer
        self.tls = tls
        self.connections = 0
        self.open = 0
        self.peak = 0
        self.requests = 0

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number, served = self.connections, 0
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                served += 1
                self.requests += 1
                data = await self.answer(number, served, head)
                if data is None:
                    return
                writer.write(data)
                await writer.drain()
                if b"Connection: close" in data or data.startswith(b"HTTP/1.0"):
                    return
        finally:
            self.open -= 1
            writer.close()

    async def stop(self) -> None:
        self.server.close()


def ok(body: bytes, *extra: str, chunked: bool = False) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: text/html", *extra]
    if chunked:
        half = len(body) // 2
        framed = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n"
                          for p in (body[:half], body[half:])) + b"0\r\n\r\n"
        return ("\r\n".join([*head, "Transfer-Encoding: chunked"]) + "\r\n\r\n").encode() + framed
    return ("\r\n".join([*head, f"Content-Length: {len(body)}"]) + "\r\n\r\n").encode() + body


def target_of(head: bytes) -> bytes:
    return head.split(b" ", 2)[1]


def client(port: int, **kw: object) -> WireClient:
    return WireClient({("www.akershus.no", 80): ("127.0.0.1", port),
                       ("www.akershus.no", 443): ("127.0.0.1", port)}, 65536, **kw)  # type: ignore[arg-type]


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_connections_are_reused_and_bounded_per_host() -> None:
    async def answer(conn: int, n: int, head: bytes) -> bytes:
        await asyncio.sleep(0.01)  # slow enough that requests overlap
        return ok(b"<p>" + target_of(head) + b"</p>", chunked=n % 2 == 0)

    async def main() -> None:
        server = SmallServer(answer)
        port = await server.start()
        wire = client(port, max_per_host=3)
        urls = [f"http://www.akershus.no/side/{i}" for i in range(40)]
        exchanges = await asyncio.gather(*(wire.fetch(u, [], timeout=10) for u in urls))
        wire.close()
        await server.stop()
        for url, ex in zip(urls, exchanges, strict=True):
            assert bytes(ex.body) == b"<p>" + url.split("akershus.no", 1)[1].encode() + b"</p>"
            assert ex.request_bytes.endswith(b"Connection: keep-alive\r\n\r\n")
            assert ex.complete and not ex.truncated
        assert server.peak <= 3 and server.connections <= 3, (server.peak, server.connections)
        assert wire.pool.stats.reused >= 37 and sum(ex.reused for ex in exchanges) >= 37

    run(main())


@pytest.mark.parametrize("answer_head", [
    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nok",  # more than announced
])
def test_a_connection_the_server_ends_is_not_reused(answer_head: str) -> None:
    async def answer(conn: int, n: int, head: bytes) -> bytes:
        return answer_head.encode()

    async def main() -> None:
        server = SmallServer(answer)
        port = await server.start()
        wire = client(port)
        for i in range(3):
            await wire.fetch(f"http://www.akershus.no/{i}", [], timeout=10)
        wire.close()
        await server.stop()
        assert server.connections == 3
        assert wire.pool.stats.reused == 0

    run(main())


def test_idle_connection_closed_under_us_is_retried_once_unrecorded() -> None:
    """The server drops a kept connection as the next request arrives (its idle timeout)."""
    async def answer(conn: int, n: int, head: bytes) -> bytes | None:
        return None if n == 2 else ok(b"page " + target_of(head))

    async def main() -> None:
        server = SmallServer(answer)
        port = await server.start()
        wire = client(port)
        first = await wire.fetch("http://www.akershus.no/a", [], timeout=10)
        second = await wire.fetch("http://www.akershus.no/b", [], timeout=10)
        wire.close()
        await server.stop()
        assert bytes(first.body) == b"page /a" and bytes(second.body) == b"page /b"
        assert not second.reused  # the exchange recorded is the one on the new connection
        assert wire.pool.stats.stale == 1 and server.connections == 2 and server.requests == 3

    run(main())


def test_a_new_connection_closed_unanswered_is_a_server_fault() -> None:
    async def answer(conn: int, n: int, head: bytes) -> None:
        return None

    async def main() -> None:
        server = SmallServer(answer)
        port = await server.start()
        wire = client(port)
        with pytest.raises(WireError) as err:
            await wire.fetch("http://www.akershus.no/", [], timeout=10)
        wire.close()
        await server.stop()
        assert err.value.reason == "no_response"
        assert server.connections == 1  # not retried: the crawl's retry policy decides

    run(main())


def test_close_per_request_mode() -> None:
    async def answer(conn: int, n: int, head: bytes) -> bytes:
        return ok(b"x")

    async def main() -> None:
        server = SmallServer(answer)
        port = await server.start()
        wire = client(port, keep_alive=False)
        for i in range(4):
            ex = await wire.fetch(f"http://www.akershus.no/{i}", [], timeout=10)
            assert ex.request_bytes.endswith(b"Connection: close\r\n\r\n")
        wire.close()
        await server.stop()
        assert server.connections == 4

    run(main())


def test_https_reuses_the_tls_connection() -> None:
    async def answer(conn: int, n: int, head: bytes) -> bytes:
        return ok(b"secure " + target_of(head), chunked=True)

    async def main() -> None:
        server = SmallServer(answer, tls=self_signed_context())
        port = await server.start()
        wire = client(port)
        for i in range(10):
            ex = await wire.fetch(f"https://www.akershus.no/{i}", [], timeout=10)
            assert bytes(ex.body) == f"secure /{i}".encode()
        wire.close()
        await server.stop()
        assert server.connections == 1  # one handshake for ten requests

    run(main())


# --- whole crawls against a listen queue of 5 -----------------------------------------

def listen_overflows() -> int:
    """The kernel's count of connects dropped because an accept queue was full."""
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()
             if line.startswith("TcpExt:")]
    return int(lines[1][lines[0].index("ListenOverflows")])


def crawl(out: Path, port: int, *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "akershus_archive", "crawl", SEED, "--out", str(out),
                    *connect_to(port), "--delay", "0", "--concurrency", "12", "--quiet",
                    *extra], check=True, timeout=300, capture_output=True)


@pytest.mark.parametrize("mode", ["keep-alive", "close-connections"])
def test_crawl_never_overruns_a_backlog_of_five(tmp_path: Path, mode: str) -> None:
    with ReplicaServer(backlog=5) as server:
        before = listen_overflows()
        crawl(tmp_path, server.port, *(["--close-connections"] if mode != "keep-alive" else []))
        dropped = listen_overflows() - before
        requests = len(server.requests)
        seen, peak = server.connections_seen, server.peak_connections
    assert dropped == 0, f"{dropped} connects dropped by the listen queue"
    sent = [rec.http_headers.get_header("Connection") for _n, rec in records(tmp_path)
            if rec.rec_type == "request"]
    assert len(sent) == requests > 280  # every request the server saw is on record
    if mode == "keep-alive":
        # at most --concurrency per host name (the bound itself is tested above);
        # the replica serves four, all on this one address
        assert peak <= 4 * 12 and seen * 10 < requests, (peak, seen, requests)
        assert set(sent) == {"keep-alive"}
    else:
        assert seen == requests and set(sent) == {"close"}
