"""A synthetic replica of any size (2 000 to 100 000 pages) for benchmarks.

The pages go through the legacy ``article`` template like the hand-written
ones (main menu, breadcrumbs, the section's menu tree, feedback form,
footer), with a long body of Norwegian-looking text, so each page weighs
30-60 KB of HTML like the real site's. The site is finite and fully linked
from the front page:

    /                                   front page, links every section
    <section>/                          the 13 main-menu sections
    <section>/omrade-K/                 areas of 12 pages (their pages in the section menu)
    <section>/omrade-K/side-N/          pages
    <section>/oversikt/[P/]             paginated lists of the section's pages,
                                        50 a page, "Forrige"/"Neste" and page numbers
    /om-fylkeskommunen/kontakt-oss/...  the pages the footer links

Each page weighs the same at every size, as on the real site: the section
menu lists at most 15 areas (a window around the page's own area, the way the
overview's page numbers are a window) and the open area's 12 pages, so a page
carries about 60 links whether the site has 2 000 pages or 100 000. Areas
outside the window are reached through neighbouring pages' menus and the
section's overview.

Some pages show a shared image and some link one of the site's PDFs; every
page links three others. Everything is derived from ``(seed, index)``, so
two sites built with the same arguments serve the same bytes.

Only the page index (paths and titles) is held in memory: page bodies are
generated on demand and rendered pages are not cached, so the server stays
small at 100 000 pages. The synthetic site contains none of the hand-written
content, so it has no endless calendar: a crawler without trap rules (wget)
ends too.

Serve it as a process (prints its base URL on stdout, like ``replica.server``)::

    python -m replica.synthetic --pages 2000 --latency-ms 100 --port 0
"""

from __future__ import annotations

import argparse
import math
import random
import socket
import ssl
import sys
from collections import ChainMap
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from . import generations
from .eras import DEFAULT_ERA
from .model import Block, Era, Page, PageSource
from .server import ReplicaServer, _Handler, run_until_terminated
from .site import Site
from .templates import MAIN_MENU, ancestors, render_article, section_root

DEFAULT_SEED = 42
PER_LISTING = 50  # links on one page of a section's paginated overview
AREA_SIZE = 12  # pages of one area (the area's own page first)
MENU_AREAS = 15  # areas a section menu lists: a window around the page's own area
LISTING_SEGMENT = "oversikt"
PAGE_BYTES = (31_000, 58_000)  # HTML per page (about); the body fills what the chrome leaves
FOOTER_PAGES = (
    ("/om-fylkeskommunen/kontakt-oss/", "Kontakt oss"),
    ("/om-fylkeskommunen/personvern/", "Personvern og informasjonskapsler"),
    ("/om-fylkeskommunen/pressesenter/", "Pressesenter"),
)
IMAGES = ("/globalassets/bilder/fylkeshuset.png", "/static/img/ikon-pil.png")
PDFS = ("/globalassets/dokumenter/internasjonal-strategi-2014-2018.pdf",
        "/globalassets/dokumenter/folkehelsestrategi-2019-2023.pdf")
# A fixed word list (the site's vocabulary); text is drawn from it with a seeded RNG.
_VOCABULARY = """
fylkeskommunen samferdsel kollektivtransport vei buss tog sykkel gange trafikksikkerhet
videregående opplæring elever lærlinger skole fagopplæring tannhelse kultur idrett bibliotek
kulturminner næring innovasjon verdiskaping klima miljø utslipp energi folkehelse levekår
internasjonalt samarbeid plan areal transport regional utvikling strategi handlingsprogram
budsjett økonomi fylkestinget fylkesutvalget hovedutvalg vedtak saksdokumenter høring innbyggere
kommunene Akershus Oslo Viken region tiltak mål prioriteringer arbeid ansvar og i på for med til
av som er det en et å de har skal vil kan om ved fra etter mellom gjennom under innen også både
eller samt blant annet særlig derfor dessuten utbygging vedlikehold drift tjenester tilbud
søknad tilskudd frist ordning informasjon rapport evaluering oppfølging kunnskap kompetanse
bærekraft vekst befolkning
"""
WORDS = tuple(_VOCABULARY.split())


