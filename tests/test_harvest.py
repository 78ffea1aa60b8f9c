"""Harvests from a web archive: pywb serving two crawls of the replica made at different times.

pywb lists the captures through its CDX API and replays them in ``id_`` mode;
the harvest must hold every capture in the date range, under its original URL
and date, with the payload the crawl recorded, and nothing outside the range.
A small stand-in for the Wayback Machine's CDX format (JSON array, resume
keys) and its rate limiting checks the other dialect and the backoff; the
real Wayback Machine is never contacted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import assert_warcio_check_fails_only_on_framing, cli, digest_problems, entity_body
from pywb_util import Eras, Pywb, crawl_eras, crawl_replica_era
from warcio.archiveiterator import ArchiveIterator

from crawler.cdx import CdxCapture, CdxError, CdxQuery, cdx_endpoint, parse_cdx, timestamp_arg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED_PAGE = ("http://www.akershus.no/ansvarsomrader/internasjonalt/"
             "hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/")
SITE = "http://www.akershus.no/"
FAST = {"HARVEST_DELAY": 0, "HARVEST_CONCURRENCY": 4, "REPORT_PROGRESS": False,
        "LOG_LEVEL": "WARNING"}
HARVEST_CODE = """
import json, sys
from pathlib import Path
from crawler.harvest import run_harvest
archive, out, settings, dedup = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4:]
report = run_harvest(archive, out, settings, dedup_against=[Path(d) for d in dedup])
print(json.dumps(report, default=str))
"""


def harvest(archive: str, out: Path, *dedup: Path, **settings: Any) -> dict[str, Any]:
    """Run a harvest in a subprocess (the reactor cannot restart); its report."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", HARVEST_CODE, archive, str(out),
         json.dumps({**FAST, **settings}), *map(str, dedup)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def read_archive(directory: Path) -> list[dict[str, Any]]:
    """Every record of an archive directory: type, headers, entity, metadata fields."""
    out = []
    for path in sorted((directory / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh, check_digests=True):
                transferred = b""
                item: dict[str, Any] = {"type": rec.rec_type,
                                        "h": dict(rec.rec_headers.headers)}
                if rec.rec_type == "revisit" and rec.http_headers is None:
                    # a revisit written from the listing: no head, the record it refers to has it
                    item.update(status=None, http={}, chunked=False, entity=b"")
                elif rec.rec_type in ("response", "revisit"):
                    item["status"] = int(rec.http_headers.get_statuscode())
                    item["http"] = {k.lower(): v for k, v in rec.http_headers.headers}
                    item["chunked"] = "chunked" in (
                        rec.http_headers.get_header("X-Archive-Orig-Transfer-Encoding")
                        or rec.http_headers.get_header("Transfer-Encoding") or "")
                    transferred = rec.raw_stream.read()
                    item["entity"] = entity_body(rec, transferred)
                elif rec.rec_type == "metadata":
                    text = rec.content_stream().read().decode("utf-8")
                    item["fields"] = dict(line.split(": ", 1) for line in text.splitlines())
                    item["text"] = text
                problems = digest_problems(rec, transferred)
                assert not problems, problems
                out.append(item)
    return out


def captures(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["type"] in ("response", "revisit")]


def key(record: dict[str, Any]) -> tuple[str, str]:
    return record["h"]["WARC-Target-URI"], record["h"]["WARC-Date"]


def cdx_lines(*dirs: Path) -> list[dict[str, Any]]:
    out = []
    for directory in dirs:
        for line in (directory / "indexes" / "index.cdxj").read_text().splitlines():
            urlkey, stamp, blob = line.split(" ", 2)
            out.append(dict(json.loads(blob), urlkey=urlkey, timestamp=stamp, dir=directory))
    return out


def warc_date(stamp: str) -> str:
    return CdxCapture("", stamp, "").warc_date


@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> Eras:
    return crawl_eras(tmp_path_factory.getbasetemp() / "eras")


@pytest.fixture(scope="module")
def pywb(eras: Eras) -> Iterator[Pywb]:
    with Pywb(eras.pywb_root) as server:
        yield server


# -- the CDX dialects -----------------------------------------------------------------------

def test_wayback_json_array_with_header_and_resume_key() -> None:
    body = json.dumps([
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["no,akershus)/", "20190620081532", "http://www.akershus.no/", "text/html", "200",
         "BJX2D2D2GGLE75653Y27IEFZGHARXEB5", "2863"],
        ["no,akershus)/", "20200914104207", "https://www.akershus.no/", "text/html", "200",
         "WCKES72XL2WZRTPDFOYA7NZHFQYRM67T", "2931"],
        [], ["no%2Cakershus%29%2F+20200914104207"]])
    page = parse_cdx(body.encode())
    assert [c.original for c in page.captures] == ["http://www.akershus.no/",
                                                  "https://www.akershus.no/"]
    assert page.resume_key == "no%2Cakershus%29%2F+20200914104207"
    first = page.captures[0]
    assert first.sha1 == "sha1:BJX2D2D2GGLE75653Y27IEFZGHARXEB5"
    assert first.warc_date == "2019-06-20T08:15:32Z"
    assert first.replay_url("https://web.archive.org/web/") == \
        "https://web.archive.org/web/20190620081532id_/http://www.akershus.no/"


def test_pywb_json_lines_cdxj_and_text() -> None:
    line = {"urlkey": "no,akershus)/", "timestamp": "20261126203408",
            "url": "http://www.akershus.no/", "mime": "text/html", "status": "200",
            "digest": "sha1:BJX2", "length": "2863", "offset": "6207", "filename": "a.warc.gz"}
    page = parse_cdx(json.dumps(line) + "\n" + json.dumps(dict(line, timestamp="20261126203416")))
    assert [(c.timestamp, c.statuscode, c.mimetype) for c in page.captures] == [
        ("20261126203408", "200", "text/html"), ("20261126203416", "200", "text/html")]
    assert page.resume_key is None
    cdxj = 'no,akershus)/ 20261126203408 {"url": "http://www.akershus.no/", "status": "301"}'
    assert parse_cdx(cdxj).captures[0].statuscode == "301"
    text = ("no,akershus)/ 20190620081532 http://www.akershus.no/ text/html 200 ABC 2863\n"
            "\nno%2Cakershus%29%2F+20190620081533\n")
    page = parse_cdx(text)
    assert page.captures[0].length == "2863" and page.resume_key.endswith("081533")
    assert parse_cdx(b"7\n").num_pages == 7
    assert parse_cdx(b"").captures == []
    with pytest.raises(CdxError):
        parse_cdx(b"<html><body>Service unavailable</body></html>")


def test_query_and_range() -> None:
    query = CdxQuery(cdx_endpoint("https://web.archive.org/web"), SITE, "2019", "2020",
                     ("statuscode:200",), limit=500)
    assert query.endpoint == "https://web.archive.org/cdx/search/cdx"
    params = parse_qs(urlsplit(query.url(resume_key="k1")).query)
    assert params == {"url": [SITE], "matchType": ["prefix"], "output": ["json"],
                      "from": ["2019"], "to": ["2020"], "filter": ["statuscode:200"],
                      "limit": ["500"], "showResumeKey": ["true"], "resumeKey": ["k1"]}
    assert parse_qs(urlsplit(query.url(page=3)).query)["page"] == ["3"]
    assert cdx_endpoint("http://127.0.0.1:8080/akershus") == "http://127.0.0.1:8080/akershus/cdx"
    # CDX keys drop a trailing slash: the folder page itself must be listed too
    folder = CdxQuery("http://a/cdx", SITE + "ansvarsomrader/")
    assert parse_qs(urlsplit(folder.url()).query)["url"] == [SITE + "ansvarsomrader"]
    assert folder.in_range(CdxCapture("k", "2019", SITE + "ansvarsomrader/"))
    assert not folder.in_range(CdxCapture("k", "2019", SITE + "ansvarsomrader-gammel/"))

    def capture(ts: str, url: str = SITE) -> CdxCapture:
        return CdxCapture("no,akershus)/", ts, url)
    assert query.in_range(capture("20190101000000"))
    assert query.in_range(capture("20201231235959", "https://akershus.no/x"))
    assert not query.in_range(capture("20181231235959"))
    assert not query.in_range(capture("20210101000000"))
    assert not query.in_range(capture("20190101000000", "http://www.viken.no/"))
    assert timestamp_arg("2019-06-20") == "20190620"
    with pytest.raises(ValueError, match="1 to 14 digits"):
        timestamp_arg("last year")


# -- harvests through pywb ---------------------------------------------------------------

@pytest.fixture(scope="module")
def full(eras: Eras, pywb: Pywb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every capture from the start of the 2019 crawl to the end of the 2020 one."""
    out = tmp_path_factory.mktemp("harvest-full")
    start, end = eras.span(eras.old)[0], eras.span(eras.new)[1]
    # a small page size: pywb gives no resume key, so the whole-listing fallback runs
    report = harvest(pywb.url, out, HARVEST_FROM=start, HARVEST_TO=end, HARVEST_PAGE_SIZE=50)
    return {"dir": out, "report": report, "records": read_archive(out),
            "range": (start, end)}


def test_every_capture_in_range_with_original_dates(full: dict, eras: Eras, pywb: Pywb) -> None:
    # the prefix as the CDX API matches it: by SURT key, so www.akershus.no and akershus.no
    expected = {(c["url"], warc_date(c["timestamp"])) for c in cdx_lines(eras.old, eras.new)
                if c["urlkey"].startswith("no,akershus)/")}
    assert any(url.startswith("http://static.") for url, _d in
               ((c["url"], 0) for c in cdx_lines(eras.old)))  # other hosts stay out
    got = [key(r) for r in captures(full["records"])]
    assert len(got) == len(set(got)), "a capture harvested twice"
    assert set(got) == expected
    outside = {(c["url"], warc_date(c["timestamp"])) for c in cdx_lines(eras.early)
               if c["urlkey"].startswith("no,akershus)/")}
    assert outside and not outside & set(got)
    report = full["report"]
    assert report["harvest"]["listing_complete"] is True
    counts = report["harvest"]["counts"]
    # fetched, or a revisit from the listing when its listed digest was already held
    assert counts["harvested"] + counts["revisits_from_listing"] == len(expected)
    assert counts["in_range"] == len(expected) and counts["accounted"] is True
    assert counts["out_of_range"] == 0  # pywb honoured from/to
    assert counts["digest_mismatch"] == 0 and counts["unplayable"] == counts["failed"] == 0
    for record in captures(full["records"]):
        h = record["h"]
        stamp = "".join(ch for ch in h["WARC-Date"] if ch.isdigit())
        assert h["WARC-Source-URI"] == f"{pywb.url}/{stamp}id_/{h['WARC-Target-URI']}"
        assert h["WARC-Creation-Date"] > h["WARC-Date"]


def test_payload_digests_identical_to_the_crawl(full: dict, eras: Eras) -> None:
    """Same digest as the CDX line, chunked or not: both are of the entity body.

    pywb re-chunks what it replays with its own boundaries; a digest over the
    framing would differ (it did for 38 of 84 captures before the digests
    followed iipc/warc-specifications#22).
    """
    source: dict[tuple[str, str], bytes] = {}
    for directory in (eras.old, eras.new):
        for rec in read_archive(directory):
            if rec["type"] == "response":
                date = rec["h"]["WARC-Date"][:19] + "Z"
                source[(rec["h"]["WARC-Target-URI"], date)] = rec["entity"]
    meta = {r["h"]["WARC-Concurrent-To"]: r["fields"] for r in full["records"]
            if r["type"] == "metadata"}
    held: dict[str, bytes] = {}
    same = chunked = 0
    crawled_chunked = {(r["h"]["WARC-Target-URI"], r["h"]["WARC-Date"][:19] + "Z")
                       for directory in (eras.old, eras.new) for r in read_archive(directory)
                       if r["type"] == "response" and r["chunked"]}
    for record in captures(full["records"]):
        fields = meta[record["h"]["WARC-Record-ID"]]
        assert fields["via"] and fields["cdx-timestamp"] and fields["source-uri"]
        digest = record["h"]["WARC-Payload-Digest"]
        if record["type"] == "response":
            held[digest] = record["entity"]
        assert hashlib.sha1(held[digest]).digest() == hashlib.sha1(
            source[key(record)]).digest()  # the bytes the crawl recorded
        assert digest == fields["cdx-digest"], record["h"]["WARC-Target-URI"]
        same += 1
        chunked += key(record) in crawled_chunked
    assert same > 100 and chunked > 0


def test_pywb_redirects_point_at_the_site_and_no_archive_headers(full: dict, pywb: Pywb) -> None:
    redirects = [r for r in captures(full["records"])
                 if r["type"] == "response" and 300 <= r["status"] < 400]
    assert redirects
    for record in redirects:
        location = record["http"]["location"]
        assert pywb.url not in location and location.startswith(("http://", "https://", "/"))
    for record in captures(full["records"]):
        assert not [n for n in record["http"] if n.startswith("x-archive")
                    or n in ("memento-datetime", "link", "transfer-encoding")], record["http"]


def test_both_captures_of_a_changed_page_and_extraction(full: dict, eras: Eras) -> None:
    seed = sorted((r for r in captures(full["records"])
                   if r["h"]["WARC-Target-URI"] == SEED_PAGE), key=key)
    assert len(seed) == 2
    assert seed[0]["h"]["WARC-Payload-Digest"] != seed[1]["h"]["WARC-Payload-Digest"]
    old_date, new_date = (r["h"]["WARC-Date"] for r in seed)
    assert old_date[:19].replace("-", "").replace("T", "").replace(":", "") <= \
        eras.span(eras.old)[1] < new_date.replace("-", "").replace("T", "").replace(":", "")
    cli("extract", str(full["dir"]), "--quiet", check=True)
    pages = [json.loads(line) for line in
             (full["dir"] / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    found = sorted((p["captured_at"], p["notice"]) for p in pages if p["url"] == SEED_PAGE)
    assert found == [(old_date, False), (new_date, True)]  # 2020 carries the Viken notice


def test_harvested_warcs_pass_warcio_check_and_index(full: dict) -> None:
    assert_warcio_check_fails_only_on_framing(sorted((full["dir"] / "warc").glob("*.warc.gz")))
    from archive.cdxj import run_index

    lines = run_index(full["dir"]).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(captures(full["records"]))
    assert all(json.loads(line.split(" ", 2)[2])["url"].startswith(SITE) for line in lines)


def test_latest_only_and_upper_bound(eras: Eras, pywb: Pywb, tmp_path: Path) -> None:
    prefix = SITE + "ansvarsomrader/"
    old_end = eras.span(eras.old)[1]
    harvest(pywb.url, tmp_path, HARVEST_URL_PREFIX=prefix, HARVEST_TO=old_end,
            HARVEST_LATEST=True)
    got = [key(r) for r in captures(read_archive(tmp_path))]
    urls = Counter(url for url, _date in got)
    assert urls and max(urls.values()) == 1
    expected = {(c["url"], warc_date(c["timestamp"])) for c in cdx_lines(eras.old)
                if c["url"].startswith(prefix)}
    assert set(got) == expected  # the newest up to the end of the 2019 crawl: none of 2020


# -- revisits and dedup -------------------------------------------------------------------

def revisits_resolve(directory: Path) -> list[str]:
    proc = cli("extract", str(directory), check=True)
    return [line for line in proc.stdout.splitlines() if "revisits resolved" in line]


def test_second_harvest_into_the_archive_writes_revisits(eras: Eras, pywb: Pywb,
                                                         tmp_path: Path) -> None:
    prefix = SITE + "ansvarsomrader/samferdsel/"
    first = harvest(pywb.url, tmp_path, HARVEST_URL_PREFIX=prefix)
    assert first["mode"] == "fresh"
    before = {r["h"]["WARC-Record-ID"]: r for r in captures(read_archive(tmp_path))}
    second = harvest(pywb.url, tmp_path, HARVEST_URL_PREFIX=prefix)
    assert second["mode"] == "repeat"
    after = [r for r in captures(read_archive(tmp_path)) if r["h"]["WARC-Record-ID"] not in before]
    assert len(after) == len(before)
    by_digest = {r["h"]["WARC-Payload-Digest"]: r for r in before.values()
                 if r["type"] == "response" and 200 <= r["status"] < 300}
    revisits = [r for r in after if r["type"] == "revisit"]
    # every 2xx capture again is a revisit, written from the listing without a fetch
    assert len(revisits) == sum(1 for r in before.values() if 200 <= r["status"] < 300) > 0
    assert second["harvest"]["counts"]["revisits_from_listing"] == len(revisits)
    assert second["harvest"]["counts"]["accounted"] is True
    for record in revisits:
        h = record["h"]
        assert h["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        earlier = by_digest[h["WARC-Payload-Digest"]]
        assert h["WARC-Refers-To-Target-URI"] == earlier["h"]["WARC-Target-URI"]
        assert h["WARC-Refers-To-Date"] == earlier["h"]["WARC-Date"]
        assert h["WARC-Refers-To"] == earlier["h"]["WARC-Record-ID"]
    assert revisits_resolve(tmp_path)
    pages = (tmp_path / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    html = [r for r in before.values()
            if r["status"] == 200 and "html" in r["http"].get("content-type", "")]
    assert len(pages) == 2 * len(html)  # every revisit resolved to its page


def test_dedup_against_a_crawl(eras: Eras, pywb: Pywb, tmp_path: Path) -> None:
    """Unchanged stylesheets, scripts and images of 2020 refer to the 2019 crawl's records."""
    out = tmp_path / "h"
    harvest(pywb.url, out, eras.old, HARVEST_URL_PREFIX=SITE + "static/",
            HARVEST_FROM=eras.span(eras.new)[0])
    old = {r["h"]["WARC-Payload-Digest"]: r for r in captures(read_archive(eras.old))
           if r["type"] == "response"}
    records = captures(read_archive(out))
    revisits = [r for r in records if r["type"] == "revisit"]
    assert revisits and len(revisits) == len(records)  # nothing under static/ changed
    for record in revisits:
        earlier = old[record["h"]["WARC-Payload-Digest"]]
        assert record["h"]["WARC-Refers-To-Target-URI"] == earlier["h"]["WARC-Target-URI"]
        assert record["h"]["WARC-Refers-To-Date"] == earlier["h"]["WARC-Date"]


def test_repeated_crawl_writes_revisits_that_extraction_resolves(eras: Eras,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    shutil.copytree(eras.early, out)
    crawl_replica_era(out, "2019", "--max-pages", "2")
    records = captures(read_archive(out))
    first = {r["h"]["WARC-Payload-Digest"]: r for r in records if r["type"] == "response"}
    revisits = [r for r in records if r["type"] == "revisit"]
    assert len(revisits) >= len([r for r in first.values() if r["status"] == 200]) - 1
    for record in revisits:
        earlier = first[record["h"]["WARC-Payload-Digest"]]
        assert record["h"]["WARC-Refers-To-Date"] == earlier["h"]["WARC-Date"]
    assert revisits_resolve(out)
    pages = [json.loads(line) for line in
             (out / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    by_url = defaultdict(list)
    for page in pages:
        by_url[page["url"]].append(page)
    assert by_url[SITE] and len(by_url[SITE]) == 2
    assert by_url[SITE][0]["title"] == by_url[SITE][1]["title"] != ""


def test_interrupted_harvest_resumes_without_fetching_twice(eras: Eras, pywb: Pywb,
                                                           tmp_path: Path) -> None:
    prefix = SITE + "ansvarsomrader/"
    first = harvest(pywb.url, tmp_path, HARVEST_URL_PREFIX=prefix, CLOSESPIDER_PAGECOUNT=30,
                    HARVEST_CONCURRENCY=1)
    assert first["finish_reason"] == "closespider_pagecount"
    part = [key(r) for r in captures(read_archive(tmp_path))]
    assert 10 <= len(part) < 40, first
    second = harvest(pywb.url, tmp_path, HARVEST_URL_PREFIX=prefix)
    assert second["mode"] == "resume"
    assert second["harvest"]["already_held"] == len(part)
    got = Counter(key(r) for r in captures(read_archive(tmp_path)))
    assert max(got.values()) == 1
    expected = {(c["url"], warc_date(c["timestamp"]))
                for c in cdx_lines(eras.early, eras.old, eras.new) if c["url"].startswith(prefix)}
    assert set(got) == expected


# -- the Wayback Machine's dialect and its rate limits ------------------------------------------

class FakeWayback(ThreadingHTTPServer):
    """Stands in for web.archive.org on 127.0.0.1: JSON-array CDX with resume keys, id_ replay.

    The first CDX request gets 503 without Retry-After, the first replay 429 with
    ``Retry-After: 1``, as an overloaded public archive answers.
    """

    daemon_threads = True

    def __init__(self, captures: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), _FakeHandler)
        self.captures = sorted(captures, key=lambda c: (c["urlkey"], c["timestamp"]))
        self.log: list[str] = []
        self.refused: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _FakeHandler(BaseHTTPRequestHandler):
    server: FakeWayback

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers + [("Content-Length", str(len(body)))]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv = self.server
        srv.log.append(self.path)
        if self.path.startswith("/cdx/search/cdx"):
            if "cdx" not in srv.refused:
                srv.refused.add("cdx")
                return self.send(503, [], b"Service Unavailable")
            q = parse_qs(urlsplit(self.path).query)
            start = int(q.get("resumeKey", ["0"])[0])
            limit = int(q["limit"][0])
            rows: list[list[str]] = [["urlkey", "timestamp", "original", "mimetype",
                                      "statuscode", "digest", "length"]]
            chunk = srv.captures[start:start + limit]
            rows += [[c["urlkey"], c["timestamp"], c["url"], c["mime"], c["status"],
                      c["digest"].removeprefix("sha1:"), c["length"]] for c in chunk]
            if start + limit < len(srv.captures):
                rows += [[], [str(start + limit)]]
            return self.send(200, [("Content-Type", "application/json")],
                             json.dumps(rows).encode())
        if "id_/" in self.path:
            if "replay" not in srv.refused:
                srv.refused.add("replay")
                return self.send(429, [("Retry-After", "1")], b"Too Many Requests")
            stamp, original = self.path.split("/web/", 1)[1].split("id_/", 1)
            found = next(c for c in srv.captures
                         if c["timestamp"] == stamp and c["url"] == original)
            when = found["record"]["h"]["WARC-Date"]
            memento = format_datetime(datetime.fromisoformat(when).replace(microsecond=0),
                                      usegmt=True)
            http = found["record"]["http"]
            headers = [("Content-Type", http["content-type"]), ("Memento-Datetime", memento)]
            if "content-encoding" in http:
                headers.append(("Content-Encoding", http["content-encoding"]))
            return self.send(found["status_int"], headers, found["record"]["entity"])
        return self.send(404, [], b"not found")


def unchunked_html(eras: Eras, prefix: str) -> list[dict[str, Any]]:
    """CDX lines of the 2019 crawl's plain HTML captures under ``prefix``, with their records."""
    held = {(r["h"]["WARC-Target-URI"], r["h"]["WARC-Date"][:19]): r
            for r in captures(read_archive(eras.old)) if r["type"] == "response"}
    listed = []
    for line in cdx_lines(eras.old):
        if line["url"].startswith(prefix) and line["mime"] == "text/html":
            record = held[(line["url"], warc_date(line["timestamp"])[:19])]
            if not record["chunked"]:
                listed.append(dict(line, record=record, status_int=record["status"]))
    return listed


def test_wayback_dialect_with_resume_keys_and_backoff(eras: Eras, tmp_path: Path) -> None:
    prefix = SITE + "ansvarsomrader/samferdsel/"
    listed = unchunked_html(eras, prefix)
    assert len(listed) >= 4
    server = FakeWayback(listed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = harvest(server.url + "/web", tmp_path,
                         HARVEST_CDX_URL=server.url + "/cdx/search/cdx",
                         HARVEST_URL_PREFIX=prefix, HARVEST_PAGE_SIZE=2, HARVEST_BACKOFF=0.2,
                         HARVEST_CONCURRENCY=1)
    finally:
        server.shutdown()
        server.server_close()
    pages = (len(listed) + 1) // 2
    assert sum("resumeKey=" in p for p in server.log) == pages - 1
    assert report["harvest"]["backoff/503"] == 1 and report["harvest"]["backoff/429"] == 1
    records = captures(read_archive(tmp_path))
    assert sorted(key(r) for r in records) == sorted(
        (c["url"], warc_date(c["timestamp"])) for c in listed)
    assert {r["status"] for r in records} == {200}  # the archive's refusals are not captures
    for record in records:
        original = next(c for c in listed if c["url"] == record["h"]["WARC-Target-URI"])
        assert record["h"]["WARC-Payload-Digest"] == original["digest"]


# -- the Wayback Machine stand-in (replica/wayback.py) --------------------------------------
# It serves the three crawls as web.archive.org does (docs/wayback-facts.md): SURT keys,
# :80, https and case variants of originals, revisit rows, repeated lines, unplayable
# captures and self-redirects answered with the archive's 302, X-Archive-Orig-* headers,
# re-chunked bodies, gzip on the fly for clients that accept it, Location rewritten into
# the archive, 429 without Retry-After and blocks.

def standin_warcs(eras: Eras) -> list[Path]:
    return sorted(p for d in (eras.early, eras.old, eras.new) for p in (d / "warc").glob("*.gz"))


@pytest.fixture(scope="module")
def standin(eras: Eras) -> Iterator[Any]:
    from replica.wayback import WaybackStandIn

    # limits out of reach here: the politeness tests below use their own stand-in
    with WaybackStandIn(standin_warcs(eras), cdx_per_minute=10**6,
                        replay_per_minute=10**6) as server:
        yield server


@pytest.fixture(scope="module")
def wayback(standin: Any, eras: Eras, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("wayback")
    start, end = eras.span(eras.old)[0], eras.span(eras.new)[1]
    before = standin.state()["requests"]["by_kind"].get("replay", 0)
    report = harvest(standin.replay, out, HARVEST_CDX_URL=standin.cdx, HARVEST_FROM=start,
                     HARVEST_TO=end, HARVEST_PAGE_SIZE=100)
    state = standin.state()
    return {"dir": out, "report": report, "records": read_archive(out), "state": state,
            "replays": state["requests"]["by_kind"].get("replay", 0) - before,
            "range": (start, end)}


def standin_expected(state: dict, start: str, end: str) -> tuple[dict, list[dict]]:
    """(original URL, date) -> capture for every capture in range the harvest holds; the unplayable.

    A capture the archive cannot play is still held when the listing names a payload
    already harvested from an earlier line: the harvest writes its revisit record
    from the listing and never asks the archive for it.
    """
    from crawler.cdx import original_url

    playable, unplayable = {}, []
    held: set[str] = set()
    listed = sorted(state["captures"], key=lambda c: (c["urlkey"], c["timestamp"], c["id"]))
    for c in listed:
        if not (c["urlkey"].startswith("no,akershus)/") and start <= c["timestamp"] <= end):
            continue
        if (c["unplayable"] or c["self_redirect"]) and c["payload_sha1"] not in held:
            unplayable.append(c)
        else:
            playable[(original_url(c["original"]), warc_date(c["timestamp"]))] = c
            held.add(c["payload_sha1"])
    return playable, unplayable


def test_standin_every_playable_capture_once_under_its_original_url(wayback: dict) -> None:
    playable, unplayable = standin_expected(wayback["state"], *wayback["range"])
    # the stand-in wrote :80 into some originals, and https, www and case variants
    assert {c["transformation"] for c in playable.values()} >= {"port80", None}
    assert unplayable
    got = [key(r) for r in captures(wayback["records"])]
    assert len(got) == len(set(got)), "a capture held twice"
    assert set(got) == set(playable)
    assert not any(":80/" in url for url, _date in got)
    counts = wayback["report"]["harvest"]["counts"]
    assert counts["in_range"] == len(playable) + len(unplayable)
    assert counts["unplayable"] == len(unplayable) and counts["failed"] == 0
    assert counts["harvested"] + counts["revisits_from_listing"] == len(playable)
    assert counts["accounted"] is True and counts["digest_mismatch"] == 0
    assert counts["repeated_lines"] > 0  # the stand-in indexes some captures twice
    skipped = wayback["report"]["skipped"]
    assert sum(v for k, v in skipped.items() if k.startswith("unplayable:")) == len(unplayable)
    # one replay per capture fetched, one per unplayable one: nothing twice
    assert wayback["replays"] == counts["harvested"] + len(unplayable)


def test_standin_records_hold_the_original_exchange(wayback: dict) -> None:
    playable, _ = standin_expected(wayback["state"], *wayback["range"])
    meta = {r["h"]["WARC-Concurrent-To"]: r["fields"] for r in wayback["records"]
            if r["type"] == "metadata"}
    texts = {r["h"]["WARC-Concurrent-To"]: r["text"] for r in wayback["records"]
             if r["type"] == "metadata"}
    redirects = plain_html = 0
    for record in captures(wayback["records"]):
        capture = playable[key(record)]
        assert record["h"]["WARC-Payload-Digest"] == "sha1:" + capture["payload_sha1"]
        fields = meta[record["h"]["WARC-Record-ID"]]
        if "revisit-from-listing" in fields:  # not fetched: the listed payload was held
            continue
        assert fields["digest-check"] == "matches the listing"
        if record["type"] == "revisit":
            continue
        http = record["http"]
        # none of the archive's own headers, none of its renamings, none of its framing
        assert not [n for n in http if n.startswith("x-archive") or n in (
            "memento-datetime", "link", "server-timing", "transfer-encoding")], http
        assert record["status"] == capture["status"]
        assert int(http["content-length"]) == len(record["entity"])
        if capture["content_encoding"] is None and capture["mimetype"] == "text/html":
            assert "content-encoding" not in http  # the archive was not let gzip it
            plain_html += 1
        if 300 <= record["status"] < 400:
            assert "/web/" not in http["location"] and http["location"].startswith("http")
            redirects += 1
        # the archive's answer head, line by line as received, beside the record
        head = [line.split(": ", 1)[1] for line in texts[record["h"]["WARC-Record-ID"]]
                .splitlines() if line.startswith("archive-head: ")]
        assert head[0].startswith("HTTP/1.1 ") and any(
            h.lower().startswith("memento-datetime: ") for h in head)
    assert redirects > 0 and plain_html > 10


def test_standin_pauses_on_429_and_is_never_blocked(eras: Eras, tmp_path: Path) -> None:
    from replica.wayback import WaybackStandIn

    prefix = SITE + "ansvarsomrader/"
    # a minute is 0.5 s here: 40 replays a minute is 40 per half second, a block after
    # half a second of ignored 429s
    with WaybackStandIn(standin_warcs(eras), time_scale=120, replay_per_minute=40,
                        cdx_per_minute=60) as server:
        report = harvest(server.replay, tmp_path, HARVEST_CDX_URL=server.cdx,
                         HARVEST_URL_PREFIX=prefix, HARVEST_BACKOFF=0.6,
                         HARVEST_FROM=eras.span(eras.old)[0])
        state = server.state()
    assert state["rate_limited"] > 0 and report["harvest"].get("backoff/429", 0) > 0
    assert state["blocks"]["count"] == 0
    counts = report["harvest"]["counts"]
    assert counts["accounted"] is True and counts["failed"] == 0
    assert counts["waited_seconds"] > 0
    assert {r["status"] for r in captures(read_archive(tmp_path))} - {None} != {429}
    assert not [r for r in captures(read_archive(tmp_path)) if r["status"] == 429]


def test_standin_block_is_recognised_and_waited_out(eras: Eras, tmp_path: Path) -> None:
    """Another client on this address ignored 429s: the archive refuses connections.

    The harvest sees refused connections in a row, says the archive blocks it,
    pauses (the whole harvest) longer than the block and then harvests everything.
    """
    import http.client

    from replica.wayback import WaybackStandIn

    prefix = SITE + "ansvarsomrader/samferdsel/"
    # a minute is 1/900 of one here: the grace 67 ms, the block 4 s
    with WaybackStandIn(standin_warcs(eras), time_scale=900, cdx_per_minute=3,
                        replay_per_minute=10**6) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            while True:  # ignore every 429 until the archive stops answering
                conn.request("GET", "/cdx/search/cdx?url=akershus.no/")
                conn.getresponse().read()
        except (ConnectionError, http.client.HTTPException, OSError):
            pass
        finally:
            conn.close()
        assert server.state()["blocks"]["blocked"] is True
        report = harvest(server.replay, tmp_path, HARVEST_CDX_URL=server.cdx,
                         HARVEST_URL_PREFIX=prefix, HARVEST_CDX_DELAY=0,
                         HARVEST_BLOCK_PAUSE=5, HARVEST_BACKOFF=0.2)
        state = server.state()
    assert report["harvest"]["blocks"] == 1 and report["finish_reason"] == "finished"
    assert report["harvest"]["listing_complete"] is True
    assert state["blocks"]["count"] == 1  # only the other client's
    counts = report["harvest"]["counts"]
    assert counts["accounted"] is True and counts["failed"] == 0
    assert counts["harvested"] + counts["revisits_from_listing"] > 0
    assert counts["waited_seconds"] >= 5


def test_standin_changes_only_keeps_one_capture_per_run_of_digests(standin: Any,
                                                                  tmp_path: Path) -> None:
    report = harvest(standin.replay, tmp_path, HARVEST_CDX_URL=standin.cdx,
                     HARVEST_URL_PREFIX=SITE + "static/", HARVEST_CHANGES_ONLY=True)
    counts = report["harvest"]["counts"]
    assert counts["unchanged_skipped"] > 0 and counts["accounted"] is True
    by_url: dict[str, list[str]] = defaultdict(list)
    for record in sorted(captures(read_archive(tmp_path)), key=key):
        by_url[record["h"]["WARC-Target-URI"]].append(record["h"]["WARC-Payload-Digest"])
    assert by_url
    for digests in by_url.values():  # no two captures in a row with the same payload
        assert all(a != b for a, b in pairwise(digests))


def test_a_payload_that_is_not_the_listed_one_is_flagged(eras: Eras, tmp_path: Path) -> None:
    """The archive's listing and its replay disagree: kept, but flagged, never silently."""
    prefix = SITE + "ansvarsomrader/samferdsel/"
    listed = unchunked_html(eras, prefix)
    listed[0]["digest"] = "sha1:" + "A" * 32  # what the listing says, not what is replayed
    server = FakeWayback(listed)
    server.refused.update({"cdx", "replay"})  # no refusals in this test
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = harvest(server.url + "/web", tmp_path,
                         HARVEST_CDX_URL=server.url + "/cdx/search/cdx",
                         HARVEST_URL_PREFIX=prefix, HARVEST_PAGE_SIZE=100)
    finally:
        server.shutdown()
        server.server_close()
    assert report["harvest"]["counts"]["digest_mismatch"] == 1
    assert report["skipped"]["digest_mismatch"] == 1
    records = read_archive(tmp_path)
    flagged = [r for r in records if r["type"] == "metadata"
               and r["fields"].get("digest-check", "").startswith("digest_mismatch")]
    assert len(flagged) == 1 and flagged[0]["h"]["WARC-Target-URI"] == listed[0]["url"]
    assert len(captures(records)) == len(listed)  # still kept: it is what the archive holds


def test_standin_harvest_watched_in_a_terminal(standin: Any, tmp_path: Path) -> None:
    """The live line counts captures out of the listing's; the summary comes last, in words."""
    from test_console import _run_on_a_pty, _screen_lines

    raw = _run_on_a_pty([sys.executable, "-m", "akershus_archive", "harvest",
                         "--archive", standin.replay, "--cdx", standin.cdx,
                         "--out", str(tmp_path / "h"), "--url-prefix", SITE + "static/",
                         "--delay", "0", "--concurrency", "4"])
    lines = _screen_lines(raw)
    live = [line for line in lines if line.startswith("harvest ") and "captures" in line]
    assert live and "\x1b[" in raw, lines[:10]
    assert any(re.search(r" \d+/\d+ captures", line) for line in live), live[-3:]
    assert lines[-1].startswith("next: akershus-archive extract"), lines[-4:]
    assert any(line.startswith("Harvested ") for line in lines[-4:])
