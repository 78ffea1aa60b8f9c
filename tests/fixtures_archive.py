"""Fixtures for the archive tests: WARCs written the way the crawler writes them.

Each response record keeps the HTTP head and body as they crossed the wire
(gzip content-encoding and chunking left in), is gzipped per record and
followed by its request record; a repeated payload becomes a revisit record
that refers to the first capture.
"""

from __future__ import annotations

import gzip
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.digest import sha1_digest

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOTICE = (
    "Akershus fylkeskommune er fra 01.01.2020 en del av Viken fylkeskommune. "
    "Disse nettsidene oppdateres ikke. Se oppdatert informasjon om fylkeskommunen på "
    '<a href="https://www.viken.no/">www.viken.no</a>'
)
# Texts of the legacy chrome: none of them may appear in extracted sections.
CHROME_STRINGS = (
    "Hopp til innhold", "Hopp til meny", "Hopp til sekundærmeny", "Hopp til hurtigsøk",
    "Gå til søkesiden", "Fant du det du lette etter", "Trykk send-knappen",
    "Postboks 1200 Sentrum", "Hovedmeny-lenke", "Brødsmule-forside", "Sekundærmeny-lenke",
    "Disse nettsidene oppdateres ikke", "Rapportmeny-lenke", "Rapportbunn-tekst",
)


@dataclass
class Response:
    """One HTTP exchange to record."""

    url: str
    body: bytes
    date: str = "2021-03-01T10:00:00Z"
    status: str = "200 OK"
    content_type: str | None = "text/html; charset=utf-8"
    gzip: bool = False
    chunked: bool = False
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


# Payload digests over the body as transferred (chunk framing included), the way
# warcio 1.8 writes them: these fixtures stand for WARCs written by other tools.
digest = sha1_digest


def _chunk(data: bytes, size: int = 500) -> bytes:
    out = b""
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def write_warc(path: Path, responses: list[Response], revisits: bool = True) -> Path:
    """A gzip-per-record WARC of the responses; repeated payloads as revisits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    seen: dict[str, tuple[str, str, str]] = {}
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"), warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for r in responses:
            body = gzip.compress(r.body, mtime=0) if r.gzip else r.body
            wire = _chunk(body) if r.chunked else body
            headers = [("Server", "replica")]
            if r.content_type is not None:
                headers.append(("Content-Type", r.content_type))
            if r.gzip:
                headers.append(("Content-Encoding", "gzip"))
            if r.chunked:
                headers.append(("Transfer-Encoding", "chunked"))
            else:
                headers.append(("Content-Length", str(len(wire))))
            headers += r.extra_headers
            http = StatusAndHeaders(r.status, headers, protocol="HTTP/1.1")
            record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, r.url + r.date)}>"
            dig = digest(wire)
            warc_headers = {"WARC-Record-ID": record_id, "WARC-Date": r.date,
                            "WARC-Payload-Digest": dig}
            earlier = seen.get(dig) if revisits and r.status.startswith("2") else None
            if earlier is not None:
                warc_headers.update({
                    "WARC-Refers-To": earlier[2], "WARC-Refers-To-Target-URI": earlier[0],
                    "WARC-Refers-To-Date": earlier[1], "WARC-Profile": REVISIT_PROFILE,
                })
                rec = writer.create_warc_record(r.url, "revisit", payload=BytesIO(b""), length=0,
                                                warc_headers_dict=warc_headers, http_headers=http)
            else:
                seen.setdefault(dig, (r.url, r.date, record_id))
                rec = writer.create_warc_record(r.url, "response", payload=BytesIO(wire),
                                                length=len(wire), warc_headers_dict=warc_headers,
                                                http_headers=http)
            writer.write_record(rec)
            target = r.url.split("/", 3)[3] if r.url.count("/") >= 3 else ""
            req = StatusAndHeaders(f"GET /{target} HTTP/1.1", [("Host", r.url.split("/")[2])],
                                   is_http_request=True)
            writer.write_record(writer.create_warc_record(
                r.url, "request", payload=BytesIO(b""), length=0, http_headers=req,
                warc_headers_dict={"WARC-Date": r.date, "WARC-Concurrent-To": record_id}))
    return path


def legacy_page(
    title: str,
    body: str,
    *,
    ingress: str | None = None,
    notice: bool = True,
    lang: str = "nb",
    charset: str = "utf-8",
    body_class: str = "page-article",
    meta: str = "Publisert: 12.03.2015 Sist endret: 04.11.2019",
    older: bool = False,
    before_body: str = "",
) -> str:
    """A page in the legacy CMS's article template (see the template notes)."""
    skip_secondary = '<li><a href="#sekundarmeny">Hopp til sekundærmeny</a></li>' if older else ""
    notice_html = f'<div class="viken-notice" role="note"><p>{NOTICE}</p></div>' if notice else ""
    ingress_html = f'<div class="ingress"><p>{ingress}</p></div>' if ingress else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="{charset}">
  <title>{title} - Akershus fylkeskommune</title>
  <link rel="stylesheet" href="/static/css/akershus.css">
  <script src="/static/js/akershus.js"></script>
