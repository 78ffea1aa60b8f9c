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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from w3lib.url import safe_url_string
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.folder import finished_in, state_file
from crawler.links import Outlink, request_url, response_outlinks
from crawler.settings import DOWNLOAD_MAXSIZE

logger = logging.getLogger(__name__)

# Answers that a resumed crawl asks for again (the server may have recovered).
RETRY_STATUSES = {429, 500, 502, 503, 504}
# Resume reads no more of a decoded body than the crawl would have downloaded of it:
# a small gzip body can inflate a thousandfold, and resume only wants its links.
MAX_BODY = DOWNLOAD_MAXSIZE


REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@dataclass
class Revisitable:
    """Where a payload was first archived: what a revisit record refers to."""

    uri: str
    date: str
    record_id: str

    def revisit_headers(self, digest: str) -> dict[str, str]:
        """The WARC headers of a revisit of this payload (WARC 1.1, 6.7.2)."""
        return {
            "WARC-Refers-To": self.record_id,
            "WARC-Refers-To-Target-URI": self.uri,
            "WARC-Refers-To-Date": self.date,
            "WARC-Payload-Digest": digest,
            "WARC-Profile": REVISIT_PROFILE,
        }


@dataclass
class ArchiveState:
    done: set[str] = field(default_factory=set)
    pages: int = 0
    digests: dict[str, Revisitable] = field(default_factory=dict)
    links: dict[str, list[Outlink]] = field(default_factory=dict)
    # Pages whose links come from the crawl's own metadata record (its decisions).
    decided: set[str] = field(default_factory=set)
    order: list[str] = field(default_factory=list)  # decided pages, in decision order
    hops: dict[str, int] = field(default_factory=dict)
    # Where each page's or stylesheet's payload is (file, offset), by payload digest,
    # and the revisits of them by URL (digest, Content-Type): see _read_revisited_pages.
    bodies: dict[str, tuple[Path, int]] = field(default_factory=dict)
    revisited_pages: dict[str, tuple[str, str]] = field(default_factory=dict)

    def frontier(self, seeds: list[str]) -> list[tuple[Outlink, int]]:
        """Links not yet archived, in the order the first run decided on them, with hops.

        Metadata records are written as the spider decides, so reading them in
        file order replays the first run's decisions in their order; links re-read
        from pages it died on before deciding come last. Limits such as the trap
        rule's query-variant budget therefore fall on the same URLs.
        """
        out: list[tuple[Outlink, int]] = []
        seen: set[str] = set(self.done)
        for seed in seeds:
            if seed not in seen:
                seen.add(seed)
                out.append((Outlink(seed, "L", "seed"), 0))
        link_hops: dict[str, int] = {}
        # Reached as requisites (embeds, documents): a redirect of one is a requisite
        # too, as the live crawl's redirected request keeps its kind.
        requisites: set[str] = set()
        undecided = [u for u in self.links if u not in self.decided]
        for page in self.order + undecided:
            hops = self.hops.get(page, link_hops.get(page, 0))
            for link in self.links.get(page, []):
                if link.hop == "R" and page in requisites:
                    link = Outlink(link.url, "E", link.context)
                if link.hop == "E" or link.is_document:
                    requisites.add(link.url)
                next_hops = hops + (1 if link.hop == "L" else 0)
                link_hops.setdefault(link.url, next_hops)
                if link.url not in seen:
                    seen.add(link.url)
                    out.append((link, next_hops))
        return out


    def known_hops(self, seeds: list[str]) -> dict[str, int]:
        """Link hops of every URL the archive's pages lead to."""
        hops: dict[str, int] = dict.fromkeys(seeds, 0)
        for page in self.order + [u for u in self.links if u not in self.decided]:
            base = self.hops.get(page, hops.get(page, 0))
            hops.setdefault(page, base)
            for link in self.links.get(page, []):
                hops.setdefault(link.url, base + (1 if link.hop == "L" else 0))
        return hops


