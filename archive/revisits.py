"""Which record holds a revisit's payload: one rule for the extractor and the renderer.

A ``revisit`` record carries no payload. WARC 1.1 (6.7.2) names the record it
repeats by ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``; that
record is taken when the archive holds it. Otherwise (a revisit written by a tool
that leaves those out, or whose original was captured under another URL) the
first response with the same ``WARC-Payload-Digest`` holds the same bytes.

Each reader keeps its own map of originals (the extractor in memory, the
renderer on disk); this module only says how the map is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Originals(Protocol[T_co]):
    """Where originals are: by the target they were captured as, and by payload digest."""

    def original_at(self, uri: str, date: str) -> T_co | None: ...

    def original_with(self, digest: str) -> T_co | None: ...


@dataclass(frozen=True, slots=True)
class RefersTo:
    """What a revisit record says of its original."""

    uri: str | None
    date: str | None
    digest: str | None


def refers_to(rec_headers: Any) -> RefersTo:
    """Read a revisit's pointers from its WARC headers (warcio's StatusAndHeaders)."""
    return RefersTo(rec_headers.get_header("WARC-Refers-To-Target-URI"),
                    rec_headers.get_header("WARC-Refers-To-Date"),
                    rec_headers.get_header("WARC-Payload-Digest"))


def resolve(originals: Originals[T], ref: RefersTo) -> T | None:
    """The original named by target URI and date, else the first with the payload digest."""
    if ref.uri and ref.date:
        found = originals.original_at(ref.uri, ref.date)
        if found is not None:
            return found
    return originals.original_with(ref.digest) if ref.digest else None
