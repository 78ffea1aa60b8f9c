"""Fixtures for the render tests: a small archive written by code, hostile page included.

``make_archive`` writes ``warc/*.warc.gz`` (gzip per record, WARC 1.1,
response + request records, a redirect, a revisit, a CSS file, a PNG and a
PDF) and ``data/pages.jsonl`` in the extractor's record shape, with each
record's provenance pointing at its response record. The seed page is
captured twice (2019 over http without the notice, 2020 over https with it);
its 2020 capture carries every trick an archived page can play.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import lxml.html
from bs4 import BeautifulSoup
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.digest import sha1_digest

WWW = "www.akershus.no"
SEED_PATH = ("/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
             "internasjonal-strategi/")
SEED_HTTP = f"http://{WWW}{SEED_PATH}"
SEED_HTTPS = f"https://{WWW}{SEED_PATH}"
PARENT = f"http://{WWW}/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
FRONT = f"http://{WWW}/"
ENGLISH = f"http://{WWW}/english/"
PRESS = f"http://{WWW}/om-fylkeskommunen/pressesenter/pressemeldinger/ny-klynge/"
LISTING = f"http://{WWW}/om-fylkeskommunen/pressesenter/pressemeldinger/?n_lim=10&n_po=80"
CSS = "http://static.akershus.no/static/css/akershus.css"
PNG_URL = "http://static.akershus.no/static/img/logo.png"
PDF_URL = f"http://{WWW}/dokumenter/internasjonal-strategi-2014-2018.pdf"
NOT_CAPTURED = f"http://{WWW}/ansvarsomrader/ikke-lagret/"
OUTSIDE = "https://www.regjeringen.no/no/tema/"
D2019 = "2019-06-20T08:15:32Z"
D2020 = "2020-09-14T10:42:07Z"

# A 1x1 PNG and the smallest PDF a browser accepts.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = (b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
STYLESHEET = (b"@import url(http://evil.example/track.css);\n"
              b"body { background-color: rgb(1, 2, 3); }\n"
              b".logo { background: url(../img/logo.png) no-repeat; }\n"
              b".x { background: url(http://evil.example/beacon.gif); }\n")

CHAIN = [
    {"name": "Akershus fylkeskommune", "site": "https://www.akershus.no/", "start": None,
     "end": "2019-12-31", "note": "the legacy site archived here"},
    {"name": "Viken fylkeskommune", "site": "https://www.viken.no/", "start": "2020-01-01",
     "end": "2023-12-31", "note": "dissolved 1 January 2024"},
    {"name": "Akershus fylkeskommune", "site": "https://afk.no/", "start": "2024-01-01",
     "end": None, "note": "re-established"},
]

TEMATISKE = ("Den internasjonale strategien angir mål og strategier innenfor de følgende tre "
             "områdene:")
PRIORITIES = ["Samferdsel og miljø", "Nærings- og samfunnsutvikling", "Ungdom og opplæring"]

HOSTILE_BODY = f"""
<svg width="10" height="10"><script>window.__pwned = "svg";</script>
  <a xlink:href="javascript:window.__pwned='svg-link'"><rect width="10" height="10"/></a>
  <animate attributeName="href" to="javascript:alert(1)"/></svg>
<img src="/static/img/nothing.png" onerror="window.__pwned='onerror'" alt="broken">
<img src="{PNG_URL}" alt="Logo" class="logo-img">
<img src="http://tracker.example/pixel.gif" alt="pixel">
<a id="js-link" href="javascript:window.__pwned='click'">Klikk</a>
<a id="js-link2" href=" JaVaScRiPt:window.__pwned='click2'">Klikk 2</a>
<a id="pdf-link" href="/dokumenter/internasjonal-strategi-2014-2018.pdf">Strategien (PDF)</a>
<a id="missing-link" href="/ansvarsomrader/ikke-lagret/">Ikke lagret</a>
<a id="outside-link" href="{OUTSIDE}">Regjeringen</a>
<a id="parent-link" href="../">Hvordan jobber vi internasjonalt?</a>
<a id="ping-link" href="/" ping="http://tracker.example/ping">Forside</a>
<iframe src="http://evil.example/frame.html"></iframe>
<object data="http://evil.example/x.swf"></object>
<form id="feedback" action="http://evil.example/post" method="post"><input name="svar"></form>
<p id="handler" onclick="window.__pwned='handler'" style="background:url(http://evil.example/s.gif)">
Tekst</p>
"""


def page_html(title: str, body: str, *, lang: str = "nb", notice: bool = True,
              extra_head: str = "") -> bytes:
    notice_html = ('<div class="viken-notice" role="note"><p>Akershus fylkeskommune er fra '
                   '01.01.2020 en del av Viken fylkeskommune. Se <a href="https://www.viken.no/">'
                   'www.viken.no</a></p></div>') if notice else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=http://evil.example/">
<title>{title} - Akershus fylkeskommune</title>
<link rel="stylesheet" href="{CSS}">
<link rel="preload" href="http://evil.example/font.woff2" as="font">
<script src="/static/js/akershus.js"></script>
<script>window.__pwned = "inline";</script>
{extra_head}
</head>
<body class="page-article" onload="window.__pwned='onload'">
<ul class="skiplinks"><li><a href="#innhold">Hopp til innhold</a></li></ul>
{notice_html}
<main id="innhold"><h1>{title}</h1>
{body}
</main></body></html>""".encode()