def read_state(archive_dir: Path) -> dict[str, Any] | None:
    path = state_file(archive_dir)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(archive_dir: Path, **values: Any) -> None:
    path = state_file(archive_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def scan(warc_dir: Path, follow_links: bool = True,
         progress: Callable[[int, int], None] | None = None) -> ArchiveState:
    """Read every finished WARC file of ``warc_dir``; damaged tails are skipped.

    ``progress(files read, files)`` is called before each file and at the end.
    """
    state = ArchiveState()
    files = finished_in(warc_dir)
    for n, path in enumerate(files):
        if progress is not None:
            progress(n, len(files))
        try:
            with open(path, "rb") as fh:
                records = ArchiveIterator(fh)
                for record in records:
                    body_digest = _take(state, record, follow_links)
                    if body_digest:  # the offset is known once the record is read
                        state.bodies.setdefault(body_digest, (path, records.get_record_offset()))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            logger.warning("Stopped reading %s at a damaged record: %s", path.name, exc)
    if progress is not None:
        progress(len(files), len(files))
    if follow_links:
        _read_revisited_pages(state)
    return state


def _read_revisited_pages(state: ArchiveState) -> None:
    """Links of pages archived as revisits that the crawl died on before deciding.

    The spider parses a revisited page like any other (it has the bytes from
    the wire), but the revisit record holds no body: the links are read from
    the record it revisits, against the revisit's own URL, as the spider did.
    """
    for uri, (digest, ctype) in state.revisited_pages.items():
        where = state.bodies.get(digest)
        if uri in state.decided or where is None:
            continue
        path, offset = where
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                record = next(iter(ArchiveIterator(fh)))
                state.links[uri] = _page_links(uri, ctype, record.content_stream().read(MAX_BODY))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, StopIteration) as exc:
            logger.warning("Could not read the page %s revisits: %s", uri, exc)


def _take_metadata(state: ArchiveState, record: Any) -> None:
    """The spider's own record of a page's outlinks, less those it chose to leave out."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    links: list[Outlink] = []
    skipped: set[str] = set()
    for line in record.content_stream().read(MAX_BODY).decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(": ")
        parts = value.split(" ")
        if name == "outlink" and len(parts) >= 2:
            links.append(Outlink(parts[0], parts[1], " ".join(parts[2:])))
        elif name == "skipped" and parts:
            skipped.add(parts[0])
        elif name == "hops" and value.isdigit():
            state.hops[uri] = int(value)
    state.links[uri] = [link for link in links if link.url not in skipped]
    if uri not in state.decided:
        state.decided.add(uri)
        state.order.append(uri)


def redirect_target(uri: str, location: str) -> str:
    """The URL the crawl requests for a redirect to ``location``, as the live crawl does.

    Scrapy's redirect middleware joins the Location (``safe_url_string``) to the
    URL; the scope middleware then asks for the target's canonical form
    (``request_url``), as for any link.
    """
    location = safe_url_string(location)
    if location.startswith("//"):
        location = f"{urlsplit(uri).scheme}://{location.lstrip('/')}"
    return request_url(urljoin(uri, location))


def _page_links(uri: str, ctype: str, body: bytes) -> list[Outlink]:
    """The links of an archived page or stylesheet, read as the spider read them.

    The response is rebuilt with Scrapy's response classes, so the text is decoded
    as the live crawl's was (header charset, BOM, ``<meta charset>``, then
    detection): a page of ISO-8859-1 that says so only in its markup yields the
    same URLs.
    """
    headers = Headers({"Content-Type": ctype} if ctype else {})
    cls = responsetypes.from_args(headers=headers, url=uri, body=body)
    return response_outlinks(cls(url=uri, body=body, headers=headers)) or []


def _take(state: ArchiveState, record: Any, follow_links: bool) -> str | None:
    """Take in one record; the payload digest of a page or stylesheet response, else None."""
    if record.rec_type == "metadata" and follow_links:
        _take_metadata(state, record)
        return None
    if record.rec_type not in {"response", "revisit"}:
        return None
    headers = record.rec_headers
    uri = headers.get_header("WARC-Target-URI")
    http = record.http_headers
    code = http.get_statuscode() if http else ""
    status = int(code) if code and code.isdigit() else 0  # an unparseable answer is kept too
    if status in RETRY_STATUSES:
        return None
    state.done.add(uri)
    digest = headers.get_header("WARC-Payload-Digest")
    if record.rec_type == "response" and digest and 200 <= status < 300:
        state.digests.setdefault(digest, Revisitable(
            uri, headers.get_header("WARC-Date"), headers.get_header("WARC-Record-ID")))
    if not http:
        return None
    if 300 <= status < 400 and http.get_header("Location"):
        location = http.get_header("Location")
        try:
            target = redirect_target(uri, location)
        except ValueError:  # the crawl counts it as an invalid URL, as it did the first time
            target = location
        state.links[uri] = [Outlink(target, "R", "redirect")]
        return None
    ctype = (http.get_header("Content-Type") or "").lower()
    if status == 200 and "html" in ctype:
        state.pages += 1
    if not follow_links or status != 200 or not ("html" in ctype or "css" in ctype or not ctype):
        return None  # the spider reads pages (no Content-Type: sniffed) and stylesheets
    if record.rec_type == "revisit":  # its links, if need be, from the record it revisits
        if digest and uri not in state.decided:
            state.revisited_pages.setdefault(uri, (digest, ctype))
        return None
    if uri not in state.decided:  # died before its metadata record: read the page
        state.links[uri] = _page_links(uri, ctype, record.content_stream().read(MAX_BODY))
    return digest
