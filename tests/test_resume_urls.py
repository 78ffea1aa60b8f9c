"""Resume equals an uninterrupted crawl for every URL form.

A property over sites whose links use odd forms of their URLs (tests/urlsite.py):
the site is crawled once without interruption, then again into another
directory, killed with SIGKILL each time the archive grows past a threshold
and resumed until it finishes. The two archives must hold the same captures,
URL for URL and payload digest for payload digest, and the interrupted crawl
must fetch no URL more often than the uninterrupted one.

Hypothesis draws the site's seed and the kill points, derandomized and without
shrinking (each example is a few crawls), so the run is bounded and the same
on every machine; the explicit examples spread kills early and late. Faster
properties check the pieces the crawl property rests on: the form a link is
kept in, the metadata record that carries it to a resumed crawl, and the
scope and trap rules on IDN hosts and escape variants.
"""

from __future__ import annotations

import html
import signal
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from conftest import ROOT, records
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler
from test_render_support import Exchange, write_warc
from test_resume import archived_bytes, captures, crawl_args, response_counts, wait_for_growth
from urlsite import (
    CALENDAR_KEPT,
    FAMILIES,
    HOST,
    IDN_ASCII,
    IDN_HOST,
    SEED,
    Node,
    Site,
    SiteServer,
    key,
)
from warcio.statusandheaders import StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

import crawler.settings as defaults
from crawler.handler import RecordingDownloadHandler
from crawler.links import Outlink, absolute, html_outlinks, request_url, url_problem
from crawler.resume import ArchiveState, redirect_target, scan
from crawler.scope import PAGE, REQUISITE, Scope, ScopeMiddleware, TrapRules
from crawler.spiders.akershus import AkershusSpider, outlink_fields
from crawler.wire import Exchange as WireExchange
from crawler.wire import parse_head

CRAWL_TIMEOUT = 120
# Refetched on every run by design: robots.txt and the sitemap it names come back as revisits.
ASKED_EACH_RUN = ("/robots.txt", "/kart.xml")


def site_args(out: Path, server: SiteServer) -> list[str]:
    """The crawl command of tests/test_resume.py, pointed at the site, its IDN host in scope."""
    return crawl_args(out, server.port) + server.connect_to() + ["--extra-host", IDN_HOST]


def crawl(out: Path, server: SiteServer) -> None:
    proc = subprocess.run(site_args(out, server), cwd=ROOT, capture_output=True, text=True,
                          timeout=CRAWL_TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]


