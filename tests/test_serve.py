"""``akershus-archive serve`` over a real socket: policies, symlinks, Host, bad input.

The site is a handful of files made here, so each rule is checked on a file
of the kind it is about, whatever the renderer happens to produce.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from render.environment import page_csp
from render.sanitize import CSP as ORIGINAL_CSP
from render.serve import make_server

SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
FILE_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "font-src 'self'; media-src 'self'; object-src 'self'")
ERROR_CSP = "default-src 'none'"

INDEX = b"<!doctype html><title>Arkiv</title><p>index of the test site</p>\n"
ORIG = b"<!doctype html><title>Original</title><p>captured page</p>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'
CSS = b"body { color: black }\n"
PDF = b"%PDF-1.4\n%test\n"
SECRET = b"secret bytes that live outside the site folder\n"


@dataclass
class Site:
    root: Path
    port: int


def _link(link: Path, target: Path | str) -> None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError) as err:  # pragma: no cover - no symlinks here
        pytest.skip(f"symlinks not available: {err}")


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    (root / "pages" / "x").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "pages" / "x" / "a.orig.html").write_bytes(ORIG)
    (root / "a.svg").write_bytes(SVG)
    (root / "style.css").write_bytes(CSS)
    (root / "doc.pdf").write_bytes(PDF)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "index.html").write_bytes(SECRET)
    _link(root / "leak", "/etc/passwd")
    _link(root / "leak-secret.txt", outside / "secret.txt")
    _link(root / "outdir", outside)
    (root / "sub").mkdir()
    _link(root / "sub" / "index.html", outside / "index.html")  # a folder's index that leaves
    _link(root / "inner", root / "pages" / "x")  # stays inside: fine
    _link(root / "alias.css", "style.css")
    _link(root / "orig-alias.html", root / "pages" / "x" / "a.orig.html")

    server = make_server(root, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Site(root.resolve(), server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(site: Site, path: str, method: str = "GET", host: str | None = "",
            extra: tuple[tuple[str, str], ...] = ()) -> Reply:
    """One request with full control of ``Host``: ``""`` the right one, ``None`` none at all."""
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host or f"127.0.0.1:{site.port}")
        for name, value in extra:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def raw(site: Site, data: bytes) -> bytes:
    """Send bytes as they are (requests http.client will not make) and read until close."""
    with socket.create_connection(("127.0.0.1", site.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # the server closed with some of our bytes unread
            pass
    return b"".join(chunks)


def assert_security_headers(reply: Reply, csp: str) -> None:
    assert reply.headers.get_all("Content-Security-Policy") == [csp]
    assert reply.headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert reply.headers.get_all("Referrer-Policy") == ["no-referrer"]


@pytest.mark.parametrize(("path", "csp", "ctype", "body"), [
    ("/index.html", page_csp(scripts=True), "text/html", INDEX),
    ("/", page_csp(scripts=True), "text/html", INDEX),
    ("/index.html?q=a.svg", page_csp(scripts=True), "text/html", INDEX),
    ("/pages/x/a.orig.html", ORIGINAL_CSP, "text/html", ORIG),
    ("/pages/x/a.orig%2ehtml", ORIGINAL_CSP, "text/html", ORIG),
    ("/pages/x/a%2Eorig.html", ORIGINAL_CSP, "text/html", ORIG),
    ("/pages/./x/../x/a.orig.html", ORIGINAL_CSP, "text/html", ORIG),
    ("/inner/a.orig.html", ORIGINAL_CSP, "text/html", ORIG),
    ("/orig-alias.html", ORIGINAL_CSP, "text/html", ORIG),
    ("/a.svg", SVG_CSP, "image/svg+xml", SVG),
    ("/a.sv%67", SVG_CSP, "image/svg+xml", SVG),
    ("/%61.svg", SVG_CSP, "image/svg+xml", SVG),
    ("/a.svg?x=.css", SVG_CSP, "image/svg+xml", SVG),
    ("/style.css", FILE_CSP, "text/css", CSS),
    ("/alias.css", FILE_CSP, "text/css", CSS),
    ("/doc.pdf", FILE_CSP, "application/pdf", PDF),
])
def test_policy_follows_the_file_served(site: Site, path: str, csp: str, ctype: str,
                                        body: bytes) -> None:
    reply = request(site, path)
    assert reply.status == 200, reply
    assert reply.body == body
    assert reply.headers["Content-Type"].split(";")[0] == ctype
    assert_security_headers(reply, csp)


def test_head_gets_the_same_policy(site: Site) -> None:
    reply = request(site, "/a.sv%67", method="HEAD")
    assert reply.status == 200 and reply.body == b""
    assert_security_headers(reply, SVG_CSP)


def test_original_views_allow_no_script_and_pdf_is_not_sandboxed() -> None:
    # The policies compared against above, read for what they must mean.
    assert "script-src 'none'" in ORIGINAL_CSP
    assert "script-src 'self'" in page_csp(scripts=True)
    assert "script" not in SVG_CSP and "sandbox" in SVG_CSP
    assert "sandbox" not in FILE_CSP and "script" not in FILE_CSP


@pytest.mark.parametrize(("path", "method", "status"), [
    ("/nope.html", "GET", 404),
    ("/nope.svg", "GET", 404),
    ("/nope.svg", "HEAD", 404),
    ("/pages/x/", "GET", 404),  # a folder without an index: no listing
    ("/pages/", "GET", 404),
    ("/index.html/", "GET", 404),
    ("/index.html", "POST", 501),
    ("/index.html", "DELETE", 501),
])
def test_errors_carry_the_strict_policy(site: Site, path: str, method: str,
                                        status: int) -> None:
    reply = request(site, path, method=method)
    assert reply.status == status
    assert_security_headers(reply, ERROR_CSP)
    assert INDEX not in reply.body and b"a.orig.html" not in reply.body


def test_folder_redirect_carries_the_headers(site: Site) -> None:
    reply = request(site, "/pages/x")
    assert reply.status == 301 and reply.headers["Location"] == "/pages/x/"
    assert reply.headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert "script" not in reply.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", [
    "/leak",
    "/leak-secret.txt",
    "/outdir/secret.txt",
    "/outdir/",
    "/outdir",
    "/outdir/index.html",
    "/sub/",
    "/sub/index.html",
    "/%6ceak",
    "/outdir%2fsecret.txt",
    "/../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
])
def test_symlinks_that_leave_the_site_are_not_found(site: Site, path: str) -> None:
    passwd = Path("/etc/passwd").read_bytes()[:32] if Path("/etc/passwd").is_file() else SECRET
    for method in ("GET", "HEAD"):
        reply = request(site, path, method=method)
        assert reply.status == 404, (path, method, reply.status)
        assert SECRET not in reply.body and passwd not in reply.body
        assert b"outside" not in reply.body and b"passwd" not in reply.body
        assert "Location" not in reply.headers
        assert_security_headers(reply, ERROR_CSP)


def test_symlinks_inside_the_site_are_served(site: Site) -> None:
    assert (site.root / "inner").is_symlink() and (site.root / "alias.css").is_symlink()
    assert request(site, "/inner/a.orig.html").body == ORIG
    assert request(site, "/alias.css").body == CSS


def _other_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


@pytest.mark.parametrize("host", [
    "evil.example:{port}",
    "127.0.0.1:{other}",
    "localhost:{other}",
    "127.0.0.1",
    "localhost",
    "127.0.0.2:{port}",
    "127.0.0.1.evil.example:{port}",
    "localhost.:{port}",
    "[::1]",
    "",
    None,
])
def test_wrong_host_is_refused(site: Site, host: str | None) -> None:
    value = None if host is None else host.format(port=site.port, other=_other_port(site.port))
    if value == "":
        value = " "  # an empty Host header (the helper's "" means the right one)
    reply = request(site, "/index.html", host=value)
    assert reply.status in (400, 421), (value, reply.status)
    assert INDEX not in reply.body
    assert_security_headers(reply, ERROR_CSP)


def test_two_host_headers_are_refused(site: Site) -> None:
    reply = request(site, "/index.html", extra=(("Host", "evil.example"),))
    assert reply.status in (400, 421)
    assert INDEX not in reply.body


def test_absolute_form_target_is_refused(site: Site) -> None:
    reply = request(site, f"http://evil.example:{site.port}/index.html")
    assert reply.status == 400
    assert INDEX not in reply.body
    assert_security_headers(reply, ERROR_CSP)


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}",
                                  "[::1]:{port}", " 127.0.0.1:{port} "])
def test_loopback_host_is_served(site: Site, host: str) -> None:
    reply = request(site, "/index.html", host=host.format(port=site.port))
    assert reply.status == 200 and reply.body == INDEX


_HEAD = b"GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"
_LONG_HEADER = _HEAD + b"X: " + b"a" * (65537 - 3)


@pytest.mark.parametrize(("data", "status"), [
    (b"GET /%00 HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET /a%00.svg HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET /%ed%a0%80 HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET /%ff%fe.html HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET /\xff\xfe HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET * HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"400"),
    (b"GET / HTTP/9.9\r\n", b"505"),
    (b"\x00\x01\x02 garbage\r\n", b"400"),
    (b"GET //evil.example/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", b"404"),
    (b"GET /" + b"a" * (65537 - 5), b"414"),  # exactly what is read: none left unread
    (_LONG_HEADER, b"431"),
])
def test_bad_requests_get_an_answer_not_a_traceback(
        site: Site, data: bytes, status: bytes, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO, logger="render.serve")
    answer = raw(site, data.replace(b"{port}", str(site.port).encode()))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split(b" ")[1] == status, answer[:200]
    assert b"X-Content-Type-Options: nosniff" in head
    assert b"Content-Security-Policy: default-src 'none'\r\n" in head + b"\r\n"
    assert INDEX not in body
    assert request(site, "/index.html").status == 200  # and the server still answers
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in capfd.readouterr().err


def test_http09_gets_no_headerless_file(site: Site) -> None:
    answer = raw(site, b"GET /index.html\r\n")
    assert answer.startswith(b"HTTP/1.0 400 "), answer[:200]
    assert b"index of the test site" not in answer
