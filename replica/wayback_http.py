"""HTTP/1.1 on asyncio streams for the Wayback Machine stand-in: requests in, answers out.

Written by hand, like replica/server.py, so that framing is exactly what a client of
the real archive meets: chunked bodies, kept connections, a reset without an answer.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from dataclasses import dataclass

CHUNK = 8192


class BadRequest(Exception):
    """Not an HTTP/1.x request: answered 400 and the connection closed."""


@dataclass
class Request:
    """One request as read: the target is kept raw (a replay URL must not be decoded)."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    @property
    def keep_alive(self) -> bool:
        conn = (self.header("Connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a connection; None at its clean end."""
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):
        line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise BadRequest(line[:200])
    headers: list[tuple[str, str]] = []
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or len(headers) >= 100:
            raise BadRequest(raw[:200])
        headers.append((name.strip(), value.strip()))
    request = Request(parts[0], parts[1], parts[2], headers)
    length = request.header("Content-Length")
    if length and length.isdigit() and int(length) > 0:
        await reader.readexactly(int(length))
    return request


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a reset, at once and without an answer."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


async def send(writer: asyncio.StreamWriter, status: int, reason: str,
               headers: list[tuple[str, str]], body: bytes, *, keep: bool,
               chunked: bool = False, head: bool = False, http10: bool = False) -> None:
    """Status line, headers (framing after Server and Date), body chunked or sized."""
    chunked = chunked and not http10
    framing = [("Transfer-Encoding", "chunked")] if chunked else [
        ("Content-Length", str(len(body)))]
    framing.append(("Connection", "keep-alive" if keep else "close"))
    at = 2 if len(headers) >= 2 and headers[1][0].lower() == "date" else 0
    lines = [f"HTTP/1.1 {status} {reason}"] + [
        f"{k}: {v}" for k, v in headers[:at] + framing + headers[at:]]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))
    if not head:
        if chunked:
            for pos in range(0, len(body), CHUNK):
                piece = body[pos:pos + CHUNK]
                writer.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            writer.write(b"0\r\n\r\n")
        else:
            writer.write(body)
    await writer.drain()
