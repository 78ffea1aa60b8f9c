"""The hostile corpus (tests/hostile/) rendered and opened in headless Chromium, JavaScript on.

Every file in ``tests/hostile/`` is one attack (or a few close ones) an archived
page or SVG file could carry. Its attacker URLs are written ``LISTENER``; the
fixture replaces them with a loopback listener started here, captures the files
into a WARC as ``http://www.akershus.no/hostile/<name>``, and runs the real
extractor and renderer. Each page's original and reading view, and each SVG
file (directly and through a page that shows and links it), is then opened from
file:// and through ``render.serve``. A payload that runs, or that merely tries
to, is seen as one of: a request to the listener, ``window.__pwned``, a dialog,
a navigation out of the archive, a request leaving the archive, or a CSP
violation. The Content-Security-Policy is only the second line: a violation
means the sanitiser let the payload through, so it fails the test too.

No sleeps: every wait is a Playwright condition (load state, URL, a promise that
resolves after two animation frames). Needs the ``playwright`` package and
Debian's Chromium at /usr/bin/chromium; nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import ARGS, CHROMIUM, MISSING
from test_render_support import Exchange, manifest, write_warc

from render.build import run_render

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the browser tests skip; the parsing tests still run
    PlaywrightError = RuntimeError  # type: ignore[assignment,misc]

HOSTILE = Path(__file__).parent / "hostile"
CORPUS_HTML = sorted(p.name for p in HOSTILE.glob("*.html"))
CORPUS_SVG = sorted(p.name for p in HOSTILE.glob("*.svg"))
BASE = "http://www.akershus.no/hostile/"
CAPTURED = "2020-09-14T10:42:07Z"
ORIGINS = ("file", "serve")
CORPUS = frozenset(CORPUS_HTML + CORPUS_SVG)
SENDER = re.compile(r"/(?:hit|harness)/([^/?\s]+)")
CLICK_ID = re.compile(r"""id=["']?(click-[\w-]+)""")
XHTML_NS = "http://www.w3.org/1999/xhtml"
# Elements that load or run another document: none may survive in an original view.
EMBEDDING = frozenset({"iframe", "frame", "frameset", "object", "embed", "portal",
                       "fencedframe", "applet", "base"})
# data: URLs an original view may keep: inert images and fonts (and the empty one).
_DATA_OK = re.compile(r"data:(,|image/(png|gif|jpeg|webp|avif)[;,]|font/|application/font)")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
# Runs in every document and frame before its own content: records CSP violations.
INIT_SCRIPT = """
(() => {
  const seen = [];
  Object.defineProperty(window, '__cspViolations', {value: seen});
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`
              + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
  }, true);
})();
"""
# Resolves once the page has rendered twice after the task queued now: a refresh,
# timer or handler queued by load has had its turn.
FENCE = ("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame("
         "() => setTimeout(() => done(true), 0))))")
STATE = """() => [typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
                  Array.from(window.__cspViolations || [])]"""


