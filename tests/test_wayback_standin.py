"""The Wayback Machine stand-in (replica/wayback.py) against the facts it is built on.

Each test checks one behaviour of docs/wayback-facts.md on the raw answers
(status line, headers, chunk framing), read with plain sockets from a stand-in process
serving small WARCs written here. The control endpoint tells the truth the listing
hides (which URL form, revisit, duplicate or unplayable capture is which).
"""

from __future__ import annotations

import base64
import calendar
import gzip
import hashlib
import json
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
import surt
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from replica.wayback import WaybackStandIn

HOST = "127.0.0.1"
FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
HOME = "http://www.akershus.no/"
V = {n: f"<html><body><h1>Akershus fylkeskommune</h1><p>forside {n}</p></body></html>"
     .encode() for n in range(1, 8)}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
CSS = b"body { color: #333; }\n" * 40
CSS_GZ = gzip.compress(CSS, mtime=0)
MOVED = b"<html><body>Flyttet til <a href='/ny'>ny</a></body></html>"
MISSING = b"<html><body>Siden finnes ikke</body></html>"


def b32(data: bytes) -> str:
    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def chunk(data: bytes, size: int = 7) -> bytes:
    out = b"".join(b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n"
                   for i in range(0, len(data), size))
    return out + b"0\r\n\r\n"


def html_headers(body: bytes, date: str) -> list[tuple[str, str]]:
    return [("Date", date), ("Server", "Microsoft-IIS/6.0"),
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
            ("Set-Cookie", "ASP.NET_SessionId=abc; path=/"), ("Set-Cookie", "lang=nb; path=/")]


# (uri, WARC-Date, status line, headers, body as transferred)
FIRST = [
    (HOME, "2006-03-01T12:00:00Z", "200 OK", html_headers(V[1], "Wed, 01 Mar 2006 11:59:59 GMT"),
     V[1]),
    (HOME, "2009-05-01T08:30:00Z", "200 OK", html_headers(V[1], "Fri, 01 May 2009 08:30:00 GMT"),
     V[1]),
    (HOME, "2012-01-01T00:00:00Z", "200 OK", html_headers(V[2], "x"), V[2]),
    (HOME, "2014-06-01T00:00:00Z", "200 OK", html_headers(V[3], "x"), V[3]),
    (HOME, "2015-02-01T00:00:00Z", "200 OK", html_headers(V[3], "x"), V[3]),
    (HOME, "2017-01-01T00:00:00Z", "200 OK",
     [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], chunk(V[4])),
    (HOME, "2019-12-31T23:59:59Z", "200 OK", html_headers(V[5], "x"), V[5]),
    (HOME, "2020-06-01T00:00:00Z", "200 OK", html_headers(V[6], "x"), V[6]),
    (HOME, "2020-12-31T23:00:00Z", "200 OK", html_headers(V[7], "x"), V[7]),
    ("http://www.akershus.no/nyheter/", "2010-01-01T00:00:00Z", "200 OK",
     html_headers(b"<p>nyheter</p>", "x"), b"<p>nyheter</p>"),
    ("http://www.akershus.no/nyheter/sak-1", "2010-01-02T00:00:00Z", "200 OK",
     html_headers(b"<p>sak 1</p>", "x"), b"<p>sak 1</p>"),
    ("http://www.akershus.no/nyheter-arkiv/", "2011-01-01T00:00:00Z", "200 OK",
     html_headers(b"<p>arkiv</p>", "x"), b"<p>arkiv</p>"),
    ("http://www.akershus.no/logo.png", "2008-01-01T00:00:00Z", "200 OK",
     [("Content-Type", "image/png"), ("Content-Length", str(len(PNG)))], PNG),
]
SECOND = [
    ("http://www.akershus.no/style.css", "2013-01-01T00:00:00Z", "200 OK",
     [("Content-Type", "text/css"), ("Content-Encoding", "gzip"),
      ("Content-Length", str(len(CSS_GZ)))], CSS_GZ),
    ("http://www.akershus.no/gammel", "2011-03-01T00:00:00Z", "301 Moved Permanently",
     [("Location", "/ny"), ("Content-Type", "text/html"), ("Content-Length", str(len(MOVED)))],
     MOVED),
    ("http://www.akershus.no/ny", "2011-03-01T00:00:01Z", "200 OK",
     html_headers(b"<p>ny</p>", "x"), b"<p>ny</p>"),
    ("http://www.akershus.no/mangler", "2012-05-05T00:00:00Z", "404 Not Found",
     html_headers(MISSING, "x"), MISSING),
    ("http://www.akershus.no/reise", "2015-07-07T00:00:00Z", "429 Too Many Requests",
     [("Retry-After", "6"), ("Content-Type", "text/plain"), ("Content-Length", "4")], b"slow"),
    ("http://www.akershus.no/tjenester", "2018-01-01T00:00:00Z", "301 Moved Permanently",
     [("Location", "https://www.akershus.no/tjenester"), ("Content-Length", "0")], b""),
    ("https://www.akershus.no/tjenester", "2018-01-01T00:00:05Z", "200 OK",
     html_headers(b"<p>tjenester</p>", "x"), b"<p>tjenester</p>"),
    ("http://www.akershus.no/sok?side=2&q=skole", "2013-03-03T00:00:00Z", "200 OK",
     html_headers(b"<p>treff</p>", "x"), b"<p>treff</p>"),
    ("http://static.akershus.no/bilde.jpg", "2013-04-04T00:00:00Z", "200 OK",
     [("Content-Type", "image/jpeg"), ("Content-Length", "5")], b"\xff\xd8\xff\xe0!"),
]
LOGO_REVISIT = ("http://www.akershus.no/logo.png", "2016-01-01T00:00:00Z")
ALL = FIRST + SECOND


