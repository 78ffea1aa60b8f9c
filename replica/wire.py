"""HTTP/1.1 response framing: status line, ordered headers, Content-Length or chunked.

Headers are a list of (name, value) pairs so that order, case and repeats
(two Set-Cookie lines) survive exactly as the legacy IIS server sent them.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 400: "Bad Request",
           404: "Not Found", 405: "Method Not Allowed", 501: "Not Implemented"}

# Chunk sizes cycle through this pattern, so boundaries are deterministic but
# not all equal (a reader that assumes fixed-size chunks is caught).
CHUNK_PATTERN = (1024, 4096, 777, 2048)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunked: bool = False


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a zero mtime and no file name, so the output is reproducible."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def chunk_body(body: bytes) -> bytes:
    """Encode ``body`` with chunked transfer coding, chunk sizes from CHUNK_PATTERN."""
    out = bytearray()
    pos, i = 0, 0
    while pos < len(body):
        size = CHUNK_PATTERN[i % len(CHUNK_PATTERN)]
        piece = body[pos:pos + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        pos += len(piece)
        i += 1
    return bytes(out + b"0\r\n\r\n")


def frame(resp: Response, *, head_only: bool = False) -> bytes:
    """The exact bytes on the wire: status line, headers (framing header last), body."""
    lines = [f"HTTP/1.1 {resp.status} {REASONS.get(resp.status, 'Unknown')}"]
    lines += [f"{name}: {value}" for name, value in resp.headers]
    if resp.chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = chunk_body(resp.body)
    else:
        lines.append(f"Content-Length: {len(resp.body)}")
        payload = resp.body
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + payload
