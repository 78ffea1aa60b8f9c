"""The benchmark: crawl, extract and render against their peers, on synthetic replicas.

    python bench/run.py [--quick] [--only SECTION ...] [--reps N]   (or: make bench)

Sections (each ours against its peer, side by side in the same run):

* ``latency``: crawl of a replica answering each response after 100 ms,
  our crawl at its fast-but-polite setting (``--delay 0 --concurrency 12``)
  against ``wget --mirror --page-requisites --warc-file`` (one connection);
* ``cpu``: the same without latency, against a bare Scrapy spider that
  follows the same links and writes nothing (bench/bare_spider.py) and wget:
  pages/s and CPU seconds per page;
* ``extract``: ``akershus-archive extract`` against trafilatura on the same
  WARC (both end to end: read the WARC, extract, write JSON lines);
* ``render``: ``akershus-archive render``, pages/s and peak memory;
* ``growth``: time and peak memory of extract and render on WARCs of 2k, 20k
  and 100k synthetic pages (bench/synthetic_warc.py), and of the crawl at
  2k and 20k pages;
* ``harvest``: a harvest of a 2 000-page crawl from the Wayback Machine
  stand-in (replica/wayback.py) at its real limits: requests per capture,
  captures per minute against the configured pace, blocks;
* ``profile``: cProfile of a CPU-bound crawl (top functions into the results);
* ``generations``: extraction quality and speed on each markup generation of
  the replica (2006 layout tables, 2013 XHTML divs, 2020 CMS), ours against
  trafilatura on the same WARC, scored against ``replica.gold``.

Every command runs in its own process; wall time, CPU time (user + system)
and peak RSS are taken from ``wait4``. Raw figures of every run go to
bench/results.json (kept between runs, section by section) and
bench/RESULTS.md is regenerated from it (a ``--quick`` run writes its own
results-quick.json and RESULTS-quick.md into the work folder instead). Servers are replicas of
``replica.synthetic`` on 127.0.0.1, addressed as ``http://127.0.0.1:PORT/``
by every crawler, so all crawl the same URLs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

PY = sys.executable
CLI = [PY, "-m", "akershus_archive"]
WGET = shutil.which("wget") or "wget"
TIME = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"  # GNU time
OURS_FAST = ["--delay", "0", "--concurrency", "12"]  # the documented fast-but-polite setting
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "RESULTS.md"
NOTES_MD = BENCH / "HOTSPOTS.md"  # hand-written: profiles read, what was done, what is left
PDF_RESULTS_MD = BENCH / "PDF-RESULTS.md"  # written by bench/pdf_bench.py


# -- measuring -------------------------------------------------------------------------------

def measure_rusage(cmd: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``: wall seconds, CPU seconds (user + system) and peak RSS (MB).

    CPU and peak RSS come from GNU time, which forks the command from a small
    process: Linux starts a child's peak RSS at its parent's size, so measuring
    from this Python process would add its own memory to every figure.
    """
    with tempfile.NamedTemporaryFile() as usage, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-q", "-f", "%U %S %M", "-o", usage.name, *cmd],
                              stdout=out, stderr=err, cwd=cwd, check=False)
        wall = time.perf_counter() - start
        user, system, peak_kb = Path(usage.name).read_text().split()[-3:]
        out.seek(0)
        err.seek(0)
        result = {"wall": round(wall, 3), "cpu": round(float(user) + float(system), 3),
                  "peak_rss_mb": round(int(peak_kb) / 1024, 1), "rc": proc.returncode,
                  "stdout": out.read().decode(errors="replace")[-2000:]}
        if proc.returncode:
            result["stderr"] = err.read().decode(errors="replace")[-2000:]
            if proc.returncode != 8 or "wget" not in cmd[0]:
                print(f"  ! exit {proc.returncode}: {' '.join(cmd)}\n{result['stderr']}",
                      file=sys.stderr)
        return result


def responses(warc_dir: Path) -> int:
    """Response records in the WARC files of a folder: the requests a crawl answered."""
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as fh:
            count += sum(1 for rec in ArchiveIterator(fh) if rec.rec_type == "response")
    return count


