"""How records are compressed (crawler/deflate.py) and bodies decoded (crawler/decompression.py)."""

from __future__ import annotations

import gzip
import io
import random
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from scrapy.downloadermiddlewares import httpcompression
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.decompression import Decompression, inflate_clean
from crawler.deflate import member, stored_from
from crawler.warcfile import WarcFile

_WORDS = b"plan for Akershus regional land use transport county school road budget".split()
_RND = random.Random(5)
# Text as a page's: words in no fixed order (a line repeated 2 000 times gzips to
# a stream that deflates again to a third of its size; a page's does not).
PAGE = b"".join(b"<p>%s</p>\n" % b" ".join(_RND.choice(_WORDS) for _ in range(12))
                for _ in range(2000))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(random.Random(3).randrange(256) for _ in range(5000))


def record(writer: WARCWriter, body: bytes, headers: list[tuple[str, str]],
           rec_type: str = "response") -> Any:
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1") if rec_type == "response" \
        else None
    return writer.create_warc_record("http://www.akershus.no/x", rec_type,
                                     payload=io.BytesIO(body), length=len(body),
                                     http_headers=http)


def serialised(rec: Any) -> bytes:
    out = io.BytesIO()
    WARCWriter(out, gzip=False).write_record(rec)
    return out.getvalue()


@pytest.fixture
def writer() -> WARCWriter:
    return WARCWriter(io.BytesIO(), gzip=False)


def test_a_gzip_encoded_payload_is_found_where_it_begins(writer: WARCWriter) -> None:
    body = gzip.compress(PAGE)
    rec = record(writer, body, [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                ("Content-Length", str(len(body)))])
    plain = serialised(rec)
    start = stored_from(plain, rec)
    assert start is not None and plain[start:start + len(body)] == body


@pytest.mark.parametrize("coding", ["br", "GZIP", "deflate", "identity, gzip"])
def test_a_content_coding_marks_the_payload_compressed(writer: WARCWriter, coding: str) -> None:
    rec = record(writer, b"\x0b\x02\x80opaque", [("Content-Encoding", coding)])
    assert stored_from(serialised(rec), rec) is not None


def test_compressed_media_are_found_by_their_first_bytes(writer: WARCWriter) -> None:
    rec = record(writer, PNG, [("Content-Type", "application/octet-stream")])
    plain = serialised(rec)
    start = stored_from(plain, rec)
    assert start is not None and plain[start:].startswith(b"\x89PNG")
    resource = record(writer, PNG, [], rec_type="resource")
    assert stored_from(serialised(resource), resource) is not None


