"""A static file server on 127.0.0.1 that answers byte ranges (RFC 9110 14), in a thread.

ReplayWeb.page reads a WACZ by ranges (its zip directory, then only the blocks a
page needs); Python's http.server answers every range with the whole file.
"""

from __future__ import annotations

import functools
import os
import re
import socketserver
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class _Handler(SimpleHTTPRequestHandler):
    left: int | None = None

    def send_head(self) -> Any:
        self.left = None
        path = self.translate_path(self.path)
        match = RANGE.match(self.headers.get("Range", ""))
        if not match or not os.path.isfile(path) or not any(match.groups()):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = match.groups()
        start = int(first) if first else max(size - int(last), 0)
        end = min(int(last), size - 1) if first and last else size - 1
        if start > end:
            self.send_error(416)
            return None
        fh = open(path, "rb")  # noqa: SIM115 - closed by the base class after copyfile
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.left = end - start + 1
        return fh

    def copyfile(self, source: IO[bytes], outputfile: Any) -> None:
        if self.left is None:
            super().copyfile(source, outputfile)
            return
        while self.left > 0 and (block := source.read(min(65536, self.left))):
            outputfile.write(block)
            self.left -= len(block)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class InThread:
    """A socketserver served from a daemon thread for a ``with`` block (test servers' base)."""

    _server: socketserver.BaseServer
    _thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()


class RangeServer(InThread):
    """``with RangeServer(folder) as server: server.url``."""

    def __init__(self, folder: Path) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0),
                                     functools.partial(_Handler, directory=str(folder)))
        server.daemon_threads = True
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"
