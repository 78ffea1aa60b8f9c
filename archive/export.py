"""``export DIR``: the page or document records as JSON Lines, a JSON array or CSV, with a datapackage.json.

Reads DIR/data/pages.jsonl (or documents.jsonl) line by line. ``latest``
keeps the newest capture of each URL (a first pass remembers one date and id
per URL, a second writes); ``strategies`` writes one record per strategy,
from pages and from documents, instead of pages; ``documents`` writes the
document records. Beside the export goes a Frictionless ``datapackage.json``
naming each file with its sha256, byte size and schema.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from archive.errors import ArchiveError
from archive.extract import AtomicWriter
from archive.folder import documents_file, export_dir, open_name, pages_file
from archive.model import document_schema_text, schema_text

FORMATS = ("jsonl", "json", "csv")
LIST_SEPARATOR = " | "

# CSV columns: (name, Table Schema type, how to read it off a record).
Getter = Callable[[dict[str, Any]], Any]


def _headings(r: dict[str, Any]) -> str:
    return LIST_SEPARATOR.join(s["heading"] for s in r["sections"] if s["heading"])


def _strategy(key: str) -> Getter:
    def get(r: dict[str, Any]) -> Any:
        s = r.get("strategy")
        return None if s is None else s.get(key)
    return get


def _period(key: str) -> Getter:
    def get(r: dict[str, Any]) -> Any:
        s = r.get("strategy")
        return None if s is None or s.get("period") is None else s["period"][key]
    return get


def _joined(get: Getter) -> Getter:
    return lambda r: LIST_SEPARATOR.join(get(r) or [])


def _figures(r: dict[str, Any]) -> str:
    s = r.get("strategy") or {}
    return LIST_SEPARATOR.join(f["text"] for f in s.get("figures") or [])


# The strategy and where the record lives: the last columns of pages and documents alike.
STRATEGY_AND_PROVENANCE: list[tuple[str, str, Getter]] = [
    ("strategy_title", "string", _strategy("title")),
    ("strategy_start", "integer", _period("start")),
    ("strategy_end", "integer", _period("end")),
    ("strategy_goal", "string", _strategy("goal")),
    ("strategy_priorities", "string", _joined(_strategy("priorities"))),
    ("strategy_figures", "string", _figures),
    ("warc_file", "string", lambda r: r["provenance"]["warc_file"]),
    ("warc_offset", "integer", lambda r: r["provenance"]["offset"]),
    ("warc_length", "integer", lambda r: r["provenance"]["length"]),
    ("warc_record_id", "string", lambda r: r["provenance"]["record_id"]),
    ("payload_digest", "string", lambda r: r["provenance"]["payload_digest"]),
]

PAGE_COLUMNS: list[tuple[str, str, Getter]] = [
    ("id", "string", lambda r: r["id"]),
    ("url", "string", lambda r: r["url"]),
    ("captured_at", "datetime", lambda r: r["captured_at"]),
    ("status", "integer", lambda r: r["status"]),
    ("content_type", "string", lambda r: r["content_type"]),
    ("charset", "string", lambda r: r["charset"]),
    ("language", "string", lambda r: r["language"]),
    ("title", "string", lambda r: r["title"]),
    ("description", "string", lambda r: r["description"]),
    ("template", "string", lambda r: r["template"]),
    ("notice", "boolean", lambda r: r["notice"]),
    ("notice_text", "string", lambda r: r["notice_text"]),
    ("superseded_by", "string", lambda r: r["superseded_by"]),
    ("published", "date", lambda r: r["published"]),
    ("modified", "date", lambda r: r["modified"]),
    ("word_count", "integer", lambda r: r["word_count"]),
    ("headings", "string", _headings),
    ("text", "string", lambda r: r["text"]),
    ("links", "integer", lambda r: len(r["links"])),
    ("documents", "string", lambda r: LIST_SEPARATOR.join(d["url"] for d in r["documents"])),
    *STRATEGY_AND_PROVENANCE,
]

def _metadata(key: str) -> Getter:
    return lambda r: (r.get("metadata") or {}).get(key)


DOCUMENT_COLUMNS: list[tuple[str, str, Getter]] = [
    ("id", "string", lambda r: r["id"]),
    ("url", "string", lambda r: r["url"]),
    ("captured_at", "datetime", lambda r: r["captured_at"]),
    ("status", "integer", lambda r: r["status"]),
    ("content_type", "string", lambda r: r["content_type"]),
    ("format", "string", lambda r: r["format"]),
    ("reason", "string", lambda r: r["reason"]),
    ("title", "string", lambda r: r["title"]),
    ("title_source", "string", lambda r: r["title_source"]),
    ("pages", "integer", lambda r: r["pages"]),
    ("language", "string", lambda r: r["language"]),
    ("author", "string", _metadata("author")),
    ("created", "string", _metadata("created")),
    ("modified", "string", _metadata("modified")),
    ("word_count", "integer", lambda r: r["word_count"]),
    ("headings", "string", _headings),
    ("text", "string", lambda r: r["text"]),
    ("linked_from", "string", _joined(lambda r: r["linked_from"])),
    *STRATEGY_AND_PROVENANCE,
]

STRATEGY_COLUMNS: list[tuple[str, str, Getter]] = [
    ("page_id", "string", lambda r: r["page_id"]),
    ("document_id", "string", lambda r: r["document_id"]),
    ("source", "string", lambda r: r["source"]),
    ("url", "string", lambda r: r["url"]),
    ("captured_at", "datetime", lambda r: r["captured_at"]),
    ("language", "string", lambda r: r["language"]),
    ("title", "string", lambda r: r["title"]),
    ("period_start", "integer", lambda r: (r["period"] or {}).get("start")),
    ("period_end", "integer", lambda r: (r["period"] or {}).get("end")),
    ("goal", "string", lambda r: r["goal"]),
    ("priorities", "string", lambda r: LIST_SEPARATOR.join(r["priorities"])),
    ("figures", "string", lambda r: LIST_SEPARATOR.join(f["text"] for f in r["figures"])),
    ("differences", "string", _joined(lambda r: r["differences"])),
]


def read_pages(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a pages.jsonl, one at a time."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def newest_ids(path: Path) -> set[str]:
    """Ids of the newest capture of each URL (ties: the later record)."""
    newest: dict[str, tuple[str, str]] = {}
    for r in read_pages(path):
        seen = newest.get(r["url"])
        if seen is None or r["captured_at"] >= seen[0]:
            newest[r["url"]] = (r["captured_at"], r["id"])
    return {rid for _, rid in newest.values()}


def strategy_record(record: dict[str, Any], source: str = "page") -> dict[str, Any]:
    """One strategy on its own, with the page or document it came from.

    A page's strategy names the document that holds the strategy itself
    (``document``); that document's own strategy follows as a record of its own,
    ``source`` "document", and is the one to prefer where the two differ.
    """
    s = record["strategy"]
    return {
        "page_id": record["id"] if source == "page" else None,
        "document_id": record["id"] if source == "document" else s.get("document"),
        "source": source,
        "url": record["url"],
        "captured_at": record["captured_at"],
        "language": record["language"],
        **s,
    }


# The JSON Schema beside the JSON exports. Not "*schema.json": Frictionless takes a
# file so named for a Table Schema (and fails it); "*.jsonschema.json" it reads as
# the JSON Schema it is. The same schema as DIR/data/page.schema.json.
EXPORT_SCHEMA_FILE = "page.jsonschema.json"
DOCUMENT_EXPORT_SCHEMA_FILE = "document.jsonschema.json"
# What a spreadsheet program reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Said in every CSV resource of datapackage.json, so a reader knows to strip it.
CSV_TEXT_NOTE = (
    "Text cells beginning with =, +, -, @, a tab or a carriage return are written with a "
    "single quote (') in front, so that spreadsheet programs show them as text instead of "
    "running them as formulas; the JSON exports keep the text as extracted."
)


def csv_safe(value: Any) -> Any:
    """A CSV cell no spreadsheet program runs as a formula: ``'`` before risky text.

    Page text is whatever the site (or whoever wrote into it) published, and
    ``=HYPERLINK(...)`` or ``+1+cmd|...`` in a title runs when the CSV is opened.
    Only strings are touched: the numeric columns hold int values (a status,
    a count, a year), and a negative number there is data that must stay a
    number. A text cell that merely looks numeric ("-3" as a title) is still
    quoted: its column is text, and one rule is easier to undo than two.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_safe(value)


