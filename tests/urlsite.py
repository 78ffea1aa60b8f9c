"""A small site on 127.0.0.1 whose pages link each other by odd forms of their URLs.

The site is a graph drawn by ``random.Random(seed)``: pages, stylesheets,
images, a PDF, redirects, an endless calendar and pages on an IDN host
(``bærum.example``). Every link is written in one of the forms real pages use
for a URL: dot segments (above the root too), ``%2e%2e``, ``%2F`` inside a
segment, double encoding, escapes in upper or lower case, raw non-ASCII in
path and query, the host in Unicode, punycode or capitals, fragments, an
empty query, repeated slashes, ``;params``, a relative path. A few forms name
another resource on purpose (a doubled slash, a ``;param``, ``%2F`` for
``/``); the server answers those with a 404 page.

The server reads the request target from the socket as sent (no HTTP
library normalises it) and finds its node by w3lib's canonical form, so every
form of a node reaches it. The same request always gets the same bytes, so the
payload digests of two crawls compare; each body names its request target,
so two forms of one node are two different payloads. Each answer waits
``latency_ms`` first, so that a crawl lasts long enough to be killed.
"""

from __future__ import annotations

import html
import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from faultserver import OneRequestHandler
from rangeserver import InThread
from w3lib.url import canonicalize_url

HOST = "www.akershus.no"
IDN_HOST = "bærum.example"
IDN_ASCII = IDN_HOST.encode("idna").decode("ascii")
SEED = f"http://{HOST}/"
# Links of the front page lead to the calendar's first day; each day links the
# next. The crawl's query-hop rule (SCOPE_MAX_QUERY_HOPS, 20) keeps days 0-20.
CALENDAR_DAYS = 23
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))
CALENDAR_KEPT = 21
WORDS = ["tjenester", "skole", "høring", "områder", "næring", "tannhelse", "veg",
         "kultur", "økonomi", "plan", "årsrapport", "kollektiv", "miljø", "helse",
         "frivillighet", "idrett", "samferdsel", "fylkestinget", "vedtak", "ærfugl"]
# Every family of link forms the site writes; the test checks each was used.
FAMILIES = frozenset({
    "above_root", "dot_segments", "encoded_dots", "encoded_slash", "double_encoding",
    "escape_case", "raw_non_ascii", "idn_host", "host_case", "default_port", "fragment",
    "empty_query", "repeated_slash", "params", "relative", "query_order", "whitespace",
    "other_resource",
})


def key(url: str) -> str:
    """The node a URL names: w3lib's canonical form, without the default port.

    The Host header never carries port 80, so ``host:80`` is the same resource.
    """
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    if parts.port == 80:
        canonical = canonical.replace(f"{parts.hostname}:80", parts.hostname or "", 1)
    return canonical


@dataclass
class Node:
    """One resource of the site. ``path`` is written with the escapes it keeps (``%2F``)."""

    host: str  # ASCII (punycode) host
    path: str  # decoded but for the escapes that name other characters (%2F, %25)
    query: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "page"  # page, css, img, pdf, redirect, private
    location: str = ""  # redirect: the Location header, as written
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag, href) in page order

    @property
    def url(self) -> str:
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in self.query)
        return f"http://{self.host}{quote(self.path, safe='/%;=|')}" + (
            f"?{query}" if query else "")

    @property
    def key(self) -> str:
        return key(self.url)


def _escape(text: str, rng: random.Random) -> str:
    """``text`` as UTF-8 escapes, in upper or lower case hex."""
    escaped = quote(text, safe="")
    return escaped if rng.random() < 0.5 else escaped.lower()


