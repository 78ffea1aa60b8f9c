"""A fault-injecting HTTP server on real sockets, standard library only.

Every route answers with one named defect, written byte by byte on the raw
socket (no HTTP library smooths anything over). The front page ``/`` links to
one route per fault, and ``/robots.txt`` names a hostile sitemap, so a single
crawl of the front page meets every fault.

Use it in-process::

    with FaultServer() as fs:
        crawl(f"http://faults.test/", connect_to=f"faults.test:80:127.0.0.1:{fs.port}")
        fs.requests  # every request received, in order

or as a process: ``python tests/faultserver.py`` prints its base URL as the
first line on stdout, then serves until SIGTERM or Ctrl-C. (``python -m
tests.faultserver`` works too where no installed distribution ships a
top-level ``tests`` package; pywb does, and shadows this folder.)

Each fault is a function registered under the name of its defect
(``FAULTS``); ``FaultServer.faults_hit()`` tells which were requested.
"""

from __future__ import annotations

import fcntl
import random
import signal
import socket
import socketserver
import struct
import sys
import tempfile
import termios
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self
from urllib.parse import parse_qsl, urlsplit

CRLF = b"\r\n"
MAX_LINE = 65536
MAX_HEADERS = 200

# Sizes the faults are built from; the tests read them from here.
TRICKLE_BODY = b"<html><body><p>" + b"slow " * 20 + b"</p></body></html>"
TRICKLE_INTERVAL = 0.01  # seconds between bytes: about 0.6 s in all, inside any timeout
STALL_INTERVAL = 0.2  # seconds between bytes: far too slow to finish within a timeout
STALL_LENGTH = 100_000
RESET_LENGTH = 100_000  # declared
RESET_SENT = 20_000  # sent before the reset
SHORT_LENGTH = 5_000  # declared
SHORT_SENT = 1_000  # sent before a clean close
HUGE_HEADERS_SIZE = 1 << 20  # 1 MiB of header lines
BOMB_INFLATED = 2 << 30  # 2 GiB of zeros once inflated...
OVERSIZE_LENGTH = 12 << 20  # bigger than the size cap the fault tests crawl with
DEEP_NESTING = 100_000
BINARY_SIZE = 64 * 1024
QUERY_FANOUT = 10  # new query variants linked from each query-explosion page
QUERY_PARAMS = 20  # parameters in the query-explosion's widest link
OFFSITE_HOST = "elsewhere.test"
NON_HTTP_TARGET = "file:///etc/passwd"
# Norwegian text with the letters that differ between the two encodings.
CHARSET_TEXT = "Fylkesrådmannens økonomiplan – på grønn gren"


