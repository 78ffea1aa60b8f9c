"""Binary requisites made by code: small valid PNG images and PDF documents.

Generated rather than stored so that the bytes are reproducible from a
description (size, colours, text) and stay small in the repository.
"""

from __future__ import annotations

import struct
import zlib
from importlib import resources


def png(width: int, height: int, colours: tuple[tuple[int, int, int], ...], stripe: int = 8) -> bytes:
    """A valid RGB PNG of diagonal stripes cycling through ``colours``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type None
        for x in range(width):
            rows.extend(colours[((x + y) // stripe) % len(colours)])

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (latin-1 covers æøå)."""
    raw = text.encode("cp1252")
    out = bytearray(b"(")
    for b in raw:
        if b in b"()\\":
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b")")


def pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A minimal valid one-page PDF 1.4 showing ``title`` and ``lines`` (correct xref table)."""
    text = [b"BT /F1 18 Tf 72 770 Td " + _pdf_string(title) + b" Tj ET"]
    y = 740
    for line in lines:
        text.append(b"BT /F1 11 Tf 72 %d Td " % y + _pdf_string(line) + b" Tj ET")
        y -= 16
    stream = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
         b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title " + _pdf_string(title) + b" /Author (Akershus fylkeskommune) "
        b"/CreationDate (D:20141120120000+01'00') >>",
    ]
    return pdf_file(objects, info=6)


def pdf_file(objects: list[bytes], info: int = 0) -> bytes:
    """A PDF 1.4 file of numbered objects (1 the catalog) with a correct xref table.

    The one writer of hand-made PDFs: the replica's small plan document and the
    tests' PDFs shaped like other generators' (and hostile ones) use it.
    """
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    trailer = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref)
    return bytes(out)


def static_file(relative: str) -> bytes:
    """Bytes of a file shipped in ``replica/static/``."""
    return resources.files(__package__).joinpath("static", relative).read_bytes()


BLUE = (0, 85, 140)
LIGHT = (220, 232, 242)
GREEN = (64, 128, 72)
SAND = (236, 224, 196)
RED = (170, 40, 40)
GREY = (120, 120, 120)
