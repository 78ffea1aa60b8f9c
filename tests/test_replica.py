"""The replica site and its server, checked over real sockets on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from replica.inventory import all_urls, expected_crawl
from replica.server import ReplicaServer
from replica.site import Site, render_response

ROOT = Path(__file__).resolve().parents[1]
SEED = "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/"
SEED_PARENT = "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
LISTING = "/om-fylkeskommunen/pressesenter/pressemeldinger/"
WWW = "www.akershus.no"

# The text of the seed page (the one real page of the old site), title to last bullet.
SEED_LINES = """Internasjonal strategi
Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god utvikling i regionen og levere gode tjenester til befolkningen.
Et verktøy for å nå målsettinger på fylkeskommunens politikkområder.
Mange av utfordringene i Akershus sammenfaller med utfordringer andre steder i Europa. Som regional utviklingsaktør er det naturlig at fylkeskommunen  tar et ansvar for å mobilisere og dyktiggjøre kommuner, bedrifter og organisasjoner i Akershus til vellykket internasjonal samhandling.
Ved strategisk internasjonalt arbeid legger vi til rette for å utnytte de interessefellesskap som finnes, til beste for Akershus-samfunnet.
Internasjonalt samarbeid gir mulighet for resultater, utvikling og politisk dialog på alle områder. Internasjonalt arbeid kan også være et godt verktøy for å påvirke rammebetingelser som ikke avgjøres lokalt, regionalt eller nasjonalt. Ikke minst gjør internasjonal samhandling oss bedre i stand til å forstå og delta i det globaliserte og flerkulturelle samfunnet vi lever i.
Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god utvikling i regionen og levere gode tjenester til befolkningen.
Internasjonalt samarbeid er et verktøy for dialog, læring og utvikling på alle politikkområder.
Internasjonal kompetanse gjør Akershus’ innbyggere bedre rustet til å leve, studere og arbeide i et flerkulturelt og globalisert samfunn.
Internasjonal strategi 2014-2018
Fylkeskommunens internasjonale strategi viderefører, videreutvikler og spisser det internasjonale engasjementet som vi har hatt i en årrekke.
Både tematisk og geografisk prioritereres ressursene til områder hvor fylkeskommunen har tydelig ansvar og virkemidler, og der internasjonalt arbeid skaper merverdi for Akershus-samfunnet.
Overordnet målsetting for det internasjonale arbeidet
Akershus er et grønt og variert fylke der man finner både byer i sterk vekst og rurale jordbruksområder, hovedkontorene til mange av de største multinasjonale selskapene og Nordens største flyplass.
Fylket har 570 000 innbyggere, og det er forventet en økning på 200 000 frem mot 2040. Sammen med Oslo utgjør Akershus en hovedstadsregion med om lag 1,2 millioner innbyggere.
Den sterke veksten, kombinert med et innovativt næringsliv, gir både muligheter og utfordringer for Akershus. Dette gjelder ikke minst areal- og transportplanlegging, og hvordan dette kan gjøres på en miljømessig bærekraftig måte. Akershus fylkeskommune vil gjennom sitt internasjonale arbeid styrke sin kompetanse og sitt virkemiddelapparat for å realisere muligheter og takle utfordringer.
Dette gir følgende overordnede målsetting for det internasjonale arbeidet:
Akershus fylkeskommunes internasjonale engasjement skal bidra til å realisere fylkeskommunens målsettinger og oppgaveløsning.
Tematiske prioriteringer
For at det internasjonale arbeidet skal nå sine mål må det spisses inn mot relevante hovedutfordringer på hvert enkelt fagområde. Satsingsområdene bør ikke velges fordi de er internasjonale i sin karakter, men fordi fylkeskommunen gjennom internasjonalt arbeid kan styrke sin kompetanse og gjennomføringsevne. Den internasjonale strategien angir mål og strategier innenfor de følgende tre områdene:
Samferdsel og miljø
Nærings- og samfunnsutvikling
Ungdom og opplæring
"""


# -- helpers ----------------------------------------------------------------

def raw_request(port: int, method: str, target: str, host: str | None = WWW,
                headers: dict[str, str] | None = None) -> bytes:
    """Send one request on a fresh socket and read the whole response (server closes)."""
    lines = [f"{method} {target} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines.append("Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(h.split(": ", 1)) for h in header_lines]
    return int(status_line.split()[1]), headers, body  # type: ignore[return-value]


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def dechunk(body: bytes) -> tuple[bytes, list[int]]:
    """Decode chunked transfer coding by hand; also return the chunk sizes."""
    out, sizes, pos = bytearray(), [], 0
    while True:
        eol = body.index(b"\r\n", pos)
        size = int(body[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            assert body[pos:] == b"\r\n", "no trailers, then the final CRLF"
            return bytes(out), sizes
        out += body[pos:pos + size]
        assert body[pos + size:pos + size + 2] == b"\r\n"
        pos += size + 2
        sizes.append(size)


def decoded_body(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, body = split_response(raw)
    if header(headers, "Transfer-Encoding") == "chunked":
        body, _ = dechunk(body)
    else:
        assert len(body) == int(header(headers, "Content-Length") or -1)
    if header(headers, "Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, headers, body


def get(port: int, target: str, host: str | None = WWW, **hdrs: str) -> tuple[int, list, bytes]:
    headers = {k.replace("_", "-"): v for k, v in hdrs.items()}
    return decoded_body(raw_request(port, "GET", target, host, headers))


def soup(body: bytes, encoding: str = "utf-8") -> BeautifulSoup:
    return BeautifulSoup(body.decode(encoding), "html.parser")


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def srv() -> Iterator[ReplicaServer]:
    with ReplicaServer(era="2020") as server:
        yield server


@pytest.fixture(scope="module")
def srv2019() -> Iterator[ReplicaServer]:
    with ReplicaServer(era="2019") as server:
        yield server


# -- the site's pages --------------------------------------------------------

def test_at_least_40_pages_all_served_over_one_keep_alive_connection(srv: ReplicaServer) -> None:
    entries = all_urls("2020")
    pages = [e for e in entries if e.kind in ("page", "news") and e.host == WWW]
    hand_written = [e for e in pages if e.kind == "page"]
    assert len(hand_written) >= 40 and len(pages) >= 190
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    for entry in pages:
        conn.request("GET", entry.target, headers={"Host": WWW})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, entry.url
        assert b"<h1>" in body
    conn.close()
    peers = {r["peer"] for r in srv.requests if r["target"] in {p.target for p in pages}}
    assert len(peers) == 1, "all requests went over one persistent connection"


def test_seed_page_holds_the_seed_text_and_structure(srv: ReplicaServer) -> None:
    status, headers, body = get(srv.port, SEED)
    assert status == 200
    page = soup(body)
    text = norm(page.select_one("main").get_text(" "))
    for line in SEED_LINES.splitlines():
        assert norm(line) in text, line
    assert "fylkeskommunen\u00a0 tar et ansvar".encode() in body  # the seed's no-break space, kept
    assert page.h1.get_text() == "Internasjonal strategi"
    assert [h.get_text() for h in page.select(".article-body h2")] == [
        "Internasjonal strategi 2014-2018", "Overordnet målsetting for det internasjonale arbeidet",
        "Tematiske prioriteringer"]
    lists = page.select(".article-body ul")
    assert [len(ul.find_all("li")) for ul in lists] == [3, 3]
    assert [li.get_text() for li in lists[1].find_all("li")] == [
        "Samferdsel og miljø", "Nærings- og samfunnsutvikling", "Ungdom og opplæring"]
    assert [a.get_text() for a in page.select("#skiplinks a")] == [
        "Hopp til innhold", "Hopp til meny", "Hopp til hurtigsøk"]
    assert norm(page.select_one(".viken-notice").get_text()).startswith(
        "Akershus fylkeskommune er fra 01.01.2020 en del av Viken fylkeskommune.")
    assert page.select_one(".feedback-form legend").get_text() == "Fant du det du lette etter på denne siden?"
    pdf = page.select_one('.article-body a[href$=".pdf"]')["href"]
    status, headers, doc = get(srv.port, pdf)
    assert status == 200 and header(headers, "Content-Type") == "application/pdf"
    assert doc.startswith(b"%PDF-1.4") and b"Internasjonal strategi 2014-2018" in doc
    assert_valid_xref(doc)


def assert_valid_xref(doc: bytes) -> None:
    assert doc.rstrip().endswith(b"%%EOF")
    start = int(doc.rsplit(b"startxref", 1)[1].split()[0])
    assert doc[start:start + 4] == b"xref"
    rows = doc[start:].split(b"\n")[3:]
    number = 1
    for row in rows:
        if not row.endswith(b" n "):
            break
        offset = int(row[:10])
        assert doc[offset:].startswith(b"%d 0 obj" % number)
        number += 1
    assert number > 5


def test_percent_3F_is_part_of_the_path_not_a_query(srv: ReplicaServer) -> None:
    assert get(srv.port, SEED)[0] == 200
    assert get(srv.port, SEED.replace("%3F", "%3f"))[2] == get(srv.port, SEED)[2]
    status, _, body = get(srv.port, SEED.replace("%3F", "?"))
    assert status == 404 and b"Finner ikke siden" in body
    parent = soup(get(srv.port, SEED_PARENT)[2])
    assert SEED in [a["href"] for a in parent.select(".article-body a")]
    raw = [r["target"] for r in srv.requests]
    assert SEED in raw and SEED.replace("%3F", "?") in raw


def test_other_strategy_pages_have_their_own_headings_periods_and_figures(srv: ReplicaServer) -> None:
    plans = {
        "/ansvarsomrader/plan/regional-plan-for-areal-og-transport/": ("2015–2030", "Mål", "Strategier"),
        "/ansvarsomrader/folkehelse/folkehelsestrategi-2019-2023/": ("2019–2023", "Hovedmål", "Satsingsområder"),
        "/ansvarsomrader/klima-og-miljo/klimastrategi-2030/": ("2030", "Visjon", "Innsatsområder"),
    }
    for path, (period, goal, priorities) in plans.items():
        page = soup(get(srv.port, path)[2])
        assert period in page.h1.get_text()
        h2 = [h.get_text() for h in page.select(".article-body h2")]
        assert goal in h2 and priorities in h2 and "Tematiske prioriteringer" not in h2
        heading = page.find("h2", string=priorities)
        assert len(heading.find_next_sibling("ol").find_all("li")) >= 3
        assert re.search(r"\d+ (prosent|%)", page.select_one(".article-body").get_text())
    plan = soup(get(srv.port, next(iter(plans)))[2])
    pdf = plan.select_one('a[href$=".pdf"]')["href"]
    assert pdf.startswith("http://static.akershus.no/")
    status, _, doc = get(srv.port, urlsplit(pdf).path, host="static.akershus.no")
    assert status == 200 and doc.startswith(b"%PDF")


# -- robots, sitemap, 301, 404 ---------------------------------------------------

def test_robots_txt_disallows_search_and_intranet_which_pages_link_to(srv: ReplicaServer) -> None:
    status, headers, body = get(srv.port, "/robots.txt")
    assert status == 200 and header(headers, "Content-Type") == "text/plain"
    lines = body.decode().splitlines()
    assert "Disallow: /sok/" in lines and "Disallow: /intranett/" in lines
    assert "Sitemap: http://www.akershus.no/sitemap.xml" in lines
    page = soup(get(srv.port, "/ansvarsomrader/tannhelse/")[2])
    assert page.select_one("form#hurtigsok")["action"] == "/sok/"
    assert "/intranett/" in [a["href"] for a in page.select("footer a")]
    report = soup(get(srv.port, "/rapporter/arsrapport/2018/")[2])
    assert "/sok/" in [a["href"] for a in report.select(".skip a")]
    for path in ("/sok/", "/intranett/"):
        assert get(srv.port, path)[0] == 200
    flagged = {e.target for e in all_urls() if e.robots_disallowed}
    assert flagged == {"/sok/", "/intranett/"}


def test_sitemap_lists_a_page_no_other_page_links_to(srv: ReplicaServer) -> None:
    status, headers, body = get(srv.port, "/sitemap.xml", Accept_Encoding="gzip")
    assert status == 200 and header(headers, "Content-Encoding") == "gzip"
    locs = re.findall(r"<loc>([^<]+)</loc>", body.decode())
    orphan = "http://www.akershus.no/om-fylkeskommunen/historikk/fylkestingets-arkiv/"
    assert orphan in locs and len(locs) >= 190
    assert "http://www.akershus.no/sok/" not in locs
    entry = next(e for e in all_urls() if e.url == orphan)
    assert entry.in_sitemap and not entry.linked
    assert get(srv.port, urlsplit(orphan).path)[0] == 200
    linked = {e.url for e in all_urls() if e.linked}
    assert {u for u in locs if u != orphan} <= linked


def test_redirects_are_301(srv: ReplicaServer) -> None:
    status, headers, body = split_response(raw_request(srv.port, "GET", "/english/responsibilites/"))
    assert status == 301 and header(headers, "Location") == "/english/areas-of-responsibility/"
    assert b"Object moved" in body
    status, headers, _ = split_response(raw_request(srv.port, "GET", "/ansvarsomrader/?x=1", "akershus.no"))
    assert status == 301 and header(headers, "Location") == "http://www.akershus.no/ansvarsomrader/?x=1"
    page = soup(get(srv.port, "/english/areas-of-responsibility/")[2])
    assert page.html["lang"] == "en"


def test_unknown_paths_are_404_pages_and_a_page_has_a_broken_link(srv: ReplicaServer) -> None:
    status, headers, body = get(srv.port, "/finnes/ikke/")
    assert status == 404 and header(headers, "Content-Type") == "text/html; charset=utf-8"
    assert soup(body).h1.get_text() == "Finner ikke siden"
    missing = [e for e in all_urls() if e.kind == "missing" and e.linked]
    assert missing
    for entry in missing:
        assert get(srv.port, entry.target)[0] == 404
    assert get(srv.port, "/bilder/finnes-ikke.png", host="static.akershus.no")[0] == 404


# -- encodings and framing --------------------------------------------------------

def test_historikk_is_real_iso_8859_1(srv: ReplicaServer) -> None:
    status, headers, body = get(srv.port, "/om-fylkeskommunen/historikk/", Accept_Encoding="gzip")
    assert status == 200
    assert header(headers, "Content-Type") == "text/html; charset=ISO-8859-1"
    assert header(headers, "Content-Encoding") is None
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("iso-8859-1")
    for char in "æøåÆØÅ":
        assert char.encode("latin-1") in body and char in text
    assert '<meta charset="iso-8859-1">' in text


def test_gzip_when_accepted(srv: ReplicaServer) -> None:
    plain = raw_request(srv.port, "GET", "/static/css/akershus.css")
    zipped = raw_request(srv.port, "GET", "/static/css/akershus.css", headers={"Accept-Encoding": "gzip, deflate"})
    _, ph, pbody = split_response(plain)
    _, zh, zbody = split_response(zipped)
    assert header(ph, "Content-Encoding") is None and header(zh, "Content-Encoding") == "gzip"
    assert zbody[:2] == b"\x1f\x8b" and gzip.decompress(zbody) == pbody
    assert int(header(zh, "Content-Length") or 0) == len(zbody) < len(pbody)
    assert b"url(" in pbody  # the CSS references an image
    _, h, body = get(srv.port, "/ansvarsomrader/tannhelse/", Accept_Encoding="gzip")
    assert header(h, "Content-Encoding") == "gzip" and b"<h1>Tannhelse</h1>" in body
    _, h, _ = get(srv.port, "/static/img/akershus-logo.png", Accept_Encoding="gzip")
    assert header(h, "Content-Encoding") is None


def test_chunked_listing_with_and_without_gzip(srv: ReplicaServer) -> None:
    target = LISTING + "?n_lim=10&n_po=20"
    status, headers, body = split_response(raw_request(srv.port, "GET", target))
    assert status == 200 and header(headers, "Transfer-Encoding") == "chunked"
    assert header(headers, "Content-Length") is None
    html_bytes, sizes = dechunk(body)
    assert len(sizes) > 2 and len(set(sizes)) > 1
    status, headers, body = split_response(raw_request(srv.port, "GET", target, headers={"Accept-Encoding": "gzip"}))
    assert header(headers, "Transfer-Encoding") == "chunked" and header(headers, "Content-Encoding") == "gzip"
    assert gzip.decompress(dechunk(body)[0]) == html_bytes
    page = soup(html_bytes)
    assert len(page.select("ul.news-list > li")) == 10
    hrefs = [a["href"] for a in page.select("nav.pagination a")]
    assert LISTING + "?n_lim=10&n_po=10" in hrefs and LISTING + "?n_lim=10&n_po=30" in hrefs
    _, headers, _ = split_response(raw_request(srv.port, "GET", "/ansvarsomrader/videregaende-opplaring/skoler/"))
    assert header(headers, "Transfer-Encoding") == "chunked"


def test_press_archive_has_more_than_145_items_with_dates(srv: ReplicaServer) -> None:
    target, items = LISTING, []
    while target:
        page = soup(get(srv.port, target)[2])
        items += [a["href"] for a in page.select("ul.news-list > li > a")]
        nxt = page.select_one('nav.pagination a[rel="next"]')
        target = nxt["href"] if nxt else None
    assert len(items) == len(set(items)) >= 145
    item = soup(get(srv.port, items[-1])[2])
    assert item.body["class"] == ["page-news"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.select_one("p.news-date time")["datetime"])


def test_wire_bytes_equal_render_response(srv: ReplicaServer) -> None:
    cases = [("GET", SEED, {}), ("GET", LISTING + "?n_lim=10&n_po=10", {"Accept-Encoding": "gzip"}),
             ("HEAD", "/", {}), ("GET", "/english/responsibilites/", {}), ("GET", "/nope/", {})]
    for method, target, hdrs in cases:
        raw = raw_request(srv.port, method, target, WWW, hdrs)
        sent = {**hdrs, "Connection": "close"}
        assert raw == render_response(method, target, WWW, sent, "2020")
    head = split_response(raw_request(srv.port, "HEAD", "/"))
    assert head[2] == b"" and int(header(head[1], "Content-Length") or 0) > 1000


def test_response_headers_look_like_the_legacy_iis(srv: ReplicaServer) -> None:
    _, headers, _ = split_response(raw_request(srv.port, "GET", "/ansvarsomrader/kultur/"))
    names = [k for k, _ in headers]
    assert names[-1] == "Content-Length"
    assert names.index("Server") < names.index("X-Powered-By") < names.index("Date")
    assert names.count("Set-Cookie") == 2 and "x-frame-options" in names
    assert header(headers, "Server") == "Microsoft-IIS/8.5"
    assert header(headers, "Date") == "Mon, 14 Sep 2020 10:42:07 GMT"


# -- calendar, eras, hosts --------------------------------------------------------

def test_calendar_is_endless(srv: ReplicaServer) -> None:
    target = "/arrangementer/kalender/?dato=2019-09-01"
    entry = soup(get(srv.port, "/arrangementer/")[2])
    assert target in [a["href"] for a in entry.select(".article-body a")]
    for day in range(1, 41):
        status, _, body = get(srv.port, target)
        assert status == 200
        nxt = soup(body).select_one("a.next-day")["href"]
        assert nxt == f"/arrangementer/kalender/?dato={date(2019, 9, 1) + timedelta(days=day)}"
        target = nxt
    assert get(srv.port, "/arrangementer/kalender/?dato=2999-12-31")[0] == 200
    assert get(srv.port, "/arrangementer/kalender/?dato=2019-02-30")[0] == 404
    assert not [e for e in all_urls() if "kalender" in e.url]


def test_eras_differ_and_each_is_deterministic(srv: ReplicaServer, srv2019: ReplicaServer) -> None:
    new = soup(get(srv.port, SEED)[2])
    old = soup(get(srv2019.port, SEED)[2])
    assert new.select_one(".viken-notice") and not old.select_one(".viken-notice")
    assert "Hopp til sekundærmeny" in [a.get_text() for a in old.select("#skiplinks a")]
    assert "Hopp til sekundærmeny" not in [a.get_text() for a in new.select("#skiplinks a")]
    assert new.select_one(".viken-notice a")["href"] == "https://www.viken.no/"
    assert norm(new.select_one(".article-body").get_text()) == norm(old.select_one(".article-body").get_text())
    health = "/ansvarsomrader/folkehelse/folkehelsestrategi-2019-2023/"
    assert soup(get(srv.port, health)[2]).h1.get_text() != soup(get(srv2019.port, health)[2]).h1.get_text()
    news_new = len([e for e in all_urls("2020") if e.kind == "news"])
    news_old = len([e for e in all_urls("2019") if e.kind == "news"])
    assert news_old < news_new and news_new >= 145
    a = raw_request(srv2019.port, "GET", SEED)
    assert a == raw_request(srv2019.port, "GET", SEED)
    assert header(split_response(a)[1], "Date") == "Thu, 20 Jun 2019 08:15:32 GMT"
    assert Site("2019").render_response("GET", "/", WWW) == Site("2019").render_response("GET", "/", WWW)


def test_host_routing(srv: ReplicaServer) -> None:
    by_ip = get(srv.port, "/ansvarsomrader/", host=f"127.0.0.1:{srv.port}")
    assert by_ip[0] == 200 and by_ip[2] == get(srv.port, "/ansvarsomrader/")[2]
    status, _, body = get(srv.port, "/", host="www.viken.no")
    assert status == 200 and soup(body).h1.get_text() == "Viken fylkeskommune"
    assert any(r["host"] == "www.viken.no" for r in srv.requests)
    status, headers, png = get(srv.port, "/bilder/skolebygg.png", host="static.akershus.no")
    assert status == 200 and png.startswith(b"\x89PNG\r\n\x1a\n") and header(headers, "Content-Type") == "image/png"
    assert get(srv.port, "/bilder/skolebygg.png")[0] == 404  # not on www
    statics = [e for e in all_urls() if e.host == "static.akershus.no" and e.linked]
    assert {e.kind for e in statics} >= {"requisite", "document"}


def test_external_links_are_present_but_never_hosts_of_the_replica() -> None:
    entries = all_urls()
    assert not [e for e in entries if "viken.no" in e.host or "regjeringen" in e.host]
    site = Site("2020")
    body = site.render_response("GET", "/ansvarsomrader/plan/regional-plan-for-areal-og-transport/", WWW)
    assert b"https://www.regjeringen.no/" in body and b"https://www.viken.no/" in body


# -- request log, latency, process ----------------------------------------------------

def test_request_log_in_memory_and_file(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with ReplicaServer(era="2020", log_path=log) as server:
        raw_request(server.port, "GET", SEED, headers={"User-Agent": "test-agent/1"})
        raw_request(server.port, "GET", "/robots.txt", host="static.akershus.no")
        memory = server.requests
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert lines == memory and len(lines) == 2
    first = lines[0]
    assert first["method"] == "GET" and first["target"] == SEED and first["host"] == WWW
    assert ["User-Agent", "test-agent/1"] in first["headers"] and first["status"] == 200
    assert lines[1]["host"] == "static.akershus.no" and "time" in first


def test_latency_option_delays_each_response() -> None:
    with ReplicaServer(latency_ms=120) as server:
        start = time.monotonic()
        raw_request(server.port, "GET", "/robots.txt")
        assert time.monotonic() - start >= 0.12


def test_server_as_a_process(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "replica.server", "--port", "0", "--era", "2019",
                             "--log", str(log)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        port = urlsplit(url).port
        status, _, body = get(port, SEED)
        assert status == 200 and b"Hopp til sekund" in body and b"viken-notice" not in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert json.loads(log.read_text("utf-8").splitlines()[0])["target"] == SEED


def test_expected_crawl_follows_the_flags() -> None:
    polite = expected_crawl("2020")
    assert "http://www.akershus.no/sok/" not in polite
    assert "http://www.akershus.no/sok/" in expected_crawl("2020", obey_robots=False)
    orphan = "http://www.akershus.no/om-fylkeskommunen/historikk/fylkestingets-arkiv/"
    assert orphan not in polite and orphan in expected_crawl("2020", use_sitemap=True)
    assert "http://www.akershus.no/english/responsibilites/" in polite
    assert "http://www.akershus.no/english/areas-of-responsibility/" in polite
    assert "http://static.akershus.no/bilder/skolebygg.png" in polite
    assert "http://www.akershus.no/static/img/ikon-pil.png" in polite  # only linked from CSS
    assert "http://www.akershus.no/politikk/mote-og-saksdokumenter/arkiv-2011-2015/" in polite
    assert len(polite) > len(expected_crawl("2019"))