@dataclass
class Exchange:
    url: str
    date: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)
    revisit_of: Exchange | None = None


def write_warc(path: Path, exchanges: list[Exchange]) -> dict[tuple[str, str], dict[str, Any]]:
    """Write the exchanges; return provenance by (url, date) for the records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    where: dict[tuple[str, str], dict[str, Any]] = {}
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for ex in exchanges:
            headers = [("Content-Type", ex.content_type), ("Content-Length", str(len(ex.body))),
                       *ex.headers]
            http = StatusAndHeaders(ex.status, headers, protocol="HTTP/1.1")
            rid = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ex.url + ex.date)}>"
            warc_headers = {"WARC-Record-ID": rid, "WARC-Date": ex.date,
                            "WARC-Payload-Digest": sha1_digest(ex.body)}
            if ex.revisit_of is not None:
                warc_headers.update({
                    "WARC-Refers-To-Target-URI": ex.revisit_of.url,
                    "WARC-Refers-To-Date": ex.revisit_of.date,
                    "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/"
                                    "identical-payload-digest"})
                rec = writer.create_warc_record(ex.url, "revisit", payload=BytesIO(b""),
                                                length=0, warc_headers_dict=warc_headers,
                                                http_headers=http)
            else:
                rec = writer.create_warc_record(ex.url, "response", payload=BytesIO(ex.body),
                                                length=len(ex.body),
                                                warc_headers_dict=warc_headers, http_headers=http)
            offset = fh.tell()
            writer.write_record(rec)
            where[(ex.url, ex.date)] = {
                "warc_file": path.name, "offset": offset, "length": fh.tell() - offset,
                "record_id": rid, "record_type": "response", "refers_to": None,
                "payload_digest": warc_headers["WARC-Payload-Digest"], "captured_at": ex.date}
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", ex.url.split("/")[2])],
                                   is_http_request=True)
            writer.write_record(writer.create_warc_record(
                ex.url, "request", payload=BytesIO(b""), length=0, http_headers=req,
                warc_headers_dict={"WARC-Date": ex.date, "WARC-Concurrent-To": rid}))
    return where


def record(url: str, date: str, title: str, sections: list[dict[str, Any]], *,
           language: str = "nb", template: str = "article", links: list[dict[str, Any]] = (),
           documents: list[dict[str, Any]] = (), strategy: dict[str, Any] | None = None,
           published: str | None = "2014-11-20", provenance: dict[str, Any]) -> dict[str, Any]:
    """A page record in the extractor's shape."""
    text = " ".join(b.get("text", "") or " ".join(b.get("items", [])) for s in sections
                    for b in s["blocks"])
    return {
        "id": hashlib.sha1((url + date).encode()).hexdigest()[:16], "url": url,
        "captured_at": date, "status": 200, "content_type": "text/html; charset=utf-8",
        "charset": "utf-8", "language": language, "title": title,
        "description": sections[0]["blocks"][0].get("text") if sections else None,
        "template": template, "notice": date >= "2020", "notice_text": None,
        "superseded_by": "https://www.viken.no/", "succession": CHAIN,
        "published": published, "modified": "2019-11-04", "word_count": len(text.split()),
        "sections": sections, "text": text, "links": list(links), "documents": list(documents),
        "strategy": strategy, "provenance": provenance,
    }


def para(text: str, **kw: Any) -> dict[str, Any]:
    return {"type": "paragraph", "text": text, "ingress": False, **kw}