def test_plain_payloads_and_other_records_are_deflated_whole(writer: WARCWriter) -> None:
    page = record(writer, PAGE, [("Content-Type", "text/html")])
    identity = record(writer, PAGE, [("Content-Encoding", "identity")])
    request = writer.create_warc_record("http://www.akershus.no/x", "request",
                                        payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
    for rec in (page, identity, request):
        assert stored_from(serialised(rec), rec) is None


def test_a_member_with_a_stored_payload_inflates_to_the_record(writer: WARCWriter) -> None:
    body = gzip.compress(PAGE)
    rec = record(writer, body, [("Content-Encoding", "gzip")])
    plain = serialised(rec)
    start = stored_from(plain, rec)
    whole = member(plain, 6)
    split = member(plain, 6, start)
    assert split != whole
    assert gzip.decompress(split) == plain == zlib.decompress(split, 31)
    assert split[:10] == whole[:10]  # the same gzip header either way
    assert len(split) < len(whole)  # gzip data deflated again grows; its headers shrink
    # the payload is there as it was, in stored blocks (5 bytes of framing each 64 KiB)
    assert body in split
    size, = struct.unpack("<I", split[-4:])
    assert size == len(plain)


def test_a_file_of_both_kinds_of_member_reads_back_record_for_record(tmp_path: Path) -> None:
    warc = WarcFile(tmp_path, "t", 10**9, {"software": "test"})
    writer = warc.writer
    bodies = [gzip.compress(PAGE), PAGE, PNG, b"", gzip.compress(b"x")]
    for body in bodies:
        coding = [("Content-Encoding", "gzip")] if body[:2] == b"\x1f\x8b" else []
        warc.write(record(writer, body, coding))
    warc.close()
    (path,) = tmp_path.glob("*.warc.gz")
    with path.open("rb") as fh:
        got = [(r.rec_type, r.raw_stream.read()) for r in ArchiveIterator(fh)]
    assert got == [("warcinfo", got[0][1]), *(("response", b) for b in bodies)]
    # every member starts where the index says: each one inflates alone
    with path.open("rb") as fh:
        offsets = [(it.get_record_offset()) for it in _offsets(fh)]
    data = path.read_bytes()
    for offset in offsets:
        assert zlib.decompressobj(31).decompress(data[offset:]).startswith(b"WARC/1.1\r\n")


def _offsets(fh: Any) -> Any:
    iterator = ArchiveIterator(fh)
    for rec in iterator:
        rec.raw_stream.read()
        yield iterator


# -- decoding ---------------------------------------------------------------------------------

def _outcome(decode: Any, body: bytes, encoding: bytes, max_size: int) -> tuple[str, Any]:
    try:
        return "ok", decode(body, encoding, max_size)
    except Exception as exc:  # noqa: BLE001 - what Scrapy raises is part of the behaviour kept
        return "raise", type(exc).__name__


def _damaged_bodies() -> list[tuple[bytes, bytes, int]]:
    """Whole, cut, flipped, concatenated, padded and bad-CRC bodies, gzip and deflate."""
    rnd = random.Random(7)
    samples: list[tuple[bytes, bytes, int]] = []
    for encoding in (b"gzip", b"x-gzip", b"deflate"):
        for _ in range(100):
            text = PAGE[:rnd.randrange(len(PAGE))]
            if encoding == b"deflate":
                body = rnd.choice([zlib.compress(text), zlib.compress(text)[2:-4]])  # zlib, raw
            else:
                body = gzip.compress(text)
            damage = rnd.randrange(7)
            if damage == 1 and body:
                body = body[:rnd.randrange(len(body))]
            elif damage == 2 and body:
                i = rnd.randrange(len(body))
                body = body[:i] + bytes([body[i] ^ 0xFF]) + body[i + 1:]
            elif damage == 3:
                body += gzip.compress(b"a second member")
            elif damage == 4:
                body += b"\x00" * 8
            elif damage == 5:
                body += b"trailing garbage"
            elif damage == 6:
                body = body[:-8] + b"\x00\x00\x00\x00" + body[-4:]
            limit = rnd.choice([0, 0, len(text), max(len(text) - 1, 0), 1 << 20])
            samples.append((body, encoding, limit))
    samples += [(b"", b"gzip", 0), (b"", b"deflate", 0), (b"\x1f\x8b", b"gzip", 0),
                (b"\x0b\x02\x80", b"br", 0)]
    return samples


def test_decoding_equals_scrapys_on_damaged_bodies() -> None:
    samples = _damaged_bodies()
    fast = 0
    for body, encoding, limit in samples:
        theirs = _outcome(HttpCompressionMiddleware._decode, body, encoding, limit)
        ours = _outcome(Decompression._decode, body, encoding, limit)
        assert ours == theirs, (encoding, len(body), limit)
        fast += inflate_clean(body, encoding, limit) is not None
    assert fast >= 50 and len(samples) - fast >= 50  # both paths were taken


def test_a_clean_body_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("Scrapy's decoder was called")

    monkeypatch.setattr(httpcompression, "gunzip", refuse)
    monkeypatch.setattr(httpcompression, "_inflate", refuse)
    assert Decompression._decode(gzip.compress(PAGE), b"gzip", 0) == PAGE
    assert Decompression._decode(zlib.compress(PAGE), b"deflate", len(PAGE)) == PAGE
    with pytest.raises(AssertionError):  # one byte over the limit: Scrapy's code decides
        Decompression._decode(gzip.compress(PAGE), b"gzip", len(PAGE) - 1)


def test_the_crawl_decodes_with_the_fast_path() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list

    settings = Settings()
    settings.setmodule("crawler.settings")
    chain = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    assert "crawler.decompression.Decompression" in chain
    assert "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware" not in chain


@pytest.mark.parametrize("level", [-1, 0, 1, 6, 9])
def test_every_zlib_level_writes_both_kinds_of_member(writer: WARCWriter, level: int) -> None:
    body = gzip.compress(PAGE)
    rec = record(writer, body, [("Content-Encoding", "gzip")])
    plain = serialised(rec)
    split = member(plain, level, stored_from(plain, rec))
    assert gzip.decompress(split) == plain
    assert split[:10] == member(plain, level)[:10]
