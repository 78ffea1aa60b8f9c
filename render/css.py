"""Rewriting URLs inside archived CSS (stylesheets, ``<style>``, ``style=""``).

Every ``url(...)`` and ``@import`` is passed to a resolver; what the archive
does not hold becomes an empty ``data:`` URL (an image or font that simply is
not there) and an ``@import`` of it is dropped, so archived CSS can neither
fetch from the live web nor break the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Resolver = Callable[[str], "str | None"]  # raw URL reference -> local URL, or None

# One pass over both forms, so a rewritten @import is not rewritten again.
_REF = re.compile(
    r"""(?P<imp>@import\s+(?:url\(\s*(?P<q1>['"]?)(?P<u1>.*?)(?P=q1)\s*\)"""
    r"""|(?P<q2>['"])(?P<u2>.*?)(?P=q2))[^;]*;?)"""
    r"""|url\(\s*(?P<q>['"]?)(?P<u>.*?)(?P=q)\s*\)""",
    re.IGNORECASE | re.DOTALL,
)
_ESCAPES = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
EMPTY = "data:,"


def _unescape(ref: str) -> str:
    """CSS escapes (``\\6a avascript:``) would otherwise hide a scheme from the resolver."""
    return _ESCAPES.sub(lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) < 0x110000
                        else "", ref).replace("\\", "")


def _quote(url: str) -> str:
    return '"' + url.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "") + '"'


def rewrite_css(text: str, resolve: Resolver) -> str:
    """Return ``text`` with every URL reference resolved or emptied."""

    def on_ref(m: re.Match[str]) -> str:
        if m.group("imp"):
            raw = m.group("u1") if m.group("u1") is not None else m.group("u2")
            ref = _unescape(raw.strip())
            local = resolve(ref) if ref else None
            return f"@import url({_quote(local)});" if local else ""
        ref = _unescape(m.group("u").strip())
        if ref.startswith("#"):  # an SVG fragment reference, local by nature
            return f"url({_quote(ref)})"
        local = resolve(ref) if ref else None
        return f"url({_quote(local or EMPTY)})"

    return _REF.sub(on_ref, text)
