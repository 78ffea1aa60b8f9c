"""One crawl of the fault server, then one test per fault on what was archived and reported.

The crawl runs in a subprocess (the reactor cannot restart) with a short
timeout and a size cap, so the slow faults end quickly; the fault server runs
in this process so its request log can be read. Each test reads the WARC
records back with warcio (digests checked), the crawl report, and the log.

The gzip bomb inflates to gigabytes: no test here ever inflates a payload;
payloads are read as transferred (``raw_stream``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import faultserver as fs
import pytest
from conftest import ROOT, cli, digest_problems
from warcio.archiveiterator import ArchiveIterator

from archive.digest import sha1_digest
from crawler import settings as defaults

SEED = "http://faults.test/"
BASE = SEED + "fault/"
CRAWL_TIMEOUT = 120  # seconds; the crawl itself takes about 10
# DOWNLOAD_TIMEOUT of the fault crawl (seconds): short, so the silent faults end soon,
# but long enough for a 2 MB body on a busy two-core machine.
TIMEOUT = 5
MAX_SIZE = 8 << 20  # DOWNLOAD_MAXSIZE of the fault crawl (bytes)
RETRY_TIMES = 2  # the project default: three requests at most per URL
# Peak RSS allowed to the crawl process. Scrapy and its imports take about
# 80 MB; a response costs a few times its size while it is recorded (wire
# buffers, the WARC record, Scrapy's Response), and the size cap bounds that;
# the decompression of the gzip bomb stops at DOWNLOAD_MAXSIZE.
RSS_BOUND_MB = 400
# Safety nets so that a regression fails the test instead of exhausting the machine.
CRAWL_ADDRESS_SPACE = 4 << 30
POSTPROCESS_ADDRESS_SPACE = 2 << 30
READ_CHUNK = 1 << 16

CRAWL_SCRIPT = """
import json, sys
from pathlib import Path
from crawler.run import run_crawl
seeds, out, overrides = json.loads(sys.argv[1])
run_crawl(seeds, Path(out), overrides)
"""

POSTPROCESS_SCRIPT = """
import sys
from pathlib import Path
from archive.extract import run_extract
from render.build import run_render
step, out = sys.argv[1], Path(sys.argv[2])
{"extract": run_extract, "render": run_render}[step](out)
"""


@dataclass
class Record:
    rec_type: str
    uri: str
    warc: dict[str, str]
    protocol: str = ""
    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    head: bytes = b""
    payload: bytes = b""  # as transferred: never inflated, never de-chunked
    digest_ok: bool | None = None

    @property
    def truncated(self) -> str | None:
        return self.warc.get("WARC-Truncated")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Crawl:
    out: Path
    returncode: int
    max_rss_mb: float
    report: dict[str, Any]
    records: list[Record]
    log: str

    def responses(self, url: str) -> list[Record]:
        return [r for r in self.records if r.rec_type == "response" and r.uri == url]

    def of_type(self, rec_type: str) -> list[Record]:
        return [r for r in self.records if r.rec_type == rec_type]


def run_measured(script: str, argv: list[str], log: Path, timeout: float,
                 address_space: int) -> tuple[int, float]:
    """Run ``script`` in a child to its end; (exit status, its own peak RSS in MB).

    The child caps its own address space first; wait4 gives its own rusage.
    """
    limit = (f"import resource\nresource.setrlimit(resource.RLIMIT_AS, "
             f"({address_space}, {address_space}))\n")
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", limit + script, *argv], cwd=ROOT,
                                stdout=fh, stderr=subprocess.STDOUT)
    killer = threading.Timer(timeout, proc.send_signal, (signal.SIGKILL,))
    killer.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024  # Linux reports kilobytes


def read_records(warc_dir: Path) -> list[Record]:
    out: list[Record] = []
    blocks: dict[str, bytes] = {}
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:  # the whole blocks, for the heads as received
            for rec in ArchiveIterator(fh, no_record_parse=True):
                if rec.rec_type == "response":
                    blocks[rec.rec_headers.get_header("WARC-Record-ID")] = rec.raw_stream.read()
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh, check_digests=True):
                warc = dict(rec.rec_headers.headers)
                r = Record(rec.rec_type, warc.get("WARC-Target-URI", ""), warc)
                if rec.http_headers is not None:
                    r.protocol = rec.http_headers.protocol
                    r.status = rec.http_headers.statusline
                    r.headers = list(rec.http_headers.headers)
                parts = []
                while chunk := rec.raw_stream.read(READ_CHUNK):
                    parts.append(chunk)
                r.payload = b"".join(parts)
                r.digest_ok = not digest_problems(rec, r.payload)
                block = blocks.get(warc.get("WARC-Record-ID", ""))
                if block is not None:
                    r.head = block[:len(block) - len(r.payload)]
                out.append(r)
    return out


@pytest.fixture(scope="module")
def server() -> Any:
    with fs.FaultServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, server: fs.FaultServer) -> Crawl:
    out = tmp_path_factory.mktemp("faults")
    overrides = {
        "DOWNLOAD_TIMEOUT": TIMEOUT,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_MAXSIZE": MAX_SIZE,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "RETRY_TIMES": RETRY_TIMES,
        "REPORT_PROGRESS": False,
        # The off-site host goes to the fault server too: were it ever
        # requested, the server's log would show it.
        "WIRE_CONNECT_TO": [f"faults.test:80:127.0.0.1:{server.port}",
                            f"{fs.OFFSITE_HOST}:80:127.0.0.1:{server.port}"],
    }
    log = out.parent / (out.name + "-crawl.log")
    code, rss = run_measured(CRAWL_SCRIPT, [json.dumps([[SEED], str(out), overrides])],
                             log, CRAWL_TIMEOUT, CRAWL_ADDRESS_SPACE)
    text = log.read_text(errors="replace")
    assert code == 0, f"crawl exited {code}:\n{text[-4000:]}"
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    return Crawl(out, code, rss, report, read_records(out / "warc"), text)


def hits(server: fs.FaultServer, name: str) -> int:
    return len(server.hits(name))


def only_response(crawl: Crawl, name: str) -> Record:
    found = crawl.responses(BASE + name)
    assert len(found) == 1, f"{name}: {len(found)} response records"
    return found[0]


# --- the crawl as a whole -------------------------------------------------------------
def test_faultserver_runs_as_a_process() -> None:
    proc = subprocess.Popen([sys.executable, "tests/faultserver.py"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        import urllib.request
        with urllib.request.urlopen(url, timeout=10) as resp:
            page = resp.read().decode()
        for name in ("500", "gzip-bomb", "deep-nesting"):
            assert f"/fault/{name}'" in page or f"/fault/{name}/'" in page
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_there_are_at_least_twenty_named_faults() -> None:
    assert len(set(fs.FAULTS) - fs.HELPERS) >= 20


def test_crawl_finished_and_met_every_fault(crawl: Crawl, server: fs.FaultServer) -> None:
    assert crawl.report["finish_reason"] == "finished"
    assert set(fs.FAULTS) <= server.faults_hit()


def test_every_record_reads_back_with_valid_digests(crawl: Crawl) -> None:
    assert crawl.records
    bad = [(r.rec_type, r.uri) for r in crawl.records if r.digest_ok is False
           and not r.uri.endswith("/broken-chunked")]  # no standard reading: checked below
    assert not bad


def test_every_response_has_its_request_record(crawl: Crawl) -> None:
    requests = {r.warc.get("WARC-Concurrent-To") for r in crawl.of_type("request")}
    for r in crawl.of_type("response"):
        assert r.warc["WARC-Record-ID"] in requests, r.uri


def test_verify_passes(crawl: Crawl) -> None:
    proc = cli("verify", str(crawl.out), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: all records valid" in proc.stdout


def test_crawl_memory_stayed_bounded(crawl: Crawl) -> None:
    # Despite 2 GiB of gzip bomb, 1 MiB of headers and a 12 MiB body.
    assert 0 < crawl.max_rss_mb < RSS_BOUND_MB, f"peak RSS {crawl.max_rss_mb:.0f} MB"


def postprocess(crawl: Crawl, step: str, tmp_path: Path) -> None:
    """Run extract or render on the faults' archive: no exception, memory capped."""
    code, rss = run_measured(POSTPROCESS_SCRIPT, [step, str(crawl.out)],
                             tmp_path / f"{step}.log", 300, POSTPROCESS_ADDRESS_SPACE)
    log = (tmp_path / f"{step}.log").read_text(errors="replace")
    assert code == 0, f"{step} exited {code} (peak {rss:.0f} MB):\n{log[-4000:]}"


