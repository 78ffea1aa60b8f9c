"""The original view: a capture's own HTML from the WARCs, made inert, under a banner.

Its links are pointed into the archive and nothing in it can run; when the WARCs hold
no usable HTML a stub page says so instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from archive.decoding import decode_html

from .linkmap import LinkMap, epoch
from .paths import CapturePaths, relative
from .sanitize import make_inert
from .store import BuildStore
from .warcs import read_payload
from .writing import SiteWriter

logger = logging.getLogger(__name__)


@dataclass
class OriginalView:
    """Writes the original view of captures of one archive into one site."""

    writer: SiteWriter
    env: Environment
    site: dict[str, str]
    archive_dir: Path
    store: BuildStore
    links: LinkMap

    def write(self, rec: dict[str, Any], cp: CapturePaths, bann: dict[str, Any]) -> bool:
        """The original view; False when the WARCs hold no usable HTML for it (a stub)."""
        prov = rec["provenance"]
        # A revisit record holds no payload; the record it refers to does.
        ref = prov.get("refers_to") if isinstance(prov.get("refers_to"), dict) else prov
        where = None
        if ref.get("warc_file") and ref.get("offset") is not None:
            where = (ref["warc_file"], int(ref["offset"]))
        else:
            where = self.store.payload(rec["url"], rec["captured_at"])
        payload = None
        if where:
            try:
                payload = read_payload(self.archive_dir, *where)
            except (OSError, ValueError) as exc:
                logger.warning("%s: original HTML unreadable (%s)", rec["url"], exc)
        nav = [{"path": cp.page, "nb": "Lesevisning", "en": "Reading view"},
               {"path": cp.captures, "nb": "Alle lagringer", "en": "All captures"},
               {"path": "index.html", "nb": "Arkivets forside", "en": "Archive home"}]
        bann = dict(bann, nav=nav)
        if payload is None:
            self.writer.write(cp.original, "original_missing.html", record=rec, banner=bann,
                              paths=cp)
            return False
        when = epoch(rec["captured_at"])

        def rewrite(ref: str, want: str) -> str | None:
            t = self.links.resolve(ref, rec["url"], when, "original" if want == "link" else "file")
            if t.kind in ("page", "original", "file", "missing"):
                return relative(cp.original, t.path)
            if t.kind == "keep" or (t.kind == "external" and want == "link"):
                return t.url
            return None

        ctx = {"here": cp.original, "site": self.site, "record": rec, "banner": bann}
        banner_html = self.env.get_template("original_banner.html").render(**ctx)
        head_html = self.env.get_template("original_head.html").render(**ctx)
        try:
            html = make_inert(page_text(payload, rec["charset"]), rec["url"], rewrite,
                              banner_html, head_html)
        except (ValueError, KeyError) as exc:  # bytes no parser makes sense of: say so, go on
            logger.warning("%s: original view left out (%s)", rec["url"], exc)
            self.writer.write(cp.original, "original_missing.html", record=rec, banner=bann,
                              paths=cp)
            return False
        self.writer.write_bytes(cp.original, html.encode("utf-8"))
        return True


def page_text(payload: bytes, charset: str | None) -> str:
    """A captured page as text, with the charset its record found (the extractor's decoder)."""
    return decode_html(payload, f"text/html; charset={charset}" if charset else None).text
