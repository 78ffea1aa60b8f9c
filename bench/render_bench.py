"""Render throughput and peak memory at two archive sizes, with synthetic pages.

    python bench/render_bench.py [--sizes 1000 5000] [--out DIR]

Each size gets a generated archive (one WARC of legacy-template pages, a
stylesheet and a PDF; ``data/pages.jsonl`` records in the extractor's shape,
each page linking to ten others and to a page that was never captured). The
render runs in a fresh child process so its peak RSS is its own. Pages are
generated from a fixed seed, so runs are comparable.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["fylkeskommune", "samferdsel", "miljø", "næring", "samfunnsutvikling", "ungdom", "opplæring", "tannhelse", "kultur", "folkehelse", "internasjonalt", "strategi", "plan", "prioriteringer", "regional", "utvikling", "kollektivtransport", "skole", "elever", "innbyggere", "vekst", "klima", "areal", "transport"]
CHAIN = [{"name": "Akershus fylkeskommune", "site": "https://www.akershus.no/", "start": None,
          "end": "2019-12-31", "note": ""},
         {"name": "Viken fylkeskommune", "site": "https://www.viken.no/", "start": "2020-01-01",
          "end": "2023-12-31", "note": ""},
         {"name": "Akershus fylkeskommune", "site": "https://afk.no/", "start": "2024-01-01",
          "end": None, "note": ""}]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _url(i: int) -> str:
    return f"http://www.akershus.no/ansvarsomrader/omrade-{i % 40}/side-{i}/"


def make_archive(root: Path, n: int, seed: int = 42) -> None:
    """Write ``n`` synthetic page captures (plus a CSS file and a PDF) under ``root``."""
    rng = random.Random(seed)
    (root / "warc").mkdir(parents=True)
    (root / "data").mkdir()
    warc = root / "warc" / "bench-00001.warc.gz"
    date = "2020-09-14T10:42:07Z"
    with warc.open("wb") as fh, (root / "data" / "pages.jsonl").open("w") as out:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")

        def put(url: str, body: bytes, ctype: str) -> tuple[int, int, str]:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype),
                                               ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=BytesIO(body),
                                            length=len(body), http_headers=http,
                                            warc_headers_dict={"WARC-Date": date})
            offset = fh.tell()
            writer.write_record(rec)
            return offset, fh.tell() - offset, rec.rec_headers.get_header("WARC-Record-ID")

        put("http://www.akershus.no/static/css/akershus.css",
            b"body{color:#222}.logo{background:url(../img/logo.png)}", "text/css")
        put("http://www.akershus.no/dok/plan.pdf", b"%PDF-1.1\n%%EOF\n", "application/pdf")
        for i in range(n):
            url = _url(i)
            paras = [_text(rng, rng.randint(20, 60)) for _ in range(8)]
            targets = [rng.randrange(n) for _ in range(10)]
            links = "".join(f'<li><a href="{_url(t)}">Side {t}</a></li>' for t in targets)
            html = (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">'
                    f"<title>Side {i} - Akershus fylkeskommune</title>"
                    f'<link rel="stylesheet" href="/static/css/akershus.css">'
                    f'<script src="/static/js/akershus.js"></script></head>'
                    f'<body><ul class="skiplinks"><li><a href="#innhold">Hopp til innhold</a>'
                    f'</li></ul><nav id="meny"><ul>{links}</ul></nav><main id="innhold">'
                    f"<h1>Side {i}</h1>" + "".join(f"<p>{p}</p>" for p in paras)
                    + '<p><a href="/dok/plan.pdf">Plan (PDF)</a> <a href="/ikke-lagret/">'
                    "borte</a></p></main></body></html>").encode()
            offset, length, rid = put(url, html, "text/html; charset=utf-8")
            record = {
                "id": f"b{i}", "url": url, "captured_at": date, "status": 200,
                "content_type": "text/html; charset=utf-8", "charset": "utf-8",
                "language": "nb", "title": f"Side {i} om {rng.choice(WORDS)}",
                "description": paras[0], "template": "article", "notice": True,
                "notice_text": None, "superseded_by": "https://www.viken.no/",
                "succession": CHAIN, "published": "2015-03-12", "modified": "2019-11-04",
                "word_count": 300,
                "sections": [{"heading": None, "level": 1,
                              "blocks": [{"type": "paragraph", "text": p} for p in paras[:4]]},
                             {"heading": "Mer", "level": 2,
                              "blocks": [{"type": "paragraph", "text": p} for p in paras[4:]]}],
                "text": " ".join(paras),
                "links": [{"url": _url(t), "text": f"Side {t}", "internal": True}
                          for t in targets] + [{"url": "http://www.akershus.no/ikke-lagret/",
                                                "text": "borte", "internal": True}],
                "documents": [{"url": "http://www.akershus.no/dok/plan.pdf", "title": "Plan",
                               "format": "pdf", "captured": True}],
                "strategy": None,
                "provenance": {"warc_file": warc.name, "offset": offset, "length": length,
                               "record_id": rid, "record_type": "response",
                               "payload_digest": None, "captured_at": date, "refers_to": None},
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _child(archive: str) -> None:
    sys.path.insert(0, str(ROOT))
    from render.build import run_render

    report = run_render(Path(archive))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"captures": report.captures, "seconds": report.seconds,
                      "pages_per_second": report.pages_per_second, "peak_rss_mb": peak_kb / 1024,
                      "stages": report.stages, "ok": report.ok}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--out", type=Path, help="folder for the generated archives")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    base = args.out or Path(tempfile.mkdtemp(prefix="render-bench-"))
    for n in args.sizes:
        archive = base / f"pages-{n}"
        if not (archive / "data" / "pages.jsonl").exists():
            t = time.perf_counter()
            make_archive(archive, n)
            print(f"generated {n} pages in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        proc = subprocess.run([sys.executable, __file__, "--child", str(archive)],
                              capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result["stages"].items())
        print(f"{n:>6} pages: {result['pages_per_second']:6.0f} pages/s, "
              f"{result['seconds']:6.1f} s, peak RSS {result['peak_rss_mb']:6.1f} MB, "
              f"links {'OK' if result['ok'] else 'FAILED'} ({stages})")


if __name__ == "__main__":
    main()
