"""The payload digest by the standard: of the entity body, chunk framing removed.

WARC 1.1 section 5.9 as clarified in iipc/warc-specifications#22: the same
bytes sent with different chunk boundaries have one payload digest. The checks
here compare with warcio's own de-chunker (an independent reading) and with
SHA-1 of the bytes themselves, and ``verify`` is run on WARCs written both ways.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
from io import BytesIO
from pathlib import Path

import pytest
from conftest import cli
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.digest import ENTITY, FRAMED, EntityDigest, chunk_size, payload_digest
from archive.verify import check_file


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def framed(body: bytes, sizes: list[int], *, eol: bytes = b"\r\n", ext: bytes = b"",
           trailers: bytes = b"") -> bytes:
    out, i = b"", 0
    for size in sizes:
        part = body[i:i + size]
        i += len(part)
        out += f"{len(part):x}".encode() + ext + eol + part + eol
    if i < len(body):
        out += f"{len(body) - i:X}".encode() + eol + body[i:] + eol
    return out + b"0" + eol + trailers + eol


BODY = gzip.compress(b"<html><body>" + b"Strategi for Akershus " * 400 + b"</body></html>",
                     mtime=0)


@pytest.mark.parametrize("seed", range(5))
def test_chunk_boundaries_do_not_change_the_digest(seed: int) -> None:
    rnd = random.Random(seed)
    sizes = [rnd.randint(1, 900) for _ in range(rnd.randint(1, 30))]
    wire = framed(BODY, sizes)
    assert payload_digest(wire, "chunked") == sha1(BODY)  # gzip kept, framing gone
    assert payload_digest(framed(BODY, [4096]), "chunked") == sha1(BODY)
    # the same de-chunking as warcio's reader, the one pywb serves replays through
    assert ChunkedDataReader(BytesIO(wire), decomp_type=None).read() == BODY


def test_fed_in_pieces_as_whole() -> None:
    wire = framed(BODY, [7, 300, 1, 2000], ext=b";name=value", trailers=b"X-Trailer: 1\r\n")
    whole = EntityDigest(chunked=True)
    whole.update(wire)
    pieces = EntityDigest(chunked=True)
    for i in range(0, len(wire), 3):
        pieces.update(wire[i:i + 3])
    assert whole.entity() == pieces.entity() == sha1(BODY)
    assert whole.framed() == pieces.framed() == sha1(wire)


def test_lenient_framing_as_the_recording_client_reads_it() -> None:
    # bare-LF lines (RFC 9112 7.1: recipients may accept them), extensions, trailers
    assert payload_digest(framed(BODY, [100, 5], eol=b"\n"), "chunked") == sha1(BODY)
    assert payload_digest(framed(BODY, [50], trailers=b"Expires: 0\r\nX: y\r\n"),
                          "Chunked") == sha1(BODY)
    # a body cut short mid-chunk: the entity is what arrived
    cut = framed(BODY, [1000])[:600]
    assert payload_digest(cut, "chunked") == sha1(BODY[:600 - len(b"3e8\r\n")])


def test_broken_framing_counts_the_rest_as_sent() -> None:
    wire = b"5\r\nhello\r\nzz\r\nnot a chunk size\r\n0\r\n\r\n"
    expected = b"hello" + b"zz\r\nnot a chunk size\r\n0\r\n\r\n"
    assert payload_digest(wire, "chunked") == sha1(expected)
    assert ChunkedDataReader(BytesIO(wire), decomp_type=None).read() == expected  # as warcio


def test_not_chunked_is_the_body_itself() -> None:
    assert payload_digest(BODY, None) == payload_digest(BODY, "identity") == sha1(BODY)


@pytest.mark.parametrize("line,size", [(b"1a\r\n", 26), (b"1A;x=y\r\n", 26), (b"0\n", 0),
                                       (b"0x10\r\n", None), (b"-5\r\n", None), (b"\r\n", None),
                                       (b"1_0\r\n", None), (b"zz\r\n", None)])
def test_chunk_size_lines(line: bytes, size: int | None) -> None:
    assert chunk_size(line) == size


def write(path: Path, digest_of: str, bad: bool = False) -> Path:
    """One chunked response and one plain one, payload digests by ``digest_of``."""
    wire = framed(BODY, [333, 1000])
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for url, te, payload in (("http://www.akershus.no/a", "chunked", wire),
                                 ("http://www.akershus.no/b", None, BODY)):
            headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
            headers.append(("Transfer-Encoding", te) if te else ("Content-Length", str(len(BODY))))
            digest = sha1(BODY) if digest_of == ENTITY else sha1(payload)
            if bad and te:
                digest = sha1(b"something else")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=BytesIO(payload), length=len(payload),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Payload-Digest": digest}))
    return path


def test_verify_accepts_both_conventions_and_names_them(tmp_path: Path) -> None:
    ours = check_file(write(tmp_path / "entity.warc.gz", ENTITY))
    theirs = check_file(write(tmp_path / "framed.warc.gz", FRAMED))
    assert "no request record" in " ".join(ours.problems)  # a lone response is still caught
    assert all("digest" not in p for p in ours.problems + theirs.problems)
    assert ours.conventions == {ENTITY: 1} and "iipc/warc-specifications#22" in ours.convention()
    assert theirs.conventions == {FRAMED: 1} and "chunk framing included" in theirs.convention()
    wrong = check_file(write(tmp_path / "wrong.warc.gz", ENTITY, bad=True))
    assert any("payload digest failed" in p and "neither" in p for p in wrong.problems)


def test_verify_command_says_which_convention(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    write(tmp_path / "warc" / "framed.warc.gz", FRAMED)
    proc = cli("verify", str(tmp_path))
    assert "framed.warc.gz: payload digests: body as transferred" in proc.stdout, proc.stdout
