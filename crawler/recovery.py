"""Mend WARC files left ``.open`` by a crawl that died (SIGKILL, power loss).

Each record is its own gzip member and is flushed when written, so a file
left open holds whole records followed by at most one partial member. The
file is cut back to the end of its last whole record (and, since a response
without its request record would be half an exchange, past a trailing lone
response), then renamed to its final name. What was cut is reported.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from archive.folder import final_name, open_in, parse_warc_name

logger = logging.getLogger(__name__)


@dataclass
class Recovery:
    file: str
    kept_bytes: int
    cut_bytes: int
    records: int

    def describe(self) -> str:
        return (f"{self.file}: kept {self.records} whole records ({self.kept_bytes} bytes), "
                f"cut {self.cut_bytes} bytes of an unfinished record")


def member_ends(path: Path) -> list[tuple[int, bytes]]:
    """End offsets of the whole gzip members of a file, with each member's first bytes."""
    ends: list[tuple[int, bytes]] = []
    with open(path, "rb") as fh:
        data_offset = 0
        decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
        head = b""
        pending = b""
        while True:
            chunk = pending or fh.read(1 << 16)
            pending = b""
            if not chunk:
                break
            try:
                out = decomp.decompress(chunk)
            except zlib.error:
                break
            if len(head) < 256:
                head += out[: 256 - len(head)]
            if decomp.eof:
                used = len(chunk) - len(decomp.unused_data)
                data_offset += used
                ends.append((data_offset, head))
                pending = decomp.unused_data
                decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
                head = b""
                if not pending:
                    continue
            else:
                data_offset += len(chunk)
    return ends


def record_type(head: bytes) -> str:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"warc-type:"):
            return line.split(b":", 1)[1].strip().decode("latin-1")
    return ""


def recover_file(path: Path) -> Recovery:
    """Cut ``path`` (a ``.open`` file) back to its last whole exchange and close it."""
    size = path.stat().st_size
    ends = member_ends(path)
    while ends and record_type(ends[-1][1]) == "response":
        ends.pop()  # a response whose request record never made it
    keep = ends[-1][0] if ends else 0
    final = path.with_name(final_name(path.name))
    if keep == 0:
        path.unlink()
        return Recovery(final.name, 0, size, 0)
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(path, final)
    return Recovery(final.name, keep, size - keep, len(ends))


def recover_directory(warc_dir: Path) -> list[Recovery]:
    """Mend every ``.open`` file in ``warc_dir``; returns what was done to each."""
    out = []
    for path in open_in(warc_dir):
        rec = recover_file(path)
        logger.warning("Recovered %s", rec.describe())
        out.append(rec)
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_dead_workers(warc_dir: Path, host: str) -> list[Recovery]:
    """Mend the ``.open`` files of this host's crawl processes that are gone.

    Used by distributed crawls, where other workers may still be writing into
    the same folder: only files whose name carries this host and a process id
    that no longer runs are touched (names end ``-<host>-<pid>.warc.gz.open``).
    """
    out = []
    for path in open_in(warc_dir):
        name = parse_warc_name(path.name)
        if name is None or name.host != host or _pid_alive(name.pid):
            continue
        rec = recover_file(path)
        logger.warning("Recovered %s", rec.describe())
        out.append(rec)
    return out
