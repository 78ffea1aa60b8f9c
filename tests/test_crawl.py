"""A real crawl of the replica, read back from its WARC files with warcio."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import cli, records
from warcio.archiveiterator import ArchiveIterator

from replica.inventory import all_urls
from replica.site import render_response

SEED_PAGE = ("http://www.akershus.no/ansvarsomrader/internasjonalt/"
             "hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/")
EXPECTED_KINDS = {"page", "news", "listing", "requisite", "document", "redirect", "missing",
                  "robots", "sitemap"}


@pytest.fixture(scope="module")
def archive(replica_crawl: Path) -> dict:
    """Every record of the crawl, grouped for the assertions below."""
    by_type: dict[str, list] = defaultdict(list)
    blocks: dict[str, bytes] = {}
    for path in sorted((replica_crawl / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                rid = record.rec_headers.get_header("WARC-Record-ID")
                blocks[rid] = record.raw_stream.read()
    for _name, record in records(replica_crawl):  # digests checked here
        assert not record.digest_problems, record.digest_problems
        by_type[record.rec_type].append(record)
    return {"by_type": by_type, "blocks": blocks, "dir": replica_crawl}


def uri(record) -> str:
    return record.rec_headers.get_header("WARC-Target-URI")


def captured(archive: dict) -> Counter[str]:
    return Counter(uri(r) for r in archive["by_type"]["response"] + archive["by_type"]["revisit"])


def test_every_replica_url_archived_exactly_once(archive: dict) -> None:
    counts = captured(archive)
    expected = [e for e in all_urls() if e.kind in EXPECTED_KINDS
                and (e.linked or e.in_sitemap) and not e.robots_disallowed]
    assert len([e for e in expected if e.kind in {"page", "news"}]) >= 40
    missing = [e.url for e in expected if counts[e.url] == 0]
    assert not missing, f"not archived: {missing[:10]}"
    twice = {u: n for u, n in counts.items() if n > 1}
    assert not twice, f"archived more than once: {twice}"


def test_records_are_byte_for_byte_what_the_server_sent(archive: dict) -> None:
    """Request records replayed against the replica give exactly the response block."""
    requests = {r.rec_headers.get_header("WARC-Concurrent-To"): r
                for r in archive["by_type"]["request"]}
    compared = Counter()
    for resp in archive["by_type"]["response"]:
        rid = resp.rec_headers.get_header("WARC-Record-ID")
        req = requests[rid]
        head = archive["blocks"][req.rec_headers.get_header("WARC-Record-ID")]
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
        host = {k.lower(): v for k, v in headers}["host"]
        sent = render_response(method, target, host, headers, version=version)
        assert archive["blocks"][rid] == sent, f"{uri(resp)} differs from what was sent"
        te = resp.http_headers.get_header("Transfer-Encoding") or ""
        ce = resp.http_headers.get_header("Content-Encoding") or ""
        compared["chunked" if "chunked" in te else "plain"] += 1
        compared["gzip" if "gzip" in ce else "identity"] += 1
        if "chunked" in te and "gzip" in ce:
            compared["both"] += 1
    assert compared["chunked"] and compared["gzip"] and compared["both"], compared


def test_gzip_stays_gzip_and_chunks_stay_framed(archive: dict) -> None:
    for resp in archive["by_type"]["response"]:
        block = archive["blocks"][resp.rec_headers.get_header("WARC-Record-ID")]
        body = block.split(b"\r\n\r\n", 1)[1]
        te = resp.http_headers.get_header("Transfer-Encoding") or ""
        ce = resp.http_headers.get_header("Content-Encoding") or ""
        if "chunked" in te:
            assert body.split(b"\r\n", 1)[0].strip().isalnum()  # a hex chunk size first
            assert body.endswith(b"0\r\n\r\n")
        elif "gzip" in ce:
            assert body[:2] == b"\x1f\x8b"
        if "gzip" in ce:
            # readers get the decoded page through the standard decoding
            assert resp.raw.lstrip().startswith((b"<!DOCTYPE", b"<html", b"<?xml", b"/*", b"body", b"@"))


def test_percent_3f_page_under_its_own_url(archive: dict, replica) -> None:
    counts = captured(archive)
    assert counts[SEED_PAGE] == 1
    decoded = SEED_PAGE.replace("%3F", "?")
    assert counts[decoded] == 0
    page = next(r for r in archive["by_type"]["response"] if uri(r) == SEED_PAGE)
    text = page.raw.decode("utf-8")
    assert "Tematiske prioriteringer" in text and "570 000 innbyggere" in text
    targets = {r["target"] for r in replica.crawl_requests}
    assert urlsplit(SEED_PAGE).path in targets
    assert not any("internasjonalt?" in t for t in targets)


def test_iso_8859_1_page_bytes_unchanged(archive: dict) -> None:
    latin = [e for e in all_urls() if e.charset.lower() in {"iso-8859-1", "latin-1"}]
    assert latin
    for entry in latin:
        rec = next(r for r in archive["by_type"]["response"] if uri(r) == entry.url)
        assert "iso-8859-1" in rec.http_headers.get_header("Content-Type").lower()
        assert any(ch in rec.raw for ch in (b"\xe6", b"\xf8", b"\xe5"))  # æ ø å as latin-1
        with pytest.raises(UnicodeDecodeError):
            rec.raw.decode("utf-8")


def test_real_host_header_and_no_loopback_urls(archive: dict, replica) -> None:
    hosts = Counter(r["host"] for r in replica.crawl_requests)
    assert hosts["www.akershus.no"] > 40
    assert not any(h.startswith("127.") for h in hosts)
    assert all(uri(r).startswith(("http://www.akershus.no/", "http://static.akershus.no/",
                                  "http://akershus.no/"))
               for r in archive["by_type"]["response"])


def test_requisites_from_the_other_host_fetched(archive: dict) -> None:
    counts = captured(archive)
    static = [e for e in all_urls() if e.host == "static.akershus.no" and e.linked]
    assert static and all(counts[e.url] == 1 for e in static)


def test_robots_disallow_honoured(archive: dict, replica) -> None:
    counts = captured(archive)
    assert counts["http://www.akershus.no/robots.txt"] == 1
    disallowed = [e for e in all_urls() if e.robots_disallowed]
    assert disallowed
    targets = {(r["host"], r["target"]) for r in replica.crawl_requests}
    for entry in disallowed:
        assert (entry.host, entry.target) not in targets
    report = json.loads((archive["dir"] / "crawl-report.json").read_text())
    assert report["skipped"].get("robots", 0) >= 1


def test_unlinked_sitemap_page_found(archive: dict) -> None:
    counts = captured(archive)
    only_in_sitemap = [e for e in all_urls() if e.in_sitemap and not e.linked]
    assert only_in_sitemap
    assert all(counts[e.url] == 1 for e in only_in_sitemap)


def test_redirects_and_404s_recorded(archive: dict) -> None:
    statuses = {uri(r): int(r.http_headers.get_statuscode())
                for r in archive["by_type"]["response"]}
    redirects = [e for e in all_urls() if e.kind == "redirect" and e.linked]
    assert redirects
    for entry in redirects:
        assert statuses[entry.url] == 301
        rec = next(r for r in archive["by_type"]["response"] if uri(r) == entry.url)
        assert rec.http_headers.get_header("Location") == entry.location
    assert 404 in statuses.values()


def test_viken_never_requested(archive: dict, replica) -> None:
    assert not [r for r in replica.crawl_requests if "viken" in (r["host"] or "")]
    assert not [r for r in archive["by_type"]["request"] if "viken" in uri(r)]
    report = json.loads((archive["dir"] / "crawl-report.json").read_text())
    assert any("viken.no" in u for u in report["skipped_examples"]["out_of_scope"])


def test_calendar_trap_ends(archive: dict) -> None:
    days = [u for u in captured(archive) if "/kalender/" in u]
    assert 1 <= len(days) <= 41  # 20 days either side of the first one linked
    report = json.loads((archive["dir"] / "crawl-report.json").read_text())
    assert report["finish_reason"] == "finished"
    assert report["skipped"].get("trap:query_hops", 0) >= 1


def test_warc_structure(archive: dict) -> None:
    by_type = archive["by_type"]
    info = by_type["warcinfo"][0]
    fields = info.raw.decode()
    assert "software: akershus-archive" in fields and "robots: obey" in fields
    assert "crawl-settings:" in fields
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r in by_type["response"]}
    for req in by_type["request"]:
        to = req.rec_headers.get_header("WARC-Concurrent-To")
        resp = responses.get(to) or next(
            r for r in by_type["revisit"] if r.rec_headers.get_header("WARC-Record-ID") == to)
        assert uri(resp) == uri(req)
        assert resp.rec_headers.get_header("WARC-Date") == req.rec_headers.get_header("WARC-Date")
    for resp in by_type["response"]:
        h = resp.rec_headers
        assert h.get_header("WARC-IP-Address") == "127.0.0.1"
        assert h.get_header("WARC-Payload-Digest").startswith("sha1:")
        assert h.get_header("WARC-Block-Digest").startswith("sha1:")
        assert h.get_header("WARC-Date").endswith("Z")
    # a metadata record with outlinks for each HTML page
    meta = {uri(m): m.raw.decode() for m in by_type["metadata"]}
    assert "outlink: " in meta[SEED_PAGE]
    # WARC 1.1 5.9: no payload digest where the block has no payload; the block digest stays
    for m in by_type["metadata"] + by_type["warcinfo"] + by_type["request"]:
        assert m.rec_headers.get_header("WARC-Payload-Digest") is None, m.rec_type  # GETs
        assert m.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
    assert all(n.endswith(".warc.gz") for n in (p.name for p in (archive["dir"] / "warc").iterdir()))


def test_reason_phrase_and_repeated_headers_kept(archive: dict) -> None:
    page = next(r for r in archive["by_type"]["response"] if uri(r) == SEED_PAGE)
    block = archive["blocks"][page.rec_headers.get_header("WARC-Record-ID")]
    head = block.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert head.count(b"Set-Cookie:") + head.count(b"set-cookie:") >= 2


def test_verify_passes(archive: dict) -> None:
    proc = cli("verify", str(archive["dir"]))
    assert proc.returncode == 0, proc.stdout
    assert "OK" in proc.stdout


def test_report_summarises(archive: dict) -> None:
    report = json.loads((archive["dir"] / "crawl-report.json").read_text())
    assert report["pages"] >= 40
    assert report["by_status"]["200"] >= 40
    assert "text/html" in report["by_type"]
    assert report["bytes"] > 0 and report["duration_seconds"] > 0