# -- the loopback listener ------------------------------------------------------
class Listener:
    """An HTTP server on 127.0.0.1 that answers everything and remembers every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_ListenerHandler, self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.host = f"127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def record(self, line: str) -> None:
        with self._lock:
            self.hits.append(line)

    def since(self, mark: int) -> list[str]:
        with self._lock:
            return list(self.hits[mark:])

    def during(self, mark: int, name: str) -> list[str]:
        """Requests since ``mark`` that ``name`` may have sent.

        Every payload names its file in the path; one naming another corpus file
        arrived late from an earlier visit and is that file's (the last test
        reports it).
        """
        def sent_by(hit: str) -> str | None:
            m = SENDER.search(hit)
            return m.group(1) if m and m.group(1) in CORPUS else None

        return [h for h in self.since(mark) if sent_by(h) in (None, name)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _ListenerHandler(BaseHTTPRequestHandler):
    def __init__(self, listener: Listener, *args: Any) -> None:
        self.listener = listener
        super().__init__(*args)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.listener.record(f"{self.command} {self.path}")
        body = b"<title>listener</title>caught"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


# -- the built site -------------------------------------------------------------
def carrier_html(svg_name: str) -> str:
    """A page that shows an archived SVG file every way a page can, and links to it."""
    ref = f"../{svg_name}"
    return f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8">
<title>Figur {svg_name} – Akershus fylkeskommune</title></head>
<body><h1>Figur</h1>
<p><img src="{ref}" alt="Figur" width="100" height="100"></p>
<picture><source srcset="{ref}" type="image/svg+xml"><img src="{ref}" alt="Figur 2"></picture>
<div style="width:50px;height:50px;background:url({ref})"></div>
<object data="{ref}" type="image/svg+xml"></object>
<embed src="{ref}" type="image/svg+xml">
<iframe src="{ref}" title="Figur 3"></iframe>
<svg width="20" height="20"><image href="{ref}" width="20" height="20"/></svg>
<p><a id="click-open" href="{ref}">Åpne figuren</a></p>
</body></html>
"""


def corpus_text(name: str, listener: Listener) -> str:
    return (HOSTILE / name).read_text(encoding="utf-8").replace("LISTENER", listener.url)