@dataclass
class Received:
    """One request as the server read it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    fault: str | None
    at: float = field(default_factory=time.monotonic)

    @property
    def host(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "host"), "")

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


class Conn:
    """The accepted socket of one request, with the helpers the faults write with."""

    def __init__(self, sock: socket.socket, server: FaultServer, request: Received) -> None:
        self.sock = sock
        self.server = server
        self.request = request

    def send(self, data: bytes) -> bool:
        """Write bytes; False once the client has gone (it may hang up on a fault)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def respond(self, status: str, headers: list[tuple[str, str]], body: bytes = b"",
                length: bool = True) -> None:
        lines = [f"HTTP/1.1 {status}".encode("latin-1")]
        lines += [f"{k}: {v}".encode("latin-1") for k, v in headers]
        if length:
            lines.append(f"Content-Length: {len(body)}".encode("ascii"))
        lines.append(b"Connection: close")
        self.send(CRLF.join(lines) + CRLF + CRLF + body)

    def html(self, body: str | bytes, status: str = "200 OK",
             content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.respond(status, [("Content-Type", content_type)], data)

    def pause(self, seconds: float) -> bool:
        """Wait (a trickling fault's pace); False when the server is stopping."""
        return not self.server.stopping.wait(seconds)

    def hold(self) -> None:
        """Keep the connection open, answering nothing, until the client or server gives up."""
        self.sock.settimeout(0.1)
        while not self.server.stopping.is_set():
            try:
                if not self.sock.recv(4096):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def reset(self) -> None:
        """Abort the connection with a TCP RST instead of an orderly close.

        First wait (Linux: TIOCOUTQ) until the client has acknowledged every byte
        sent, so what it receives before the reset is the same on every run.
        """
        outq = getattr(termios, "TIOCOUTQ", None)
        while outq is not None and struct.unpack(
                "i", fcntl.ioctl(self.sock, outq, b"\0\0\0\0"))[0]:
            if not self.pause(0.001):
                break
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Fault = Callable[[Conn], None]
FAULTS: dict[str, Fault] = {}
FAULT_PREFIX = "/fault/"


def fault(name: str) -> Callable[[Fault], Fault]:
    def register(fn: Fault) -> Fault:
        FAULTS[name] = fn
        return fn
    return register


def page(title: str, body: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>")


# --- server errors and rate limits ---------------------------------------------------
@fault("500")
def internal_error(c: Conn) -> None:
    c.html(page("Internal Server Error"), status="500 Internal Server Error")


@fault("503-retry-after")
def unavailable_retry_after(c: Conn) -> None:
    c.respond("503 Service Unavailable", [("Retry-After", "1"), ("Content-Type", "text/html")],
              page("Down for maintenance").encode())


@fault("429")
def too_many_requests(c: Conn) -> None:
    c.respond("429 Too Many Requests", [("Retry-After", "1"), ("Content-Type", "text/html")],
              page("Slow down").encode())


# --- answers that never come, come slowly, or stop early ----------------------------
@fault("no-response")
def no_response(c: Conn) -> None:
    """Accept, read the request, say nothing: only the client's timeout ends it."""
    c.hold()


@fault("close-without-response")
def close_without_response(c: Conn) -> None:
    """Read the request and hang up without a byte."""


@fault("trickle")
def trickle(c: Conn) -> None:
    """A whole response, but one byte at a time."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(TRICKLE_BODY))
    if not c.send(head):
        return
    for i in range(len(TRICKLE_BODY)):
        if not c.pause(TRICKLE_INTERVAL) or not c.send(TRICKLE_BODY[i:i + 1]):
            return


@fault("stall-mid-body")
def stall_mid_body(c: Conn) -> None:
    """Bytes keep coming, too slowly to finish before any sane timeout."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % STALL_LENGTH)
    if not c.send(head):
        return
    for _ in range(STALL_LENGTH):
        if not c.pause(STALL_INTERVAL) or not c.send(b"."):
            return


@fault("reset-mid-body")
def reset_mid_body(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           b"Content-Length: %d\r\n\r\n" % RESET_LENGTH + b"r" * RESET_SENT)
    c.reset()


@fault("short-body")
def short_body(c: Conn) -> None:
    """Content-Length promises more than is sent before an orderly close."""
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           b"Content-Length: %d\r\n\r\n" % SHORT_LENGTH + b"s" * SHORT_SENT)


@fault("broken-chunked")
def broken_chunked(c: Conn) -> None:
    """Chunked framing that goes wrong after the first chunk (a size that is no number)."""
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"10\r\n<html><body>ok \r\n"
           b"zz\r\nnot a chunk size\r\n0\r\n\r\n")


# --- heads a strict parser refuses ------------------------------------------------------
BAD_STATUS_ANSWER = (b"HTPT/1.1 two hundred OK\r\nContent-Type: text/html\r\n\r\n"
                     + page("Misspelt protocol").encode())


@fault("bad-status-line")
def bad_status_line(c: Conn) -> None:
    c.send(BAD_STATUS_ANSWER)


@fault("header-without-colon")
def header_without_colon(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nThis line has no colon\r\n"
           b"X-After: kept\r\nConnection: close\r\n\r\n" + page("Colonless").encode())