def _write(fh: IO[str], fmt: str, records: Iterator[dict[str, Any]],
           columns: list[tuple[str, str, Getter]]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([name for name, _, _ in columns])
        for r in records:
            writer.writerow([_cell(get(r)) for _, _, get in columns])
            count += 1
    elif fmt == "json":
        fh.write("[")
        for r in records:
            fh.write(",\n" if count else "\n")
            fh.write(json.dumps(r, ensure_ascii=False))
            count += 1
        fh.write("\n]\n" if count else "]\n")
    else:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _resource(path: Path, name: str, fmt: str, base: Path,
              columns: list[tuple[str, str, Getter]] | None, schema_path: str | None,
              count: int) -> dict[str, Any]:
    media = {"csv": "text/csv", "json": "application/json",
             "jsonl": "application/jsonl"}[fmt]
    res: dict[str, Any] = {
        "name": name,
        "path": path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path),
        "format": fmt,
        "mediatype": media,
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "hash": "sha256:" + sha256_of(path),
        "records": count,
    }
    if fmt == "csv" and columns:
        res["profile"] = "tabular-data-resource"
        res["description"] = CSV_TEXT_NOTE
        res["dialect"] = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
        res["schema"] = {"fields": [{"name": n, "type": t} for n, t, _ in columns]}
    elif schema_path:
        res["jsonschema"] = schema_path
    return res


