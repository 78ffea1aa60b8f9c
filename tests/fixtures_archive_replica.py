"""Captures of the replica over real HTTP, written to a WARC as the crawler records them.

Each page is fetched from a ReplicaServer on 127.0.0.1 with a raw socket, so
the response head and body are kept exactly as sent (gzip and chunking
included), and written as a response record plus its request record.
"""

from __future__ import annotations

import socket
import uuid
from io import BytesIO
from pathlib import Path

from fixtures_archive import digest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HOST = "www.akershus.no"


def fetch_raw(port: int, target: str, host: str = HOST) -> bytes:
    """One GET over a fresh connection; the response bytes as they came off the socket."""
    request = (f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n"
               "User-Agent: akershus-archive-tests\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[StatusAndHeaders, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    protocol, _, status = lines[0].partition(" ")
    headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
    return StatusAndHeaders(status, headers, protocol=protocol), body  # type: ignore[arg-type]


class CaptureWriter:
    """Appends captures of one server to a gzip-per-record WARC."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("wb")
        self.writer = WARCWriter(self.fh, gzip=True, warc_version="WARC/1.1")

    def capture(self, port: int, target: str, date: str, host: str = HOST) -> None:
        http, body = split_response(fetch_raw(port, target, host))
        url = f"http://{host}{target}"
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + date)}>"
        rec = self.writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": date,
                               "WARC-Payload-Digest": digest(body)})
        self.writer.write_record(rec)
        req = StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", host)], is_http_request=True)
        self.writer.write_record(self.writer.create_warc_record(
            url, "request", payload=BytesIO(b""), length=0, http_headers=req,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id}))

    def close(self) -> None:
        self.fh.close()
