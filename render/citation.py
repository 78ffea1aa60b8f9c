"""Citations of captures, and the facts a reader needs to check the archive's sources.

A capture is cited the way web archives name it: ``<14-digit timestamp>/<original URL>``
(the form pywb and the Wayback Machine resolve), with its WARC record id and
payload digest, the archive's name and date, and the sha256 of the WARC file that
holds it. A capture harvested from a public web archive carries that archive's
replay URL in its WARC record (``WARC-Source-URI``): it is read from the WARC here,
since page records do not hold it, and cited too.

Per capture the cite box links a CSL-JSON and a BibTeX file (reference managers read
both). The verify page (``verify.html``) lists the archive's files, their digests
and the commands that check them; the files themselves stay beside the site
(``../warc/NAME``, ``../crawl-report.json``), which works from file:// when the site
sits in its archive folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from archive.folder import REPORT_FILE, finished_warcs, locate_warc, warc_relative

from .assets import Asset
from .environment import parse_when
from .paths import CapturePaths

logger = logging.getLogger(__name__)

VERIFY_PAGE = "verify.html"
SUMS_FILE = "sha256sums.txt"
CRAWL_REPORT = REPORT_FILE
HASH_BLOCK = 1 << 20


class Writer(Protocol):
    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None: ...

    def write_bytes(self, rel: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class ArchiveFile:
    """A file of the archive folder beside the site: its name there, link, size, sha256."""

    name: str  # relative to the archive folder: warc/NAME, crawl-report.json, NAME.wacz
    size: int
    sha256: str

    @property
    def link(self) -> str:
        """Site-relative reference: one level up from the site root."""
        return f"../{self.name}"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(HASH_BLOCK):
            h.update(block)
    return h.hexdigest()


def wayback_timestamp(captured_at: str) -> str:
    """``2020-09-14T10:42:07Z`` -> ``20200914104207`` (UTC, 14 digits)."""
    d = parse_when(captured_at)
    if d is None or not hasattr(d, "hour"):
        digits = "".join(c for c in captured_at if c.isdigit())
        return (digits + "0" * 14)[:14]
    return d.strftime("%Y%m%d%H%M%S")


def source_uri(archive_dir: Path, warc_file: str | None, offset: Any) -> str | None:
    """The ``WARC-Source-URI`` of the record at ``warc_file``@``offset``, if it has one."""
    if not warc_file or offset is None:
        return None
    try:
        with locate_warc(archive_dir, warc_file).open("rb") as fh:
            fh.seek(int(offset))
            for rec in ArchiveIterator(fh):
                value = rec.rec_headers.get_header("WARC-Source-URI")
                return value.strip() if value and value.strip() else None
    except Exception as exc:  # noqa: BLE001 - a damaged record: no source URI, never a failed build
        logger.warning("%s@%s: WARC header unreadable (%s)", warc_file, offset, exc)
    return None


def _http_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL (a source URI is shown as a link only then)."""
    if value and urlsplit(value).scheme in ("http", "https"):
        return value
    return None


def bibtex_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "\\":
            out.append("\\textbackslash{}")
        elif ch in "{}%&$#_":
            out.append("\\" + ch)
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        else:
            out.append(ch)
    return "".join(out)


