"""Bytes to text the way browsers do it.

The order follows the WHATWG encoding sniffing algorithm that browsers use
(and that w3lib implements): a byte-order mark wins, then the charset of the
recorded HTTP ``Content-Type`` header, then ``<meta charset>`` / ``http-equiv``
in the first bytes, then detection. Labels resolve through w3lib, which maps
ISO-8859-1 and ASCII to windows-1252 as browsers do, so the curly quotes and
dashes that Windows editors put into "latin-1" pages survive.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

# Python codec name -> the WHATWG label we report in records.
_WEB_NAMES = {
    "utf-8": "utf-8",
    "cp1252": "windows-1252",
    "iso8859-15": "iso-8859-15",
    "utf-16-be": "utf-16be",
    "utf-16-le": "utf-16le",
    "mac-roman": "macintosh",
}

# Text of a Norwegian page decoded with the wrong charset: UTF-8 read as
# windows-1252 gives these pairs; undecodable bytes give U+FFFD.
MOJIBAKE_MARKERS = ("Ã¸", "Ã¥", "Ã¦", "Ã˜", "Ã…", "Ã†", "â€", "\ufffd")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded page text and where its charset came from."""

    text: str
    charset: str
    source: str  # "bom", "http", "meta", "detected"


def web_name(codec: str) -> str:
    """The WHATWG label for a Python codec name (``cp1252`` -> ``windows-1252``)."""
    name = codecs.lookup(codec).name
    return _WEB_NAMES.get(name, name)


def detect(body: bytes) -> str:
    """Guess the charset of an undeclared body.

    The legacy site served either UTF-8 or a Windows Western charset, so a
    strict UTF-8 decode that succeeds is UTF-8 (random windows-1252 text with
    æøå almost never forms valid UTF-8 sequences); anything else is
    windows-1252, which maps every byte and so never fails.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_html(body: bytes, content_type: str | None) -> Decoded:
    """Decode an HTML payload: BOM, HTTP header, meta declaration, detection."""
    bom_enc, bom = read_bom(body)
    if bom_enc is not None and bom is not None:
        return Decoded(to_unicode(body[len(bom):], bom_enc), web_name(bom_enc), "bom")
    enc = http_content_type_encoding(content_type)
    source = "http"
    if enc is None:
        enc = html_body_declared_encoding(body)
        source = "meta"
    if enc is None:
        enc = resolve_encoding(detect(body)) or "utf-8"
        source = "detected"
    elif enc in {"utf-16", "utf-32"}:
        enc += "-be"
    return Decoded(to_unicode(body, enc), web_name(enc), source)


def has_mojibake(text: str) -> bool:
    """True when the text shows signs of a wrong charset."""
    return any(marker in text for marker in MOJIBAKE_MARKERS)