class Forms:
    """Writes hrefs: one random form of a node's URL, with the families it used."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def chars(self, text: str, used: set[str]) -> str:
        rng, out, i = self.rng, [], 0
        while i < len(text):
            ch = text[i]
            if ch == "%":  # an escape kept as such: %2F, %25
                token = text[i:i + 3]
                i += 3
                if token.upper() == "%2F":
                    used.add("encoded_slash")
                    if rng.random() < 0.5:
                        token = token.lower()
                        used.add("escape_case")
                else:
                    used.add("double_encoding")
                out.append(token)
                continue
            i += 1
            if not ch.isascii():
                choice = rng.randrange(3)
                if choice == 0:
                    used.add("raw_non_ascii")
                    out.append(ch)
                else:
                    used.add("escape_case")
                    out.append(_escape(ch, rng))
            elif ch == " ":
                out.append("%20" if rng.random() < 0.5 else " ")
            elif ch.isalnum() and rng.random() < 0.08:
                used.add("escape_case")
                out.append(f"%{ord(ch):02X}" if rng.random() < 0.5 else f"%{ord(ch):02x}")
            else:
                out.append(ch)
        return "".join(out)

    def path(self, node: Node, used: set[str]) -> str:
        rng = self.rng
        if ";" in node.path:
            used.add("params")
        if "//" in node.path:
            used.add("repeated_slash")
        segments = [self.chars(s, used) for s in node.path.split("/")[1:]]
        # Dot segments that lead back to the same path, never nested: urljoin resolves
        # ``..`` before w3lib decodes ``%2e%2e`` (browsers do both in one pass).
        places = sorted(rng.sample(range(len(segments)), min(len(segments), rng.randrange(4))))
        for at in reversed(places):
            dots = rng.choice([["."], ["zz", ".."], ["%2e"], ["zz", "%2e%2e"],
                               ["zz", ".%2E"], ["zz", "%2E%2e"]])
            used.add("encoded_dots" if "%" in "".join(dots) else "dot_segments")
            segments[at:at] = dots
        path = "/" + "/".join(segments)
        if rng.random() < 0.25:
            used.add("above_root")
            path = "/.." * rng.randint(1, 4) + path
        return path

    def query(self, node: Node, used: set[str]) -> str:
        rng = self.rng
        pairs = list(node.query)
        if len(pairs) > 1 and rng.random() < 0.5:
            used.add("query_order")
            rng.shuffle(pairs)
        return "&".join(f"{self.chars(k, used)}={self.chars(v, used)}" for k, v in pairs)

    def host(self, node: Node, used: set[str]) -> str:
        rng = self.rng
        if node.host == IDN_ASCII:
            used.add("idn_host")
            host = rng.choice([IDN_HOST, IDN_ASCII, IDN_ASCII.upper(), "BÆRUM.example"])
        else:
            host = rng.choice([node.host, node.host, node.host.upper(), "www.Akershus.NO"])
        if host != host.lower():
            used.add("host_case")
        if rng.random() < 0.1:
            used.add("default_port")
            host += ":80"
        return host

    def href(self, node: Node, base: Node, same: bool = False) -> tuple[str, bool]:
        """A form of ``node``'s URL for a page at ``base``; False when it names another.

        ``same``: always a form of ``node`` (the links that make the site reachable).
        """
        rng, used = self.rng, set()
        path = self.path(node, used)
        query = self.query(node, used)
        if not same and rng.random() < 0.08:  # another resource, by a form that changes the path
            used.add("other_resource")
            change = rng.randrange(3)
            if change == 0:
                used.add("repeated_slash")
                path = path.replace("/", "//", 1) if path.count("/") > 1 else path + "/"
                path = "/x" + path if path.startswith("//") else path
            elif change == 1:
                used.add("params")
                path = path.rstrip("/") + ";jsessionid=0" + ("/" if path.endswith("/") else "")
            else:
                used.add("encoded_slash")
                head, _, tail = path.rstrip("/").rpartition("/")
                path = f"{head}%2F{tail}/" if head else path + "%2F"
        if node.host != base.host or rng.random() < 0.3:
            href = f"http://{self.host(node, used)}{path}"
        elif rng.random() < 0.3 and not path.startswith("/..") and "//" not in node.path + \
                base.path:  # urljoin drops empty segments of a relative path (a//b)
            used.add("relative")
            depth = base.path.count("/") - 1
            href = "../" * (depth + rng.randrange(3)) + path[1:]
            if href.startswith("../") and depth < href.count("../"):
                used.add("above_root")
        else:
            href = path
        same = same or "other_resource" not in used
        if query:
            href += "?" + query
        elif href.startswith("http") and rng.random() < 0.3:
            used.add("empty_query")
            href += "?"
        if rng.random() < 0.25:
            used.add("fragment")
            href += rng.choice(["#x", "#", "#ø", "#a/../b"])
        if rng.random() < 0.1:
            used.add("whitespace")
            href = f" \t{href}\n "
        if same:
            joined = urljoin(base.url, href.strip())
            assert key(joined) == node.key, (href, base.url, key(joined), node.key)
        self.used |= used
        return href, same


class Site:
    """The graph of one seed: nodes by canonical URL, and each answer's bytes."""

    def __init__(self, seed: int, extra_pages: int = 14) -> None:
        rng = random.Random(seed)
        self.seed = seed
        self.forms = Forms(rng)
        fixed = [
            Node(HOST, "/"),
            Node(HOST, "/tjenester/skole/videregående/"),
            Node(HOST, "/å/"),
            Node(HOST, "/søk/ø/"),
            Node(HOST, "/dok/a%2Fb/"),
            Node(HOST, "/dok/a%252Fb/"),
            Node(HOST, "/sti;jsessionid=7/side/"),
            Node(HOST, "/dobbel//skråstrek/"),
            Node(HOST, "/liste", [("side", "2"), ("sortering", "ø")]),
            Node(HOST, "/liste", [("side", "3"), ("q", "a|b")]),
            Node(IDN_ASCII, "/"),
            Node(IDN_ASCII, "/kart/ø/"),
        ]
        pages = fixed + self._generated(rng, extra_pages)
        requisites = [
            Node(HOST, "/stil/å.css", kind="css"),
            Node(IDN_ASCII, "/stil/kart.css", kind="css"),
            Node(HOST, "/bilde/ø.png", kind="img"),
            Node(HOST, "/bilde/a|b.gif", kind="img"),
            Node(IDN_ASCII, "/bilde/kart.png", kind="img"),
        ]
        documents = [Node(HOST, "/dok/plan 2019.pdf", kind="pdf")]
        private = Node(HOST, "/privat/ø/", kind="private")  # robots.txt disallows it
        calendar = [Node(HOST, "/kalender/år", [("dag", str(d))]) for d in range(CALENDAR_DAYS)]
        redirects = [Node(HOST, "/flyttet/", kind="redirect"),
                     Node(HOST, "/gammel/", kind="redirect")]
        self.nodes: dict[str, Node] = {}
        for node in pages + requisites + documents + [private] + calendar + redirects:
            assert node.key not in self.nodes, node
            self.nodes[node.key] = node
        self.sitemap_only = Node(HOST, "/bare-i-kartet/ø/")
        self.nodes[self.sitemap_only.key] = self.sitemap_only
        # Redirects say where they lead by a form of a page's URL, non-ASCII escaped
        # (see test_redirect_to_a_raw_utf8_location for raw UTF-8).
        for node in redirects:
            target = rng.choice([p for p in pages[1:] if p.host == HOST])
            href, _same = self.forms.href(target, node, same=True)
            node.location = quote(href.strip(), safe=PRINTABLE)
        front = pages[0]
        # every node is linked from the front page or an earlier page: all are reachable
        targets = pages[1:] + documents + [private] + redirects + [calendar[0]]
        for i, node in enumerate(targets):
            parent = front if i < 6 or node.kind != "page" else rng.choice(
                [front] + [p for p in pages[1:] if p is not node])
            self._link(parent, node, "a", same=True)
        for page in pages:
            for target in rng.sample(pages + documents + redirects, 4):
                self._link(page, target, "a")
            self._link(page, rng.choice(requisites[:2]), "css")
            self._link(page, rng.choice(requisites[2:]), "img")
        for day, node in enumerate(calendar):
            if day + 1 < len(calendar):
                self._link(node, calendar[day + 1], "a", same=True)
            if day:
                self._link(node, calendar[day - 1], "a", same=True)
        for css in requisites[:2]:
            for img in rng.sample(requisites[2:], 2):
                self._link(css, img, "url")
        self.sitemap_locs = [self.forms.href(n, front, same=True)[0].strip()
                             for n in [self.sitemap_only, rng.choice(pages)]]
        self.sitemap_locs = [urljoin(front.url, loc) for loc in self.sitemap_locs]

    def _generated(self, rng: random.Random, count: int) -> list[Node]:
        out: list[Node] = []
        paths: set[str] = set()
        while len(out) < count:
            path = "/" + "/".join(rng.sample(WORDS, rng.randint(1, 3))) + "/"
            if path in paths:
                continue
            paths.add(path)
            host = IDN_ASCII if rng.random() < 0.2 else HOST
            query = [("id", str(rng.randrange(100))), ("ø", "å b")] if rng.random() < 0.2 else []
            out.append(Node(host, path, query))
        return out

    def _link(self, page: Node, target: Node, tag: str, same: bool = False) -> None:
        href, _same = self.forms.href(target, page, same)
        page.links.append((tag, href.strip() if tag == "url" else href))

    # -- answers ---------------------------------------------------------------
    def answer(self, host: str, target: str) -> tuple[str, list[tuple[str, str]], bytes]:
        """(status, headers, body) for a request: the same bytes every time."""
        url = f"http://{host}{target}"
        if urlsplit(url).path == "/robots.txt":
            text = "User-agent: *\nDisallow: /privat/\n"
            if host == HOST:
                text += f"Sitemap: http://{HOST}/kart.xml\n"
            return "200 OK", [("Content-Type", "text/plain")], text.encode()
        if host == HOST and urlsplit(url).path == "/kart.xml":
            locs = "".join(f"<url><loc>{html.escape(loc)}</loc></url>" for loc in self.sitemap_locs)
            body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
            return "200 OK", [("Content-Type", "application/xml")], body.encode()
        node = self.nodes.get(key(url))
        rng = random.Random(f"{self.seed} {host} {target}")
        if node is None or node.kind == "private":
            body = f"<html><body><h1>Ikke funnet</h1><p>{html.escape(target)}</p></body></html>"
            return "404 Not Found", [("Content-Type", "text/html; charset=utf-8")], body.encode()
        if node.kind == "redirect":
            return "301 Moved Permanently", [("Location", node.location),
                                             ("Content-Type", "text/html")], b"moved"
        if node.kind == "img":
            return "200 OK", [("Content-Type", "image/png")], \
                b"\x89PNG\r\n\x1a\n" + rng.randbytes(1500) + target.encode()
        if node.kind == "pdf":
            return "200 OK", [("Content-Type", "application/pdf")], \
                b"%PDF-1.4\n" + rng.randbytes(2000) + target.encode()
        if node.kind == "css":
            rules = "".join(f".b{i}{{background:url('{href}')}}\n"
                            for i, (_tag, href) in enumerate(node.links))
            return "200 OK", [("Content-Type", "text/css; charset=utf-8")], \
                f"/* {target} */\n{rules}".encode()
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], \
            self.page(node, target, rng).encode()

    @staticmethod
    def page(node: Node, target: str, rng: random.Random) -> str:
        head, body = [], []
        for tag, href in node.links:
            attr = html.escape(href, quote=True)
            if tag == "css":
                head.append(f'<link rel="stylesheet" href="{attr}">')
            elif tag == "img":
                body.append(f'<p><img src="{attr}" alt=""></p>')
            else:
                body.append(f'<p><a href="{attr}">{html.escape(href.strip())}</a></p>')
        words = " ".join(rng.choice(WORDS) for _ in range(300 if node.kind == "page" else 80))
        return ('<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">'
                f"<title>{html.escape(node.path)}</title>{''.join(head)}</head><body>"
                f"<h1>{html.escape(target)}</h1>{''.join(body)}<p>{words}</p></body></html>")


class _Handler(OneRequestHandler):
    server: _TCPServer

    def answer(self, sock: socket.socket, method: str, target: str,
               headers: list[tuple[str, str]]) -> None:
        owner = self.server.owner
        host = next((v for k, v in headers if k.lower() == "host"), "").lower()
        with owner.lock:
            owner.requests.append((host, target))
        status, fields, body = owner.site.answer(host, target)
        head = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in fields] + [
            f"Content-Length: {len(body)}", "Connection: close"]
        time.sleep(owner.latency)  # the server's own pace, not a synchronisation
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        except OSError:
            pass  # the crawl was killed mid-answer


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SiteServer


class SiteServer(InThread):
    """Serve ``site`` on 127.0.0.1 (any free port) in a background thread."""

    def __init__(self, site: Site, latency_ms: float = 10) -> None:
        self.site = site
        self.latency = latency_ms / 1000
        self._server = _TCPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def connect_to(self) -> list[str]:
        """``--connect-to`` options sending both hosts here (the IDN one as requested: punycode)."""
        return [arg for host in (HOST, IDN_ASCII)
                for arg in ("--connect-to", f"{host}:80:127.0.0.1:{self.port}")]


