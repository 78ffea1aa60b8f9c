"""The WARC payload digest, by the standard: SHA-1 of the entity body.

WARC 1.1 (section 5.9) defines the payload of an ``application/http`` block as
its entity-body (RFC 2616 section 4.3; RFC 9112 calls it the message body with
the transfer coding removed). iipc/warc-specifications#22 settled that this
means transfer coding (``chunked``) removed, content coding (``gzip``) kept:
two captures of the same bytes sent with different chunk boundaries have the
same payload digest. Heritrix computes it so since heritrix3 PR #770;
ArchiveTeam's wget-lua does too. warcio 1.8 (writer and ``warcio check``)
still digests the body as transferred, chunk framing included (warcio #74,
#75): :class:`EntityDigest` computes both, so records written either way are
read without being called corrupt and the convention a file uses can be named.

The record block still holds the chunked bytes exactly as received; only the
digest is of the de-chunked body. The de-chunking is as lenient as the
recording client (crawler/wire.py): size lines may end in a bare LF and carry
extensions, trailers are skipped, and where framing breaks (a size that is no
number) everything from there on counts as sent, as warcio's reader and pywb
then serve it.
"""

from __future__ import annotations

import base64
import hashlib

# A size line longer than this is not chunk framing (a real one is a few hex digits).
MAX_SIZE_LINE = 1024

ENTITY = "entity"  # transfer coding removed: WARC 1.1 as clarified in iipc#22
FRAMED = "framed"  # the body as transferred, chunk framing included: warcio 1.8


def sha1_digest(data: bytes) -> str:
    """``sha1:BASE32``, the form WARC writers and CDX indexes use."""
    return as_label(hashlib.sha1(data))


def as_label(hasher: hashlib._Hash) -> str:
    return "sha1:" + base64.b32encode(hasher.digest()).decode("ascii")


def chunk_size(line: bytes) -> int | None:
    """The size a chunk-size line announces, or None when the line is no chunk framing."""
    field = line.split(b";", 1)[0].strip()
    if not field or len(line) > MAX_SIZE_LINE or not all(c in b"0123456789abcdefABCDEF"
                                                         for c in field):
        return None
    return int(field, 16)


def is_chunked(transfer_encoding: str | None) -> bool:
    return "chunked" in (transfer_encoding or "").lower()


class EntityDigest:
    """Digests of an HTTP body fed as transferred: the entity body's, and the framed one's.

    Fed in pieces, so a record of any size is checked without holding it.
    """

    def __init__(self, chunked: bool) -> None:
        self.chunked = chunked
        self._entity = hashlib.sha1()
        self._framed = hashlib.sha1() if chunked else self._entity
        self._state = "size" if chunked else "raw"
        self._buf = bytearray()
        self._left = 0

    def update(self, data: bytes) -> None:
        if self._state == "raw":
            self._entity.update(data)
            if self._framed is not self._entity:
                self._framed.update(data)
            return
        self._framed.update(data)
        self._buf += data
        self._consume()

    def _consume(self) -> None:
        buf, pos = self._buf, 0
        view = memoryview(buf)
        try:
            while pos < len(buf):
                if self._state == "data":
                    take = min(self._left, len(buf) - pos)
                    self._entity.update(view[pos:pos + take])
                    pos += take
                    self._left -= take
                    if self._left:
                        break
                    self._state = "data-end"
                    continue
                if self._state in ("done", "raw"):
                    if self._state == "raw":
                        self._entity.update(view[pos:])
                    pos = len(buf)
                    break
                end = buf.find(b"\n", pos)
                if end < 0:
                    if self._state == "size" and len(buf) - pos > MAX_SIZE_LINE:
                        self._state = "raw"
                        continue
                    break
                line = bytes(view[pos:end + 1])
                if self._state == "size":
                    size = chunk_size(line)
                    if size is None:  # broken framing: the rest counts as sent
                        self._state = "raw"
                        continue
                    pos = end + 1
                    self._state, self._left = ("trailer", 0) if size == 0 else ("data", size)
                elif self._state == "data-end":  # the line ending a chunk's data
                    pos = end + 1
                    self._state = "size"
                else:  # trailers, up to the empty line
                    pos = end + 1
                    if line in (b"\r\n", b"\n"):
                        self._state = "done"
        finally:
            view.release()
        del buf[:pos]

    def entity(self) -> str:
        """The payload digest by the standard (what we write)."""
        return as_label(self._entity)

    def framed(self) -> str:
        """The digest of the body as transferred (what warcio 1.8 writes and checks)."""
        return as_label(self._framed)


def payload_digest(body: bytes, transfer_encoding: str | None) -> str:
    """WARC-Payload-Digest of an HTTP body as transferred (see the module docstring)."""
    if not is_chunked(transfer_encoding):
        return sha1_digest(body)
    digest = EntityDigest(chunked=True)
    digest.update(body)
    return digest.entity()