def write_datapackage(directory: Path, resources: list[dict[str, Any]]) -> Path:
    """Write or update datapackage.json; resources of the same name are replaced."""
    path = directory / "datapackage.json"
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": "akershus-archive",
        "title": "Archive of www.akershus.no (Akershus fylkeskommune, until 2019)",
        "resources": [],
    }
    if path.exists():
        try:
            package = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    names = {r["name"] for r in resources}
    kept = [r for r in package.get("resources", []) if r.get("name") not in names]
    package["resources"] = kept + resources
    with AtomicWriter(path) as fh:
        fh.write(json.dumps(package, ensure_ascii=False, indent=2) + "\n")
    return path


def _required(path: Path, archive_dir: Path) -> Path:
    if not path.is_file():
        raise ArchiveError(
            f"{path} does not exist - run `akershus-archive extract {archive_dir}` first"
        )
    return path


def run_export(archive_dir: Path, fmt: str = "jsonl", output: Path | None = None,
               latest: bool = False, strategies: bool = False, documents: bool = False) -> Path:
    """Export DIR/data/pages.jsonl (or documents.jsonl); returns the path written.

    A datapackage.json is written beside it.
    """
    archive_dir = Path(archive_dir)
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r} - use one of {', '.join(FORMATS)}")
    if strategies and documents:
        raise ArchiveError("--strategies and --documents export different records - pick one")
    pages = _required(pages_file(archive_dir), archive_dir)
    docs_path = documents_file(archive_dir)
    if documents:
        docs_path = _required(docs_path, archive_dir)
    with_docs = documents or (strategies and docs_path.is_file())
    kind = "strategies" if strategies else "documents" if documents else "pages"
    suffix = "-latest" if latest else ""
    output = Path(output) if output else export_dir(archive_dir) / f"{kind}{suffix}.{fmt}"
    output.parent.mkdir(parents=True, exist_ok=True)
    keep = newest_ids(pages) if latest else None
    keep_docs = newest_ids(docs_path) if latest and with_docs else None

    def records() -> Iterator[dict[str, Any]]:
        if not documents:
            for r in read_pages(pages):
                if keep is not None and r["id"] not in keep:
                    continue
                if not strategies:
                    yield r
                elif r.get("strategy"):
                    yield strategy_record(r)
        if with_docs:
            for r in read_pages(docs_path):
                if keep_docs is not None and r["id"] not in keep_docs:
                    continue
                if not strategies:
                    yield r
                elif r.get("strategy"):
                    yield strategy_record(r, "document")

    columns = (STRATEGY_COLUMNS if strategies else DOCUMENT_COLUMNS if documents
               else PAGE_COLUMNS)
    fh: IO[str]  # a plain file or an AtomicWriter's, by format
    if fmt == "csv":
        # UTF-8 without a byte-order mark, as datapackage.json declares it (a BOM
        # made Python's csv read the first column as "\ufeffid"); spreadsheet
        # programs are told the encoding on import (README)
        tmp = output.with_name(open_name(output.name))
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = _write(fh, fmt, records(), columns)
        tmp.replace(output)
    else:
        with AtomicWriter(output) as fh:
            count = _write(fh, fmt, records(), columns)
    resources = []
    schema_ref = None
    if not strategies and fmt != "csv":
        schema_file = output.parent / (DOCUMENT_EXPORT_SCHEMA_FILE if documents
                                       else EXPORT_SCHEMA_FILE)
        with AtomicWriter(schema_file) as fh:
            fh.write(document_schema_text() if documents else schema_text())
        schema_ref = schema_file.name
        resources.append({
            "name": "document-schema" if documents else "page-schema",
            "path": schema_file.name, "format": "json",
            "mediatype": "application/schema+json", "encoding": "utf-8",
            "bytes": schema_file.stat().st_size, "hash": "sha256:" + sha256_of(schema_file),
        })
    name = f"{kind}{suffix}-{fmt}"
    resources.insert(0, _resource(output, name, fmt, output.parent, columns, schema_ref, count))
    write_datapackage(output.parent, resources)
    return output