def ts14(date: str) -> str:
    return "".join(ch for ch in date if ch.isdigit())[:14]


def write_warc(path: Path, records: list[tuple[str, str, str, list[tuple[str, str]], bytes]],
               compress: bool, revisit: bool = False) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        for uri, date, status, headers, body in records:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date}))
        if revisit:  # refers to the 2008 logo, which is in the other file
            http = StatusAndHeaders("200 OK", [("Content-Type", "image/png"),
                                               ("Date", "Fri, 01 Jan 2016 00:00:00 GMT")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_revisit_record(
                LOGO_REVISIT[0], digest="sha1:" + b32(PNG), refers_to_uri=LOGO_REVISIT[0],
                refers_to_date="2008-01-01T00:00:00Z", http_headers=http,
                warc_headers_dict={"WARC-Date": LOGO_REVISIT[1]}))


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("wayback-warcs")
    first, second = root / "crawl-a.warc.gz", root / "crawl-b.warc"
    write_warc(first, FIRST, compress=True)
    write_warc(second, SECOND, compress=False, revisit=True)
    return [first, second]


# --- a raw HTTP client: every byte of the answer is seen ------------------------------

class Closed(Exception):
    """The server closed the connection without an answer."""


@dataclass
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes  # chunk framing removed, content coding kept
    chunk_sizes: list[int] | None  # None when not chunked

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.all(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        data = gzip.decompress(self.body) if self.get("Content-Encoding") == "gzip" else self.body
        return data.decode()

    def json(self) -> Any:
        return json.loads(self.text)


class Conn:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=10)
        self.port = port
        self.rf = self.sock.makefile("rb")

    def request(self, target: str, headers: list[tuple[str, str]] | None = None,
                method: str = "GET") -> Reply:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or [("Accept-Encoding", "identity")])]
        try:
            self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            return self._read(head=method == "HEAD")
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise Closed(str(exc)) from None

    def _read(self, head: bool) -> Reply:
        line = self.rf.readline()
        if not line:
            raise Closed("no answer")
        _, status, reason = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        headers = []
        while (raw := self.rf.readline()) not in (b"\r\n", b""):
            name, _, value = raw.decode("latin-1").rstrip("\r\n").partition(":")
            headers.append((name, value.strip()))
        reply = Reply(int(status), reason, headers, b"", None)
        if head:
            return reply
        if "chunked" in (reply.get("Transfer-Encoding") or ""):
            reply.chunk_sizes, body = [], bytearray()
            while True:
                size = int(self.rf.readline().strip(), 16)
                reply.chunk_sizes.append(size)
                if size == 0:
                    assert self.rf.readline() == b"\r\n"
                    break
                body += self.rf.read(size)
                assert self.rf.readline() == b"\r\n"
            reply.body = bytes(body)
        else:
            reply.body = self.rf.read(int(reply.get("Content-Length") or 0))
        return reply

    def at_eof(self) -> bool:
        return self.rf.read(1) == b""

    def close(self) -> None:
        self.rf.close()
        self.sock.close()


def get(port: int, target: str, headers: list[tuple[str, str]] | None = None) -> Reply:
    conn = Conn(port)
    try:
        return conn.request(target, headers)
    finally:
        conn.close()


def cdx(wb: WaybackStandIn, headers: list[tuple[str, str]] | None = None, **params: Any
        ) -> Reply:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, str(v)))
    return get(wb.port, "/cdx/search/cdx?" + urlencode(pairs), headers)


def rows(wb: WaybackStandIn, **params: Any) -> list[list[str]]:
    """The capture rows of a JSON answer (header row checked and dropped)."""
    reply = cdx(wb, output="json", **params)
    assert reply.status == 200, reply.text
    data = reply.json()
    if not data:
        return []
    assert data[0] == params.get("fl", ",".join(FIELDS)).split(",")
    return data[1:]


