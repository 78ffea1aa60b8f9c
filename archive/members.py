"""Whether a gzipped WARC file ends exactly where its last gzip member ends.

warcio reads a file cut inside a gzip member (in its header, its data or its
8-byte trailer) as if the file simply ended: zlib hands back what it could
decompress and nothing is raised. Such a file lost data, or at least the
checksum of its last record, so after reading a file the readers decompress
its last member once more and ask whether that member, and the file, ended.
"""

from __future__ import annotations

import zlib
from pathlib import Path

CUT_SHORT = ("the file ends inside a gzip member - it was cut short "
             "(an unfinished crawl or an incomplete copy?)")
CHUNK = 1 << 16


def ends_inside_member(path: Path, last_record_offset: int | None) -> bool:
    """True when the gzip member starting at the last record's offset is unfinished,
    or is followed by the start of another member; False for files not gzipped.

    ``None`` (no record could be read) checks the file's first member.
    """
    if not path.name.endswith(".gz"):
        return False
    decompressor = zlib.decompressobj(wbits=31)
    with path.open("rb") as fh:
        fh.seek(last_record_offset or 0)
        while chunk := fh.read(CHUNK):
            try:
                decompressor.decompress(chunk)
            except zlib.error:
                return True
            if decompressor.eof:
                return bool(decompressor.unused_data) or bool(fh.read(1))
    return not decompressor.eof