@fault("huge-headers")
def huge_headers(c: Conn) -> None:
    """A megabyte of header lines before the blank line."""
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    line = b"X-Filler-%06d: " + b"f" * 64 + CRLF
    for i in range(HUGE_HEADERS_SIZE // len(line % 0)):
        if not c.send(line % i):
            return
    c.send(CRLF + page("After a megabyte of headers").encode())


# --- content encodings -----------------------------------------------------------------
_bomb: bytes | None = None
_bomb_lock = threading.Lock()


def gzip_bomb() -> bytes:
    """gzip of BOMB_INFLATED zero bytes, about 2 MB, built from one repeated deflate block.

    After a full flush the compressor starts afresh, so the deflate of each
    mebibyte of zeros is the same bytes: repeating them is a valid stream.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            zeros = bytes(1 << 20)
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
            end = comp.flush(zlib.Z_FINISH)
            crc = 0
            blocks = BOMB_INFLATED >> 20
            for _ in range(blocks):
                crc = zlib.crc32(zeros, crc)
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            trailer = struct.pack("<II", crc, BOMB_INFLATED & 0xFFFFFFFF)
            _bomb = header + block * blocks + end + trailer
        return _bomb


@fault("gzip-bomb")
def gzip_bomb_fault(c: Conn) -> None:
    c.respond("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
              gzip_bomb())


INVALID_GZIP = b"\x1f\x8b\x08\x00this is not deflate data at all" * 4


@fault("invalid-gzip")
def invalid_gzip(c: Conn) -> None:
    c.respond("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
              INVALID_GZIP)


# --- redirects -----------------------------------------------------------------------------
def redirect(c: Conn, location: str) -> None:
    c.respond("302 Found", [("Location", location), ("Content-Type", "text/html")],
              page("Moved").encode())


@fault("redirect-loop")
def redirect_loop(c: Conn) -> None:
    """A -> B -> A: the same two URLs for ever."""
    redirect(c, "/fault/redirect-loop-b")


@fault("redirect-loop-b")
def redirect_loop_b(c: Conn) -> None:
    redirect(c, "/fault/redirect-loop")


@fault("redirect-endless")
def redirect_endless(c: Conn) -> None:
    """Every answer redirects to a URL never seen before: /redirect-endless/1, /2, ..."""
    last = c.request.path.rstrip("/").rsplit("/", 1)[-1]
    hop = int(last) + 1 if last.isdigit() else 1
    redirect(c, f"/fault/redirect-endless/{hop}")


@fault("redirect-offsite")
def redirect_offsite(c: Conn) -> None:
    redirect(c, f"http://{OFFSITE_HOST}/stolen")


@fault("redirect-non-http")
def redirect_non_http(c: Conn) -> None:
    redirect(c, NON_HTTP_TARGET)


@fault("meta-refresh")
def meta_refresh(c: Conn) -> None:
    """A page moved with <meta http-equiv="refresh">, as CMSs wrote them, with a link of its own."""
    c.html("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Flyttet</title>"
           "<META HTTP-EQUIV='Refresh' CONTENT=\"5; URL='/fault/meta-refresh-target?fra=gammel'\">"
           "</head><body><p>Siden er flyttet.</p>"
           "<a href='/fault/meta-refresh-sibling'>Se også</a></body></html>")


@fault("meta-refresh-endless")
def meta_refresh_endless(c: Conn) -> None:
    """Every page refreshes to a query variant never seen before: ?n=1, ?n=2, ..."""
    n = int(dict(parse_qsl(urlsplit(c.request.target).query)).get("n", "0")) + 1
    c.html(f"<html><head><meta http-equiv=refresh content='0;url=?n={n}'></head></html>")


# --- traps -------------------------------------------------------------------------------------
@fault("growing-path")
def growing_path(c: Conn) -> None:
    """Every page links one level deeper: /growing-path/a/a/a/..."""
    c.html(page("Deeper", "<a href='a/'>deeper</a>"))


@fault("query-explosion")
def query_explosion(c: Conn) -> None:
    """Each page links QUERY_FANOUT new query strings, plus one with QUERY_PARAMS parameters."""
    query = dict(parse_qsl(urlsplit(c.request.target).query))
    n = int(query.get("page", "0")) if query.get("page", "0").isdigit() else 0
    links = "".join(f"<a href='?page={n * QUERY_FANOUT + i}'>{i}</a>"
                    for i in range(1, QUERY_FANOUT + 1))
    wide = "&amp;".join(f"f{i}={i}" for i in range(QUERY_PARAMS))
    c.html(page(f"Results page {n}", links + f"<a href='?{wide}'>all filters</a>"))


@fault("calendar")
def calendar(c: Conn) -> None:
    """An endless month calendar: every month links the months before and after."""
    query = dict(parse_qsl(urlsplit(c.request.target).query))
    try:
        year, month = (int(x) for x in query.get("month", "2019-12").split("-"))
    except ValueError:
        year, month = 2019, 12
    index = year * 12 + month - 1
    prev_, next_ = divmod(index - 1, 12), divmod(index + 1, 12)
    c.html(page(f"Events {year}-{month:02d}",
                f"<a href='?month={prev_[0]}-{prev_[1] + 1:02d}'>previous</a>"
                f"<a href='?month={next_[0]}-{next_[1] + 1:02d}'>next</a>"))


# --- sizes, charsets and odd bodies -------------------------------------------------------
@fault("oversize")
def oversize(c: Conn) -> None:
    if not c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                  b"Content-Length: %d\r\n\r\n" % OVERSIZE_LENGTH):
        return
    block = b"o" * 65536
    for _ in range(OVERSIZE_LENGTH // len(block)):
        if not c.send(block):
            return


WRONG_CHARSET_BODY = page(CHARSET_TEXT, f"<p>{CHARSET_TEXT}</p>").replace(
    "<meta charset='utf-8'>", "").encode("cp1252")


@fault("wrong-charset")
def wrong_charset(c: Conn) -> None:
    """Declared UTF-8, sent as windows-1252: æøå are invalid UTF-8 bytes."""
    c.html(WRONG_CHARSET_BODY, content_type="text/html; charset=utf-8")


BINARY_BODY = random.Random(42).randbytes(BINARY_SIZE)


@fault("binary-as-html")
def binary_as_html(c: Conn) -> None:
    c.html(BINARY_BODY, content_type="text/html")


NUL_BODY = (b"<!DOCTYPE html><html><head><title>NUL\x00title</title></head><body>"
            b"<h1>Before\x00after</h1><p class='a\x00b'>text\x00\x00\x00more</p>"
            b"<a href='/fault/after-nul'>after</a></body></html>")


@fault("nul-bytes")
def nul_bytes(c: Conn) -> None:
    c.html(NUL_BODY, content_type="text/html")


DEEP_BODY = (b"<!DOCTYPE html><html><head><title>Deep</title></head><body>"
             + b"<div>" * DEEP_NESTING + b"bottom" + b"</div>" * DEEP_NESTING
             + b"</body></html>")


@fault("deep-nesting")
def deep_nesting(c: Conn) -> None:
    c.html(DEEP_BODY, content_type="text/html")


@fault("empty-200")
def empty_200(c: Conn) -> None:
    c.respond("200 OK", [("Content-Type", "text/html")], b"")


# --- XML ---------------------------------------------------------------------------------------
def hostile_sitemap(secret_path: Path, port: int) -> bytes:
    """A sitemap with an external file entity, an external HTTP entity and a billion laughs."""
    laughs = "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE urlset [
<!ENTITY xxe SYSTEM "{secret_path.as_uri()}">
<!ENTITY remote SYSTEM "http://127.0.0.1:{port}/fault/xxe-fetched">
<!ENTITY lol0 "lol">
{laughs}
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://faults.test/fault/sitemap-listed</loc></url>
<url><loc>http://faults.test/fault/leak?&xxe;</loc></url>
<url><loc>http://faults.test/fault/leak-remote?&remote;</loc></url>
<url><loc>http://faults.test/fault/laughs?&lol9;</loc></url>
</urlset>
""".encode()


@fault("sitemap-xxe")
def sitemap_xxe(c: Conn) -> None:
    c.respond("200 OK", [("Content-Type", "application/xml")],
              hostile_sitemap(c.server.secret_path, c.server.port))


# Routes reached only by what the faults above point at; not linked from the front page.
HELPERS = {"redirect-loop-b", "sitemap-xxe"}


def plain(c: Conn) -> None:
    """Any other path: a small page (sitemap-listed, leak?..., after-nul...)."""
    c.html(page(c.request.path))


def front_page(c: Conn) -> None:
    links = "".join(f"<li><a href='{FAULT_PREFIX}{name}{'/' if name == 'growing-path' else ''}'>"
                    f"{name}</a></li>" for name in FAULTS if name not in HELPERS)
    c.html(page("Faults", f"<ul>{links}</ul>"))


def robots(c: Conn) -> None:
    host = c.request.host or "faults.test"
    c.respond("200 OK", [("Content-Type", "text/plain")],
              f"User-agent: *\nAllow: /\nSitemap: http://{host}/fault/sitemap-xxe\n".encode())


def route(path: str) -> tuple[str | None, Fault]:
    if path == "/":
        return None, front_page
    if path == "/robots.txt":
        return None, robots
    if path.startswith(FAULT_PREFIX):
        name = path[len(FAULT_PREFIX):].split("/", 1)[0]
        if name in FAULTS:
            return name, FAULTS[name]
    return None, plain


# --- the server -------------------------------------------------------------------------------
def read_request(sock: socket.socket) -> tuple[str, str, list[tuple[str, str]]] | None:
    rfile = sock.makefile("rb")
    line = rfile.readline(MAX_LINE)
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3:
        return None
    headers = []
    for _ in range(MAX_HEADERS):
        raw = rfile.readline(MAX_LINE)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    return parts[0], parts[1], headers


class OneRequestHandler(socketserver.BaseRequestHandler):
    """Reads one request (10 s at most) and hands it to ``answer``; a test server's base."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        try:
            parsed = read_request(sock)
        except OSError:
            return
        if parsed is not None:
            self.answer(sock, *parsed)

    def answer(self, sock: socket.socket, method: str, target: str,
               headers: list[tuple[str, str]]) -> None:
        raise NotImplementedError


class _Handler(OneRequestHandler):
    server: _TCPServer

    def answer(self, sock: socket.socket, method: str, target: str,
               headers: list[tuple[str, str]]) -> None:
        owner = self.server.owner
        name, handler = route(urlsplit(target).path)
        received = Received(method, target, headers, name)
        with owner.lock:
            owner.requests.append(received)
        try:
            handler(Conn(sock, owner, received))
        except OSError:
            pass  # the client hung up on us: part of the game


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FaultServer


class FaultServer:
    """Serve the faults on 127.0.0.1 (port 0: any free port) in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _TCPServer((host, port), _Handler)
        self._server.owner = self
        self.host, self.port = self._server.server_address[:2]
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._tmp = tempfile.TemporaryDirectory()
        # A file the hostile sitemap's external entity points at: it must never leak.
        self.secret = f"SECRET-{random.Random(7).getrandbits(64):016x}"
        self.secret_path = Path(self._tmp.name) / "secret.txt"
        self.secret_path.write_text(self.secret + "\n")
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> FaultServer:
        gzip_bomb()  # built before the first request, not while a client waits
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="faultserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def hits(self, name: str) -> list[Received]:
        """Requests that reached the fault ``name``."""
        with self.lock:
            return [r for r in self.requests if r.fault == name]

    def faults_hit(self) -> set[str]:
        with self.lock:
            return {r.fault for r in self.requests if r.fault}


def main() -> None:
    server = FaultServer().start()
    print(server.url, flush=True)
    done = threading.Event()

    def stop(_sig: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    done.wait()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