</head>
<body class="{body_class}">
  <ul id="skiplinks" class="skiplinks">
    <li><a href="#innhold">Hopp til innhold</a></li>
    <li><a href="#meny">Hopp til meny</a></li>{skip_secondary}
    <li><a href="#hurtigsok">Hopp til hurtigsøk</a></li>
  </ul>
  {notice_html}
  <header id="topp" class="site-header">
    <a class="logo" href="/"><img src="/static/img/akershus-logo.png" alt="Akershus fylkeskommune"></a>
    <form id="hurtigsok" class="quicksearch" action="/sok/" method="get"><input name="q"><button>Søk</button></form>
  </header>
  <nav id="meny" class="main-menu" aria-label="Hovedmeny"><ul><li><a href="/ansvarsomrader/">Hovedmeny-lenke</a></li></ul></nav>
  <nav class="breadcrumbs" aria-label="Brødsmuler"><ol><li><a href="/">Brødsmule-forside</a></li></ol></nav>
  <div class="page-wrapper">
    <nav id="sekundarmeny" class="secondary-menu"><ul><li><a href="/x/">Sekundærmeny-lenke</a></li></ul></nav>
    <main id="innhold" class="main-content">
      <article class="article">
        <h1>{title}</h1>
        {before_body}{ingress_html}
        <div class="article-body">
{body}
        </div>
        <p class="article-meta">{meta}</p>
      </article>
    </main>
  </div>
  <form class="feedback-form" action="/tilbakemelding/" method="post">
    <fieldset><legend>Fant du det du lette etter på denne siden?</legend>
      <label><input type="radio" name="svar" value="ja"> Ja</label>
      <label><input type="radio" name="svar" value="nei"> Nei</label></fieldset>
    <p>Trykk send-knappen for å registrere din tilbakemelding.</p>
    <button type="submit">Send</button>
  </form>
  <footer id="bunn" class="site-footer">Akershus fylkeskommune, Postboks 1200 Sentrum, 0107 Oslo</footer>
</body>
</html>
"""


def report_page(title: str, body: str, lead: str) -> str:
    """A page in the annual-report template."""
    return f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>{title}</title></head>
<body class="arsrapport">
  <div class="skip"><a href="#main">Hopp til innhold</a> <a href="#nav">Hopp til meny</a>
     <a href="/sok/">Gå til søkesiden</a></div>
  <div id="report-header">Årsrapport</div>
  <div id="nav" class="report-nav"><ul><li><a href="/rapporter/">Rapportmeny-lenke</a></li></ul></div>
  <div id="main" class="report-main">
    <div class="report-content">
      <h1>{title}</h1><p class="lead">{lead}</p>
{body}
    </div>
  </div>
  <div id="report-footer">Rapportbunn-tekst</div>
</body></html>
"""
