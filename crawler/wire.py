"""A small HTTP/1.1 client that keeps the bytes exactly as they crossed the wire.

Scrapy's own clients hand over a reconstruction (re-cased headers, merged
repeats, bodies already decompressed, the status line without its reason).
An archive needs the exchange itself, so this client writes the request line
and headers itself, reads the response head verbatim, and keeps the body as
transferred: chunk framing and gzip stay as they were sent. The de-chunked
body (still content-encoded) is handed to Scrapy separately.

Connections are kept alive and reused (crawler/pool.py); each exchange is
still recorded alone: the request bytes sent for it and the response read
for it, which ends where its framing (Content-Length or the last chunk) says.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from archive.digest import chunk_size
from crawler.pool import Connection, ConnectionPool

CRLF = b"\r\n"
NO_BODY_STATUSES = {204, 304}


class WireError(Exception):
    """The server could not be reached or answered with no usable head.

    ``exchange`` is set when some bytes did arrive (a head cut short, too
    large, or not HTTP at all): they are archived before the error is raised.
    """

    def __init__(self, reason: str, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.exchange = exchange


@dataclass
class Exchange:
    """One request and what came back, as bytes on the wire."""

    url: str
    started_at: datetime
    request_bytes: bytes
    ip_address: str | None = None
    head: bytes = b""
    status: int = 0
    reason: str = ""
    protocol: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw_body: bytearray = field(default_factory=bytearray)
    body: bytearray = field(default_factory=bytearray)
    truncated: str | None = None
    max_size: int = 0  # the size cap it was read under (0: none)
    complete: bool = False  # ended exactly where its framing said: the connection can go on
    reused: bool = False  # made on a connection that had served an earlier exchange

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def parse_connect_to(entries: list[str]) -> dict[tuple[str, int], tuple[str, int]]:
    """Read curl-style ``HOST:PORT:ADDRESS:PORT`` entries into a lookup table."""
    table: dict[tuple[str, int], tuple[str, int]] = {}
    for entry in entries:
        head = entry.split(":", 2)
        parts = head[:2] + head[2].rsplit(":", 1) if len(head) == 3 else head
        if len(parts) != 4 or not all(parts):
            raise ValueError(
                f"--connect-to {entry!r} is not HOST:PORT:ADDRESS:PORT"
                " - write it like www.akershus.no:80:127.0.0.1:8080"
            )
        host, port, address, address_port = parts
        try:
            table[(host.lower(), int(port))] = (address.strip("[]"), int(address_port))
        except ValueError:
            raise ValueError(f"--connect-to {entry!r}: ports must be numbers - write it like "
                             "www.akershus.no:80:127.0.0.1:8080") from None
    return table


def build_request(url: str, headers: list[tuple[str, str]], method: str = "GET",
                  keep_alive: bool = False) -> bytes:
    """The request bytes: the request-target is the URL's path and query untouched.

    ``Connection: keep-alive`` (as browsers send it) or ``close`` ends the head.
    """
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    if parts.port and parts.port != default_port:
        host = f"{host}:{parts.port}"
    lines = [f"{method} {target} HTTP/1.1".encode("ascii"), f"Host: {host}".encode("idna")]
    for name, value in headers:
        if name.lower() in {"host", "connection", "content-length"}:
            continue
        lines.append(f"{name}: {value}".encode("latin-1", "replace"))
    lines.append(b"Connection: keep-alive" if keep_alive else b"Connection: close")
    return CRLF.join(lines) + CRLF + CRLF


def _looks_like_status_line(line: bytes) -> bool:
    parts = line.split(None, 2)
    return len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit()


def parse_head(head: bytes) -> tuple[str, int, str, list[tuple[str, str]]]:
    """Parse a response head leniently, as browsers do; raise on a hopeless one."""
    lines = head.split(b"\n")
    status_line = lines[0].rstrip(b"\r").decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise WireError("bad_status_line", f"malformed status line {status_line[:80]!r}")
    protocol, status = parts[0], int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers: list[tuple[str, str]] = []
    for raw in lines[1:]:
        line = raw.rstrip(b"\r").decode("latin-1")
        if not line:
            continue
        if line[0] in " \t" and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue  # a line without a colon is kept in the record, not as a header
        headers.append((name.strip(), value.strip()))
    return protocol, status, reason, headers


@functools.lru_cache(maxsize=2)
def tls_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per setting: building one costs more than a whole local fetch."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def persistent(ex: Exchange) -> bool:
    """May the connection carry another exchange after this one (RFC 9112 9.3)?"""
    tokens = {t.strip().lower() for t in (ex.header("Connection") or "").split(",")}
    if "close" in tokens:
        return False
    return ex.protocol == "HTTP/1.1" or "keep-alive" in tokens


def keep_alive_timeout(ex: Exchange) -> float | None:
    """The server's ``Keep-Alive: timeout=N``, less a second so we never race its close."""
    for part in (ex.header("Keep-Alive") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "timeout" and value.strip().isdigit():
            return max(int(value) - 1, 0)
    return None


def _unanswered(exc: BaseException) -> bool:
    """Did the exchange fail before any byte came back (a kept connection closed under us)?"""
    if isinstance(exc, WireError):
        return exc.reason in {"no_response", "reset"} and exc.exchange is None
    return isinstance(exc, OSError)


class WireClient:
    """Fetches URLs over kept connections and records each exchange."""

    def __init__(
        self,
        connect_to: dict[tuple[str, int], tuple[str, int]],
        max_head: int,
        verify_tls: bool = False,
        *,
        max_per_host: int = 2,
        keep_alive: bool = True,
        idle_timeout: float = 4.0,
        connect_interval: float = 0.005,
    ) -> None:
        self.connect_to = connect_to
        self.max_head = max_head
        self.pool = ConnectionPool(tls_context(verify_tls), max_per_host, idle_timeout,
                                   connect_interval, limit=max_head + 1024,
                                   keep_alive=keep_alive)

    async def fetch(self, url: str, headers: list[tuple[str, str]], method: str = "GET", *,
                    max_size: int = 0, timeout: float = 60.0,
                    before_send: Callable[[], Awaitable[None]] | None = None) -> Exchange:
        """Fetch ``url``; a response cut short comes back with ``truncated`` set.

        A kept connection the server closed while idle fails before any byte
        comes back; the request is then sent once more on a new connection and
        nothing of the first try is recorded (nothing was answered).
        ``before_send`` is awaited with the connection ready, just before the
        request's bytes are written (a shared delay between request starts is
        held there, so the server sees it); ``timeout`` counts from then.
        """
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise WireError("bad_url", f"cannot fetch {url!r}: not an http(s) URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address, address_port = self.connect_to.get(
            (parts.hostname.lower(), port), (parts.hostname, port)
        )
        request_bytes = build_request(url, headers, method, keep_alive=self.pool.keep_alive)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        key = (parts.scheme, parts.hostname, address, address_port)
        for attempt in (1, 2):
            try:
                conn, reused = await self.pool.acquire(key, max(deadline - loop.time(), 0))
            except (OSError, TimeoutError) as exc:
                raise WireError("connect",
                                f"cannot connect to {address}:{address_port}: {exc}") from exc
            if before_send is not None:
                try:
                    await before_send()
                except BaseException:  # cancelled while waiting: nothing was sent
                    self.pool.release(conn, reusable=False)
                    raise
                deadline = loop.time() + timeout
            exchange = Exchange(url=url, started_at=datetime.now(UTC),
                                request_bytes=request_bytes, ip_address=conn.ip_address,
                                max_size=max_size, reused=reused)
            try:
                await self._exchange(conn, exchange, method, deadline)
            except (WireError, OSError) as exc:
                self.pool.release(conn, reusable=False)
                if reused and attempt == 1 and _unanswered(exc):
                    self.pool.stats.stale += 1
                    continue
                if isinstance(exc, OSError):
                    raise WireError("reset", f"connection failed before a full head: {exc!r}") \
                        from exc
                raise
            except BaseException:  # cancelled: the connection is in an unknown state
                self.pool.release(conn, reusable=False)
                raise
            reusable = exchange.complete and not exchange.truncated and persistent(exchange)
            self.pool.release(conn, reusable, keep_alive_timeout(exchange))
            return exchange
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _exchange(self, conn: Connection, ex: Exchange, method: str,
                        deadline: float) -> None:
        conn.writer.write(ex.request_bytes)
        await conn.writer.drain()
        await self._read_response(conn.reader, ex, method, deadline)

    def close(self) -> None:
        self.pool.close()

    async def _read_response(
        self, reader: asyncio.StreamReader, ex: Exchange, method: str, deadline: float
    ) -> None:
        loop = asyncio.get_running_loop()

        def left() -> float:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            return remaining

        head = await self._read_head(reader, ex, left)
        try:
            ex.protocol, ex.status, ex.reason, ex.headers = parse_head(head)
        except WireError as exc:
            # Not HTTP (a misspelt protocol, an HTTP/0.9-style bare body): keep the
            # whole answer, head and all, as received (see the handler for the record).
            ex.raw_body[:0] = head
            try:
                await self._read_to_close(reader, ex, left)
            except TimeoutError:
                ex.truncated = "time"
            except OSError:
                ex.truncated = "disconnect"
            exc.exchange = ex
            raise
        ex.head = head
        if method == "HEAD" or ex.status in NO_BODY_STATUSES or 100 <= ex.status < 200:
            ex.complete = not ex.raw_body and not 100 <= ex.status < 200
            return
        try:
            te = (ex.header("Transfer-Encoding") or "").lower()
            if "chunked" in te:
                await self._read_chunked(reader, ex, left)
            elif (length := ex.header("Content-Length")) is not None and length.strip().isdigit():
                await self._read_length(reader, ex, int(length), left)
            else:
                await self._read_to_close(reader, ex, left)
        except TimeoutError:
            ex.truncated = "time"
        except (OSError, asyncio.IncompleteReadError):
            ex.truncated = "disconnect"

    async def _read_head(self, reader: asyncio.StreamReader, ex: Exchange, left) -> bytes:
        """Read up to the blank line ending the head; what follows it goes to the body.

        The bytes are gathered here rather than with ``readuntil`` so that an
        answer that stops inside its head (timeout, reset, close) or never ends
        it (over ``max_head``) is still in hand, and is archived as received.
        The head ends at the first CRLFCRLF or, for bare-LF servers, LFLF.
        """
        buf = bytearray()
        while True:
            ends = [i + len(sep) for sep in (CRLF + CRLF, b"\n\n")
                    if (i := buf.find(sep, max(0, len(buf) - 65536 - 4))) >= 0]
            if ends:
                end = min(ends)
                ex.raw_body += buf[end:]
                ex.body += buf[end:]
                return bytes(buf[:end])
            if len(buf) > self.max_head:
                del buf[self.max_head:]
                ex.raw_body += buf
                ex.truncated = "length"
                raise WireError("head_too_large",
                                f"response head larger than {self.max_head} bytes", ex)
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left())
            except TimeoutError as exc:
                raise self._cut_head(ex, buf, "timeout", "time", "no response head in time") \
                    from exc
            except OSError as exc:
                raise self._cut_head(ex, buf, "reset", "disconnect",
                                     f"connection failed before a full head: {exc!r}") from exc
            if not chunk:
                first_line = bytes(buf.split(b"\n", 1)[0])
                if buf and not _looks_like_status_line(first_line):
                    # Closed without any HTTP head: an HTTP/0.9-style answer. Kept whole.
                    ex.raw_body += buf
                    raise WireError("bad_status_line",
                                    f"answer without a status line {first_line[:80]!r}", ex)
                raise self._cut_head(ex, buf, "no_response", "disconnect",
                                     "connection closed before a full head")
            buf += chunk

    @staticmethod
    def _cut_head(ex: Exchange, buf: bytearray, reason: str, truncated: str,
                  message: str) -> WireError:
        """The error for a head cut short; the bytes that did arrive go with it."""
        if not buf:
            return WireError(reason, message)
        ex.raw_body += buf
        ex.truncated = truncated
        return WireError(reason, message, ex)

    def _take(self, ex: Exchange, raw: bytes, payload: bytes | None = None) -> bool:
        """Keep bytes unless over the size cap; False once the cap is reached."""
        if ex.max_size and len(ex.raw_body) + len(raw) > ex.max_size:
            room = ex.max_size - len(ex.raw_body)
            ex.raw_body += raw[:room]
            ex.body += (payload if payload is not None else raw)[:room]
            ex.truncated = "length"
            return False
        ex.raw_body += raw
        ex.body += payload if payload is not None else raw
        return True

    async def _read_length(self, reader, ex: Exchange, length: int, left) -> None:
        remaining = length - len(ex.raw_body)
        while remaining > 0:
            chunk = await asyncio.wait_for(reader.read(min(remaining, 65536)), left())
            if not chunk:
                ex.truncated = "disconnect"
                return
            remaining -= len(chunk)
            if not self._take(ex, chunk):
                return
        ex.complete = remaining == 0  # more than announced came with the head: do not go on

    async def _read_to_close(self, reader, ex: Exchange, left) -> None:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), left())
            if not chunk or not self._take(ex, chunk):
                return

    async def _keep_rest_raw(self, reader, ex: Exchange, buf: bytearray, left) -> None:
        """Append the buffered and remaining bytes to the record only, within the cap."""
        data = bytes(buf)
        while data:
            room = ex.max_size - len(ex.raw_body) if ex.max_size else len(data)
            ex.raw_body += data[:max(room, 0)]
            if ex.max_size and len(data) > room:
                ex.truncated = "length"
                return
            data = await asyncio.wait_for(reader.read(65536), left())

    async def _read_chunked(self, reader, ex: Exchange, left) -> None:
        # Anything read past the head already sits in raw_body; re-feed it.
        pending = bytes(ex.raw_body)
        ex.raw_body.clear()
        ex.body.clear()
        buf = bytearray(pending)

        async def line() -> bytes:
            while b"\n" not in buf:
                more = await asyncio.wait_for(reader.read(65536), left())
                if not more:
                    raise asyncio.IncompleteReadError(bytes(buf), None)
                buf.extend(more)
            end = buf.index(b"\n") + 1
            out = bytes(buf[:end])
            del buf[:end]
            return out

        async def exactly(n: int) -> bytes:
            while len(buf) < n:
                more = await asyncio.wait_for(reader.read(65536), left())
                if not more:
                    raise asyncio.IncompleteReadError(bytes(buf), n)
                buf.extend(more)
            out = bytes(buf[:n])
            del buf[:n]
            return out

        try:
            while True:
                size_line = await line()
                size = chunk_size(size_line)
                if size is None:
                    # Broken framing: what follows is kept as it came (up to the size
                    # cap), undecoded; Scrapy gets the chunks decoded so far.
                    ex.raw_body += size_line
                    ex.truncated = "framing"
                    await self._keep_rest_raw(reader, ex, buf, left)
                    return
                if size == 0:
                    ex.raw_body += size_line
                    while True:  # trailers, then the final empty line
                        trailer = await line()
                        ex.raw_body += trailer
                        if trailer in (b"\r\n", b"\n"):
                            ex.complete = not buf  # bytes past the end: do not go on
                            return
                data = await exactly(size)
                if not self._take(ex, size_line + data, data):
                    return
                ex.raw_body += await line()
        except asyncio.IncompleteReadError as exc:
            ex.raw_body += exc.partial
            ex.truncated = "disconnect"
