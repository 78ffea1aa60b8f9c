"""Extraction speed against trafilatura on the same WARC, and peak memory as the archive grows.

Usage: python bench/extract_bench.py [--archive DIR] [--reps 5] [--scale 10]

Without --archive, a WARC of the replica (every page, as the replica server
sends it, gzip and chunking included) is written to a temporary directory.
Timings, in one run on the same captures:

* ours: the page record of each capture (decode, parse, chrome removal,
  sections, strategy, JSON) from already-read payloads;
* trafilatura: ``trafilatura.extract`` on the same decoded HTML;
* end to end: ``iter_records`` over the archive (reading the WARC included).

Peak memory is measured in a child process per archive size (1x, then the
same captures repeated ``--scale`` times as separate captures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.decoding import decode_html
from archive.extract import iter_records
from archive.model import dumps
from archive.page import build_record
from archive.reader import ArchiveReader


def replica_responses() -> list[tuple[str, bytes]]:
    """(url, raw HTTP response) of every 200 resource of the replica, as the server sends it."""
    from replica.inventory import all_urls
    from replica.site import render_response

    out = []
    for entry in all_urls("2020"):
        if entry.status == 200:
            raw = render_response("GET", entry.target, entry.host, [("Accept-Encoding", "gzip")])
            out.append((entry.url, raw))
    return out


def write_archive(directory: Path, responses: list[tuple[str, bytes]], copies: int) -> Path:
    """An archive of ``copies`` captures of each response, one WARC file per copy."""
    start = datetime(2021, 3, 1, tzinfo=UTC)
    for n in range(copies):
        path = directory / "warc" / f"bench-{n:05d}.warc.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
            for i, (url, raw) in enumerate(responses):
                head, _, body = raw.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                protocol, _, status = lines[0].partition(" ")
                headers = [tuple(x.strip() for x in ln.split(":", 1)) for ln in lines[1:]]
                date = (start + timedelta(days=n, seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
                rec = writer.create_warc_record(
                    url, "response", payload=BytesIO(body), length=len(body),
                    http_headers=StatusAndHeaders(status, headers, protocol=protocol),
                    warc_headers_dict={"WARC-Date": date,
                                       "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>"})
                writer.write_record(rec)
    return directory


def median_time(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_memory(archive: Path) -> dict[str, float]:
    """Peak RSS (MiB) and pages of a full extract run in a fresh child process."""
    code = (
        "import resource, sys, json; from pathlib import Path;"
        f"sys.path.insert(0, {str(ROOT)!r});"
        "from archive.extract import run_extract;"
        "r = run_extract(Path(sys.argv[1]));"
        "print(json.dumps({'pages': r.pages,"
        " 'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(archive)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="an archive directory (holds warc/)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    import trafilatura

    with tempfile.TemporaryDirectory() as tmp:
        responses = None
        archive = args.archive
        if archive is None:
            responses = replica_responses()
            archive = write_archive(Path(tmp) / "x1", responses, 1)
        reader = ArchiveReader(archive)
        holds = reader.index().holds
        captures = [c for c in reader.captures()
                    if c.is_html and c.payload is not None and c.status == 200]
        texts = [decode_html(c.payload or b"", c.content_type).text for c in captures]
        n = len(captures)

        def ours() -> None:
            for c in captures:
                dumps(build_record(c, holds)[0])

        def theirs() -> None:
            for c, text in zip(captures, texts):
                trafilatura.extract(text, url=c.url, output_format="json", with_metadata=True)

        def end_to_end() -> None:
            for record in iter_records(archive):
                dumps(record)

        ours()  # warm up both (imports, caches) before timing
        theirs()
        t_ours = median_time(ours, args.reps)
        t_theirs = median_time(theirs, args.reps)
        t_e2e = median_time(end_to_end, args.reps)
        result = {
            "pages": n,
            "reps": args.reps,
            "ours_pages_per_s": round(n / t_ours, 1),
            "trafilatura_pages_per_s": round(n / t_theirs, 1),
            "ratio": round(t_theirs / t_ours, 2),
            "ours_end_to_end_pages_per_s": round(n / t_e2e, 1),
            "trafilatura_version": trafilatura.__version__,
        }
        print(json.dumps(result, indent=2))
        mem1 = peak_memory(archive)
        if responses is not None:
            big = write_archive(Path(tmp) / f"x{args.scale}", responses, args.scale)
            mem_big = peak_memory(big)
        else:
            mem_big = None
        print(json.dumps({"memory_1x": mem1, f"memory_{args.scale}x": mem_big}, indent=2))


if __name__ == "__main__":
    main()
