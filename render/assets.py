"""The archived files (stylesheets, images, PDFs): where each is found, and copying them.

Stylesheets get their URLs pointed into the archive and SVG is made inert (with a view
page beside it); everything else is streamed from the WARC as it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from archive.decoding import decode_html

from .css import rewrite_css
from .linkmap import VIEW_SUFFIX, LinkMap, epoch
from .paths import relative
from .sanitize import inert_svg
from .warcs import copy_payload, read_payload
from .writing import SiteWriter

logger = logging.getLogger(__name__)


@dataclass
class Asset:
    """One archived file: its WARC record, its URL and capture time, its path in the site."""

    warc_file: str
    offset: int
    url: str
    captured_at: str
    content_type: str
    path: str


def copy_files(writer: SiteWriter, archive_dir: Path, links: LinkMap,
               assets: list[Asset]) -> int:
    """Copy every archived file (in WARC order, for fast reads); the number copied."""
    files = 0
    for asset in sorted(assets, key=lambda a: (a.warc_file, a.offset)):
        rewritten = asset.content_type in ("text/css", "image/svg+xml") or \
            asset.path.endswith(".svg")
        if not rewritten:
            with writer.open_for_write(asset.path) as fh:
                try:
                    copy_payload(archive_dir, asset.warc_file, asset.offset, fh)
                except (OSError, ValueError) as exc:
                    logger.warning("%s: payload unreadable (%s); file not copied",
                                   asset.url, exc)
                    fh.truncate(0)
            files += 1
            continue
        try:
            data = read_payload(archive_dir, asset.warc_file, asset.offset)
        except (OSError, ValueError) as exc:
            logger.warning("%s: payload unreadable (%s); file not copied", asset.url, exc)
            data = b""
        if asset.content_type == "text/css":
            when = epoch(asset.captured_at)

            def resolve(ref: str, a: Asset = asset, when: int = when) -> str | None:
                t = links.resolve(ref, a.url, when, "file")
                return relative(a.path, t.path) if t.kind == "file" else (
                    t.url if t.kind == "keep" else None)

            data = rewrite_css(decode_html(data, None).text, resolve).encode("utf-8")
        else:
            data = inert_svg(data)
            writer.write(asset.path + VIEW_SUFFIX, "svg_view.html", url=asset.url,
                         captured_at=asset.captured_at, image=asset.path)
        writer.write_bytes(asset.path, data)
        files += 1
    return files