def _bib_url(url: str) -> str:
    """A URL inside a BibTeX field: braces and percent signs escaped, the rest verbatim."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace("%", "\\%")


def _date_parts(value: str | None) -> dict[str, Any] | None:
    d = parse_when(value)
    if d is None:
        return None
    return {"date-parts": [[d.year, d.month, d.day]]}


@dataclass
class Citations:
    """The archive's identity and files, and each capture's citation."""

    archive_dir: Path
    site: dict[str, str]
    warcs: dict[str, ArchiveFile] = field(default_factory=dict)  # by name relative to warc/
    others: list[ArchiveFile] = field(default_factory=list)  # crawl report, WACZ files
    issued: str | None = None  # the archive's date: its crawl's end
    robots: list[dict[str, str]] = field(default_factory=list)

    def prepare(self, assets: list[Asset], captured: Iterable[str] = ()) -> None:
        """Hash the WARC files (once, before captures render) and read the archive's date.

        The date is the crawl's end (``crawl-report.json``), else the newest of ``captured``.
        """
        for path in finished_warcs(self.archive_dir):
            name = warc_relative(self.archive_dir, path)
            self.warcs[name] = ArchiveFile(f"warc/{name}", path.stat().st_size,
                                           sha256_file(path))
        report = self.archive_dir / CRAWL_REPORT
        if report.is_file():
            self.others.append(ArchiveFile(CRAWL_REPORT, report.stat().st_size,
                                           sha256_file(report)))
            try:
                facts = json.loads(report.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                facts = {}
            if isinstance(facts, dict):
                self.issued = facts.get("finished_at") or facts.get("started_at") or None
        if not self.issued:
            self.issued = max(captured, default=None)
        for wacz in sorted(self.archive_dir.glob("*.wacz")):
            self.others.append(ArchiveFile(wacz.name, wacz.stat().st_size, sha256_file(wacz)))
        self.robots = [{"url": a.url, "path": a.path, "captured_at": a.captured_at}
                       for a in assets if urlsplit(a.url).path == "/robots.txt"]

    @property
    def crawl_report(self) -> ArchiveFile | None:
        return next((f for f in self.others if f.name == CRAWL_REPORT), None)

    def for_capture(self, rec: dict[str, Any], paths: CapturePaths,
                    publisher: str) -> dict[str, Any]:
        """Everything the cite box, the original view's banner and the downloads show."""
        prov = rec.get("provenance") or {}
        ref = prov.get("refers_to") if isinstance(prov.get("refers_to"), dict) else {}
        warc_file = prov.get("warc_file")
        source = source_uri(self.archive_dir, warc_file, prov.get("offset"))
        if source is None and ref:
            source = source_uri(self.archive_dir, ref.get("warc_file"), ref.get("offset"))
        warc = self.warcs.get(warc_file or "")
        if warc is None and warc_file:
            warc = self.warcs.get(Path(warc_file).name)
        stamp = wayback_timestamp(rec["captured_at"])
        folder, stem = paths.folder, paths.stem
        return {
            "locator": f"{stamp}/{rec['url']}",
            "timestamp": stamp,
            "url": rec["url"],
            "title": (rec.get("title") or "").strip() or rec["url"],
            "publisher": publisher,
            "captured_at": rec["captured_at"],
            "record_id": prov.get("record_id") or "",
            "payload_digest": prov.get("payload_digest") or "",
            "warc_name": warc.name if warc else (f"warc/{warc_file}" if warc_file else ""),
            "warc_sha256": warc.sha256 if warc else "",
            "warc_link": warc.link if warc else None,
            "source_uri": source,
            "source_link": _http_url(source),
            "archive": self.site["name"],
            "issued": self.issued,
            "page": paths.page,
            "csl": f"{folder}/{stem}.csl.json",
            "bib": f"{folder}/{stem}.bib",
            "id": rec.get("id") or stem,
            "script": True,  # the reading view loads static/cite.js for its copy buttons
        }

    # -- downloads ---------------------------------------------------------
    @staticmethod
    def csl_json(cite: dict[str, Any], rec: dict[str, Any]) -> list[dict[str, Any]]:
        """One CSL-JSON item (a list of one, as reference managers import it)."""
        notes = [f"WARC-Record-ID {cite['record_id']}", f"WARC-Payload-Digest {cite['payload_digest']}"]
        if cite["warc_name"]:
            notes.append(f"{cite['warc_name']} sha256:{cite['warc_sha256']}")
        if cite["source_uri"]:
            notes.append(f"WARC-Source-URI {cite['source_uri']}")
        item: dict[str, Any] = {
            "id": f"akershus-{cite['id']}",
            "type": "webpage",
            "title": cite["title"],
            "URL": cite["url"],
            "container-title": cite["publisher"],
            "publisher": cite["publisher"],
            "accessed": _date_parts(cite["captured_at"]),
            "archive": cite["archive"],
            "archive_location": cite["locator"],
            "note": "; ".join(notes),
        }
        if cite["source_uri"]:
            item["source"] = cite["source_uri"]
        issued = _date_parts(rec.get("published"))
        if issued:
            item["issued"] = issued
        language = rec.get("language")
        if language:
            item["language"] = language
        return [{k: v for k, v in item.items() if v is not None}]

    @staticmethod
    def bibtex(cite: dict[str, Any], rec: dict[str, Any]) -> str:
        """A ``@misc`` entry (biblatex reads ``url``/``urldate``, BibTeX ``howpublished``)."""
        captured = parse_when(cite["captured_at"])
        note = (f"Arkivert {cite['captured_at']}: {cite['locator']}. I: {cite['archive']}"
                + (f" ({cite['issued'][:10]})" if cite["issued"] else "")
                + f". WARC-Record-ID {cite['record_id']}, WARC-Payload-Digest "
                f"{cite['payload_digest']}")
        if cite["warc_name"]:
            note += f", {cite['warc_name']} sha256:{cite['warc_sha256']}"
        if cite["source_uri"]:
            note += f". WARC-Source-URI: {cite['source_uri']}"
        fields = [
            ("title", "{" + bibtex_escape(cite["title"]) + "}"),
            ("author", "{" + bibtex_escape(cite["publisher"]) + "}"),
            ("howpublished", "\\url{" + _bib_url(cite["url"]) + "}"),
            ("url", _bib_url(cite["url"])),
            ("urldate", captured.strftime("%Y-%m-%d") if captured else ""),
        ]
        published = parse_when(rec.get("published"))
        if published:
            fields.append(("year", str(published.year)))
        fields.append(("note", bibtex_escape(note)))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        return f"@misc{{akershus-{cite['id']},\n{body}\n}}\n"

    def write_downloads(self, writer: Writer, cite: dict[str, Any], rec: dict[str, Any]) -> None:
        writer.write_bytes(cite["csl"], json.dumps(self.csl_json(cite, rec), ensure_ascii=False,
                                                   indent=2).encode("utf-8"))
        writer.write_bytes(cite["bib"], self.bibtex(cite, rec).encode("utf-8"))

    # -- the verify page ---------------------------------------------------
    def write_verify(self, writer: Writer) -> None:
        """``verify.html`` and ``sha256sums.txt`` (names relative to the archive folder)."""
        writer.write(VERIFY_PAGE, "verify.html", archive=self.overview())
        files = [*self.warcs.values(), *self.others]
        writer.write_bytes(SUMS_FILE, "".join(f"{f.sha256}  {f.name}\n" for f in files)
                           .encode("utf-8"))

    def overview(self) -> dict[str, Any]:
        """What the verify page and the links to the sources show."""
        return {
            "name": self.site["name"],
            "issued": self.issued,
            "folder": self.archive_dir.name,
            "warcs": list(self.warcs.values()),
            "crawl_report": self.crawl_report,
            "waczs": [f for f in self.others if f.name.endswith(".wacz")],
            "robots": self.robots,
            "verify": VERIFY_PAGE,
        }
