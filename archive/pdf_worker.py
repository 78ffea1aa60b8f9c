"""PDFs are read in a worker process, so a hostile file costs one record, never the extract.

A PDF is a program of sorts: a damaged or crafted file can make any engine loop,
allocate without end or crash. The worker is forked once and reads one document
at a time; the extract waits for it with a deadline. A document that overruns
the deadline, or a worker that dies (out of its memory cap, or a crash in the
engine), gives a record with the reason ``timeout`` or ``crashed``; the worker
is started again for the next document. The memory cap is an address-space
limit on the worker alone (``RLIMIT_AS``), so the extract's own memory stays
what it was whatever the documents hold.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Self

from archive.forking import default_signals
from archive.pdf_layout import DocumentLayout, lay_out
from archive.pdf_read import DocumentLimits, engine_version, read_pdf

logger = logging.getLogger(__name__)

# Address space the worker may take beyond what it had when forked: a 2 000-page
# document with text on every page stays far below it.
WORKER_MEMORY = 1024 * 1024 * 1024
# Seconds the extract waits beyond ``max_seconds`` (the worker checks that limit
# itself between pages; this catches a page that never ends).
GRACE_SECONDS = 10.0


@dataclass(slots=True)
class PdfContent:
    """What reading one PDF gave: its facts and its laid-out content (None when unread)."""

    page_count: int | None
    pages_read: int
    metadata: dict[str, str]
    reason: str | None
    detail: str
    reader: str
    layout: DocumentLayout | None = None
    outline: list[tuple[int, str]] = field(default_factory=list)


def read_content(data: bytes, limits: DocumentLimits) -> PdfContent:
    """Read and lay out one PDF in this process (the worker's job; tests call it directly)."""
    pdf = read_pdf(data, limits)
    layout = lay_out(pdf) if pdf.pages and pdf.reason not in ("encrypted", "damaged") else None
    return PdfContent(
        page_count=pdf.page_count or None,
        pages_read=len(pdf.pages),
        metadata=dict(pdf.metadata),
        reason=pdf.reason,
        detail=pdf.detail,
        reader=engine_version(),
        layout=layout,
        outline=list(pdf.outline),
    )


def _serve(conn: Connection, other_end: Connection, limits: DocumentLimits, memory: int) -> None:
    """The worker's loop: a PDF in, its content out, until the pipe closes."""
    other_end.close()  # the parent's end, inherited: closed, so its close reaches us as EOF
    faulthandler.disable()  # a crash in the engine is reported by the parent, in one line
    default_signals()
    _cap_memory(memory)
    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return
        try:
            content = read_content(data, limits)
        except MemoryError:
            content = _failed("too_large", "reading it needed more memory than the "
                              f"{memory // (1024 * 1024)} MiB a document may take")
        conn.send(content)


def _cap_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the deadline still holds
        return
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _failed(reason: str, detail: str) -> PdfContent:
    return PdfContent(page_count=None, pages_read=0, metadata={}, reason=reason, detail=detail,
                      reader=engine_version())


class DocumentReader:
    """Reads PDFs one by one in a forked worker, with a deadline and a memory cap."""

    def __init__(self, limits: DocumentLimits | None = None, memory: int = WORKER_MEMORY,
                 grace: float = GRACE_SECONDS) -> None:
        self.limits = limits or DocumentLimits()
        self.memory = memory
        self.grace = grace
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _start(self) -> Connection:
        if self._conn is None:
            ctx = multiprocessing.get_context("fork")
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, parent, self.limits, self.memory),
                               daemon=True, name="pdf-reader")
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
        return self._conn

    def read(self, data: bytes) -> PdfContent:
        """The content of one PDF; a hang or a crash gives a record reason, never an exception."""
        if len(data) > self.limits.max_bytes:
            return _failed("too_large", f"the file is {len(data)} bytes, more than the "
                           f"{self.limits.max_bytes} a document may have")
        conn = self._start()
        try:
            conn.send_bytes(data)
            if conn.poll(self.limits.max_seconds + self.grace):
                result: PdfContent = conn.recv()
                return result
            self._stop(kill=True)
            return _failed("timeout", "reading it took longer than the "
                           f"{self.limits.max_seconds:g} s a document may take")
        except (EOFError, OSError):  # the worker died: memory cap or a crash in the engine
            self._stop(kill=True)
            logger.warning("the PDF reader ended while reading a document; starting a new one")
            return _failed("crashed", "the PDF engine failed while reading it")

    def _stop(self, kill: bool) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            if kill:
                self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None

    def close(self) -> None:
        """End the worker (it ends on its own when the pipe closes)."""
        self._stop(kill=False)
