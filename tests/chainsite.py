"""A small site that sends one URL's retry chain from one crawl worker to another.

The site listens on two ports; worker ``a`` is sent to the first, worker ``b``
to the second (``--connect-to``), so the server knows who asks. The front
page links :data:`PAGES` pages ``/side/N/`` and :data:`FAILING`, which answers
``503`` to worker ``a``. All are one hop from the seed, so the spider gives them
one priority and Scrapy's retry one less: the retry is popped after every page.

What the server does, in order, so that the chain crosses every time:

1. Worker ``a`` runs alone. Its request for :data:`FAILING` is held until it has
   been served :data:`GATHER` other pages, so the shared frontier holds plenty
   of pages when the 503 goes out; then it gets the 503.
2. From then on every request of ``a`` is held (``a`` fills its downloader
   with them and cannot pop its own retry, which has the lowest priority) until
   :attr:`ChainSite.released` is set.
3. Worker ``b``, started now, drains the frontier and pops the retry last.
   With ``kill=False`` it gets a 200 and ``a`` is released. With ``kill=True``
   its request is held (``b`` holds the chain), :attr:`ChainSite.chain_held` is
   set, and the test kills ``b`` and sets :attr:`released`; from then on
   :data:`FAILING` answers 200 to anyone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

HOST = "www.akershus.no"
SEED = f"http://{HOST}/"
FAILING = "/feil/"
PAGES = 300
GATHER = 40
HOLD_LIMIT = 120.0  # seconds a held request waits at most (a test failing, not hanging)


def page(path: str) -> bytes | None:
    """The HTML of a path of the tree, or None."""
    if path == "/":
        links, title = list(range(1, PAGES + 1)), "Forside"
    elif path.startswith("/side/") and path.endswith("/") and path[6:-1].isdigit():
        n = int(path[6:-1])
        if not 1 <= n <= PAGES:
            return None
        links, title = [], f"Side {n}"
    else:
        return None
    items = "".join(f'<li><a href="/side/{c}/">Side {c}</a></li>' for c in links)
    extra = f'<li><a href="{FAILING}">Feil</a></li>' if path == "/" else ""
    return (f"<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title></head><body><h1>{title}</h1><ul>{items}{extra}</ul></body></html>"
            ).encode()


@dataclass
class Answer:
    worker: str
    path: str
    status: int


@dataclass
class ChainSite:
    """``with ChainSite(kill=...) as site``: ports in ``site.ports["a"]``, ``["b"]``."""

    kill: bool = False
    answers: list[Answer] = field(default_factory=list)
    refused: threading.Event = field(default_factory=threading.Event)
    chain_held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    gathered: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.served = {"a": 0, "b": 0}
        self._servers = {w: self._server(w) for w in ("a", "b")}
        self.ports = {w: s.server_address[1] for w, s in self._servers.items()}
        self._threads: list[threading.Thread] = []

    def _server(self, worker: str) -> ThreadingHTTPServer:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.handle(self, worker)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        return server

    def status_for(self, worker: str, path: str) -> int:
        """Wait as the rules above say; the status to answer."""
        if worker == "a" and self.refused.is_set():
            self.released.wait(HOLD_LIMIT)
        if path != FAILING:
            return 200
        if worker == "a" and not self.refused.is_set():
            with self.gathered:
                self.gathered.wait_for(lambda: self.served["a"] >= GATHER, HOLD_LIMIT)
            self.refused.set()
            return 503
        if self.kill and not self.released.is_set():
            self.chain_held.set()
            self.released.wait(HOLD_LIMIT)
            return 200
        self.released.set()
        return 200

    def handle(self, handler: BaseHTTPRequestHandler, worker: str) -> None:
        path = handler.path.split("?", 1)[0]
        status = self.status_for(worker, path)
        body = page(path) if path != FAILING else b"<html><body><p>Feil</p></body></html>"
        if body is None:
            status, body = 404, b"<html><body><p>Ikke funnet</p></body></html>"
        elif status == 503:
            body = b"<html><body><p>Utilgjengelig</p></body></html>"
        with self.gathered:
            self.answers.append(Answer(worker, path, status))
            if status == 200 and path != FAILING:
                self.served[worker] += 1
                self.gathered.notify_all()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the worker was killed while its request was held

    def __enter__(self) -> Self:
        for server in self._servers.values():
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.released.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()
