"""Serve a rendered site on 127.0.0.1, and nothing outside its folder.

The archive works from file:// already; serving is for browsers or tools
that want http. The standard library's handler does the work, with these
limits on top, because a page in the archive is untrusted content and any web
page the user has open elsewhere can make the browser talk to a local port:

* Only requests whose ``Host`` is ``127.0.0.1``, ``localhost`` or ``[::1]``
  with the server's own port are answered (421 otherwise, or without a Host):
  a DNS-rebinding page cannot read the archive under a name of its own.
  Targets that are not a plain path (absolute URLs, ``*``) and HTTP/0.9
  (which has no headers to carry the policies below) get 400.
* What is served is the file the decoded request path names inside the site,
  and only if its real path (symlinks followed) is inside the site too;
  anything else is a 404 that says no more than that. No directory listings.
* Every response, errors included, has ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` and a Content-Security-Policy chosen from
  the served file's name and content type (see :func:`policy_for`): original
  views get the inert policy of :data:`render.sanitize.CSP`, the archive's
  own pages :func:`render.environment.page_csp` with their script, SVG no
  script at all, everything else and errors even less.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from .environment import page_csp
from .sanitize import CSP as ORIGINAL_CSP

logger = logging.getLogger(__name__)

PAGE_CSP = page_csp(scripts=True)
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
# No sandbox: a browser's PDF viewer refuses to open in a sandboxed document.
FILE_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "font-src 'self'; media-src 'self'; object-src 'self'")
ERROR_CSP = "default-src 'none'"

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def policy_for(path: str, content_type: str, real_path: str | None = None) -> str:
    """The Content-Security-Policy header for serving the file at ``path`` as ``content_type``.

    Decided on the filesystem path (already decoded and normalised), never on
    the request's text, so ``%67`` for ``g`` cannot dodge it. An original view
    (``*.orig.html``, by the name asked for or the one a symlink points to) is
    a captured page and gets the policy that lets nothing run; other HTML is
    the archive's own, which the search page needs its script for. SVG can
    hold script, so it gets none; anything else needs none either.
    """
    names = [os.path.basename(path).lower()]
    if real_path is not None:
        names.append(os.path.basename(real_path).lower())
    ctype = content_type.split(";", 1)[0].strip().lower()
    if any(name.endswith(".orig.html") for name in names):
        return ORIGINAL_CSP
    if ctype == "text/html":
        return PAGE_CSP
    if ctype == "image/svg+xml":
        return SVG_CSP
    return FILE_CSP


def allowed_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values a browser sends for this server when reached by a loopback name."""
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


class SiteHandler(SimpleHTTPRequestHandler):
    """Files of one folder, with the limits of the module docstring."""

    # Set on the class, as http.server itself does (its stub declares it per instance).
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".json": "application/json",
        ".jsonl": "application/jsonl", ".css": "text/css", ".svg": "image/svg+xml",
        ".html": "text/html; charset=utf-8"}
    # An idle or trickling client must not hold a thread for ever.
    timeout = 60
    # The policy of the response under way; errors and anything unexpected get the strict one.
    _csp: str = ERROR_CSP

    def parse_request(self) -> bool:
        """The standard parse, then refuse what the archive never needs (see module docstring)."""
        self._csp = ERROR_CSP
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        if not self.path.startswith("/"):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        hosts = self.headers.get_all("Host") or []
        address = self.server.server_address
        assert isinstance(address, tuple)  # a TCP server: (host, port, ...)
        port = address[1]
        if len(hosts) != 1 or hosts[0].strip().lower() not in allowed_hosts(port):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST)
            return False
        return True

    def send_head(self) -> Any:
        """Refuse a file whose real path leaves the site, set its policy, then serve as usual.

        The target is worked out as the standard ``send_head`` does (a folder
        means its index file), so the check and the policy are about the file
        it will open.
        """
        try:
            path = self.translate_path(self.path)
            target = self._target(path)
            real: str | None = os.path.realpath(target)
        except (OSError, ValueError):  # %00 or a lone surrogate (%ed%a0%80): no such file
            real = None
        if real is None or not self._inside_site(real):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        self._csp = policy_for(target, self.guess_type(target), real)
        return super().send_head()

    def _target(self, path: str) -> str:
        """The file the standard handler opens for ``path``: a folder's index, if it has one."""
        if os.path.isdir(path) and path.endswith("/"):
            for index in ("index.html", "index.htm"):
                candidate = os.path.join(path, index)
                if os.path.isfile(candidate):
                    return candidate
        return path

    def _inside_site(self, real: str) -> bool:
        root = os.path.realpath(self.directory)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def list_directory(self, path: Any) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """An error page is never the file asked for: it gets the strict policy.

        A request line too broken to name a version counts as HTTP/0.9, whose
        answers have no status line or headers; nothing speaks 0.9 any more,
        so the error is sent as HTTP/1.0 and carries the headers like any other.
        """
        self._csp = ERROR_CSP
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        """Every response, errors too, goes through here: the security headers are added here."""
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", self._csp)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


class SiteServer(ThreadingHTTPServer):
    """A threading server that reports a client going away as one log line, not a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            logger.info("%s: connection lost (%s)", client_address[0], exc)
            return
        logger.error("%s: request failed", client_address[0], exc_info=exc)


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A bound server for ``site_dir`` (port 0: the system picks one; read ``server_port``)."""
    site = Path(site_dir).resolve()
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site} holds no index.html - run render first")
    handler = functools.partial(SiteHandler, directory=str(site))
    return SiteServer((host, port), handler)


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until Ctrl-C; prints the URL on stdout."""
    server = make_server(site_dir, host, port)
    host_bound = server.server_address[0]
    assert isinstance(host_bound, str)  # getsockname() gives an IP address as text
    url = f"http://{host_bound}:{server.server_port}/index.html"
    print(url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped", file=sys.stderr)
    finally:
        server.server_close()
