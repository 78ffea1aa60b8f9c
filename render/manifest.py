"""The URL-to-file manifest (``manifest.json``): every capture, file and not-archived page.

Written as a stream, one entry a line, so it never has to be in memory whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from .assets import Asset
from .paths import inside
from .store import BuildStore


def write_manifest(out: Path, store: BuildStore, assets: list[Asset]) -> None:
    """Write ``manifest.json`` into the site at ``out``."""
    path = inside(out, "manifest.json")
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"pages":[\n')
        for n, s in enumerate(store.iter_captures()):
            folder, name = s.page.rsplit("/", 1)
            stem = name[:-5]
            fh.write(("," if n else "") + json.dumps({
                "url": s.url, "captured_at": s.captured_at, "record_id": s.id,
                "page": s.page, "original": s.original, "record": f"{folder}/{stem}.json",
                "captures": f"{folder}/index.html"}, ensure_ascii=False) + "\n")
        fh.write('],"files":[\n')
        for n, a in enumerate(assets):
            fh.write(("," if n else "") + json.dumps({
                "url": a.url, "captured_at": a.captured_at, "content_type": a.content_type,
                "path": a.path}, ensure_ascii=False) + "\n")
        fh.write('],"missing":[\n')
        for n, (url, p) in enumerate(store.iter_missing()):
            fh.write(("," if n else "") + json.dumps({"url": url, "path": p},
                                                     ensure_ascii=False) + "\n")
        fh.write("]}\n")
