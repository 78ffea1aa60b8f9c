"""The recording client's request building and lenient response parsing."""

from __future__ import annotations

import pytest

from crawler.wire import WireError, build_request, parse_connect_to, parse_head


def test_request_target_is_kept_verbatim() -> None:
    raw = build_request(
        "http://www.akershus.no/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
        "?n_lim=10&n_po=80", [("User-Agent", "ua"), ("Host", "ignored")])
    lines = raw.split(b"\r\n")
    assert lines[0] == (b"GET /ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
                        b"?n_lim=10&n_po=80 HTTP/1.1")
    assert lines[1] == b"Host: www.akershus.no"
    assert b"Host: ignored" not in raw
    assert raw.endswith(b"Connection: close\r\n\r\n")


def test_host_header_keeps_non_default_port() -> None:
    assert b"Host: example.org:8080" in build_request("http://example.org:8080/", [])
    assert b"Host: example.org\r\n" in build_request("https://example.org:443/", [])


def test_parse_head_keeps_case_order_and_repeats() -> None:
    head = (b"HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/8.5\r\nSet-Cookie: a=1\r\n"
            b"set-cookie: b=2\r\nX-Folded: one\r\n two\r\nbroken line\r\n\r\n")
    protocol, status, reason, headers = parse_head(head)
    assert (protocol, status, reason) == ("HTTP/1.1", 200, "OK")
    assert headers == [("Server", "Microsoft-IIS/8.5"), ("Set-Cookie", "a=1"),
                       ("set-cookie", "b=2"), ("X-Folded", "one two")]


def test_parse_head_without_reason() -> None:
    assert parse_head(b"HTTP/1.1 404\r\n\r\n")[1:3] == (404, "")


def test_malformed_status_line() -> None:
    with pytest.raises(WireError) as err:
        parse_head(b"HTTP/1.1 OK fine\r\n\r\n")
    assert err.value.reason == "bad_status_line"


def test_connect_to() -> None:
    table = parse_connect_to(["www.akershus.no:80:127.0.0.1:8080", "h:443:[::1]:9"])
    assert table == {("www.akershus.no", 80): ("127.0.0.1", 8080), ("h", 443): ("::1", 9)}
    with pytest.raises(ValueError, match="HOST:PORT:ADDRESS:PORT"):
        parse_connect_to(["www.akershus.no:127.0.0.1"])
    with pytest.raises(ValueError, match="ports must be numbers"):
        parse_connect_to(["a:b:c:d"])


# A head whose blank line straddles the reader's 64 KiB reads: found across them.
_LONG = b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * (65536 - 27) + b"\r\n"


@pytest.mark.parametrize(("data", "head", "rest"), [
    # a CRLF head: an LFLF in the body does not end it
    (b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody\n\nmore", b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n",
     b"body\n\nmore"),
    # a bare-LF head: the CRLFCRLF in its body does not end it later
    (b"HTTP/1.0 200 OK\nA: b\n\nbody\r\n\r\nmore", b"HTTP/1.0 200 OK\nA: b\n\n",
     b"body\r\n\r\nmore"),
    (_LONG + b"\r\nbody", _LONG + b"\r\n", b"body"),
])
def test_the_head_ends_at_its_first_blank_line(data: bytes, head: bytes, rest: bytes) -> None:
    import asyncio
    from datetime import UTC, datetime

    from crawler.wire import Exchange, WireClient

    if head.startswith(_LONG):  # the blank line is cut by the first read
        assert len(_LONG) == 65536 and head.index(b"\r\n\r\n") < 65536 < len(head)

    async def read() -> tuple[bytes, bytes]:
        reader = asyncio.StreamReader(limit=1 << 20)
        reader.feed_data(data)
        reader.feed_eof()
        client = WireClient({}, max_head=1 << 20)
        exchange = Exchange("http://www.akershus.no/", datetime.now(UTC), b"")
        got = await client._read_head(reader, exchange, lambda: 5.0)
        return got, bytes(exchange.raw_body)

    assert asyncio.run(read()) == (head, rest)
