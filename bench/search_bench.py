"""Search index size and query time at large archive sizes (issue 18).

    python bench/search_bench.py [--sizes 20000 100000] [--out DIR] [--reps 3]

For each size a site is made: a small real render (bench/render_bench.py's
synthetic archive of 50 pages, so search.html, its stylesheet and search.js
are the real ones), whose search/ folder is then replaced by an index of SIZE
entries written by the real IndexWriter. The entries are the replica's own
pages (titles, headings, texts, templates, strategies), cycled, each with a
few words of its own (a number, a place) so the vocabulary grows with the
archive as a real one does; types and years vary. Rendering 100 000 full
pages is the render benchmark's business; this measures the index.

Reported: index build time, size on disk (MB, all of search/ and its largest
file) and, in headless Chromium from file://, the time from pressing Enter in
the open search page's form to the results shown in place
(``body[data-search-done]``), median of
each query over ``--reps`` runs, for a set of queries (ASCII spellings, a
compound's part, a filter, a second page). Results go to bench/SEARCH-RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from render.search_index import (
    IndexWriter,
    kept_text,
    page_kind,
    page_weights,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PLACES = ["Lørenskog", "Rælingen", "Bærum", "Asker", "Ski", "Ås", "Nittedal", "Eidsvoll",
          "Ullensaker", "Nes", "Frogn", "Vestby", "Enebakk", "Aurskog-Høland", "Hurdal"]
QUERIES = ["lorenskog", "strategi", "opplaering", "regional planstrategi", "raelingen skole",
           "folkehelse", "klima"]
EXTRA = ["strategi&type=strategy", "opplaering&year=2016", "strategi&p=2"]


def replica_pages() -> list[dict[str, Any]]:
    import replica.site as site_mod
    site = site_mod.Site("2020")
    out = []
    for path, page in sorted(site.pages.items()):
        headings = [b[1] for b in page.blocks if b and b[0] in ("h2", "h3")]
        text = page.all_text()
        template = getattr(page, "template", "") or ""
        kind = "strategy" if "strategi" in page.title.lower() else page_kind(template, None)
        out.append({"path": path, "title": page.title, "headings": headings, "text": text,
                    "kind": kind})
    return out


def build_index(folder: Path, n: int, seed: int = 18) -> dict[str, Any]:
    """Write an index of ``n`` entries under ``folder`` (search/); its figures."""
    rng = random.Random(seed)
    pages = replica_pages()
    start = time.perf_counter()
    writer = IndexWriter(folder, folder.parent / ".search-spool")
    for i in range(n):
        p = pages[i % len(pages)]
        kind = p["kind"]
        place = rng.choice(PLACES)
        title = f"{p['title']} {place} {i}"
        text = f"{p['text']} Saken gjelder {place}, sak {i}, arkiv {rng.randrange(10**6)}."
        year = rng.randrange(2006, 2020)
        doc = [title, f"pages/p{i}/index.html", f"{year}-06-01", "nb",
               f"https://www.akershus.no{p['path']}?n={i}", kept_text(text), kind]
        writer.add_weights(doc, page_weights(title, p["headings"], text))
    stats = writer.close()
    seconds = time.perf_counter() - start
    files = list(folder.iterdir())
    return {"entries": n, "build_s": round(seconds, 1),
            "size_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
            "files": len(files),
            "largest_file_mb": round(max(f.stat().st_size for f in files) / 1e6, 2),
            "meta_mb": round((folder / "meta.js").stat().st_size / 1e6, 2),
            "compounds": stats["compounds"], "shards": stats["shards"]}


def small_site(work: Path) -> Path:
    """A real render of a small synthetic archive: search.html, CSS and search.js as shipped."""
    from render_bench import make_archive

    from render.build import run_render
    archive = work / "small"
    make_archive(archive, 50)
    report = run_render(archive)
    assert report.ok, report.summary()
    return archive / "site"


def query_times(site: Path, reps: int) -> dict[str, Any]:
    from playwright import sync_api
    times: dict[str, list[float]] = {}
    counts: dict[str, str] = {}
    inpage: dict[str, list[float]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(reps):
            for q in QUERIES + EXTRA:
                context = browser.new_context()  # nothing cached between queries
                pg = context.new_page()
                text, _, rest = q.partition("&")
                pg.goto((site / "search.html").as_uri() + ("?" + rest if rest else ""))
                if rest.startswith("p="):  # the second page: the pager's Next link
                    pg.goto((site / "search.html").as_uri() + "?q=" + text)
                    pg.wait_for_selector("body[data-search-done]")
                    pg.evaluate("() => document.body.removeAttribute('data-search-done')")
                    t0 = time.perf_counter()
                    pg.locator("#search-pager a[rel=next]").click()
                else:
                    pg.locator("#q").fill(text)
                    t0 = time.perf_counter()
                    pg.locator("#q").press("Enter")
                pg.wait_for_selector("body[data-search-done]")
                times.setdefault(q, []).append((time.perf_counter() - t0) * 1000)
                counts[q] = pg.locator("#search-status").text_content() or ""
                # the query alone, in the page already open (no navigation), cold shards
                fresh = browser.new_context()
                pf = fresh.new_page()
                pf.goto((site / "search.html").as_uri())
                opts = dict(x.split("=") for x in rest.split("&")) if rest else {}
                opts["page"] = opts.pop("p", "")
                ms = pf.evaluate("""async ([q, o]) => { const t = performance.now();
                    await window.archiveSearch.search(q, o); return performance.now() - t; }""",
                                 [text, opts])
                inpage.setdefault(q, []).append(ms)
                fresh.close()
                context.close()
        browser.close()
    med = {q: round(statistics.median(v), 1) for q, v in times.items()}
    alone = {q: round(statistics.median(v), 1) for q, v in inpage.items()}
    return {"per_query_ms": med, "median_ms": round(statistics.median(med.values()), 1),
            "max_ms": max(med.values()), "in_page_ms": alone,
            "in_page_median_ms": round(statistics.median(alone.values()), 1),
            "in_page_max_ms": max(alone.values()),
            "results": {q: s.split(" ", 1)[0] for q, s in counts.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "SEARCH-RESULTS.md")
    args = ap.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base = small_site(work)
    rows = []
    for n in args.sizes:
        site = work / f"site-{n}"
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(base, site)
        shutil.rmtree(site / "search")
        figures = build_index(site / "search", n)
        figures.update(query_times(site, args.reps))
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        rows.append(figures)
    write_results(args.results, rows, args.reps)


def write_results(path: Path, rows: list[dict[str, Any]], reps: int) -> None:
    lines = ["## Search (issue 18)", "",
             ("Measured by `bench/search_bench.py` (this machine: 2 shared cores; headless "
             "Debian Chromium from file://). Each site is a real small render whose search/ "
             "is an index of N entries written by the real IndexWriter from the replica's "
             "pages, cycled with words of their own (see the script's docstring). Query time "
             "is from pressing Enter in the form of the open search page to "
             "`body[data-search-done]`: the query's shards and the shown entries' chunks "
             "loaded, ranked and rendered in place (meta.js is read when the page opens), "
             "or, for the second page, from clicking Next; each query in a fresh browser "
             "context, median of "
             f"{reps} runs. The query alone: `archiveSearch.search()` called in a freshly "
             "opened page, timed in the page."), "",
             ("| entries | index MB | files | largest file MB | meta.js MB | compounds split "
              "| build s | Enter→shown median ms | slowest ms | query alone median ms "
              "| slowest ms |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['entries']} | {r['size_mb']} | {r['files']} | "
                     f"{r['largest_file_mb']} | {r['meta_mb']} | {r['compounds']} | "
                     f"{r['build_s']} | {r['median_ms']} | {r['max_ms']} | "
                     f"{r['in_page_median_ms']} | {r['in_page_max_ms']} |")
    lines.append("")
    for r in rows:
        lines.append(f"Per query at {r['entries']} entries (Enter→shown ms / query alone ms; "
                     "results): " + ", ".join(
            f"`{q}` {ms} / {r['in_page_ms'][q]} ({r['results'][q]})"
            for q, ms in r["per_query_ms"].items()))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
