"""A small HTTP/1.1 server for the replica, on real sockets, standard library only.

It writes every byte itself (status line, headers in the legacy server's
order, chunked framing), taken from ``Site.render_response``, so what a
crawler records can be compared byte for byte. Every request is logged (in
memory and, if asked, as JSON lines in a file) so tests can see what a
crawler fetched, including requests for hosts it should never have contacted.

Use it in-process::

    with ReplicaServer(era="2020") as srv:
        fetch(srv.url) ...; srv.requests

or as a process: ``python -m replica.server --port 0`` prints its base URL
as the first line on stdout, then serves until terminated.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import signal
import socket
import socketserver
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

from .eras import DEFAULT_ERA, ERA_CONFIGS, era_config
from .site import Site, get_site

logger = logging.getLogger(__name__)

MAX_LINE = 65536
MAX_HEADERS = 100
IDLE_TIMEOUT = 30.0  # seconds an idle keep-alive connection is kept open


class _BadRequest(Exception):
    pass


def _read_request(rfile: io.BufferedIOBase,
                  ) -> tuple[str, str, str, list[tuple[str, str]], bytes] | None:
    """Read one request; None at a clean end of the connection."""
    line = rfile.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
        line = rfile.readline(MAX_LINE + 1)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise _BadRequest(line[:200])
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = rfile.readline(MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").rstrip("\r\n").partition(":")
        if not sep or len(headers) >= MAX_HEADERS:
            raise _BadRequest(raw[:200])
        headers.append((name.strip(), value.strip()))
    body = _read_body(rfile, headers)
    return method, target, version, headers, body


def _read_body(rfile: io.BufferedIOBase, headers: list[tuple[str, str]]) -> bytes:
    lower = {k.lower(): v for k, v in headers}
    if "chunked" in lower.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size = int(rfile.readline(MAX_LINE).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += rfile.read(size)
            rfile.readline(MAX_LINE)
    length = int(lower.get("content-length", "0") or 0)
    return rfile.read(length) if length > 0 else b""


class _Handler(socketserver.StreamRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        self.connection.settimeout(IDLE_TIMEOUT)
        owner = self.server.owner
        owner._track(self.connection, add=True)
        try:
            while self._one_request(owner):
                pass
        except (OSError, _BadRequest) as exc:
            if isinstance(exc, _BadRequest):
                self._send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            logger.debug("connection ended: %s", exc)
        finally:
            owner._track(self.connection, add=False)

    def _one_request(self, owner: ReplicaServer) -> bool:
        request = _read_request(self.rfile)
        if request is None:
            return False
        method, target, version, headers, body = request
        host = next((v for k, v in headers if k.lower() == "host"), None)
        payload = owner.site.render_response(method, target, host, headers, version=version)
        status = int(payload[9:12])
        owner._log(dict(time=datetime.now(UTC).isoformat(), method=method,  # noqa: C408
                        target=target, version=version, host=host,
                        headers=[[k, v] for k, v in headers],
                        body_length=len(body), status=status, response_length=len(payload),
                        peer="{}:{}".format(*self.client_address[:2])))
        if owner.latency_ms:
            time.sleep(owner.latency_ms / 1000)  # stands for a slow remote server
        self._send(payload)
        conn = next((v.lower() for k, v in headers if k.lower() == "connection"), "")
        return version == "HTTP/1.1" and "close" not in conn

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens many connections at once
    owner: ReplicaServer


class ReplicaServer:
    """The replica on a real socket, serving from a background thread.

    The socket is bound and listening when the constructor returns, so a
    client may connect at once; no sleep is ever needed.
    """

    def __init__(self, era: str = DEFAULT_ERA, latency_ms: float = 0,
                 log_path: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 site: Site | None = None, backlog: int = _TCPServer.request_queue_size) -> None:
        era_config(era)  # fail early on an unknown era
        self.era = era
        self.site = site or get_site(era)
        self.latency_ms = latency_ms
        self.log_path = Path(log_path) if log_path else None
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self.connections_seen = 0  # connections accepted in all
        self.peak_connections = 0  # most connections open at one time
        # backlog: the listen queue; 5 is Python's http.server, as an archivist serving
        # a restored copy would run it (a burst of connects beyond it is dropped)
        self._server = _TCPServer((host, port), _Handler, bind_and_activate=False)
        self._server.request_queue_size = backlog
        try:
            self._server.server_bind()
            self._server.server_activate()
        except OSError:
            self._server.server_close()
            raise
        self._server.owner = self
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _log(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(entry)
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)
            if add:
                self.connections_seen += 1
                self.peak_connections = max(self.peak_connections, len(self._connections))

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f"replica-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop`` or a signal."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._server.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica.server",
                                     description="Serve the replica of www.akershus.no.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 = any free one (default: 0)")
    parser.add_argument("--era", default=DEFAULT_ERA, choices=list(ERA_CONFIGS),
                        help="which capture of the site to play (default: %(default)s)")
    parser.add_argument("--latency-ms", type=float, default=0,
                        help="delay before each response, in milliseconds (default: 0)")
    parser.add_argument("--log", metavar="FILE", help="append each request as a JSON line to FILE")
    parser.add_argument("--backlog", type=int, default=_TCPServer.request_queue_size,
                        help="listen queue length; 5 is Python's http.server (default: %(default)s)")
    args = parser.parse_args(argv)
    server = ReplicaServer(era=args.era, latency_ms=args.latency_ms, log_path=args.log,
                           host=args.host, port=args.port, backlog=args.backlog)
    return run_until_terminated(server, server.url)


def run_until_terminated(server: ReplicaServer, first_line: str) -> int:
    """Serve in the foreground: ``first_line`` (the URL) on stdout, SIGTERM or Ctrl-C ends it."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(first_line, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