def raw(wb: WaybackStandIn, ts: str, url: str, accept: str = "identity",
        mode: str = "id_") -> Reply:
    return get(wb.port, f"/web/{ts}{mode}/{url}", [("Accept-Encoding", accept)])


# --- the stand-ins --------------------------------------------------------------------

BIG = {"cdx_per_minute": 100000, "replay_per_minute": 100000}


@pytest.fixture(scope="module")
def plain(warcs: list[Path]) -> Iterator[WaybackStandIn]:
    with WaybackStandIn(warcs, variants=False, **BIG) as wb:
        yield wb


@pytest.fixture(scope="module")
def varied(warcs: list[Path]) -> Iterator[WaybackStandIn]:
    with WaybackStandIn(warcs, seed=0, unplayable_every=3, **BIG) as wb:
        yield wb


def captures(wb: WaybackStandIn) -> list[dict[str, Any]]:
    return wb.state()["captures"]


# --- CDX API (FACTS section 1) ---------------------------------------------------------

def test_text_output_seven_fields_sorted_with_base32_digest(plain: WaybackStandIn) -> None:
    reply = cdx(plain, url="www.akershus.no/")
    assert reply.status == 200
    assert reply.get("Content-Type") == "text/plain;charset=UTF-8"
    assert reply.chunk_sizes is not None and reply.get("Content-Length") is None
    lines = [line.split(" ") for line in reply.text.splitlines()]
    assert all(len(f) == 7 for f in lines) and len(lines) == 9
    assert {f[0] for f in lines} == {"no,akershus)/"}
    assert [f[1] for f in lines] == sorted(ts14(r[1]) for r in ALL if r[0] == HOME)
    first = lines[0]
    assert first[1:6] == ["20060301120000", HOME, "text/html", "200", b32(V[1])]
    assert not any(f[5].startswith("sha1:") for f in lines)


def test_json_output_header_row_and_empty_answer(plain: WaybackStandIn) -> None:
    reply = cdx(plain, url="www.akershus.no/mangler", output="json")
    assert reply.get("Content-Type") == "application/json"
    assert reply.text.startswith('[["urlkey","timestamp","original","mimetype","statuscode",'
                                 '"digest","length"],\n["no,akershus)/mangler", "2012')
    data = reply.json()
    assert data[0] == FIELDS and data[1][4] == "404"
    empty = cdx(plain, url="www.akershus.no/finnes-ikke", output="json")
    assert empty.status == 200 and empty.text == "[]\n" and empty.json() == []
    assert rows(plain, url="www.akershus.no/", fl="timestamp,statuscode")[0] == [
        "20060301120000", "200"]


def test_url_is_required(plain: WaybackStandIn) -> None:
    reply = cdx(plain, output="json")
    assert reply.status == 400 and reply.text == "url parameter is required\n"


def test_gzip_when_the_client_accepts_it_unless_gzip_false(plain: WaybackStandIn) -> None:
    identity = cdx(plain, url="www.akershus.no/")
    zipped = cdx(plain, [("Accept-Encoding", "gzip, deflate")], url="www.akershus.no/")
    assert identity.get("Content-Encoding") is None
    assert zipped.get("Content-Encoding") == "gzip" and zipped.chunk_sizes is not None
    assert gzip.decompress(zipped.body) == identity.body
    off = cdx(plain, [("Accept-Encoding", "gzip")], url="www.akershus.no/", gzip="false")
    assert off.get("Content-Encoding") is None and off.body == identity.body


def test_from_to_compare_strings_and_to_keeps_its_whole_prefix(plain: WaybackStandIn) -> None:
    def stamps(**kw: str) -> list[str]:
        return [r[1] for r in rows(plain, url=HOME, **kw)]
    assert stamps(to="2020")[-2:] == ["20200601000000", "20201231230000"]
    assert stamps(to="2019")[-1] == "20191231235959"
    assert stamps(**{"from": "2015"})[0] == "20150201000000"
    assert stamps(**{"from": "201406", "to": "201502"}) == ["20140601000000", "20150201000000"]
    assert stamps(**{"from": "20191231235959", "to": "2019"}) == ["20191231235959"]


def test_prefix_keeps_the_trailing_slash_and_slash_prefix_is_a_host(
        plain: WaybackStandIn) -> None:
    def keys(**kw: str) -> set[str]:
        return {r[0] for r in rows(plain, **kw)}
    under = keys(url="www.akershus.no/nyheter/", matchType="prefix")
    assert under == {"no,akershus)/nyheter/sak-1"}  # the page .../nyheter/ is not listed
    assert keys(url="www.akershus.no/nyheter/*") == under
    assert keys(url="http://www.akershus.no/nyheter", matchType="prefix") == {
        "no,akershus)/nyheter", "no,akershus)/nyheter/sak-1", "no,akershus)/nyheter-arkiv"}
    host = keys(url="http://www.akershus.no/", matchType="prefix")
    assert host == keys(url="akershus.no", matchType="host")
    assert {surt.surt(r[0]) for r in ALL if "static." not in r[0]} == host
    domain = keys(url="akershus.no", matchType="domain")
    assert domain == host | {"no,akershus,static)/bilde.jpg"}
    assert keys(url="*.akershus.no") == domain


