"""Serve a rendered site on 127.0.0.1, and nothing outside its folder.

The archive works from file:// already; serving is for browsers or tools
that want http. The standard library's handler is used with its directory
pinned to the site (it refuses paths that climb out), loopback by default,
and the same no-script policy the pages carry sent as a header too.
"""

from __future__ import annotations

import functools
import logging
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

logger = logging.getLogger(__name__)


class SiteHandler(SimpleHTTPRequestHandler):
    """Files of one folder; no directory listings, no-sniff, correct types for the index."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".json": "application/json",
                      ".jsonl": "application/jsonl", ".css": "text/css", ".svg": "image/svg+xml",
                      ".html": "text/html; charset=utf-8"}

    def list_directory(self, path: Any) -> None:  # type: ignore[override]
        self.send_error(404, "No listing")

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if self.path.split("?", 1)[0].endswith(".svg"):
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A bound server for ``site_dir`` (port 0: the system picks one; read ``server_port``)."""
    site = Path(site_dir).resolve()
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site} holds no index.html - run render first")
    handler = functools.partial(SiteHandler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until Ctrl-C; prints the URL on stdout."""
    server = make_server(site_dir, host, port)
    url = f"http://{server.server_address[0]}:{server.server_port}/index.html"
    print(url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped", file=sys.stderr)
    finally:
        server.server_close()