def make_archive(root: Path) -> Path:
    """Write the test archive under ``root`` and return it."""
    seed_body_2019 = ('<h2>Tematiske prioriteringer</h2><ul>'
                      + "".join(f"<li>{p}</li>" for p in PRIORITIES) + "</ul>")
    css = Exchange(CSS, D2019, STYLESHEET, "text/css")
    exchanges = [
        Exchange(FRONT, D2019, page_html("Forside", f'<a href="{SEED_PATH}">Strategi</a>',
                                         notice=False)),
        Exchange(SEED_HTTP, D2019, page_html("Internasjonal strategi", seed_body_2019,
                                             notice=False)),
        Exchange(SEED_HTTPS, D2020, page_html("Internasjonal strategi",
                                              seed_body_2019 + HOSTILE_BODY)),
        Exchange(PARENT, D2020, page_html("Hvordan jobber vi internasjonalt?", "<p>Slik.</p>")),
        Exchange(ENGLISH, D2020, page_html("Areas of responsibility", "<p>English.</p>",
                                           lang="en")),
        Exchange(PRESS, D2020, page_html("Ny næringsklynge", "<p>Klynge.</p>")),
        Exchange(LISTING, D2020, page_html("Pressemeldinger", "<p>Liste.</p>")),
        Exchange(f"http://{WWW}/english", D2020, b"", status="301 Moved Permanently",
                 headers=[("Location", "/english/")]),
        css,
        Exchange(CSS, D2020, STYLESHEET, "text/css", revisit_of=css),
        Exchange(PNG_URL, D2019, PNG, "image/png"),
        Exchange(PDF_URL, D2020, PDF, "application/pdf"),
        Exchange("http://static.akershus.no/static/js/akershus.js", D2019,
                 b"window.__pwned='external-js';", "application/javascript"),
    ]
    where = write_warc(root / "warc" / "test-00001.warc.gz", exchanges)
    strategy = {"title": "Internasjonal strategi 2014-2018", "period": {"start": 2014, "end": 2018},
                "goal": "Bidra til å realisere fylkeskommunens målsettinger.",
                "priorities": PRIORITIES,
                "figures": [{"value": 570000.0, "text": "570 000 innbyggere",
                             "counts": "innbyggere", "approximate": False}]}
    seed_sections = [
        {"heading": None, "level": 1, "blocks": [
            para("Akershus fylkeskommune bruker internasjonalt samarbeid.", ingress=True)]},
        {"heading": "Tematiske prioriteringer", "level": 2, "blocks": [
            para(TEMATISKE), {"type": "list", "ordered": False, "items": PRIORITIES}]},
        {"heading": "Tall", "level": 4, "blocks": [
            {"type": "table", "rows": [["Tall", "Hva"], ["570 000", "innbyggere"]],
             "header": True, "caption": None},
            {"type": "contact", "text": "Kari", "name": "Kari Nordmann", "title": "Rådgiver",
             "phone": "22 05 50 00", "email": "kari@example.org"},
            {"type": "image", "src": PNG_URL, "alt": "Logo", "caption": None},
            {"type": "image", "src": "http://tracker.example/pixel.gif", "alt": "Sporing",
             "caption": None},
            para("<script>alert('x')</script> er tekst, ikke kode.")]},
    ]
    seed_links = [
        {"url": PARENT, "text": "Hvordan jobber vi internasjonalt?", "internal": True},
        {"url": NOT_CAPTURED, "text": "Ikke lagret", "internal": True},
        {"url": OUTSIDE, "text": "Regjeringen", "internal": False},
        {"url": f"http://{WWW}/english", "text": "English", "internal": True},
    ]
    docs = [{"url": PDF_URL, "title": "Internasjonal strategi 2014-2018", "format": "pdf",
             "captured": True},
            {"url": f"http://{WWW}/dokumenter/borte.pdf", "title": "Borte", "format": "pdf",
             "captured": False}]
    records = [
        record(FRONT, D2019, "Forside", [{"heading": None, "level": 1, "blocks": [
            para("Velkommen til Akershus fylkeskommune.")]}],
            links=[{"url": SEED_HTTP, "text": "Strategi", "internal": True}],
            provenance=where[(FRONT, D2019)]),
        record(SEED_HTTP, D2019, "Internasjonal strategi", seed_sections[:2],
               strategy=strategy, links=seed_links[:1], provenance=where[(SEED_HTTP, D2019)]),
        record(SEED_HTTPS, D2020, "Internasjonal strategi", seed_sections, strategy=strategy,
               links=seed_links, documents=docs, provenance=where[(SEED_HTTPS, D2020)]),
        record(PARENT, D2020, "Hvordan jobber vi internasjonalt?", [
            {"heading": None, "level": 1, "blocks": [para("Slik jobber vi.")]}],
            links=[{"url": SEED_HTTP, "text": "Internasjonal strategi", "internal": True}],
            provenance=where[(PARENT, D2020)]),
        record(ENGLISH, D2020, "Areas of responsibility", [
            {"heading": None, "level": 1, "blocks": [para("The county's areas.")]}],
            language="en", provenance=where[(ENGLISH, D2020)]),
        record(PRESS, D2020, "Ny næringsklynge for grønn teknologi", [
            {"heading": None, "level": 1, "blocks": [para("Ærlig talt: Øst og Å.")]}],
            template="news", published="2019-05-14", provenance=where[(PRESS, D2020)]),
        record(LISTING, D2020, "Pressemeldinger", [
            {"heading": None, "level": 1, "blocks": [para("Liste.")]}],
            provenance=where[(LISTING, D2020)]),
    ]
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    (data / "page.schema.json").write_text('{"title": "page record"}\n', encoding="utf-8")
    return root


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def manifest(site: Path) -> dict[str, Any]:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))


def page_for(site: Path, url: str, date: str | None = None, view: str = "page") -> Path:
    """The rendered file of a capture, looked up in the site's manifest."""
    for entry in manifest(site)["pages"]:
        if entry["url"] == url and (date is None or entry["captured_at"] == date):
            return site / entry[view]
    raise KeyError(url)


def resolve_href(page: Path, href: str) -> Path:
    return (page.parent / href.split("#", 1)[0]).resolve()


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())