def test_urlkey_is_the_canonical_surt(plain: WaybackStandIn) -> None:
    found = rows(plain, url="https://AKERSHUS.no:443/SOK?side=2&q=skole")
    assert [r[0] for r in found] == ["no,akershus)/sok?q=skole&side=2"]
    assert found[0][2] == "http://www.akershus.no/sok?side=2&q=skole"  # as captured
    assert rows(plain, url="http://www.akershus.no:80/nyheter/")[0][0] == "no,akershus)/nyheter"


def test_filters_match_whole_fields_and_combine(plain: WaybackStandIn) -> None:
    site = {"url": "akershus.no", "matchType": "domain"}
    assert {r[4] for r in rows(plain, filter="statuscode:200", **site)} == {"200"}
    assert rows(plain, filter="statuscode:2", **site) == []  # the whole field must match
    assert {r[4] for r in rows(plain, filter="!statuscode:200", **site)} == {
        "301", "404", "429", "-"}
    assert {r[0] for r in rows(plain, filter="~original:nyheter", **site)} == {
        "no,akershus)/nyheter", "no,akershus)/nyheter/sak-1", "no,akershus)/nyheter-arkiv"}
    both = rows(plain, filter=["mimetype:text/html", "statuscode:40."], **site)
    assert [r[0] for r in both] == ["no,akershus)/mangler"]


def test_collapse_drops_adjacent_repeats(plain: WaybackStandIn) -> None:
    home = rows(plain, url=HOME)
    by_digest = rows(plain, url=HOME, collapse="digest")
    assert len(by_digest) == len(home) - 2  # 2009 repeats 2006, 2015 repeats 2014
    assert "20090501083000" not in [r[1] for r in by_digest]
    years = [r[1][:4] for r in rows(plain, url=HOME, collapse="timestamp:4")]
    assert years == sorted(set(years)) and years.count("2020") == 1


def test_limit_negative_limit_and_offset(plain: WaybackStandIn) -> None:
    home = rows(plain, url=HOME)
    assert rows(plain, url=HOME, limit=2) == home[:2]
    assert rows(plain, url=HOME, limit=-2) == home[-2:]
    assert rows(plain, url=HOME, offset=1, limit=2) == home[1:3]


def inc_last(text: str) -> str:
    return text[:-1] + chr(ord(text[-1]) + 1)


def test_resume_keys_json_text_and_double_encoded(plain: WaybackStandIn) -> None:
    site = {"url": "akershus.no", "matchType": "domain", "output": "json"}
    full = rows(plain, url="akershus.no", matchType="domain")
    pages, key, seen = 0, None, []
    while True:
        extra = {"resumeKey": key} if key else {}
        data = cdx(plain, limit=4, showResumeKey="true", **site, **extra).json()
        pages += 1
        if len(data) >= 3 and data[-2] == []:
            last, key = data[-3], data[-1][0]
            assert key == quote_plus(f"{last[0]} {inc_last(last[1])}", safe="")
            seen += data[1:-2]
        else:
            seen += data[1:]
            break
    assert seen == full and pages == len(full) // 4 + 1
    first = cdx(plain, limit=4, showResumeKey="true", **site).json()
    key = first[-1][0]
    once = cdx(plain, limit=4, showResumeKey="true", resumeKey=key, **site).json()
    twice = get(plain.port, "/cdx/search/cdx?" + urlencode(
        [("url", "akershus.no"), ("matchType", "domain"), ("output", "json"), ("limit", 4),
         ("showResumeKey", "true")]) + "&resumeKey=" + quote(key, safe=""))
    assert once[1:] and twice.json() == once
    text = cdx(plain, url="akershus.no", matchType="domain", limit=4, showResumeKey="true").text
    body, blank, tail = text.rstrip("\n").rpartition("\n\n")
    assert blank and tail == key and len(body.splitlines()) == 4


