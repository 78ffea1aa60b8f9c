"""Parsers for the original view, timed on the benchmark's synthetic pages.

``python bench/sanitize_bench.py ARCHIVE [--pages 300]`` reads the first HTML
responses of ARCHIVE/warc (e.g. a ``bench/synthetic_warc.py`` archive) and
prints milliseconds per page for parsing (and walking) with each HTML parser
that is installed, and for ``make_inert`` as the renderer calls it. The
parsers other than lxml and Lexbor are optional (``pip install markupever
html5lib justhtml nh3``); missing ones are listed as such.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parent.parent


def pages(archive: Path, limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type != "response" or rec.http_headers is None:
                    continue
                if "html" not in (rec.http_headers.get_header("Content-Type") or ""):
                    continue
                out.append(rec.content_stream().read().decode("utf-8", "replace"))
                if len(out) >= limit:
                    return out
    return out


def best_ms(docs: list[str], fn: Callable[[str], object], reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        for d in docs:
            fn(d)
        best = min(best, time.perf_counter() - t)
    return best / len(docs) * 1000


def candidates() -> dict[str, Callable[[str], object] | None]:
    import lxml.html
    from selectolax.lexbor import LexborHTMLParser

    def lexbor_walk(d: str) -> int:
        return sum(1 for n in LexborHTMLParser(d).root.traverse(include_text=True)
                   if n.attributes is not None)

    found: dict[str, Callable[[str], object] | None] = {
        "lxml (libxml2) parse": lxml.html.document_fromstring,
        "lxml parse + walk": lambda d: sum(1 for e in lxml.html.document_fromstring(d).iter()
                                           if e.attrib is not None),
        "Lexbor parse": LexborHTMLParser,
        "Lexbor parse + walk": lexbor_walk,
    }
    try:
        import markupever

        def mever_walk(d: str) -> int:
            dom = markupever.parse(d, markupever.HtmlOptions())
            return sum(1 for n in dom.root().descendants() if getattr(n, "attrs", 1) is not None)

        found["html5ever (markupever) parse"] = lambda d: markupever.parse(
            d, markupever.HtmlOptions())
        found["html5ever (markupever) parse + walk"] = mever_walk
    except ImportError:
        found["html5ever (markupever)"] = None
    try:
        import nh3

        found["ammonia (nh3) clean"] = nh3.clean
    except ImportError:
        found["ammonia (nh3)"] = None
    try:
        import justhtml

        found["justhtml parse"] = justhtml.JustHTML
    except ImportError:
        found["justhtml"] = None
    try:
        import html5lib

        found["html5lib parse"] = html5lib.parse
    except ImportError:
        found["html5lib"] = None
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from render.sanitize import make_inert

    docs = pages(args.archive, args.pages)
    size = sum(len(d) for d in docs) / max(1, len(docs)) / 1000
    print(f"{len(docs)} pages, {size:.1f} kB of text each")
    for name, fn in candidates().items():
        if fn is None:
            print(f"{name:38s} not installed")
            continue
        print(f"{name:38s} {best_ms(docs, fn):7.3f} ms/page")

    def inert(d: str) -> str:
        return make_inert(d, "http://www.akershus.no/a/", lambda ref, want: "x/" + ref, "", "")

    print(f"{'make_inert (parse, clean, round trip)':38s} {best_ms(docs, inert):7.3f} ms/page")


if __name__ == "__main__":
    main()