@dataclass
class Site:
    """The rendered site and where each corpus file ended up in it."""

    root: Path
    pages: dict[str, dict[str, str]]  # corpus or carrier URL -> manifest entry
    files: dict[str, str]  # SVG URL -> site-relative path

    def rel(self, url: str, view: str) -> str:
        return self.pages[url][view]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Site:
    from archive import extract
    archive = tmp_path_factory.mktemp("hostile-corpus")
    exchanges = [Exchange(BASE + n, CAPTURED, corpus_text(n, listener).encode()) for n in
                 CORPUS_HTML]
    exchanges += [Exchange(BASE + n, CAPTURED, corpus_text(n, listener).encode(),
                           "image/svg+xml") for n in CORPUS_SVG]
    exchanges += [Exchange(f"{BASE}vis/{n}.html", CAPTURED, carrier_html(n).encode())
                  for n in CORPUS_SVG]
    write_warc(archive / "warc" / "hostile-00001.warc.gz", exchanges)
    extract.run_extract(archive)
    report = run_render(archive)
    assert not report.damaged, report.summary()
    data = manifest(archive / "site")
    pages = {e["url"]: e for e in data["pages"]}
    files = {e["url"]: e["path"] for e in data["files"]}
    missing = [n for n in CORPUS_HTML if BASE + n not in pages]
    missing += [n for n in CORPUS_SVG if BASE + n not in files]
    assert not missing, f"not rendered: {missing}"
    return Site(archive / "site", pages, files)


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[str]:
    """The site through ``render.serve`` on 127.0.0.1; yields its origin."""
    from render.serve import make_server

    server = make_server(site.root, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


# -- the browser ----------------------------------------------------------------
@pytest.fixture(scope="module")
def context(site: Site) -> Iterator[Any]:
    """One browser, one context for the module; each visit opens its own page."""
    assert CHROMIUM.exists(), MISSING
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context()
        ctx.set_default_timeout(10_000)
        ctx.add_init_script(INIT_SCRIPT)
        # Belt and braces: no request may reach a host other than 127.0.0.1.
        ctx.route(lambda url: urlsplit(url).scheme in ("http", "https", "ws", "wss")
                  and urlsplit(url).hostname != "127.0.0.1", lambda route: route.abort())
        yield ctx
        ctx.close()
        browser.close()


@dataclass
class Visit:
    """One page in the browser and everything it did that an inert page never does."""

    page: Any
    allowed: tuple[str, ...]  # URL prefixes inside the archive
    listener: Listener
    mark: int = 0
    dialogs: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console_csp: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    pwned: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the harness could not do (no failure)
    sandboxed: bool = False  # the document's CSP says sandbox: no callback of its can run

    @classmethod
    def start(cls, context: Any, allowed: tuple[str, ...], listener: Listener) -> Visit:
        v = cls(context.new_page(), allowed, listener, len(listener.hits))
        pg = v.page
        pg.on("dialog", lambda d: (v.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        pg.on("framenavigated", lambda f: None if f != pg.main_frame or v.inside(f.url)
              else v.navigations.append(f.url))
        pg.on("popup", lambda p: v.navigations.append(f"popup {p.url}"))
        pg.on("request", lambda r: None if v.inside(r.url, data=True)
              else v.requests.append(f"{r.method} {r.url} ({r.resource_type})"))
        pg.on("console", lambda m: v.console_csp.append(m.text)
              if "Content Security Policy" in m.text else None)
        pg.on("pageerror", lambda e: v.page_errors.append(str(e)))
        pg.on("request", v._new_document)
        pg.on("response", v._document_policy)
        return v

    def _new_document(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.sandboxed = False  # a file: document has no response headers

    def _document_policy(self, response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            csp = (response.headers.get("content-security-policy") or "").lower()
            self.sandboxed = "sandbox" in csp

    def inside(self, url: str, data: bool = False) -> bool:
        if url.startswith("about:") or (data and url.startswith("data:")):
            return True
        return url.startswith(self.allowed)

    def open(self, url: str) -> None:
        try:
            self.page.goto(url, wait_until="load")
        except PlaywrightError as exc:  # a page that navigates itself while loading
            self.navigations.append(f"goto {url} failed: {str(exc).splitlines()[0]}")
        self.settle()

    def settle(self) -> None:
        """Wait until what load queued has run; a navigation meanwhile is waited out too.

        A sandboxed document (served SVG) runs no callback at all, so nothing of its
        can be queued either: a round trip is the whole fence there.
        """
        for attempt in range(3):
            try:
                self.page.wait_for_load_state("load")
                self.page.evaluate("() => document.readyState" if self.sandboxed else FENCE)
            except PlaywrightError as exc:  # the document went away under the fence
                self.notes.append(f"fence {attempt}: {str(exc).splitlines()[0]}")
            else:
                return

    def click_all(self, ids: list[str]) -> None:
        """Click each element the corpus marked ``click-*`` that is still in the page."""
        for cid in ids:
            try:
                loc = self.page.locator(f'[id="{cid}"]')
                if loc.count() == 0:
                    continue
                el = loc.first
                box = el.bounding_box()
                if box and box["width"] > 0 and box["height"] > 0:
                    el.click(force=True, timeout=2_000, no_wait_after=True)
                else:
                    el.dispatch_event("click")
            except PlaywrightError as exc:  # the element went away or the page navigated
                self.notes.append(f"click {cid}: {str(exc).splitlines()[0]}")
        self.settle()

    def collect(self) -> None:
        for frame in self.page.frames:
            try:
                pwned, csp = frame.evaluate(STATE)
            except PlaywrightError as exc:  # a frame gone, or one the page never let load
                self.notes.append(f"frame {frame.url[:80]}: {str(exc).splitlines()[0]}")
            else:
                if pwned is not None:
                    self.pwned.append(f"{frame.url[:80]}: {pwned}")
                self.csp.extend(csp)
        if not self.inside(self.page.url):
            self.navigations.append(f"ended at {self.page.url}")

    def problems(self, name: str) -> dict[str, list[str]]:
        self.collect()
        hits = sorted(set(self.listener.during(self.mark, name)))
        found = {"listener got": hits, "window.__pwned": self.pwned, "dialogs": self.dialogs,
                 "navigated out of the archive": sorted(set(self.navigations)),
                 "requests out of the archive": self.requests,
                 "CSP violations": self.csp + self.console_csp, "script ran": self.page_errors}
        return {k: v for k, v in found.items() if v}

    def close(self) -> None:
        if not self.page.is_closed():
            self.page.close()


def summary(found: dict[str, list[str]]) -> str:
    """One line per kind of finding, short enough for a test report."""
    return " | ".join(f"{k}: " + "; ".join(sorted({i[:160] for i in v}))[:500]
                      for k, v in found.items())


def allowed_for(origin: str, site: Site, served: str | None) -> tuple[str, ...]:
    return (site.root.resolve().as_uri() + "/",) if origin == "file" else (served + "/",)


def url_of(origin: str, site: Site, served: str | None, rel: str) -> str:
    return (site.root / rel).resolve().as_uri() if origin == "file" else f"{served}/{rel}"


def click_ids(text: str) -> list[str]:
    return list(dict.fromkeys(CLICK_ID.findall(text)))


@pytest.fixture
def visit_for(request: pytest.FixtureRequest, context: Any, site: Site,
              listener: Listener) -> Iterator[Callable[[str], Visit]]:
    """Make a ``Visit`` for an origin ("file" or "serve"); closes its page afterwards."""
    visits: list[Visit] = []

    def make(origin: str) -> Visit:
        served = request.getfixturevalue("served") if origin == "serve" else None
        v = Visit.start(context, allowed_for(origin, site, served), listener)
        visits.append(v)
        return v

    yield make
    for v in visits:
        v.close()


def _origin_of(v: Visit) -> str | None:
    return None if v.allowed[0].startswith("file:") else v.allowed[0].rstrip("/")


def _cases(names: list[str]) -> list[Any]:
    return [pytest.param(o, n, id=f"{o}-{n}") for o in ORIGINS for n in names]


# -- the browser tests ----------------------------------------------------------
def test_harness_sees_a_live_attack(tmp_path: Path, context: Any, listener: Listener,
                                    visit_for: Callable[[str], Visit]) -> None:
    """The unsanitised capture, opened as it is, trips the checks (so a pass means something)."""
    name = "markup-img-onerror.html"
    raw = tmp_path / name
    raw.write_text(corpus_text(name, listener).replace("/hit/", "/harness/"), encoding="utf-8")
    v = visit_for("file")
    v.allowed = (tmp_path.as_uri() + "/",)
    v.open(raw.as_uri())
    found = v.problems(name)
    assert found.get("window.__pwned") and found.get("dialogs"), found
    assert found.get("requests out of the archive"), found


@pytest.mark.parametrize(("origin", "name"), _cases(CORPUS_HTML))
def test_original_view_is_inert(origin: str, name: str, site: Site,
                                visit_for: Callable[[str], Visit]) -> None:
    """The original view runs nothing and fetches nothing, even when clicked."""
    v = visit_for(origin)
    v.open(url_of(origin, site, _origin_of(v), site.rel(BASE + name, "original")))
    v.click_all(click_ids((HOSTILE / name).read_text(encoding="utf-8")))
    found = v.problems(name)
    assert not found, summary(found)


@pytest.mark.parametrize(("origin", "name"), _cases(CORPUS_HTML))
def test_reading_view_is_inert(origin: str, name: str, site: Site,
                               visit_for: Callable[[str], Visit]) -> None:
    """The reading view of a hostile capture is as quiet as any other page."""
    v = visit_for(origin)
    v.open(url_of(origin, site, _origin_of(v), site.rel(BASE + name, "page")))
    found = v.problems(name)
    assert not found, summary(found)


@pytest.mark.parametrize(("origin", "name"), _cases(CORPUS_SVG))
def test_svg_file_opened_directly_is_inert(origin: str, name: str, site: Site,
                                           visit_for: Callable[[str], Visit]) -> None:
    """An SVG file opened on its own is a document: from file:// no CSP protects it."""
    v = visit_for(origin)
    v.open(url_of(origin, site, _origin_of(v), site.files[BASE + name]))
    v.click_all(click_ids((HOSTILE / name).read_text(encoding="utf-8")))
    found = v.problems(name)
    assert not found, summary(found)


@pytest.mark.parametrize(("origin", "name"), _cases(CORPUS_SVG))
def test_svg_file_through_its_page_is_inert(origin: str, name: str, site: Site,
                                            visit_for: Callable[[str], Visit]) -> None:
    """Shown by a page (img, object, iframe...), then opened from its link, as a reader would.

    Where the link leads to an archive page that shows the file, that page is checked
    and then the file itself, so the file is always also opened as a document.
    """
    v = visit_for(origin)
    v.open(url_of(origin, site, _origin_of(v), site.rel(f"{BASE}vis/{name}.html", "original")))
    link = v.page.locator("#click-open")
    if link.count():
        before = v.page.url
        link.first.click()
        v.page.wait_for_url(lambda url: url != before)
        v.settle()
        v.click_all(click_ids((HOSTILE / name).read_text(encoding="utf-8")))
        if not v.page.url.endswith(".svg"):  # a page that shows the file: open the file itself
            v.open(url_of(origin, site, _origin_of(v), site.files[BASE + name]))
            v.click_all(click_ids((HOSTILE / name).read_text(encoding="utf-8")))
    found = v.problems(name)
    assert not found, summary(found)


# -- the same pages read back without a browser ----------------------------------
def css_unescape(text: str) -> str:
    """CSS escapes decoded, so a host spelt ``\\31 27.0.0.1`` is still found."""
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            n = int(m.group(1), 16)
            return chr(n) if 0 < n < 0x110000 else "\ufffd"
        return m.group(2) if m.group(2) != "\n" else ""
    return _CSS_ESCAPE.sub(one, text)


def url_value(value: str) -> str:
    """An attribute value as a URL parser starts reading it."""
    return re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(33)))).lower()


def css_fetches(text: str) -> list[str]:
    """The URLs a browser would fetch for this CSS (stylesheet or style attribute).

    Read with a CSS tokenizer (escapes decoded, as in a browser): url tokens,
    ``url("...")``, the strings of ``image-set()`` and of ``@import``. Fragment
    references (``url(#id)``) fetch nothing and are left out.
    """
    import tinycss2
    found: list[str] = []

    def walk(tokens: list[Any]) -> None:
        importing = False
        for t in tokens:
            kind = getattr(t, "type", "")
            if kind == "at-keyword":
                importing = t.lower_value == "import"
            elif kind == "literal" and t.value == ";":
                importing = False
            elif kind == "url" or (kind == "string" and importing):
                found.append(t.value)
            elif kind == "function":
                if t.lower_name in ("url", "src", "image-set", "-webkit-image-set", "image"):
                    found.extend(a.value for a in t.arguments if a.type == "string")
                walk(t.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                walk(t.content)
    walk(tinycss2.parse_component_value_list(text))
    return [u for u in found if not u.strip().startswith("#")]


# Attributes that are only ever text: an attacker host written there is just text.
TEXT_ATTRS = frozenset({"alt", "title", "placeholder", "label", "value", "abbr", "summary"})
# Where a data: SVG is a picture (it cannot run or fetch there): img, picture, SVG image.
IMAGE_URL_ATTRS = {"img": ("src", "srcset"), "source": ("srcset",),
                   "image": ("href", "xlink:href")}


def live_attribute(tag: str, name: str, value: str, attrs: dict[str, str | None],
                   host: str) -> str | None:
    """Why one attribute of a sanitised page could still run or fetch, or None."""
    lname = name.lower()
    if lname.startswith("on"):
        return "event handler"
    url = url_value(value)
    if url.startswith(("javascript:", "vbscript:", "livescript:")):
        return "script URL"
    picture = lname in IMAGE_URL_ATTRS.get(tag, ()) and url.startswith("data:image/")
    if url.startswith("data:") and not (_DATA_OK.match(url) or picture):
        return "data: document"
    if lname == "style":
        fetched = [u for u in css_fetches(value) if host in u or url_value(u).startswith(
            ("javascript:", "vbscript:"))]
        return f"style fetches {fetched}" if fetched else None
    if host in css_unescape(value).lower() and not picture and lname not in TEXT_ATTRS \
            and not lname.startswith("aria-"):
        # An outside link the reader may follow is allowed when it says so.
        outbound = (tag in ("a", "area") and lname == "href" and "data-leaves-archive" in attrs
                    and "noreferrer" in (attrs.get("rel") or ""))
        if not outbound:
            return "listener host"
    if tag == "meta" and lname == "http-equiv" and value.lower() != "content-security-policy":
        return "http-equiv"
    return None


def style_problem(css: str, host: str) -> str | None:
    """A stylesheet that fetches from the listener (or a script URL), or None."""
    fetched = [u for u in css_fetches(css) if host in u
               or url_value(u).startswith(("javascript:", "vbscript:"))]
    return f"<style> fetches {fetched}" if fetched else None


@pytest.mark.parametrize("name", CORPUS_HTML)
def test_original_view_reparsed_holds_nothing_live(name: str, site: Site,
                                                   listener: Listener) -> None:
    """Parsed again by an HTML5 parser (Lexbor, foreign content and all), as a browser would."""
    from selectolax import lexbor
    text = (site.root / site.rel(BASE + name, "original")).read_text(encoding="utf-8")
    tree = lexbor.LexborHTMLParser(text)
    found: list[str] = []
    for node in tree.root.traverse():
        tag = (node.tag or "").lower()
        if tag.startswith("-"):  # text, comments, the doctype
            continue
        if tag == "script" or tag in EMBEDDING:
            found.append(f"<{tag}> element")
        attrs = node.attributes
        for attr, value in attrs.items():
            why = live_attribute(tag, attr, value or "", attrs, listener.host)
            if why:
                found.append(f"<{tag} {attr}={value!r}>: {why}")
        if tag == "style" and (why := style_problem(node.text(deep=True), listener.host)):
            found.append(why)
    assert not found, " | ".join(found)[:1500]


@pytest.mark.parametrize("name", CORPUS_SVG)
def test_svg_file_reparsed_holds_nothing_live(name: str, site: Site, listener: Listener) -> None:
    """The sanitised SVG file read as XML: SVG only, nothing that runs or reaches out."""
    from lxml import etree

    data = (site.root / site.files[BASE + name]).read_bytes()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    found: list[str] = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            if isinstance(node, etree._ProcessingInstruction):
                found.append(f"processing instruction {node.target} {node.text!r}")
            continue
        q = etree.QName(node)
        tag = q.localname.lower()
        if tag == "script" or q.namespace == XHTML_NS:
            found.append(f"<{{{q.namespace}}}{q.localname}> element")
        attrs = {etree.QName(k).localname: v for k, v in node.attrib.items()}
        for attr, value in attrs.items():
            why = live_attribute(tag, attr, value, {}, listener.host)
            if why:
                found.append(f"<{q.localname} {attr}={value!r}>: {why}")
        if tag == "style" and (why := style_problem(node.text or "", listener.host)):
            found.append(why)
    assert not found, " | ".join(found)[:1500]


def test_listener_heard_nothing_at_all(listener: Listener) -> None:
    """Last: whatever arrived late is still caught, named by the file that sent it.

    The harness check's own raw page calls ``/harness/``, never ``/hit/``.
    """
    by_file: dict[str, list[str]] = {}
    for hit in listener.hits:
        if " /harness/" in hit:
            continue
        m = re.search(r"/hit/([^/?\s]+)", hit)
        by_file.setdefault(m.group(1) if m else "?", []).append(hit)
    assert not by_file, " | ".join(f"{k}: {len(v)} ({v[0]})" for k, v in sorted(by_file.items()))