def test_pages_need_a_paged_index(plain: WaybackStandIn, warcs: list[Path]) -> None:
    for params in ({"page": 0}, {"showNumPages": "true"}):
        reply = cdx(plain, url="akershus.no", matchType="domain", **params)
        assert reply.status == 400 and "paged query" in reply.text
    with WaybackStandIn(warcs, variants=False, paged=True, page_size=5, **BIG) as wb:
        site = {"url": "akershus.no", "matchType": "domain"}
        count = cdx(wb, showNumPages="true", **site)
        pages = int(count.text)
        assert count.get("X-CDX-Num-Pages") == str(pages)
        assert pages == -(-len(rows(wb, **site)) // 5)
        listed = [r for p in range(pages) for r in rows(wb, page=p, **site)]
        assert listed == rows(wb, **site)


# --- replay (FACTS section 2) ----------------------------------------------------------

def test_capture_replay_renames_original_headers(plain: WaybackStandIn) -> None:
    reply = raw(plain, "20060301120000", HOME)
    assert (reply.status, reply.reason) == (200, "OK")
    assert reply.body == V[1]
    assert reply.chunk_sizes and reply.get("Transfer-Encoding") == "chunked"
    assert reply.get("Content-Length") is None
    assert reply.get("Content-Type") == "text/html; charset=utf-8"
    assert reply.get("x-archive-orig-date") == "Wed, 01 Mar 2006 11:59:59 GMT"
    assert reply.get("x-archive-orig-server") == "Microsoft-IIS/6.0"
    assert reply.get("x-archive-orig-content-length") == str(len(V[1]))
    assert reply.all("x-archive-orig-set-cookie") == ["ASP.NET_SessionId=abc; path=/",
                                                      "lang=nb; path=/"]
    assert reply.get("Set-Cookie") is None
    assert reply.get("Server") == "nginx" and reply.get("Date") != "Wed, 01 Mar 2006 11:59:59 GMT"
    assert reply.get("memento-datetime") == "Wed, 01 Mar 2006 12:00:00 GMT"
    link = reply.get("link") or ""
    assert f'<{HOME}>; rel="original"' in link and 'rel="first memento"' in link
    assert 'rel="next memento"; datetime="Fri, 01 May 2009 08:30:00 GMT"' in link
    assert reply.get("x-archive-src") == "standin/crawl-a.warc.gz"
    assert reply.get("x-ts") == "200" and reply.get("cache-control") == "max-age=1800"


def test_archive_gzips_uncompressed_html_only_when_asked(plain: WaybackStandIn) -> None:
    zipped = raw(plain, "20060301120000", HOME, accept="gzip, deflate")
    assert zipped.get("Content-Encoding") == "gzip" and gzip.decompress(zipped.body) == V[1]
    assert raw(plain, "20060301120000", HOME, accept="gzip;q=0").body == V[1]
    error = raw(plain, "20120505000000", "http://www.akershus.no/mangler", accept="gzip")
    assert error.status == 404 and error.get("Content-Encoding") is None
    assert error.body == MISSING
    image = raw(plain, "20080101000000", "http://www.akershus.no/logo.png", accept="gzip")
    assert image.get("Content-Encoding") is None and image.body == PNG


def test_chunked_original_is_dechunked_and_rechunked(plain: WaybackStandIn) -> None:
    reply = raw(plain, "20170101000000", HOME)
    assert reply.get("x-archive-orig-transfer-encoding") == "chunked"
    assert reply.body == V[4]  # the entity, not the recorded chunk framing
    assert reply.chunk_sizes == [len(V[4]), 0]
    state = {c["timestamp"]: c for c in captures(plain) if c["urlkey"] == "no,akershus)/"}
    assert state["20170101000000"]["chunked"] is True
    assert state["20170101000000"]["payload_sha1"] == b32(V[4])


def test_gzip_original_passes_as_stored(plain: WaybackStandIn) -> None:
    for accept in ("identity", "gzip"):
        reply = raw(plain, "20130101000000", "http://www.akershus.no/style.css", accept=accept)
        assert reply.get("Content-Encoding") == "gzip" and reply.body == CSS_GZ
        assert reply.all("Content-Encoding") == ["gzip"]


def test_captured_redirect_location_points_into_the_archive(plain: WaybackStandIn) -> None:
    reply = raw(plain, "20110301000000", "http://www.akershus.no/gammel")
    assert (reply.status, reply.reason) == (301, "Moved Permanently")
    assert reply.get("Location") == f"{plain.url}/web/20110301000000id_/http://www.akershus.no/ny"
    assert reply.get("x-archive-orig-location") is None
    assert reply.get("memento-datetime") == "Tue, 01 Mar 2011 00:00:00 GMT"
    assert reply.body == MOVED


def test_inexact_timestamp_is_an_archive_302_without_memento(plain: WaybackStandIn) -> None:
    for asked in ("20070101000000", "2006"):
        reply = raw(plain, asked, HOME)
        assert (reply.status, reply.reason) == (302, "FOUND")
        assert reply.get("Location") == f"{plain.url}/web/20060301120000id_/{HOME}"
        assert reply.get("X-Archive-Redirect-Reason") == "found capture at 20060301120000"
        assert reply.get("Content-Type") == "text/plain; charset=utf-8"
        assert reply.get("Content-Length") == "0" and reply.body == b""
        assert reply.get("memento-datetime") is None
    later = raw(plain, "20200101000000", HOME)
    assert later.get("X-Archive-Redirect-Reason") == "found capture at 20191231235959"


def test_self_redirect_is_skipped_for_the_nearest_other_capture(plain: WaybackStandIn) -> None:
    reply = raw(plain, "20180101000000", "http://www.akershus.no/tjenester")
    assert reply.status == 302 and reply.get("memento-datetime") is None
    assert reply.get("Location") == (f"{plain.url}/web/20180101000005id_/"
                                     "https://www.akershus.no/tjenester")
    target = get(plain.port, str(reply.get("Location")).removeprefix(plain.url))
    assert target.status == 200 and target.get("memento-datetime") == (
        "Mon, 01 Jan 2018 00:00:05 GMT")
    listed = rows(plain, url="www.akershus.no/tjenester")
    assert [r[4] for r in listed] == ["301", "200"]  # both listed all the same


def test_captured_errors_are_mementos(plain: WaybackStandIn) -> None:
    missing = raw(plain, "20120505000000", "http://www.akershus.no/mangler")
    assert missing.status == 404 and missing.get("memento-datetime")
    limited = raw(plain, "20150707000000", "http://www.akershus.no/reise")
    assert limited.status == 429 and limited.get("memento-datetime")
    assert limited.get("x-archive-orig-retry-after") == "6" and limited.get("Retry-After") is None
    assert limited.get("x-ts") == "429" and limited.body == b"slow"


def test_unknown_url_is_not_in_archive(plain: WaybackStandIn) -> None:
    reply = raw(plain, "20100101000000", "http://www.akershus.no/aldri")
    assert reply.status == 404 and reply.get("memento-datetime") is None
    assert (reply.get("X-Archive-Wayback-Runtime-Error") or "").startswith(
        "ResourceNotInArchiveException")


def test_any_variant_of_the_url_finds_the_capture(plain: WaybackStandIn) -> None:
    for url in ("https://akershus.no:443/", "http://WWW.Akershus.no:80", "akershus.no/"):
        reply = raw(plain, "20060301120000", url)
        assert reply.status == 200 and reply.body == V[1]
        assert f'<{HOME}>; rel="original"' in (reply.get("link") or "")  # as captured


def test_warc_revisit_record_replays_the_original_payload(plain: WaybackStandIn) -> None:
    logo = rows(plain, url="www.akershus.no/logo.png")
    assert logo[1][1:7] == ["20160101000000", "http://www.akershus.no/logo.png",
                            "warc/revisit", "-", b32(PNG), logo[1][6]]
    assert logo[0][5] == b32(PNG) and int(logo[1][6]) < int(logo[0][6])
    reply = raw(plain, "20160101000000", "http://www.akershus.no/logo.png")
    assert reply.status == 200 and reply.body == PNG
    assert reply.get("memento-datetime") == "Fri, 01 Jan 2016 00:00:00 GMT"
    assert reply.get("x-archive-src") == "standin/crawl-a.warc.gz"  # the payload's file


def test_keep_alive_until_connection_close(plain: WaybackStandIn) -> None:
    conn = Conn(plain.port)
    try:
        first = conn.request("/cdx/search/cdx?url=www.akershus.no/")
        second = conn.request(f"/web/20060301120000id_/{HOME}")
        assert first.get("Connection") == second.get("Connection") == "keep-alive"
        last = conn.request("/cdx/search/cdx?url=www.akershus.no/ny",
                            [("Connection", "close")])
        assert last.status == 200 and last.get("Connection") == "close"
        assert conn.at_eof()
    finally:
        conn.close()


def test_view_mode_shows_a_page_and_redirects_as_pages(plain: WaybackStandIn) -> None:
    page = raw(plain, "20100101000000", "http://www.akershus.no/nyheter/", mode="")
    assert page.status == 200 and b"WAYBACK TOOLBAR" in page.body
    moved = raw(plain, "20110301000000", "http://www.akershus.no/gammel", mode="")
    assert moved.status == 200 and b"Got an HTTP 301 response at crawl time" in moved.body


# --- the variety of the real index -----------------------------------------------------

def test_url_forms_are_recorded_and_keep_the_urlkey(varied: WaybackStandIn) -> None:
    table = captures(varied)
    for c in table:
        assert surt.surt(c["original"]) == c["urlkey"] == surt.surt(c["target_uri"])
        if c["timestamp"][:4] in ("2014", "2015") and c["target_uri"].startswith("http:"):
            assert c["transformation"] == "port80" and ":80/" in c["original"]
        if c["transformation"] is None:
            assert c["original"] == c["target_uri"]
    forms = {c["transformation"] for c in table}
    assert {"port80", "https", "no-www", "path-case"} <= forms
    listed = rows(varied, url="akershus.no", matchType="domain")
    assert {r[2] for r in listed} == {c["original"] for c in table}
    for c in table:  # the listed form plays like any other
        if c["transformation"] and not (c["unplayable"] or c["self_redirect"]):
            reply = raw(varied, c["timestamp"], c["original"])
            assert reply.get("memento-datetime") and f'<{c["original"]}>' in reply.get("link")


def test_unchanged_payload_is_listed_as_a_revisit_row(varied: WaybackStandIn) -> None:
    table = {(c["urlkey"], c["timestamp"]): c for c in captures(varied)}
    second = table[("no,akershus)/", "20090501083000")]
    assert second["revisit"] == "identical-payload"
    assert second["revisit_of"] == table[("no,akershus)/", "20060301120000")]["id"]
    assert table[("no,akershus)/", "20150201000000")]["revisit"] == "identical-payload"
    line = next(r for r in rows(varied, url=HOME) if r[1] == "20090501083000")
    assert line[3:6] == ["warc/revisit", "-", b32(V[1])] and int(line[6]) < 1000
    if not second["unplayable"]:
        reply = raw(varied, "20090501083000", HOME)
        assert reply.status == 200 and reply.body == V[1]
        assert reply.get("memento-datetime") == "Fri, 01 May 2009 08:30:00 GMT"


def test_duplicate_lines_repeat_one_capture(varied: WaybackStandIn) -> None:
    table = captures(varied)
    dupes = [c for c in table if c["duplicate"]]
    assert dupes
    text = cdx(varied, url="akershus.no", matchType="domain").text.splitlines()
    assert len(text) == len(table) + len(dupes) == varied.state()["lines"]
    for c in table:
        line = " ".join(c["line"])
        assert text.count(line) == (2 if c["duplicate"] else 1)
        if c["duplicate"]:
            i = text.index(line)
            assert text[i + 1] == line  # adjacent, as the index sorts them


def nearest_playable(table: list[dict[str, Any]], c: dict[str, Any]) -> dict[str, Any]:
    def seconds(ts: str) -> float:
        return calendar.timegm(time.strptime(ts, "%Y%m%d%H%M%S"))
    others = [o for o in table if o["urlkey"] == c["urlkey"] and o["id"] != c["id"]
              and not o["unplayable"] and not o["self_redirect"]]
    return min(others, key=lambda o: (abs(seconds(o["timestamp"]) - seconds(c["timestamp"])),
                                      o["timestamp"]))


def test_unplayable_capture_redirects_to_the_nearest_playable(varied: WaybackStandIn) -> None:
    table = captures(varied)
    unplayable = [c for c in table if c["unplayable"]]
    assert unplayable
    for c in unplayable:
        reply = raw(varied, c["timestamp"], c["original"])
        other = nearest_playable(table, c)
        assert reply.status == 302 and reply.get("memento-datetime") is None
        ts, original = other["timestamp"], other["original"]
        assert reply.get("Location") == f"{varied.url}/web/{ts}id_/{original}"
        assert reply.get("X-Archive-Redirect-Reason") == f"found capture at {ts}"
        served = get(varied.port, str(reply.get("Location")).removeprefix(varied.url))
        assert served.get("memento-datetime") and served.status == other["status"]


def test_the_seed_decides_the_variety(varied: WaybackStandIn, warcs: list[Path]) -> None:
    with WaybackStandIn(warcs, seed=0, unplayable_every=3, **BIG) as again:
        assert captures(again) == captures(varied)
    with WaybackStandIn(warcs, seed=1, unplayable_every=3, **BIG) as other:
        assert captures(other) != captures(varied)


def test_every_record_is_one_capture_and_the_table_tells_its_payload(
        plain: WaybackStandIn) -> None:
    state = plain.state()
    table = state["captures"]
    assert len(table) == len(ALL) + 1 == state["lines"]  # responses and the revisit
    bodies = {(uri, ts14(date)): body for uri, date, _, _, body in ALL}
    for c in table:
        body = bodies.get((c["target_uri"], c["timestamp"]), PNG)
        entity = V[4] if c["chunked"] else body
        assert c["payload_sha1"] == b32(entity) == c["line"][5]
        assert c["transformation"] is None and not c["duplicate"] and not c["unplayable"]
    assert {c["revisit"] for c in table} == {None, "warc"}
    assert [c["target_uri"] for c in table if c["self_redirect"]] == [
        "http://www.akershus.no/tjenester"]
    assert set(state) >= {"requests", "rate_limited", "blocks", "faults", "clock", "options"}


def test_without_2014_2015_captures_a_fixed_share_gets_port_80(tmp_path: Path) -> None:
    pages = [(f"http://www.akershus.no/side-{i}", f"2010-01-{i + 1:02d}T00:00:00Z", "200 OK",
              html_headers(b"x%d" % i, "x"), b"x%d" % i) for i in range(20)]
    write_warc(tmp_path / "a.warc.gz", pages, compress=True)
    with WaybackStandIn([tmp_path / "a.warc.gz"], seed=5) as wb:
        ported = [c for c in captures(wb) if c["transformation"] == "port80"]
    assert len(ported) == 3 and all(":80/" in c["original"] for c in ported)


# --- load and refusals (FACTS section 3) -----------------------------------------------

def test_429_at_the_limit_without_retry_after(warcs: list[Path]) -> None:
    with WaybackStandIn(warcs, variants=False, cdx_per_minute=3, replay_per_minute=4) as wb:
        assert [cdx(wb, url=HOME).status for _ in range(3)] == [200, 200, 200]
        refused = cdx(wb, url=HOME)
        assert (refused.status, refused.reason) == (429, "Too Many Requests")
        assert refused.get("Retry-After") is None
        assert (refused.get("content-type") or "").startswith("text/html")
        assert refused.get("cache-control") == "no-cache" and refused.get("x-ts") == "429"
        # replays are counted apart
        assert [raw(wb, "20060301120000", HOME).status for _ in range(5)] == [
            200, 200, 200, 200, 429]
        state = wb.state()
        wb.state()
        assert state["rate_limited"] == 2 and wb.state()["requests"] == state["requests"]
        assert state["requests"]["by_kind_status"] == {"cdx": {"200": 3, "429": 1},
                                                       "replay": {"200": 4, "429": 1}}


def hammer(wb: WaybackStandIn) -> list[int | str]:
    """CDX requests on a kept connection until the server stops answering."""
    outcomes: list[int | str] = []
    conn: Conn | None = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = conn or Conn(wb.port)
            outcomes.append(conn.request(f"/cdx/search/cdx?url={HOME}").status)
        except ConnectionRefusedError:
            outcomes.append("refused")
            break
        except (Closed, ConnectionError, OSError):
            outcomes.append("closed")
            if conn:
                conn.close()
            conn = None
    if conn:
        conn.close()
    return outcomes


def test_ignored_429s_turn_into_refused_connections(warcs: list[Path]) -> None:
    with WaybackStandIn(warcs, variants=False, cdx_per_minute=2, time_scale=60) as wb:
        outcomes = hammer(wb)
        assert outcomes[:3] == [200, 200, 429] and outcomes[-2:] == ["closed", "refused"]
        assert set(outcomes[2:-2]) == {429}
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, wb.port), timeout=5)
        blocks = wb.state()["blocks"]
        hour = wb.state()["clock"]["block_seconds"]
        assert hour == 60.0 and blocks["count"] == 1 and blocks["blocked"]
        assert 0 < blocks["seconds_left"] <= hour and blocks["blocked_until"]
        assert wb.advance(hour + 1)["blocks"]["blocked"] is False
        assert cdx(wb, url=HOME).status == 200  # the port is open again
        again = hammer(wb)
        assert again[-1] == "refused"
        blocks = wb.state()["blocks"]
        assert [h["seconds"] for h in blocks["history"]] == [hour, 2 * hour]  # doubled
        assert blocks["seconds_left"] > hour
        wb.advance(2 * hour + 1)
        assert cdx(wb, url=HOME).status == 200