def section_counts(pages: int) -> tuple[int, int]:
    """(article pages per section, listing pages per section) for about ``pages`` in all."""
    fixed = 1 + len(MAIN_MENU) + len(FOOTER_PAGES)
    per_section = max(1, (pages - fixed) // len(MAIN_MENU))
    for _ in range(4):  # the overview pages count too
        listings = math.ceil(per_section / PER_LISTING)
        per_section = max(1, (pages - fixed) // len(MAIN_MENU) - listings)
    return per_section, math.ceil(per_section / PER_LISTING)


def article_path(section: str, j: int, per_section: int) -> str:
    """Path of the j-th page of a section: areas of ``AREA_SIZE`` pages each."""
    area, pos = divmod(j, AREA_SIZE)
    if pos == 0:
        return f"{section}omrade-{area + 1}/"
    return f"{section}omrade-{area + 1}/side-{pos}/"


def listing_path(section: str, number: int) -> str:
    return f"{section}{LISTING_SEGMENT}/" + (f"{number}/" if number > 1 else "")


def _title(rng: random.Random, words: int = 4) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def synthetic_source(pages: int = 2000, seed: int = DEFAULT_SEED) -> PageSource:
    """A ``PageSource`` of about ``pages`` synthetic pages (bodies left to ``SyntheticSite``)."""

    def source(era: Era) -> Iterator[Page]:
        per_section, listings = section_counts(pages)
        yield Page(path="/", title="Forside", menu_title="Forside", template="article",
                   ingress="Akershus fylkeskommune: tjenester, politikk og planer.")
        for s, (section, label) in enumerate(MAIN_MENU):
            yield Page(path=section, title=label, ingress=f"Alt om {label.lower()}.")
            for j in range(per_section):
                path = article_path(section, j, per_section)
                rng = random.Random(f"{seed}:{path}")
                yield Page(path=path, title=_title(rng), published="04.11.2019",
                           modified="12.12.2019")
            for number in range(1, listings + 1):
                yield Page(path=listing_path(section, number),
                           title=f"{label}: alle sider" + (f" (side {number})" if number > 1 else ""),
                           template="listing", in_sitemap=number == 1)
        for path, title in FOOTER_PAGES:
            yield Page(path=path, title=title)

    return source


class SyntheticSite(Site):
    """The replica ``Site`` over a synthetic source: bodies generated per request, not cached."""

    def __init__(self, pages: int = 2000, seed: int = DEFAULT_SEED, era: str = DEFAULT_ERA):
        self.seed = seed
        self.per_section, self.listings = section_counts(pages)
        super().__init__(era, sources=(synthetic_source(pages, seed),))
        self._all = list(self.pages)
        # Chrome (head, menus, form, footer) is about 6 KB plus 75 bytes per menu entry.
        self._chrome = 6_000 + 75 * 2 * AREA_SIZE

    def _children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {}
        for path in self.pages:
            if path == "/" or f"/{LISTING_SEGMENT}/" in path:
                continue  # overview pages are reached through their own pagination
            parents = ancestors(path)
            kids.setdefault(parents[-1] if parents else "/", []).append(path)
        return {k: tuple(v) for k, v in kids.items()}

    def _cached_html(self, page: Page) -> bytes:
        return self.page_html(page)  # memory must not grow with the pages served

    def page_html(self, page: Page, extra: str = "", body_class: str = "") -> bytes:
        if not page.blocks and page.path in self.pages:
            page = replace(page, blocks=tuple(self.blocks(page)))
        nav = replace(self.nav, children=self.menu_children(page.path))
        if self.era.generation != "cms":  # an older markup generation of the same pages
            text = generations.render(page, nav, self.era, extra=extra)
            return text.encode(generations.charset(self.era.generation, page),
                               errors="xmlcharrefreplace")
        return render_article(page, nav, self.era, extra=extra,
                              body_class=body_class).encode(page.charset)

    def menu_children(self, path: str) -> Mapping[str, tuple[str, ...]]:
        """The menu tree as ``path``'s page shows it: its section lists a window of areas."""
        root = section_root(path)
        prefix = f"{root}omrade-"
        kids = self.nav.children.get(root, ())
        areas = [k for k in kids if k.startswith(prefix)]
        if len(areas) <= MENU_AREAS:
            return self.nav.children
        own = int(path[len(prefix):].split("/")[0]) - 1 if path.startswith(prefix) else 0
        start = max(0, min(own - MENU_AREAS // 2, len(areas) - MENU_AREAS))
        shown = set(areas[start:start + MENU_AREAS])
        window = tuple(k for k in kids if k in shown or not k.startswith(prefix))
        return ChainMap({root: window}, self.nav.children)  # type: ignore[arg-type]

    # -- content ------------------------------------------------------------
    def blocks(self, page: Page) -> Iterator[Block]:
        rng = random.Random(f"{self.seed}:body:{page.path}")
        if page.path == "/":
            yield ("ul", tuple(f"[{label}]({path})" for path, label in MAIN_MENU))
        elif page.template == "listing":
            yield from self._listing(page)
        elif page.path in dict(MAIN_MENU):
            yield ("p", f"[Alle sider om {page.title.lower()}]({listing_path(page.path, 1)})")
        yield from self._text(rng)

    def _text(self, rng: random.Random) -> Iterator[Block]:
        target = max(5_000, rng.randint(*PAGE_BYTES) - self._chrome)
        size = 0
        n = 0
        while size < target:
            n += 1
            if n % 6 == 1:
                heading = _title(rng, rng.randint(2, 5))
                size += len(heading) + 10
                yield ("h2", heading)
            if n % 9 == 4:
                items = tuple(_title(rng, rng.randint(3, 8)) for _ in range(rng.randint(3, 6)))
                size += sum(len(i) + 10 for i in items)
                yield ("ul", items)
            if n == 3 and rng.random() < 0.3:
                yield ("figure", rng.choice(IMAGES), "Illustrasjon", "Foto: Akershus fylkeskommune")
            if n == 5 and rng.random() < 0.2:
                yield ("p", f"Les mer i [dokumentet (PDF)]({rng.choice(PDFS)}).")
            if n == 7:
                links = ", ".join(f"[{_title(rng, 3)}]({rng.choice(self._all)})" for _ in range(3))
                size += 150
                yield ("p", f"Se også {links}.")
            sentences = []
            for _ in range(rng.randint(3, 7)):
                words = rng.choices(WORDS, k=rng.randint(8, 22))
                sentences.append(" ".join(words).capitalize() + ".")
            text = " ".join(sentences)
            size += len(text) + 8
            yield ("p", text)

    def _listing(self, page: Page) -> Iterator[Block]:
        parts = [p for p in page.path.split("/") if p]
        number = int(parts[-1]) if parts[-1].isdigit() else 1
        section = page.path.split(f"{LISTING_SEGMENT}/")[0]
        first = (number - 1) * PER_LISTING
        paths = [article_path(section, j, self.per_section)
                 for j in range(first, min(first + PER_LISTING, self.per_section))]
        yield ("ul", tuple(f"[{self.pages[p].title}]({p})" for p in paths))
        links = []
        if number > 1:
            links.append(f'<li class="prev"><a rel="prev" href="{listing_path(section, number - 1)}">'
                         "Forrige</a></li>")
        for n in range(1, self.listings + 1):
            if n == number:
                links.append(f'<li><span class="current">{n}</span></li>')
            elif n in (1, self.listings) or abs(n - number) <= 4:
                links.append(f'<li><a href="{listing_path(section, n)}">{n}</a></li>')
        if number < self.listings:
            links.append(f'<li class="next"><a rel="next" href="{listing_path(section, number + 1)}">'
                         "Neste</a></li>")
        yield ("raw", '<nav class="pagination" aria-label="Sider"><ul>' + "".join(links) + "</ul></nav>")


class _NoDelayHandler(_Handler):
    """The replica's handler with Nagle's algorithm off.

    Without TCP_NODELAY the last segment of a response waits for the client's
    delayed ACK (about 40 ms) on a kept-alive connection, which would make
    every client with keep-alive look latency-bound.
    """

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tune(server: ReplicaServer, backlog: int = 128) -> ReplicaServer:
    """Make the replica server fit for load: no Nagle delay, a listen backlog of 128.

    The standard library's backlog of 5 drops connection attempts beyond it (a
    client opening a dozen connections at once); each dropped one costs a
    one-second SYN retransmission. ``backlog=5`` serves as Python's http.server
    would, the shape the benchmark also measures.
    """
    server._server.RequestHandlerClass = _NoDelayHandler
    server._server.socket.listen(backlog)
    return server


@lru_cache(maxsize=2)
def synthetic_site(pages: int = 2000, seed: int = DEFAULT_SEED,
                   era: str = DEFAULT_ERA) -> SyntheticSite:
    return SyntheticSite(pages, seed, era)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica.synthetic",
                                     description="Serve a synthetic replica of N pages.")
    parser.add_argument("--pages", type=int, default=2000, help="about this many HTML pages")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    parser.add_argument("--latency-ms", type=float, default=0,
                        help="delay before each response, in milliseconds (default: 0)")
    parser.add_argument("--backlog", type=int, default=128,
                        help="listen queue length; 5 is Python's http.server (default: 128)")
    parser.add_argument("--tls", action="store_true",
                        help="serve https with a throwaway self-signed certificate")
    args = parser.parse_args(argv)
    site = SyntheticSite(args.pages, args.seed)
    server = ReplicaServer(latency_ms=args.latency_ms, port=args.port, site=site)
    tune(server, args.backlog)
    server._log = lambda entry: None  # type: ignore[method-assign]  # no request log: memory stays flat
    url = server.url
    if args.tls:
        server._server.socket = self_signed_context().wrap_socket(server._server.socket,
                                                                  server_side=True)
        url = url.replace("http://", "https://", 1)
    return run_until_terminated(server, f"{url} {len(site.pages)}")


def self_signed_context() -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate (for benchmarks only)."""
    import datetime
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context.load_cert_chain(cert_path, key_path)
    return context


if __name__ == "__main__":
    sys.exit(main())
