"""pywb, the reference replay tool, replays our crawl's WARCs through our CDXJ index.

Each expectation is read from the WARC record itself with warcio: what pywb
serves in its raw ``id_`` mode must be the captured entity byte for byte
(content encoding kept; chunk framing is transport, so pywb sends the
de-chunked entity and names the original header ``X-Archive-Orig-Transfer-Encoding``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from pywb_util import Eras, Pywb, crawl_eras
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

SEED_PAGE = ("http://www.akershus.no/ansvarsomrader/internasjonalt/"
             "hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/")


@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> Eras:
    return crawl_eras(tmp_path_factory.getbasetemp() / "eras")


@pytest.fixture(scope="module")
def pywb(eras: Eras) -> Iterator[Pywb]:
    with Pywb(eras.pywb_root) as server:
        yield server


def captured(archive_dir: Path) -> dict[str, dict[str, Any]]:
    """Every response record of a crawl by URL: status, headers, entity (de-chunked only)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type != "response":
                    continue
                http = rec.http_headers
                raw = rec.raw_stream.read()
                if "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
                    raw = ChunkedDataReader(BytesIO(raw), decomp_type=None).read()
                out[rec.rec_headers.get_header("WARC-Target-URI")] = {
                    "status": int(http.get_statuscode()),
                    "headers": {k.lower(): v for k, v in http.headers},
                    "entity": raw,
                    "ts": rec.rec_headers.get_header("WARC-Date"),
                }
    return out


@pytest.fixture(scope="module")
def old(eras: Eras) -> dict[str, dict[str, Any]]:
    return captured(eras.old)


def stamp(capture: dict[str, Any]) -> str:
    return "".join(ch for ch in capture["ts"] if ch.isdigit())[:14]


def replay(pywb: Pywb, capture: dict[str, Any], url: str, mode: str = "id_"):
    return pywb.get(f"/{stamp(capture)}{mode}/{url}")


def test_seed_page_with_percent_3f_path(pywb: Pywb, old: dict) -> None:
    capture = old[SEED_PAGE]
    status, headers, body = replay(pywb, capture, SEED_PAGE)
    assert status == 200
    assert body == capture["entity"]
    html = gzip.decompress(body).decode("utf-8") if headers.get("content-encoding") == "gzip" \
        else body.decode("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Internasjonal strategi"
    assert "Tematiske prioriteringer" in soup.get_text()
    # the ordinary (rewritten) view of the same capture is served too
    status, _headers, body = replay(pywb, capture, SEED_PAGE, mode="")
    assert status == 200
    assert "Tematiske prioriteringer" in BeautifulSoup(body, "html.parser").get_text()


def test_iso_8859_1_page(pywb: Pywb, old: dict) -> None:
    url, capture = next((u, c) for u, c in old.items()
                        if "iso-8859-1" in c["headers"].get("content-type", "").lower())
    status, headers, body = replay(pywb, capture, url)
    assert status == 200
    assert "iso-8859-1" in headers["content-type"].lower()
    assert body == capture["entity"]
    assert any(ch in body for ch in (b"\xe6", b"\xf8", b"\xe5"))
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_gzip_response_stays_gzip(pywb: Pywb, old: dict) -> None:
    url, capture = next(
        (u, c) for u, c in old.items()
        if c["headers"].get("content-encoding") == "gzip" and c["status"] == 200
        and "transfer-encoding" not in c["headers"] and "html" in c["headers"]["content-type"])
    status, headers, body = replay(pywb, capture, url)
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert body == capture["entity"] and body[:2] == b"\x1f\x8b"
    assert BeautifulSoup(gzip.decompress(body), "html.parser").find("h1")


def test_chunked_response_served_as_its_entity(pywb: Pywb, old: dict) -> None:
    url, capture = next((u, c) for u, c in old.items()
                        if "chunked" in c["headers"].get("transfer-encoding", ""))
    status, headers, body = replay(pywb, capture, url)
    assert status == 200
    assert headers.get("x-archive-orig-transfer-encoding") == "chunked"
    assert body == capture["entity"]  # de-chunked by pywb, content encoding untouched
    assert b"pressemeldinger" in gzip.decompress(body) or b"<h1" in gzip.decompress(body)


def test_redirect_and_missing_page(pywb: Pywb, old: dict) -> None:
    url, capture = next((u, c) for u, c in old.items() if c["status"] == 301)
    status, headers, _body = replay(pywb, capture, url)
    assert status == 301
    assert headers["location"] == capture["headers"]["location"]
    status, headers, _body = replay(pywb, capture, url, mode="")
    assert status == 301
    assert "/akershus/" in headers["location"]  # rewritten into the collection
    assert headers["location"].endswith(capture["headers"]["location"])
    url, capture = next((u, c) for u, c in old.items() if c["status"] == 404)
    status, _headers, body = replay(pywb, capture, url)
    assert status == 404 and body == capture["entity"]


def test_cdx_api_lists_both_captures_of_a_changed_page(pywb: Pywb, eras: Eras) -> None:
    status, _h, body = pywb.get("/cdx?" + urlencode({"url": SEED_PAGE, "output": "json"}))
    assert status == 200
    lines = [json.loads(line) for line in body.decode().splitlines()]
    old_span, new_span = eras.span(eras.old), eras.span(eras.new)
    stamps = sorted(line["timestamp"] for line in lines if line["timestamp"] >= old_span[0])
    assert len(stamps) == 2
    assert old_span[0] <= stamps[0] <= old_span[1] < new_span[0] <= stamps[1] <= new_span[1]
    digests = {line["digest"] for line in lines if line["timestamp"] >= old_span[0]}
    assert len(digests) == 2  # the page changed between the crawls