def test_transient_failures_are_never_captures(warcs: list[Path]) -> None:
    with WaybackStandIn(warcs, variants=False, transient_rate=0.5, seed=3, **BIG) as wb:
        seen: dict[str, list[int | str]] = {"cdx": [], "replay": []}
        for i in range(60):
            kind = "cdx" if i % 2 else "replay"
            target = (f"/cdx/search/cdx?url={HOME}" if kind == "cdx"
                      else f"/web/20060301120000id_/{HOME}")
            try:
                reply = get(wb.port, target)
            except Closed:
                seen[kind].append("closed")
                continue
            seen[kind].append(reply.status)
            if reply.status in (503, 504):
                assert reply.get("memento-datetime") is None
                assert b"nginx" in reply.body
                assert (reply.get("X-Archive-Wayback-Runtime-Error") is not None) == (
                    kind == "cdx" and reply.status == 503)
        assert {200, 503, "closed"} <= set(seen["cdx"]) and 504 in seen["cdx"]
        assert {200, 503, "closed"} <= set(seen["replay"]) and 504 not in seen["replay"]
        state = wb.state()
        for kind, outcomes in seen.items():
            expected = {str(o): outcomes.count(o) for o in set(outcomes)}
            assert state["requests"]["by_kind_status"][kind] == expected


# --- the process ---------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_one_line_then_serves_until_a_signal(warcs: list[Path], sig: int) -> None:
    wb = WaybackStandIn(warcs, variants=False).start()
    try:
        assert wb.url == f"http://{HOST}:{wb.port}" and wb.replay == wb.url + "/web"
        assert wb.cdx == wb.url + "/cdx/search/cdx"
        assert cdx(wb, url=HOME).status == 200
    finally:
        assert wb.stop(sig) == 0
    assert wb.process is not None
    assert "Traceback" not in wb.stderr()