def crawl_killed(out: Path, server: SiteServer, full: int, percents: list[int]) -> int:
    """Kill the crawl with SIGKILL as the archive passes each threshold; resume to the end."""
    kills = 0
    for percent in percents:
        proc = subprocess.Popen(site_args(out, server), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        wait_for_growth(proc, out, full * percent // 100, time.monotonic() + CRAWL_TIMEOUT)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    crawl(out, server)
    return kills


def fetches(archive_dir: Path) -> Counter[str]:
    """Responses and revisits by URL, less what every run asks again by design."""
    return Counter(rec.rec_headers.get_header("WARC-Target-URI")
                   for _n, rec in records(archive_dir) if rec.rec_type in {"response", "revisit"}
                   and not rec.rec_headers.get_header("WARC-Target-URI").endswith(ASKED_EACH_RUN))


def expected_keys(site: Site) -> tuple[set[str], set[str]]:
    """(nodes an uninterrupted crawl must fetch, nodes it must not).

    Not: the page robots.txt disallows (whatever spelling links it), the calendar
    days past the query-hop rule.
    """
    never = {n.key for n in site.nodes.values() if n.kind == "private"}
    never |= {n.key for n in site.nodes.values()
              if n.path == "/kalender/år" and int(n.query[0][1]) >= CALENDAR_KEPT}
    return set(site.nodes) - never, never


def differences(ref: set[tuple[str, str]], out: set[tuple[str, str]]) -> str:
    missing = "\n  ".join(f"{u} {d}" for u, d in sorted(ref - out))
    extra = "\n  ".join(f"{u} {d}" for u, d in sorted(out - ref))
    return f"\nmissing after resume:\n  {missing}\nnot in the uninterrupted crawl:\n  {extra}"


# -- the property -----------------------------------------------------------------------------
@settings(max_examples=3, derandomize=True, database=None, deadline=None,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is crawls
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1),
       steps=st.lists(st.integers(min_value=8, max_value=30), min_size=2, max_size=4))
@example(seed=1, steps=[4, 20, 20, 25])
@example(seed=2019, steps=[30, 30, 25])
def test_resume_equals_uninterrupted_crawl_for_every_url_form(seed: int, steps: list[int]) -> None:
    percents = [p for p in (sum(steps[:i + 1]) for i in range(len(steps))) if p <= 90]
    site = Site(seed)
    assert FAMILIES <= site.forms.used, FAMILIES - site.forms.used
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        reference, out = Path(tmp) / "uninterrupted", Path(tmp) / "killed"
        crawl(reference, server)
        ref_captures = captures(reference)
        # the site was crawled as built: every form reached its node, the IDN host
        # included, and the calendar ended where the query-hop rule ends it
        fetched = {key(uri) for uri, _digest in ref_captures}
        must, never = expected_keys(site)
        assert must <= fetched, sorted(must - fetched)
        assert not never & fetched, sorted(never & fetched)

        kills = crawl_killed(out, server, archived_bytes(reference), percents)
        assert kills == len(percents)
        assert captures(out) == ref_captures, differences(ref_captures, captures(out))
        ref_fetches, out_fetches = fetches(reference), fetches(out)
        again = {u: (n, ref_fetches[u]) for u, n in out_fetches.items() if n > ref_fetches[u]}
        assert not again, f"fetched more often than uninterrupted (resumed, uninterrupted): {again}"
        assert max(response_counts(out).values()) == 1


# -- the pieces it rests on -------------------------------------------------------------------
PIECES = ["a", "ø", "å", "%c3%a5", "%C3%A5", "%2e%2e", "%2E", "..", ".", "%2F", "%2f", "%252F",
          "%25", "%", " ", "|", ";p=1", "~", "%7E", "+", "\\", "\t", "=", "&", "?", "#", "#x",
          "'", '"', "<", "[", "@", ":", "/", "/", "/", "//"]
PREFIXES = ["", "/", "../../", "/../../", "//www.akershus.no/", "http://www.akershus.no/",
            "HTTP://WWW.Akershus.NO:80/", f"http://{IDN_HOST}/", f"http://{IDN_ASCII.upper()}/",
            "http://BÆRUM.example/"]
BASES = ["http://www.akershus.no/", "http://www.akershus.no/a/b/c", f"http://{IDN_ASCII}/x/",
         "http://www.akershus.no/%C3%A5/?q=%C3%B8"]
hrefs = st.builds(lambda prefix, parts: prefix + "".join(parts), st.sampled_from(PREFIXES),
                  st.lists(st.sampled_from(PIECES), max_size=10))


def metadata_record(uri: str, body: bytes) -> bytes:
    """A metadata record as the spider writes it, as bytes of a WARC file."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warc_record(
        uri, "metadata", payload=BytesIO(body), warc_content_type="application/warc-fields"))
    return buffer.getvalue()


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(href=hrefs, base=st.sampled_from(BASES), tag=st.sampled_from(["a", "img"]))
def test_a_link_is_kept_as_it_is_requested_and_read_back_by_resume(
        tmp_path_factory: pytest.TempPathFactory, href: str, base: str, tag: str) -> None:
    """The live crawl and a resumed one compare the same strings.

    A link is kept in the form Scrapy requests it in (the WARC-Target-URI a
    resumed crawl finds in ``done``), its identity unchanged, and the metadata
    record carries it to a resumed crawl unchanged, spaces and all.
    """
    attr = "href" if tag == "a" else "src"
    links = html_outlinks(base, f'<{tag} {attr}="{html.escape(href, quote=True)}">x</{tag}>')
    for link in links:
        if url_problem(link.url) is not None:  # counted as invalid by the spider
            continue
        assert Request(link.url).url == link.url, link  # what is requested and archived
        assert request_url(link.url) == link.url, link  # read back, it stays what it is
        # the same resource as the link as written (urlsite.key: the server's view)
        assert key(link.url) == key(absolute(base, href) or ""), link
    folder = tmp_path_factory.mktemp("meta")
    (folder / "a.warc.gz").write_bytes(metadata_record(base, outlink_fields(
        2, [(link, None, "out_of_scope" if i % 2 else None) for i, link in enumerate(links)])))
    state = scan(folder)
    assert state.links[base] == [link for i, link in enumerate(links) if not i % 2]
    assert state.hops[base] == 2


@pytest.mark.parametrize("extra", [IDN_HOST, IDN_ASCII, IDN_ASCII.upper(), "BÆRUM.example"])
@pytest.mark.parametrize("link", [f"http://{IDN_HOST}/x/", f"http://{IDN_ASCII}/x/",
                                  "http://BÆRUM.EXAMPLE/x/", f"http://{IDN_ASCII.upper()}/x/"])
def test_an_idn_host_is_in_scope_however_it_is_written(extra: str, link: str) -> None:
    scope = Scope.build([f"http://{HOST}/"], [extra], [], [], [], [])
    assert scope.check(link, PAGE) is None
    assert scope.check(Request(link).url, PAGE) is None  # as the scope middleware sees it
    assert scope.check(f"http://static.{IDN_ASCII}/s.css", REQUISITE) is None


def test_a_url_prefix_is_compared_as_urls_are_requested() -> None:
    """Links are kept escaped (request_url): a prefix written with å still holds them."""
    scope = Scope.build([f"http://{HOST}/"], [], [f"http://{HOST}/å/"], [], [], [])
    assert scope.check(request_url(f"http://{HOST}/å/x/"), PAGE) is None
    assert scope.check(request_url(f"http://{HOST}/a/x/"), PAGE) == "out_of_scope"


def test_an_idn_seed_is_its_own_scope() -> None:
    scope = Scope.build([f"http://{IDN_HOST}/"], [], [], [], [], [])
    assert scope.check(f"http://{IDN_ASCII}/x/", PAGE) is None
    assert scope.check(f"http://{HOST}/x/", PAGE) == "out_of_scope"


def test_escape_variants_of_a_path_share_one_query_hop_budget() -> None:
    """The calendar rule counts hops per resource, not per spelling of its path."""
    forms = ["http://www.akershus.no/kalender/år?dag={}",
             "http://www.akershus.no/kalender/%c3%a5r?dag={}",
             "http://WWW.akershus.no/zz/../kalender/%C3%A5r?dag={}"]
    rules = TrapRules(max_query_hops=3)
    verdicts = [rules.check(forms[day % 3].format(day), hops=1 + day) for day in range(6)]
    assert verdicts == [None] * 4 + ["trap:query_hops"] * 2


def spider_resuming(done: set[str]) -> AkershusSpider:
    """The site spider as a resumed crawl makes it, holding ``done`` (no reactor needed)."""
    crawler = get_crawler(AkershusSpider, {k: getattr(defaults, k) for k in dir(defaults)
                                           if k.startswith("SCOPE_")})
    spider = AkershusSpider.from_crawler(crawler, urls=SEED,
                                         archive_state=ArchiveState(done=set(done)))
    crawler.spider = spider
    return spider


def test_resume_keys_what_it_holds_as_the_duplicate_filter_does() -> None:
    """Held under one spelling (an older archive's), not fetched again under another."""
    spider = spider_resuming({SEED, "http://www.akershus.no/stil/%c3%a5.css",
                              "http://www.akershus.no/../s%C3%B8k/"})
    for url, hop in [("http://www.akershus.no/stil/%C3%A5.css", "E"),
                     ("http://www.akershus.no/s%C3%B8k/", "L")]:
        assert spider.decide(Outlink(url, hop, "a/@href"), 1) == (None, None), url
    request, _reason = spider.decide(Outlink("http://www.akershus.no/ny/", "L", "a/@href"), 1)
    assert request is not None and request.url == "http://www.akershus.no/ny/"
    assert spider.decide(Outlink("http://www.akershus.no/ny/", "L", "a/@href"), 2) == (None, None)


def test_a_redirect_is_asked_for_once_by_its_normalised_url() -> None:
    spider = spider_resuming({SEED, "http://www.akershus.no/stil/%C3%A5.css"})
    middleware = ScopeMiddleware(spider.crawler)
    held = Request("http://www.akershus.no:80/zz/../stil/%c3%a5.css",
                   meta={"redirect_times": 1, "kind": REQUISITE})
    with pytest.raises(IgnoreRequest):  # the archive holds it: a resumed crawl's filter is empty
        middleware.process_request(held)
    moved = Request("http://WWW.akershus.no:80/zz/%2e%2e/ny/?b=1&a=%c3%a5#x",
                    meta={"redirect_times": 1, "kind": PAGE, "hops": 1})
    again = middleware.process_request(moved)
    assert isinstance(again, Request) and again.dont_filter
    assert again.url == "http://www.akershus.no/ny/?b=1&a=%c3%a5"  # the query as linked
    assert middleware.process_request(again) is None  # on its way to the wire
    with pytest.raises(IgnoreRequest):  # an equivalent spelling of it: asked for already
        middleware.process_request(moved.replace(url="http://www.akershus.no:80/x/../ny/?b=1&a=%c3%a5"))
    link = spider.decide(Outlink("http://www.akershus.no/ny/./?b=1&a=%c3%a5", "L", "a/@href"), 1)
    assert link == (None, None)
    # the query is what the server is asked, in its order: another order is another URL
    other, _reason = spider.decide(Outlink("http://www.akershus.no/ny/?a=%c3%a5&b=1", "L", "a/@href"), 1)
    assert other is not None and other.url == "http://www.akershus.no/ny/?a=%c3%a5&b=1"


def test_a_page_archived_as_a_revisit_keeps_its_links(tmp_path: Path) -> None:
    """Killed after a revisit of a page and before its metadata record: its links are read
    from the record it revisits, against its own URL, as the spider read them."""
    body = b'<html><body><a href="b/">b</a></body></html>'
    first = Exchange("http://www.akershus.no/a/", "2019-06-20T08:15:32Z", body)
    second = Exchange("http://www.akershus.no/kopi/a/", "2019-06-20T08:15:33Z", body,
                      revisit_of=first)
    write_warc(tmp_path / "a.warc.gz", [first, second])
    state = scan(tmp_path)
    assert state.links[second.url] == [Outlink("http://www.akershus.no/kopi/a/b/", "L",
                                               "a/@href")]


def test_a_page_is_decoded_as_the_spider_decoded_it(tmp_path: Path) -> None:
    """A page of ISO-8859-1 that says so in its markup only: its links are the spider's."""
    body = ('<html><head><meta charset="iso-8859-1"></head><body>'
            '<a href="/søk/">s</a></body></html>').encode("latin-1")
    page = Exchange("http://www.akershus.no/", "2019-06-20T08:15:32Z", body,
                    content_type="text/html")
    write_warc(tmp_path / "a.warc.gz", [page])
    assert [o.url for o in scan(tmp_path).links[page.url]] == ["http://www.akershus.no/s%C3%B8k/"]


def test_a_page_without_content_type_is_read_as_the_spider_read_it(tmp_path: Path) -> None:
    """Scrapy sniffs it as HTML and the spider follows its links; so does resume."""
    page = Exchange("http://www.akershus.no/", "2019-06-20T08:15:32Z",
                    b'<html><body><a href="/%c3%a5/">a</a></body></html>', content_type="")
    write_warc(tmp_path / "a.warc.gz", [page])
    assert [o.url for o in scan(tmp_path).links[page.url]] == ["http://www.akershus.no/%C3%A5/"]


def test_a_redirected_requisite_stays_a_requisite(tmp_path: Path) -> None:
    """An image that moved to the static host is still fetched after a resume (the live
    crawl's redirected request keeps its kind; a page there would be out of scope)."""
    page, image = "http://www.akershus.no/", "http://www.akershus.no/bilde/gammel.png"
    moved = "http://static.akershus.no/bilde/ny.png"
    write_warc(tmp_path / "a.warc.gz", [
        Exchange(page, "2019-06-20T08:15:32Z", f'<img src="{image}">'.encode()),
        Exchange(image, "2019-06-20T08:15:33Z", b"", status="301 Moved",
                 headers=[("Location", moved)])])
    frontier = {link.url: link for link, _hops in scan(tmp_path).frontier([page])}
    assert frontier[moved].hop == "E"
    spider = spider_resuming({page, image})
    request, reason = spider.decide(frontier[moved], 0)
    assert reason is None and request is not None and request.meta["kind"] == REQUISITE


def test_a_raw_utf8_location_is_followed_as_resume_reads_it() -> None:
    uri = "http://www.akershus.no/flyttet/"
    head = b"HTTP/1.1 301 Moved Permanently\r\nLocation: /\xc3\xa5-ny/\r\nContent-Length: 0\r\n\r\n"
    protocol, status, reason, headers = parse_head(head)
    crawler = get_crawler()
    exchange = WireExchange(url=uri, started_at=datetime.now(UTC), request_bytes=b"",
                            head=head, status=status, reason=reason, protocol=protocol,
                            headers=headers)
    response = RecordingDownloadHandler(crawler).to_response(Request(uri), exchange)
    followed = RedirectMiddleware.from_crawler(crawler).process_response(Request(uri), response)
    live = request_url(followed.url)
    archived = StatusAndHeadersParser([], verify=False).parse(BytesIO(head))
    assert redirect_target(uri, archived.get_header("Location")) == live
    assert live == "http://www.akershus.no/%C3%A5-ny/"  # what browsers follow


def test_urlsite_forms_reach_their_nodes() -> None:
    """The test site itself: every form it calls the same names its node (checked as built)."""
    for seed in range(20):
        site = Site(seed)
        assert FAMILIES <= site.forms.used
        front = site.nodes[key(f"http://{HOST}/")]
        assert isinstance(front, Node) and front.links
        status, _headers, body = site.answer(HOST, "/")
        assert status == "200 OK" and len(body) > 2000
        assert site.answer(HOST, "/") == (status, _headers, body)