def html_pages(warc_dir: Path) -> int:
    """HTML 200 responses in the WARC files of a folder (how every crawler's pages are counted)."""
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response" and rec.http_headers is not None:
                    ctype = rec.http_headers.get_header("Content-Type") or ""
                    if rec.http_headers.get_statuscode() == "200" and ctype.startswith("text/html"):
                        count += 1
    return count


@contextmanager
def replica(pages: int, latency_ms: float = 0, backlog: int = 128,
            tls: bool = False) -> Iterator[tuple[str, int]]:
    """A synthetic replica server process; yields (base URL, port)."""
    proc = subprocess.Popen([PY, "-m", "replica.synthetic", "--pages", str(pages),
                             "--latency-ms", str(latency_ms), "--port", "0",
                             "--backlog", str(backlog), *(["--tls"] if tls else [])],
                            stdout=subprocess.PIPE, cwd=ROOT, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[0]
        yield url, int(url.rstrip("/").rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait(10)


# -- the runs --------------------------------------------------------------------------------

def crawl_ours(url: str, port: int, out: Path, options: list[str]) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    connect = [f"--connect-to={h}:80:127.0.0.1:{port}" for h in ("www.akershus.no", "static.akershus.no")]
    r = measure_rusage([PY, str(BENCH / "crawl_ours.py"), url, str(out), *options, *connect], cwd=ROOT)
    r["pages"] = html_pages(out / "warc")
    r.pop("stdout", None)
    return _rates(r)


def crawl_wget(url: str, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    r = measure_rusage([WGET, "--mirror", "--page-requisites", "--no-verbose",
                        "--warc-file=wget", "--no-warc-keep-log", "-P", "files", url], cwd=out)
    r["rc_note"] = "wget exits 8 when a link answers 4xx/5xx" if r["rc"] == 8 else ""
    r["pages"] = html_pages(out)
    r.pop("stdout", None)
    r.pop("stderr", None)
    return _rates(r)


def crawl_bare(url: str) -> dict[str, Any]:
    r = measure_rusage([PY, str(BENCH / "bare_spider.py"), url, "--concurrency", "8", "--delay", "0"])
    r["pages"] = json.loads(r.pop("stdout").strip().splitlines()[-1])["pages"] if not r["rc"] else 0
    return _rates(r)


def _rates(r: dict[str, Any]) -> dict[str, Any]:
    if r["pages"]:
        r["pages_per_s"] = round(r["pages"] / r["wall"], 2)
        r["cpu_ms_per_page"] = round(1000 * r["cpu"] / r["pages"], 2)
    return r


# Listen queues of the latency servers: the replica's 128, and 5, Python's http.server
# default (how an archivist serves a restored copy), where bursts of connects are dropped.
BACKLOGS = (128, 5)


def run_latency(work: Path, pages: int, reps: int) -> dict[str, Any]:
    shapes: dict[str, Any] = {}
    for backlog in BACKLOGS:
        runs = []
        with replica(pages, latency_ms=100, backlog=backlog) as (url, port):
            for rep in range(reps):
                ours = crawl_ours(url, port, work / "lat-ours", OURS_FAST)
                wget = crawl_wget(url, work / "lat-wget")
                runs.append({"ours": ours, "wget": wget,
                             "ratio": round(ours["pages_per_s"] / wget["pages_per_s"], 2)})
                print(f"  latency backlog {backlog} rep {rep + 1}: ours {ours['pages_per_s']} "
                      f"p/s, wget {wget['pages_per_s']} p/s, ratio {runs[-1]['ratio']}")
        shapes[str(backlog)] = {"runs": runs}
    return {"pages": pages, "latency_ms": 100, "ours_options": " ".join(OURS_FAST),
            "shapes": shapes, "runs": shapes["128"]["runs"]}


def run_tls(work: Path, pages: int, reps: int) -> dict[str, Any]:
    """Fetches over https from a local TLS server, connections kept and not.

    The harvest reaches web archives over https through the same recording
    client; this is its cost per request with and without connection reuse.
    """
    runs = []
    with replica(pages, tls=True) as (url, port):
        for rep in range(reps):
            row: dict[str, Any] = {}
            for name, extra in (("kept", []), ("closed", ["--close-connections"])):
                r = crawl_ours(url, port, work / f"tls-{name}", [*OURS_FAST, *extra])
                r["requests"] = responses(work / f"tls-{name}" / "warc")
                r["requests_per_s"] = round(r["requests"] / r["wall"], 1)
                row[name] = r
            row["ratio"] = round(row["kept"]["requests_per_s"] / row["closed"]["requests_per_s"], 2)
            runs.append(row)
            print(f"  tls rep {rep + 1}: kept {row['kept']['requests_per_s']} req/s, "
                  f"closed {row['closed']['requests_per_s']} req/s, ratio {row['ratio']}")
    return {"pages": pages, "ours_options": " ".join(OURS_FAST), "runs": runs}


def run_harvest_bench(work: Path, pages: int) -> dict[str, Any]:
    """A harvest of about ``pages`` captures from the Wayback Machine stand-in at its real limits.

    The stand-in (replica/wayback.py) serves a crawl of the synthetic replica as the
    Wayback Machine does: its CDX API and id_ replay, 60 CDX and 600 replay requests
    a minute per client, 429 without Retry-After past them and a block for ignoring
    them. The harvest runs with its defaults (480 replays a minute).
    """
    from replica.wayback import WaybackStandIn

    source = work / "harvest-source"
    shutil.rmtree(source, ignore_errors=True)
    with replica(pages) as (url, port):
        crawl_ours(url, port, source, OURS_FAST)
        prefix = url  # the synthetic replica's pages are filed under its own address
    out = work / "harvest-out"
    shutil.rmtree(out, ignore_errors=True)
    with WaybackStandIn(sorted((source / "warc").glob("*.warc.gz"))) as archive:
        r = measure_rusage([PY, "-m", "akershus_archive", "harvest", "--archive", archive.replay,
                            "--cdx", archive.cdx, "--url-prefix", prefix, "--out", str(out),
                            "--quiet"], cwd=ROOT)
        state = archive.state()
    report = json.loads((out / "crawl-report.json").read_text(encoding="utf-8"))
    counts = report["harvest"]["counts"]
    requests = state["requests"]["by_kind"]
    held = counts["harvested"] + counts["revisits_from_listing"]
    from crawler import settings as crawl_defaults

    pace = 60 / crawl_defaults.HARVEST_DELAY
    minutes = r["wall"] / 60
    result = {
        "pages": pages, "listed": counts["listed"], "in_range": counts["in_range"],
        "harvested": counts["harvested"], "revisits_from_listing": counts["revisits_from_listing"],
        "unplayable": counts["unplayable"], "failed": counts["failed"],
        "digest_mismatch": counts["digest_mismatch"], "accounted": counts["accounted"],
        "requests": requests, "requests_per_capture": round(sum(requests.values()) / held, 3),
        "captures_per_minute": round(held / minutes, 1), "pace_per_minute": pace,
        "pace_share": round(held / minutes / pace, 3), "blocks": state["blocks"]["count"],
        "answers_429": state["rate_limited"], "wall": r["wall"], "cpu": r["cpu"],
        "peak_rss_mb": r["peak_rss_mb"], "rc": r["rc"],
    }
    print(f"  harvest: {held} captures in {r['wall']} s, {result['captures_per_minute']}/min "
          f"({result['pace_share']} of the pace), {result['requests_per_capture']} requests "
          f"per capture, {result['blocks']} blocks")
    return result


def run_cpu(work: Path, pages: int, reps: int) -> dict[str, Any]:
    runs = []
    with replica(pages) as (url, port):
        for rep in range(reps):
            bare = crawl_bare(url)
            ours = crawl_ours(url, port, work / "cpu-ours", OURS_FAST)
            wget = crawl_wget(url, work / "cpu-wget")
            runs.append({"ours": ours, "bare": bare, "wget": wget,
                         "ratio_bare": round(bare["pages_per_s"] / ours["pages_per_s"], 2),
                         "ratio_wget": round(wget["pages_per_s"] / ours["pages_per_s"], 2)})
            print(f"  cpu rep {rep + 1}: ours {ours['pages_per_s']} p/s "
                  f"({ours['cpu_ms_per_page']} ms CPU/page), bare {bare['pages_per_s']}, "
                  f"wget {wget['pages_per_s']}")
    return {"pages": pages, "ours_options": " ".join(OURS_FAST), "runs": runs}


def generator_stamp() -> str:
    """A digest of the code that writes the synthetic WARCs: a changed generator means new WARCs."""
    digest = hashlib.sha256()
    for source in sorted((ROOT / "replica").glob("*.py")) + [BENCH / "synthetic_warc.py"]:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def synthetic_archive(work: Path, pages: int, era: str = "2020") -> Path:
    """DIR with warc/ of ``pages`` synthetic pages (written once, reused while the generator stays)."""
    folder = work / (f"synthetic-{pages}" if era == "2020" else f"synthetic-{pages}-{era}")
    stamp, current = folder / "generator.txt", generator_stamp()
    if not stamp.is_file() or stamp.read_text().strip() != current:
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([PY, str(BENCH / "synthetic_warc.py"), str(folder), "--pages", str(pages),
                        "--era", era], check=True, stdout=subprocess.DEVNULL)
        stamp.write_text(current + "\n")
    for name in ("data", "site"):
        shutil.rmtree(folder / name, ignore_errors=True)
    return folder


def extract_ours(folder: Path) -> dict[str, Any]:
    shutil.rmtree(folder / "data", ignore_errors=True)
    r = measure_rusage([*CLI, "extract", str(folder), "--quiet"], cwd=ROOT)
    r.pop("stdout", None)
    r["pages"] = sum(1 for _ in (folder / "data" / "pages.jsonl").open()) if not r["rc"] else 0
    return _rates(r)


def extract_trafilatura(folder: Path, output_format: str = "json") -> dict[str, Any]:
    r = measure_rusage([PY, str(BENCH / "run.py"), "--trafilatura-child", str(folder),
                        "--trafilatura-format", output_format], cwd=ROOT)
    r["pages"] = int(r.pop("stdout").strip() or 0)
    return _rates(r)


def trafilatura_child(folder: Path, output_format: str = "json") -> None:
    """Read every HTML 200 response of folder/warc and run trafilatura on it, JSON lines out.

    With ``output_format`` xml each line is {"url", "xml"} (headings, lists and
    cells marked, for scoring against the gold); json lines are trafilatura's own.
    """
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with (folder / "trafilatura.jsonl").open("w", encoding="utf-8") as out:
        for path in sorted((folder / "warc").glob("*.warc.gz")):
            with path.open("rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type != "response" or rec.http_headers is None:
                        continue
                    ctype = rec.http_headers.get_header("Content-Type") or ""
                    if rec.http_headers.get_statuscode() != "200" or not ctype.startswith("text/html"):
                        continue
                    raw = rec.content_stream().read()
                    charset = ctype.partition("charset=")[2] or "utf-8"
                    html = raw.decode(charset, errors="replace")
                    url = rec.rec_headers.get_header("WARC-Target-URI")
                    doc = trafilatura.extract(html, url=url, output_format=output_format,
                                              with_metadata=True)
                    if output_format == "xml":
                        doc = json.dumps({"url": url, "xml": doc})
                    out.write((doc or "null") + "\n")
                    count += 1
    print(count)


GENERATION_ERAS = ("2006", "2013", "2020")


def generation_archive(work: Path, era: str) -> Path:
    """DIR/warc of every content page of one era of the replica, the bytes its server sends."""
    from extract_bench import write_archive  # bench/extract_bench.py

    from replica.gold import expected_pages
    from replica.inventory import all_urls
    from replica.site import render_response

    folder = work / f"generation-{era}"
    shutil.rmtree(folder, ignore_errors=True)
    wanted = {e.url for e in expected_pages(era)}
    responses = [(e.url, render_response("GET", e.target, e.host, [("Accept-Encoding", "gzip")],
                                         era=era))
                 for e in all_urls(era) if e.url in wanted]
    write_archive(folder, responses, 1)
    return folder


def generation_quality(folder: Path, era: str) -> dict[str, Any]:
    """Gold scores of both extractors' output in ``folder``, averaged over the pages."""
    from lxml import etree

    from replica.gold import (
        STRATEGIES,
        expected_pages,
        score,
        view_of_record,
        view_of_trafilatura_xml,
    )

    ours = {r["url"]: r for r in map(json.loads, (folder / "data" / "pages.jsonl").open())}
    theirs: dict[str, Any] = {}
    for line in (folder / "trafilatura.jsonl").open():
        row = json.loads(line)
        if row and row.get("xml"):
            title = etree.fromstring(row["xml"].encode()).get("title") or ""
            theirs[row["url"]] = view_of_trafilatura_xml(row["xml"], title)
    out: dict[str, Any] = {}
    for who, view in (("ours", lambda u: view_of_record(ours[u]) if u in ours else None),
                      ("trafilatura", theirs.get)):
        total: dict[str, float] = {}
        pages = expected_pages(era)
        for ex in pages:
            v = view(ex.url)
            s = score(v, ex) if v is not None else {"title": 0, "headings": 0, "items": 0,
                                                    "text": 0, "leaks": len(ex.chrome)}
            for k, x in s.items():
                total[k] = total.get(k, 0) + x
        out[who] = {k: (int(v) if k == "leaks" else round(v / len(pages), 4))
                    for k, v in total.items()}
        out[who]["pages"] = len(pages)
    found = 0
    for path, want in STRATEGIES.items():
        got = ours.get("http://www.akershus.no" + path, {}).get("strategy")
        found += bool(got and got["period"] == want["period"] and got["goal"] == want["goal"]
                      and got["priorities"] == want["priorities"]
                      and all(any(f["value"] == w["value"] and f["counts"] == w["counts"]
                                  for f in got["figures"]) for w in want["figures"]))
    out["ours"]["strategies"] = f"{found}/{len(STRATEGIES)}"
    return out


def run_generations(work: Path, pages: int, reps: int) -> dict[str, Any]:
    """Quality on the replica's own pages of each era; speed on ``pages`` synthetic ones."""
    eras: dict[str, Any] = {}
    for era in GENERATION_ERAS:
        folder = generation_archive(work, era)
        extract_ours(folder)
        extract_trafilatura(folder, "xml")
        quality = generation_quality(folder, era)
        synthetic = synthetic_archive(work, pages, era)
        runs = []
        for _ in range(reps):
            ours = extract_ours(synthetic)
            theirs = extract_trafilatura(synthetic, "xml")
            runs.append({"ours": ours, "trafilatura": theirs,
                         "cpu_ratio": round(theirs["cpu_ms_per_page"] / ours["cpu_ms_per_page"], 2)})
        eras[era] = {"runs": runs, "quality": quality}
        q = eras[era]["quality"]
        print(f"  generation {era}: ours {q['ours']}, trafilatura {q['trafilatura']}, "
              f"CPU ratio {[r['cpu_ratio'] for r in runs]}")
    return {"eras": eras}


def render_ours(folder: Path) -> dict[str, Any]:
    shutil.rmtree(folder / "site", ignore_errors=True)
    r = measure_rusage([*CLI, "render", str(folder)], cwd=ROOT)
    out = r.pop("stdout", "")
    stages = [line.split("; ", 1)[1].rstrip(")") for line in out.splitlines()
              if line.startswith("time:") and "; " in line]
    if stages:  # seconds per build step, as the render reports them
        r["stages"] = stages[0]
    r["pages"] = sum(1 for _ in (folder / "data" / "pages.jsonl").open())
    return _rates(r)


def run_extract(work: Path, pages: int, reps: int) -> dict[str, Any]:
    folder = synthetic_archive(work, pages)
    runs = []
    for rep in range(reps):
        ours = extract_ours(folder)
        theirs = extract_trafilatura(folder)
        runs.append({"ours": ours, "trafilatura": theirs,
                     "ratio": round(ours["pages_per_s"] / theirs["pages_per_s"], 2)})
        print(f"  extract rep {rep + 1}: ours {ours['pages_per_s']} p/s, "
              f"trafilatura {theirs['pages_per_s']} p/s, ratio {runs[-1]['ratio']}")
    return {"pages": pages, "runs": runs}


def run_render(work: Path, pages: int, reps: int) -> dict[str, Any]:
    folder = synthetic_archive(work, pages)
    extract_ours(folder)
    runs = []
    for rep in range(reps):
        runs.append({"ours": render_ours(folder)})
        print(f"  render rep {rep + 1}: {runs[-1]['ours']['pages_per_s']} p/s, "
              f"peak {runs[-1]['ours']['peak_rss_mb']} MB")
    return {"pages": pages, "runs": runs}


def run_growth(work: Path, sizes: list[int], crawl_sizes: list[int], reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {"extract": {}, "render": {}, "crawl": {}}
    for n in sizes:
        if n == 0:  # "--growth-sizes 0": keep the extract and render figures of the last run
            continue
        folder = synthetic_archive(work, n)
        k = reps if n <= 2000 else 1
        out["extract"][str(n)] = [extract_ours(folder) for _ in range(k)]
        out["render"][str(n)] = [render_ours(folder) for _ in range(k)]
        print(f"  growth {n}: extract {_med(out['extract'][str(n)], 'wall')} s "
              f"{_med(out['extract'][str(n)], 'peak_rss_mb')} MB, render "
              f"{_med(out['render'][str(n)], 'wall')} s {_med(out['render'][str(n)], 'peak_rss_mb')} MB")
        if n > 2000:
            shutil.rmtree(folder / "site", ignore_errors=True)  # disk: keep the WARC only
    for n in crawl_sizes:
        if n == 0:  # "--crawl-sizes 0": keep the crawl figures of the last growth run
            continue
        with replica(n) as (url, port):
            k = reps  # every size: one crawl of 20 000 pages is too noisy a figure here
            out["crawl"][str(n)] = [crawl_ours(url, port, work / f"grow-ours-{n}", OURS_FAST)
                                    for _ in range(k)]
        shutil.rmtree(work / f"grow-ours-{n}", ignore_errors=True)
        print(f"  growth crawl {n}: {_med(out['crawl'][str(n)], 'wall')} s "
              f"{_med(out['crawl'][str(n)], 'peak_rss_mb')} MB")
    return out


def run_profile(work: Path, pages: int) -> dict[str, Any]:
    prof = work / "crawl.prof"
    with replica(pages) as (url, port):
        out = work / "prof-ours"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([PY, str(BENCH / "crawl_ours.py"), url, str(out), *OURS_FAST,
                        f"--connect-to=www.akershus.no:80:127.0.0.1:{port}", "--profile", str(prof)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = StringIO()
    stats = pstats.Stats(str(prof), stream=text)
    stats.sort_stats("tottime").print_stats(25)
    own = text.getvalue()
    text = StringIO()
    pstats.Stats(str(prof), stream=text).sort_stats("cumulative").print_stats(40)
    return {"pages": pages, "by_tottime": _trim(own), "by_cumulative": _trim(text.getvalue())}


def _trim(report: str) -> str:
    lines = report.splitlines()
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    keep = [ln.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "").replace(
        sys.base_prefix + "/", "") for ln in lines[start:] if ln.strip()]
    return "\n".join(keep)


# -- results ---------------------------------------------------------------------------------

def _med(runs: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 2) if values else float("nan")


def _mdr(runs: list[dict[str, Any]], who: str, key: str) -> float:
    return _med([r[who] for r in runs], key)


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    import scrapy
    import trafilatura
    import twisted

    wget = subprocess.run([WGET, "--version"], capture_output=True, text=True,
                          check=False).stdout.splitlines()[0]
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "scrapy": scrapy.__version__,
            "twisted": twisted.__version__, "warcio": version("warcio"),
            "trafilatura": trafilatura.__version__, "wget": wget,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def write_markdown(results: dict[str, Any], target: Path = RESULTS_MD) -> None:
    from bench_report import markdown  # bench/bench_report.py

    notes = NOTES_MD.read_text(encoding="utf-8") if NOTES_MD.exists() else ""
    text = markdown(results, notes)
    if PDF_RESULTS_MD.exists():  # bench/pdf_bench.py's section, measured on its own
        text = text.rstrip("\n") + "\n\n" + PDF_RESULTS_MD.read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one repetition: a few minutes")
    parser.add_argument("--only", nargs="+", metavar="SECTION",
                        choices=["latency", "cpu", "tls", "harvest", "extract", "render",
                                 "growth", "profile",
                                 "generations"])
    parser.add_argument("--reps", type=int, help="repetitions (default: 3, quick: 1)")
    parser.add_argument("--growth-sizes", type=int, nargs="+",
                        help="extract and render sizes of the growth run; 0 keeps the last run's")
    parser.add_argument("--crawl-sizes", type=int, nargs="+",
                        help="crawl sizes of the growth run; 0 keeps the last run's figures")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "akershus-bench")
    parser.add_argument("--markdown-only", action="store_true", help="rewrite RESULTS.md only")
    parser.add_argument("--trafilatura-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trafilatura-format", default="json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trafilatura_child:
        trafilatura_child(args.trafilatura_child, args.trafilatura_format)
        return
    sys.path.insert(0, str(BENCH))
    quick = args.quick
    # A quick run never overwrites the full results: it writes next to its work files.
    raw_path = args.work / "results-quick.json" if quick else RESULTS_JSON
    md_path = args.work / "RESULTS-quick.md" if quick else RESULTS_MD
    args.work.mkdir(parents=True, exist_ok=True)
    results = json.loads(raw_path.read_text()) if raw_path.exists() else {}
    if args.markdown_only:
        write_markdown(results, md_path)
        return
    reps = args.reps or (1 if quick else 3)
    pages = 300 if quick else 2000
    growth = args.growth_sizes or ([300, 3000] if quick else [2000, 20000, 100000])
    crawl_sizes = args.crawl_sizes or ([300, 1000] if quick else [2000, 20000])
    sections = args.only or ["latency", "cpu", "tls", "extract", "render", "growth", "profile",
                             "generations"]
    results["machine"] = machine()
    results["mode"] = "quick" if quick else "full"
    for section in sections:
        print(f"{section} ...", flush=True)
        start = time.time()
        if section == "latency":
            data = run_latency(args.work, pages, reps)
        elif section == "cpu":
            data = run_cpu(args.work, pages, reps)
        elif section == "extract":
            data = run_extract(args.work, pages, reps)
        elif section == "render":
            data = run_render(args.work, pages, reps)
        elif section == "growth":
            data = run_growth(args.work, growth, crawl_sizes, reps)
        elif section == "generations":
            data = run_generations(args.work, pages, reps)
        elif section == "tls":
            data = run_tls(args.work, pages, reps)
        elif section == "harvest":
            data = run_harvest_bench(args.work, pages)
        else:
            data = run_profile(args.work, pages)
        data["command"] = ("python bench/run.py" + (" --quick" if quick else "")
                           + f" --only {section}" + (f" --reps {args.reps}" if args.reps else "")
                           + (f" --growth-sizes {' '.join(map(str, args.growth_sizes))}"
                              if section == "growth" and args.growth_sizes else "")
                           + (f" --crawl-sizes {' '.join(map(str, args.crawl_sizes))}"
                              if section == "growth" and args.crawl_sizes else ""))
        previous = results.get(section) or {}
        if section == "growth" and not data["crawl"] and previous.get("crawl"):
            data["crawl"] = previous["crawl"]
            data["crawl_command"] = previous.get("crawl_command", previous.get("command"))
        if section == "growth" and not data["extract"] and previous.get("extract"):
            data["extract"], data["render"] = previous["extract"], previous.get("render", {})
            data["pages_command"] = previous.get("pages_command", previous.get("command"))
        data["seconds"] = round(time.time() - start, 1)
        data["machine_date"] = results["machine"]["date"]
        results[section] = data
        raw_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        write_markdown(results, md_path)
    print(f"Results: {md_path}")


if __name__ == "__main__":
    main()
