"""What an archive directory already holds, read back from its WARC files.

The WARCs are the crawl's only state: a crawl that died at any moment is
resumed by reading them back. URLs with an archived answer are done; the
links of archived pages and stylesheets (re-read from the archived bytes,
exactly as the spider read them) and redirect targets form the frontier; the
payload digests let a later fetch of the same bytes be written as a revisit.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.links import Outlink, css_outlinks, html_outlinks

logger = logging.getLogger(__name__)

STATE_FILE = "crawl-state.json"
# Answers that a resumed crawl asks for again (the server may have recovered).
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class Revisitable:
    """Where a payload was first archived: what a revisit record refers to."""

    uri: str
    date: str
    record_id: str


@dataclass
class ArchiveState:
    done: set[str] = field(default_factory=set)
    pages: int = 0
    digests: dict[str, Revisitable] = field(default_factory=dict)
    links: dict[str, list[Outlink]] = field(default_factory=dict)
    # Pages whose links come from the crawl's own metadata record (its decisions).
    decided: set[str] = field(default_factory=set)

    def frontier(self, seeds: list[str]) -> list[tuple[Outlink, int]]:
        """Links not yet archived, reached breadth-first from the seeds, with their hops.

        Links the crawl had already decided to follow (from its metadata records)
        come first, links re-read from pages it died on before deciding come last:
        the order in which the first run met them, so limits such as the trap
        rule's query-variant budget fall on the same URLs.
        """
        decided: list[tuple[Outlink, int]] = []
        undecided: list[tuple[Outlink, int]] = []
        queue: deque[tuple[str, int]] = deque((s, 0) for s in seeds)
        seen: set[str] = set(seeds)
        for seed in seeds:
            if seed not in self.done:
                decided.append((Outlink(seed, "L", "seed"), 0))
        while queue:
            url, hops = queue.popleft()
            out = decided if url in self.decided else undecided
            for link in self.links.get(url, []):
                if link.url in seen:
                    continue
                seen.add(link.url)
                next_hops = hops + (1 if link.hop == "L" else 0)
                if link.url in self.done:
                    queue.append((link.url, next_hops))
                else:
                    out.append((link, next_hops))
        return decided + undecided


def read_state(archive_dir: Path) -> dict[str, Any] | None:
    path = archive_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(archive_dir: Path, **values: Any) -> None:
    path = archive_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def scan(warc_dir: Path, follow_links: bool = True) -> ArchiveState:
    """Read every finished WARC file of ``warc_dir``; damaged tails are skipped."""
    state = ArchiveState()
    for path in sorted(warc_dir.glob("*.warc.gz")) + sorted(warc_dir.glob("*.warc")):
        try:
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    _take(state, record, follow_links)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            logger.warning("Stopped reading %s at a damaged record: %s", path.name, exc)
    return state


def _take_metadata(state: ArchiveState, record: Any) -> None:
    """The spider's own record of a page's outlinks, less those it chose to leave out."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    links: list[Outlink] = []
    skipped: set[str] = set()
    for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(": ")
        parts = value.split(" ")
        if name == "outlink" and len(parts) >= 2:
            links.append(Outlink(parts[0], parts[1], " ".join(parts[2:])))
        elif name == "skipped" and parts:
            skipped.add(parts[0])
    state.links[uri] = [link for link in links if link.url not in skipped]
    state.decided.add(uri)


def _take(state: ArchiveState, record: Any, follow_links: bool) -> None:
    if record.rec_type == "metadata" and follow_links:
        _take_metadata(state, record)
        return
    if record.rec_type not in {"response", "revisit"}:
        return
    headers = record.rec_headers
    uri = headers.get_header("WARC-Target-URI")
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http else 0
    if status in RETRY_STATUSES:
        return
    state.done.add(uri)
    digest = headers.get_header("WARC-Payload-Digest")
    if record.rec_type == "response" and digest and 200 <= status < 300:
        state.digests.setdefault(digest, Revisitable(
            uri, headers.get_header("WARC-Date"), headers.get_header("WARC-Record-ID")))
    if not http:
        return
    if 300 <= status < 400 and http.get_header("Location"):
        target = urljoin(uri, http.get_header("Location"))
        state.links[uri] = [Outlink(target, "R", "redirect")]
        return
    ctype = (http.get_header("Content-Type") or "").lower()
    if status == 200 and "html" in ctype:
        state.pages += 1
    if not follow_links or record.rec_type != "response" or status != 200:
        return
    if uri in state.decided:
        return
    if "html" in ctype or "css" in ctype:  # died before its metadata record: read the page
        body = record.content_stream().read()
        charset = "utf-8"
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        try:
            text = body.decode(charset, "replace")
        except LookupError:
            text = body.decode("utf-8", "replace")
        state.links[uri] = html_outlinks(uri, text) if "html" in ctype else css_outlinks(uri, text)
