"""PDFs are read in a worker process: a document that overruns or crashes costs its record only."""

from __future__ import annotations

import zlib

from archive.pdf_read import DocumentLimits
from archive.pdf_worker import DocumentReader
from replica.assets import pdf_file
from replica.pdfs import build_all

PDFS = build_all()
STRATEGY = PDFS["internasjonal-strategi-2014-2018"]


def test_a_document_is_read_in_the_worker() -> None:
    with DocumentReader() as reader:
        content = reader.read(STRATEGY)
        again = reader.read(PDFS["folkehelsestrategi-2019-2023"])
    assert content.reason is None and content.page_count == 8 and content.layout is not None
    assert "Innledning" in content.layout.text
    assert again.layout is not None and again.page_count == 6
    assert content.reader.startswith("pdfium")


def test_an_overrun_ends_the_worker_and_the_next_document_is_read() -> None:
    with DocumentReader(DocumentLimits(max_seconds=0.0), grace=0.0) as reader:
        late = reader.read(STRATEGY)
        assert late.reason == "timeout" and "s a document may take" in late.detail
        assert reader._proc is None  # the worker was ended, not left reading
    with DocumentReader() as reader:
        assert reader.read(STRATEGY).reason is None


def _bomb(repeats: int) -> bytes:
    """A 100 KB PDF whose one page's content stream inflates to 33 MB: a decompression bomb."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n" * repeats, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
         + b"\nendstream"),
    ]
    return pdf_file(objects)


def test_a_decompression_bomb_costs_its_record_and_the_worker_only() -> None:
    bomb = _bomb(1_000_000)
    assert len(bomb) < 200_000
    with DocumentReader(memory=64 * 1024 * 1024) as reader:  # a 64 MiB cap the bomb overruns
        starved = reader.read(bomb)
        assert starved.reason in ("too_large", "crashed"), starved.reason
        assert starved.layout is None and starved.detail
        assert reader.read(STRATEGY).reason is None  # a new worker reads the next one
    with DocumentReader() as reader:
        assert reader.read(STRATEGY).layout is not None


def test_a_file_over_the_size_limit_is_not_sent_to_the_worker() -> None:
    with DocumentReader(DocumentLimits(max_bytes=1000)) as reader:
        big = reader.read(STRATEGY)
        assert big.reason == "too_large" and reader._proc is None
