"""Could a page nest so deep that an HTML5 parser slows to a crawl? One check for all readers.

An HTML5 tree builder (Lexbor's, as any) looks through the stack of open
elements at each tag, so its time grows with the square of the nesting depth:
100 000 nested ``<div>`` (1.1 MB) took Lexbor 18 s a parse. Browsers do not
build such trees either (Chromium flattens past 512). The crawler reads the
links of a page that may nest deeper than MAX_DEPTH from libxml2's tree
instead (linear in any markup); the render gives it no original view. Pages
of CHECK_TAGS tags or fewer are not checked: that deep a tree of them parses
in a tenth of a second.
"""

from __future__ import annotations

import re

MAX_DEPTH = 5000
CHECK_TAGS = 10_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Tags that never hold the depth up: void elements, those whose end tag the parser
# implies, and formatting elements (the parser bounds those itself).
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "param", "keygen", "image", "basefont", "bgsound", "frame",
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "rb", "rt", "rp", "rtc", "colgroup", "caption", "html", "head", "body",
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
    "tt", "u",
})


def too_deep(text: str) -> bool:
    """Could ``text`` nest more than MAX_DEPTH elements? (An upper bound, read from its tags.)"""
    if text.count("<") <= CHECK_TAGS:
        return False
    depth = 0
    for match in _TAG.finditer(text):
        if match.group(2).lower() in _FLAT:
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > MAX_DEPTH:
            return True
    return False