def test_extraction_does_not_fail(crawl: Crawl, tmp_path: Path) -> None:
    postprocess(crawl, "extract", tmp_path)
    lines = (crawl.out / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    urls = {json.loads(line).get("url") for line in lines}
    assert BASE + "deep-nesting" in urls and BASE + "nul-bytes" in urls


def test_rendering_does_not_fail(crawl: Crawl, tmp_path: Path) -> None:
    if not (crawl.out / "data" / "pages.jsonl").is_file():
        postprocess(crawl, "extract", tmp_path)
    postprocess(crawl, "render", tmp_path)
    assert (crawl.out / "site" / "index.html").is_file()


def test_resume_scan_reads_past_unparseable_answers(crawl: Crawl) -> None:
    """A resumed or repeated crawl reads the whole archive, the misspelt status line included."""
    from crawler.resume import scan

    state = scan(crawl.out / "warc", follow_links=True)
    captured = {r.uri for r in crawl.of_type("response") if r.status.startswith("200")}
    assert captured and captured <= state.done


# --- server errors and rate limits ------------------------------------------------------
@pytest.mark.parametrize("name,status", [("500", "500"), ("503-retry-after", "503"),
                                         ("429", "429")])
def test_error_statuses_are_retried_a_bounded_number_of_times_and_all_archived(
        crawl: Crawl, server: fs.FaultServer, name: str, status: str) -> None:
    # Scrapy's RetryMiddleware does not wait for Retry-After; what bounds the
    # retries is RETRY_TIMES: the first request and RETRY_TIMES more.
    assert hits(server, name) == RETRY_TIMES + 1
    records = crawl.responses(BASE + name)
    assert len(records) == RETRY_TIMES + 1  # every answer archived, not only the last
    assert {r.status.split()[0] for r in records} == {status}
    if name != "500":
        assert all(r.header("Retry-After") == "1" for r in records)
    assert crawl.report["by_status"].get(status) == 1  # the URL, once, under its status
    assert crawl.report["retries"] >= 3 * RETRY_TIMES


# --- answers that never come, or stop early ---------------------------------------------
def test_no_response_times_out_and_is_reported(crawl: Crawl, server: fs.FaultServer) -> None:
    assert hits(server, "no-response") == RETRY_TIMES + 1
    assert not crawl.responses(BASE + "no-response")  # nothing arrived, nothing recorded
    assert crawl.report["errors"].get("crawler.handler.ResponseTimeout") == RETRY_TIMES + 1


def test_close_without_response_is_reported(crawl: Crawl, server: fs.FaultServer) -> None:
    assert hits(server, "close-without-response") == RETRY_TIMES + 1
    assert not crawl.responses(BASE + "close-without-response")
    assert crawl.report["errors"].get("crawler.handler.NoResponse") == RETRY_TIMES + 1


def test_trickled_body_is_recorded_whole(crawl: Crawl) -> None:
    rec = only_response(crawl, "trickle")
    assert rec.payload == fs.TRICKLE_BODY
    assert rec.truncated is None


def test_stalled_body_is_cut_at_the_timeout_and_marked_time(crawl: Crawl,
                                                           server: fs.FaultServer) -> None:
    rec = only_response(crawl, "stall-mid-body")
    assert rec.truncated == "time"
    assert 0 < len(rec.payload) < fs.STALL_LENGTH
    assert rec.payload == b"." * len(rec.payload)
    assert hits(server, "stall-mid-body") == 1  # a truncated answer is kept, not retried
    assert crawl.report["truncated"].get("time", 0) >= 1


def test_reset_mid_body_is_kept_and_marked_disconnect(crawl: Crawl) -> None:
    rec = only_response(crawl, "reset-mid-body")
    assert rec.truncated == "disconnect"
    assert rec.payload == b"r" * fs.RESET_SENT  # everything that arrived, nothing more
    assert rec.header("Content-Length") == str(fs.RESET_LENGTH)  # the promise, as sent


def test_short_body_is_kept_and_marked_disconnect(crawl: Crawl) -> None:
    rec = only_response(crawl, "short-body")
    assert rec.truncated == "disconnect"
    assert rec.payload == b"s" * fs.SHORT_SENT
    assert crawl.report["truncated"].get("disconnect", 0) >= 2


def test_broken_chunked_framing_is_kept_as_sent(crawl: Crawl) -> None:
    rec = only_response(crawl, "broken-chunked")
    assert rec.truncated == "unspecified"  # no WARC value says "bad framing"
    assert rec.header("Transfer-Encoding") == "chunked"
    # Every byte sent after the head is in the record, the broken part included.
    assert rec.payload == (b"10\r\n<html><body>ok \r\nzz\r\nnot a chunk size\r\n0\r\n\r\n")
    assert crawl.report["truncated"].get("framing") == 1
    # The entity: the one chunk as the client read it (16 bytes, then the line end),
    # and from the broken size line on, everything as sent (archive/digest.py).
    # warcio's fallback reading differs here (it re-reads the chunk and drops bytes).
    entity = b"<html><body>ok \r" + b"zz\r\nnot a chunk size\r\n0\r\n\r\n"
    assert rec.warc["WARC-Payload-Digest"] == sha1_digest(entity)


# --- heads a strict parser refuses ------------------------------------------------------
def test_bad_status_line_is_archived_verbatim_and_reported(crawl: Crawl,
                                                         server: fs.FaultServer) -> None:
    records = crawl.responses(BASE + "bad-status-line")
    assert len(records) == hits(server, "bad-status-line") == RETRY_TIMES + 1
    for rec in records:
        assert rec.head + rec.payload == fs.BAD_STATUS_ANSWER
        assert rec.protocol == "HTPT/1.1"
    assert crawl.report["errors"].get("crawler.handler.BadStatusLine") == RETRY_TIMES + 1


def test_header_without_colon_is_kept_in_the_record(crawl: Crawl) -> None:
    rec = only_response(crawl, "header-without-colon")
    assert b"\r\nThis line has no colon\r\n" in rec.head
    assert rec.header("X-After") == "kept"  # the headers after it still count
    assert rec.payload == fs.page("Colonless").encode()


def test_huge_headers_are_cut_at_the_head_limit(crawl: Crawl, server: fs.FaultServer) -> None:
    records = crawl.responses(BASE + "huge-headers")
    assert len(records) == hits(server, "huge-headers") == RETRY_TIMES + 1
    for rec in records:
        assert rec.truncated == "length"
        assert 0 < len(rec.head) + len(rec.payload) <= 256 * 1024  # WIRE_MAX_HEAD_SIZE
        assert rec.head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert crawl.report["errors"].get("crawler.handler.HeadTooLarge") == RETRY_TIMES + 1


# --- content encodings --------------------------------------------------------------------
def test_gzip_bomb_is_archived_as_received_and_never_inflated_past_the_cap(
        crawl: Crawl) -> None:
    rec = only_response(crawl, "gzip-bomb")
    assert rec.truncated is None
    assert rec.payload == fs.gzip_bomb()  # the small compressed bytes, exactly
    assert len(rec.payload) < 4 << 20
    assert rec.header("Content-Encoding") == "gzip"
    # Scrapy's HttpCompressionMiddleware stops inflating at DOWNLOAD_MAXSIZE.
    assert "exceeded DOWNLOAD_MAXSIZE" in crawl.log and "gzip-bomb" in crawl.log


def test_invalid_gzip_is_archived_as_received(crawl: Crawl) -> None:
    rec = only_response(crawl, "invalid-gzip")
    assert rec.payload == fs.INVALID_GZIP
    assert rec.truncated is None


# --- redirects ------------------------------------------------------------------------------
def test_redirect_loop_ends(crawl: Crawl, server: fs.FaultServer) -> None:
    # A -> B -> A: B's redirect back to A is a request already made (duplicate filter).
    assert hits(server, "redirect-loop") == 1
    assert hits(server, "redirect-loop-b") == 1


def test_endless_redirects_end_at_redirect_max_times(crawl: Crawl,
                                                    server: fs.FaultServer) -> None:
    # Scrapy's REDIRECT_MAX_TIMES (20): the first request and 20 redirects followed.
    assert hits(server, "redirect-endless") == 21
    assert len([r for r in crawl.of_type("response") if "/redirect-endless" in r.uri]) == 21


def test_redirect_to_another_host_is_never_requested(crawl: Crawl,
                                                     server: fs.FaultServer) -> None:
    assert only_response(crawl, "redirect-offsite").header("Location") == \
        f"http://{fs.OFFSITE_HOST}/stolen"
    assert not [r for r in server.requests if fs.OFFSITE_HOST in r.host]
    assert f"http://{fs.OFFSITE_HOST}/stolen" in crawl.report["skipped_examples"]["out_of_scope"]


def test_redirect_to_a_non_http_scheme_is_not_followed(crawl: Crawl) -> None:
    assert only_response(crawl, "redirect-non-http").header("Location") == fs.NON_HTTP_TARGET
    # Nothing was fetched but over HTTP: no record of any other scheme.
    assert all(r.uri.startswith(("http://", "https://")) for r in crawl.records if r.uri)
    assert not [r for r in crawl.records if b"root:x:0:0" in r.payload]


def test_meta_refresh_is_followed_and_the_page_parsed(crawl: Crawl,
                                                     server: fs.FaultServer) -> None:
    # The moved page is archived, its refresh target fetched, and its own link too:
    # the page is parsed like any other, not swapped for a redirect.
    only_response(crawl, "meta-refresh")
    targets = {r.target for r in server.requests}
    assert "/fault/meta-refresh-target?fra=gammel" in targets
    assert "/fault/meta-refresh-sibling" in targets
    outlinks = [r for r in crawl.of_type("metadata") if r.uri == BASE + "meta-refresh"]
    assert f"outlink: {BASE}meta-refresh-target?fra=gammel L meta/@content".encode() \
        in outlinks[0].payload


def test_endless_meta_refresh_ends_by_a_query_rule(crawl: Crawl,
                                                   server: fs.FaultServer) -> None:
    # A refresh counts as a link hop, so the query-hop rule ends the chain.
    targets = {r.target for r in server.hits("meta-refresh-endless")}
    assert len(targets) == defaults.SCOPE_MAX_QUERY_HOPS + 2  # bare path, ?n=1..21
    assert trap_examples(crawl, "/meta-refresh-endless?") == {"trap:query_hops"}


# --- traps ------------------------------------------------------------------------------------
def test_growing_path_ends_by_the_repeating_segment_rule(crawl: Crawl,
                                                         server: fs.FaultServer) -> None:
    paths = {r.path for r in server.hits("growing-path")}
    assert paths == {"/fault/growing-path/", "/fault/growing-path/a/", "/fault/growing-path/a/a/"}
    assert crawl.report["skipped_examples"]["trap:repeating_segments"] == [
        BASE + "growing-path/a/a/a/"]


def trap_examples(crawl: Crawl, fragment: str) -> set[str]:
    """The trap rules that left out URLs containing ``fragment``."""
    return {reason for reason, urls in crawl.report["skipped_examples"].items()
            if reason.startswith("trap:") and any(fragment in u for u in urls)}


def test_query_explosion_ends_by_the_query_rules(crawl: Crawl, server: fs.FaultServer) -> None:
    targets = {r.target for r in server.hits("query-explosion")}
    # At most SCOPE_MAX_QUERY_VARIANTS query strings, plus the bare path...
    assert 1 < len(targets) <= defaults.SCOPE_MAX_QUERY_VARIANTS + 1
    # ...none with more than SCOPE_MAX_QUERY_PARAMS parameters...
    assert not [t for t in targets if t.count("=") > defaults.SCOPE_MAX_QUERY_PARAMS]
    assert "trap:query_params" in trap_examples(crawl, "/query-explosion?f0=")
    # ...and the endless fan-out was cut by a query rule, not by the end of the crawl.
    assert trap_examples(crawl, "/query-explosion?page=") & {
        "trap:query_variants", "trap:query_hops"}


def test_endless_calendar_ends_by_a_query_rule(crawl: Crawl, server: fs.FaultServer) -> None:
    targets = {r.target for r in server.hits("calendar")}
    assert 1 < len(targets) <= defaults.SCOPE_MAX_QUERY_VARIANTS + 1
    # Two chains ("previous", "next"), each cut SCOPE_MAX_QUERY_HOPS hops past the
    # first variant; besides them the bare path and its own month as a variant.
    assert len(targets) <= 2 * (defaults.SCOPE_MAX_QUERY_HOPS + 1) + 2
    assert trap_examples(crawl, "/calendar?") & {"trap:query_variants", "trap:query_hops"}


# --- sizes, charsets and odd bodies -----------------------------------------------------------
def test_oversize_body_is_cut_at_the_cap_and_marked_length(crawl: Crawl) -> None:
    rec = only_response(crawl, "oversize")
    assert rec.truncated == "length"
    assert rec.payload == b"o" * MAX_SIZE
    assert rec.header("Content-Length") == str(fs.OVERSIZE_LENGTH)
    assert crawl.report["truncated"].get("length", 0) >= 1


@pytest.mark.parametrize("name,body", [
    ("wrong-charset", fs.WRONG_CHARSET_BODY), ("binary-as-html", fs.BINARY_BODY),
    ("nul-bytes", fs.NUL_BODY), ("deep-nesting", fs.DEEP_BODY),
])
def test_odd_bodies_are_recorded_faithfully(crawl: Crawl, name: str, body: bytes) -> None:
    rec = only_response(crawl, name)
    assert rec.payload == body
    assert rec.truncated is None


def test_links_after_nul_bytes_are_still_followed(crawl: Crawl, server: fs.FaultServer) -> None:
    assert [r for r in server.requests if r.path == "/fault/after-nul"]


def test_empty_200_is_recorded(crawl: Crawl) -> None:
    rec = only_response(crawl, "empty-200")
    assert rec.status.startswith("200")
    assert rec.payload == b""
    assert rec.header("Content-Length") == "0"


# --- XML ----------------------------------------------------------------------------------------
def test_sitemap_entities_neither_leak_nor_explode(crawl: Crawl, server: fs.FaultServer) -> None:
    # The sitemap was read: its plain entry was fetched...
    assert [r for r in server.requests if r.path == "/fault/sitemap-listed"]
    # ...but no external entity was resolved: the secret file never left the disk,
    # the external HTTP entity was never fetched, and no billion laughs expanded.
    assert not [r for r in server.requests if server.secret in r.target]
    assert not [r for r in server.requests if r.path == "/fault/xxe-fetched"]
    assert not [r for r in server.requests if "lollol" in r.target]
    assert not [r for r in crawl.records if server.secret.encode() in r.payload]
    assert only_response(crawl, "sitemap-xxe").payload == \
        fs.hostile_sitemap(server.secret_path, server.port)


def test_report_groups_outcomes_by_reason(crawl: Crawl) -> None:
    report = crawl.report
    by_reason: dict[str, int] = defaultdict(int)
    for key, value in report["errors"].items():
        by_reason[key.rsplit(".", 1)[-1]] += value
    assert {"ResponseTimeout", "NoResponse", "BadStatusLine", "HeadTooLarge"} <= set(by_reason)
    assert {"length", "time", "disconnect", "framing"} <= set(report["truncated"])
    assert {"out_of_scope", "trap:repeating_segments", "trap:query_params"} <= \
        set(report["skipped"])


# --- links and sitemaps no request can be made for: a small site of their own -------------
TINY_HOST = "tiny.test"
TINY = f"http://{TINY_HOST}/"
BAD_LINKS = {"http://host:N./": "invalid_url:port",
             "http://www.akershus.no:99999/": "invalid_url:port",
             "http://[::1/": "invalid_url:host"}
LINKS_PAGE = ("<!DOCTYPE html><html><head><title>Lenker</title></head><body>"
              + "".join(f"<a href='{url}'>bad</a>" for url in BAD_LINKS)
              + f"<a href='/good-1'>one</a><a href='{TINY}good-2'>two</a></body></html>")
SITEMAP_BAD_LOC = f"http://{TINY_HOST}:99999/from-sitemap"
LINKS_SITEMAP = ("<?xml version='1.0' encoding='UTF-8'?>"
                 "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                 f"<url><loc>{SITEMAP_BAD_LOC}</loc></url>"
                 f"<url><loc>{TINY}from-sitemap</loc></url></urlset>")
ROBOTS_BAD_SITEMAP = "http://[::1/kart.xml"
HTML_ERROR_PAGE = (b"<!DOCTYPE html><html><head><title>Feil</title></head>"
                   b"<body><h1>Noe gikk galt</h1></body></html>")


class TinySite:
    """Fixed answers on 127.0.0.1 (http.server in a thread); every other path is a 404."""

    def __init__(self, answers: dict[str, tuple[str, bytes]]) -> None:
        import http.server

        self.answers = answers
        self.paths: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.paths.append(self.path)
                ctype, body = site.answers.get(self.path, ("text/html", b"<p>nothing</p>"))
                self.send_response(200 if self.path in site.answers else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def page_answer(body: str) -> tuple[str, bytes]:
    return "text/html; charset=utf-8", body.encode()


def crawl_tiny(site: TinySite, out: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Crawl the tiny site as a user would (CLI, logs on stderr); the process and its report."""
    proc = cli("crawl", TINY, "--out", str(out), "--delay", "0",
               "--connect-to", f"{TINY_HOST}:80:127.0.0.1:{site.port}", timeout=CRAWL_TIMEOUT)
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    return proc, report


def assert_clean(proc: subprocess.CompletedProcess[str], report: dict) -> None:
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    assert " ERROR: " not in proc.stderr, proc.stderr[-4000:]
    assert report["finish_reason"] == "finished"


def test_bad_links_are_skipped_one_by_one_and_the_rest_crawled(tmp_path: Path) -> None:
    answers = {
        "/": page_answer(LINKS_PAGE),
        "/good-1": page_answer("<p>one</p>"),
        "/good-2": page_answer("<p>two</p>"),
        "/from-sitemap": page_answer("<p>listed</p>"),
        "/sitemap.xml": ("application/xml", LINKS_SITEMAP.encode()),
        "/robots.txt": ("text/plain", (f"User-agent: *\nAllow: /\nSitemap: {ROBOTS_BAD_SITEMAP}\n"
                                       f"Sitemap: {TINY}sitemap.xml\n").encode()),
    }
    with TinySite(answers) as site:
        proc, report = crawl_tiny(site, tmp_path / "out")
    assert_clean(proc, report)
    assert {"/", "/good-1", "/good-2", "/from-sitemap"} <= set(site.paths)
    examples = report["skipped_examples"]
    for url, reason in BAD_LINKS.items():
        assert url in examples[reason], (url, reason, examples)
    assert SITEMAP_BAD_LOC in examples["invalid_url:port"]
    assert ROBOTS_BAD_SITEMAP in examples["invalid_url:host"]
    assert report["skipped"]["invalid_url:port"] == 3  # two links and the sitemap's loc
    assert report["skipped"]["invalid_url:host"] == 2  # a link and robots.txt's sitemap
    # the page's record of its outlinks names the bad ones and why they were left out
    meta = next(r for r in read_records(tmp_path / "out" / "warc")
                if r.rec_type == "metadata" and r.uri == TINY).payload.decode()
    for url, reason in BAD_LINKS.items():
        assert f"skipped: {url} {reason}" in meta


@pytest.mark.parametrize("where,body,reason", [
    ("/sitemap.xml", fs.BINARY_BODY[:4096], "sitemap:not_xml"),
    ("/sitemap.xml", b"", "sitemap:not_xml"),
    ("/kart.xml", HTML_ERROR_PAGE, "sitemap:not_sitemap"),  # named by robots.txt
], ids=["random-bytes", "empty", "html-error-page"])
def test_a_sitemap_that_is_no_xml_is_a_reported_skip(tmp_path: Path, where: str, body: bytes,
                                                     reason: str) -> None:
    robots = "User-agent: *\nAllow: /\n" + (f"Sitemap: {TINY}kart.xml\n"
                                             if where != "/sitemap.xml" else "")
    answers = {
        "/": page_answer(f"<a href='/after'>after</a><a href='{TINY}good-2'>two</a>"),
        "/after": page_answer("<p>after</p>"),
        "/good-2": page_answer("<p>two</p>"),
        where: ("application/xml", body),
        "/robots.txt": ("text/plain", robots.encode()),
    }
    with TinySite(answers) as site:
        proc, report = crawl_tiny(site, tmp_path / "out")
    assert_clean(proc, report)
    assert where in site.paths and {"/after", "/good-2"} <= set(site.paths)
    assert report["skipped"] == {reason: 1}
    assert report["skipped_examples"][reason] == [TINY + where.lstrip("/")]


def test_a_relative_sitemap_line_in_robots_is_read_against_robots(tmp_path: Path) -> None:
    listed = ("<?xml version='1.0' encoding='UTF-8'?>"
              "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
              f"<url><loc>{TINY}only-in-sitemap</loc></url></urlset>")
    answers = {
        "/": page_answer("<p>front</p>"),
        "/only-in-sitemap": page_answer("<p>listed</p>"),
        "/kart/relativ.xml": ("application/xml", listed.encode()),
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\nSitemap: /kart/relativ.xml\n"),
    }
    with TinySite(answers) as site:
        proc, report = crawl_tiny(site, tmp_path / "out")
    assert_clean(proc, report)
    assert "/kart/relativ.xml" in site.paths and "/only-in-sitemap" in site.paths


def test_recorded_server_errors_are_not_crawl_errors_in_the_log(crawl: Crawl) -> None:
    lines = crawl.log.splitlines()
    given_up = [line for line in lines if BASE + "500" in line and "Recorded" in line]
    assert given_up and all("ERROR" not in line for line in given_up), given_up
    assert not any("Gave up retrying" in line for line in lines)
    unrecorded = [line for line in lines if "Could not record" in line and "no-response" in line]
    assert unrecorded and all("ERROR" in line for line in unrecorded), unrecorded
