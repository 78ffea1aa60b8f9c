"""Check the WARC files of an archive: structure, digests, request/response pairing.

Reads only; a damaged file is reported and the check goes on to the next one
(like ``warcio check``), so one bad file never hides the state of the others.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive import folder
from archive.digest import ENTITY, FRAMED, EntityDigest, is_chunked
from archive.errors import ArchiveError
from archive.members import CUT_SHORT, ends_inside_member

WARC_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit",
              "conversion", "continuation"}
READ_CHUNK = 1 << 16
CONVENTIONS = {
    ENTITY: "entity body, chunk framing removed (WARC 1.1 per iipc/warc-specifications#22)",
    FRAMED: "body as transferred, chunk framing included (warcio 1.8 and older writers)",
}


@dataclass
class FileCheck:
    name: str
    records: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    # chunked responses by the payload-digest convention their digest matches
    conventions: Counter[str] = field(default_factory=Counter)

    def convention(self) -> str:
        """Which payload-digest convention this file's chunked records follow."""
        if not self.conventions:
            return "no chunked responses (both conventions give the same digests)"
        if len(self.conventions) == 1:
            (kind, n), = self.conventions.items()
            return f"{CONVENTIONS[kind]}: {n} chunked responses"
        return "mixed: " + ", ".join(f"{n} {CONVENTIONS[k]}"
                                      for k, n in sorted(self.conventions.items()))


@dataclass
class VerifyReport:
    files: list[FileCheck] = field(default_factory=list)
    open_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.open_files and all(not f.problems for f in self.files)

    def summary(self) -> str:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.records)
        problems = sum(len(f.problems) for f in self.files)
        lines = [
            f"{len(self.files)} WARC files, {sum(total.values())} records ("
            + ", ".join(f"{k}: {v}" for k, v in sorted(total.items())) + ")",
        ]
        for f in self.files[:20]:
            lines.append(f"  {f.name}: payload digests: {f.convention()}")
        if len(self.files) > 20:
            lines.append(f"  ... {len(self.files) - 20} more files")
        for f in self.files:
            for p in f.problems[:20]:
                lines.append(f"  {f.name}: {p}")
            if len(f.problems) > 20:
                lines.append(f"  {f.name}: ... {len(f.problems) - 20} more problems")
        for name in self.open_files:
            lines.append(f"  {name}: still open (an interrupted crawl; resume it to close)")
        lines.append("OK: all records valid" if self.ok else
                     f"FAILED: {problems} problems, {len(self.open_files)} open files")
        return "\n".join(lines)


def warc_files(archive_dir: Path) -> list[Path]:
    """The finished WARC files of an archive directory, in name order."""
    if not archive_dir.is_dir():
        raise ArchiveError(f"{archive_dir} is not a directory - give the archive directory "
                           "that holds warc/")
    files = folder.finished_warcs(archive_dir)
    if not files:
        raise ArchiveError(f"no WARC files in {folder.warc_dir(archive_dir)} - run 'akershus-archive crawl' first")
    return files


def check_file(path: Path) -> FileCheck:
    check = FileCheck(path.name)
    ids: set[str] = set()
    responses: dict[str, str] = {}
    paired: set[str] = set()
    last: int | None = None
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                rtype = record.rec_type
                check.records[rtype] += 1
                problems = _digest_problems(record, check)  # before the offset: that reads on
                last = it.get_record_offset()
                where = f"record at offset {last}"
                if rtype not in WARC_TYPES:
                    check.problems.append(f"{where}: unknown WARC-Type {rtype!r}")
                rid = record.rec_headers.get_header("WARC-Record-ID")
                if not rid:
                    check.problems.append(f"{where}: no WARC-Record-ID")
                elif rid in ids:
                    check.problems.append(f"{where}: duplicate WARC-Record-ID {rid}")
                ids.add(rid or "")
                if not record.rec_headers.get_header("WARC-Date"):
                    check.problems.append(f"{where}: no WARC-Date")
                if problems:
                    check.problems.append(f"{where}: {'; '.join(problems)}")
                if rtype == "response":
                    responses[rid] = record.rec_headers.get_header("WARC-Target-URI")
                elif rtype == "request":
                    to = record.rec_headers.get_header("WARC-Concurrent-To")
                    if to:
                        paired.add(to)
            if ends_inside_member(path, last):
                check.problems.append(CUT_SHORT)
    except Exception as exc:  # noqa: BLE001 - a damaged WARC raises anything (warcio, zlib, gzip): a damage note, never a traceback
        check.problems.append(f"unreadable: {type(exc).__name__}: {exc}".splitlines()[0])
    for rid, uri in responses.items():
        if rid not in paired:
            check.problems.append(f"response {rid} ({uri}) has no request record")
    return check


def _digest_problems(record: Any, check: FileCheck) -> list[str]:
    """Read the record through; its digest problems, either payload convention accepted.

    warcio checks the block digest and, over the body as transferred, the payload
    digest. For a chunked response that is the older convention; the standard's
    (the entity body) is computed here, and whichever the record's digest matches
    is counted for the file.
    """
    http = record.http_headers
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    chunked = (record.rec_type == "response" and http is not None and bool(declared)
               and is_chunked(http.get_header("Transfer-Encoding")))
    digest = EntityDigest(chunked=True) if chunked else None
    while block := record.raw_stream.read(READ_CHUNK):
        if digest is not None:
            digest.update(block)
    problems = list(record.digest_checker.problems) if record.digest_checker.passed is False \
        else []
    if digest is None:
        return problems
    problems = [p for p in problems if not p.startswith("payload digest")]
    if declared == digest.entity():
        check.conventions[ENTITY] += 1
    elif declared == digest.framed():
        check.conventions[FRAMED] += 1
    else:
        problems.append(f"payload digest failed: {declared} is neither the entity body's "
                        f"({digest.entity()}) nor the framed body's ({digest.framed()})")
    return problems


def verify(archive_dir: Path) -> VerifyReport:
    report = VerifyReport()
    for path in warc_files(archive_dir):
        report.files.append(check_file(path))
    report.open_files = [p.name for p in folder.open_warcs(archive_dir)]
    return report
