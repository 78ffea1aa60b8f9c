"""Write a WARC of a synthetic replica directly, without crawling, to reach 100 000 pages fast.

    python bench/synthetic_warc.py DIR --pages N [--seed 42] [--workers 2]

Each page and requisite of ``replica.synthetic`` is recorded the way the
crawler records a fetch: a ``request`` record with the request bytes and a
``response`` record with the exact bytes the replica server sends (headers in
order, gzip bodies as transferred), linked by ``WARC-Concurrent-To``, WARC 1.1,
one gzip member per record, URLs as ``http://www.akershus.no/...``. The
crawler's outlink ``metadata`` records are left out. The pages are split
over ``--workers`` processes, one WARC file each.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from replica.eras import DEFAULT_ERA
from replica.model import WWW_HOST
from replica.synthetic import synthetic_site

REQUEST_HEADERS = [("Host", WWW_HOST), ("Accept-Encoding", "gzip, deflate"),
                   ("User-Agent", "akershus-archive/0.1 (web archiving; +https://www.akershus.no/)")]


def _targets(pages: int, seed: int, era: str) -> list[str]:
    site = synthetic_site(pages, seed, era)
    extra = [path for host, path in site.resources if host == WWW_HOST]
    return list(site.pages) + extra


def _write(directory: str, pages: int, seed: int, part: int, parts: int,
           era: str = DEFAULT_ERA) -> int:
    site = synthetic_site(pages, seed, era)
    targets = _targets(pages, seed, era)[part::parts]
    start = datetime(2019, 11, 20, 12, tzinfo=UTC)
    path = Path(directory) / "warc" / f"synthetic-{pages}-{part:02d}.warc.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(
            path.name, {"software": "bench/synthetic_warc.py", "format": "WARC File Format 1.1"}))
        for i, target in enumerate(targets):
            url = f"http://{WWW_HOST}{target}"
            raw = site.render_response("GET", target, WWW_HOST, REQUEST_HEADERS)
            head, _, body = raw.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            protocol, _, status = lines[0].partition(" ")
            headers = [(k, v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:])]
            date = (start + timedelta(seconds=(i * parts + part) / 10)).isoformat().replace(
                "+00:00", "Z")
            resp_id = f"<urn:uuid:{uuid.uuid4()}>"
            req_id = f"<urn:uuid:{uuid.uuid4()}>"
            resp = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders(status, headers, protocol=protocol),
                warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": resp_id,
                                   "WARC-IP-Address": "127.0.0.1",
                                   "WARC-Concurrent-To": req_id})
            req = writer.create_warc_record(
                url, "request", payload=BytesIO(b""), length=0,
                http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", REQUEST_HEADERS,
                                              is_http_request=True),
                warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": req_id,
                                   "WARC-Concurrent-To": resp_id})
            writer.write_record(resp)
            writer.write_record(req)
    return len(targets)


def write_synthetic_warc(directory: Path, pages: int, seed: int = 42, workers: int = 2,
                         era: str = DEFAULT_ERA) -> int:
    """Write DIR/warc/synthetic-N-*.warc.gz; return the number of captures."""
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_write, str(directory), pages, seed, k, workers, era)
                   for k in range(workers)]
        return sum(f.result() for f in futures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--era", default=DEFAULT_ERA,
                        help="era of the replica, i.e. its markup generation (2006, 2013, 2020)")
    args = parser.parse_args()
    print(write_synthetic_warc(args.dir, args.pages, args.seed, args.workers, args.era))


if __name__ == "__main__":
    main()
