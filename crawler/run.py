"""Run one crawl in this process: recover, resume or start, and return its report.

The Twisted reactor cannot be restarted, so a process runs one crawl; tests
and the CLI run crawls in a subprocess or as the last reactor user.

What happens in an archive directory that already holds WARCs:
- a crawl that did not finish (killed, Ctrl-C, power loss) is resumed: its
  ``.open`` files are cut back to their last whole record and closed, and the
  crawl goes on from what the WARCs hold, fetching nothing twice;
- after a finished crawl, a new crawl fetches everything again and writes
  ``revisit`` records for payloads the archive already holds;
- a crawl stopped by a failed write (a full disk) left valid, closed files
  and is resumed like an interrupted one.
"""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import folder
from archive.console import Console
from crawler.recovery import recover_directory
from crawler.report import report_extension, save_json
from crawler.resume import ArchiveState, read_state, scan, write_state
from crawler.spiders.akershus import AkershusSpider
from crawler.warcfile import errno_name, warc_extension


def crawl_settings(archive_dir: Path, overrides: dict[str, Any]) -> Settings:
    """The project's documented defaults, then the caller's overrides."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    # The spider is given as a class: no module is searched for spiders (a crawl
    # would otherwise import the harvest's, and its CDX stack, at every start).
    settings.set("SPIDER_LOADER_CLASS", "scrapy.spiderloader.DummySpiderLoader",
                 priority="project")
    settings.set("ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def start(process: CrawlerProcess, settings: Settings) -> None:
    """Run the reactor until the crawl ends, the garbage collector tuned for a crawl.

    What start-up made (modules, classes, settings: some 60 000 objects, none of
    them garbage) stays: frozen, the collector's full passes skip it. The youngest
    generation is collected after GC_THRESHOLD new objects rather than
    Python's 700: a response's short-lived objects are gone by then, so fewer
    live ones are moved up and walked again. On a 2 000-page crawl the
    collector took 0.28 s of CPU at Python's defaults and 0.05 s so.
    """
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(settings.getint("GC_THRESHOLD"), middle, old)
    process.start()


def prepare(archive_dir: Path, seeds: list[str], resume: bool | None,
            dedup_against: list[Path] | None = None,
            show_progress: bool = False) -> tuple[str, ArchiveState | None, list[str]]:
    """Mend what a dead crawl left; decide between a fresh, resumed or repeated crawl.

    With ``show_progress``, reading the WARC files of a resumed crawl (minutes,
    for a big archive) is shown on the terminal: "resuming: reading 3 WARC files".
    """
    warc_dir = folder.warc_dir(archive_dir)
    notes = [r.describe() for r in recover_directory(warc_dir)] if warc_dir.is_dir() else []
    has_warcs = bool(folder.finished_in(warc_dir))
    previous = read_state(archive_dir)
    unfinished = previous is not None and previous.get("status") != "finished"
    if resume is None:
        resume = has_warcs and (unfinished or previous is None)
    state: ArchiveState | None = None
    if resume and has_warcs:
        mode = "resume"
        with Console(live=None if show_progress else False, quiet=not show_progress) as console:
            task = console.task("resume", "WARC files")

            def read(done: int, files: int) -> None:
                console.update(task, done - task.done, total=files,
                               state=f"resuming: reading {files} WARC files")

            state = scan(warc_dir, follow_links=True, progress=read)
    elif has_warcs:
        mode = "repeat"
        state = scan(warc_dir, follow_links=False)
        state.done.clear()
        state.links.clear()
        state.pages = 0
    else:
        mode = "fresh"
    for other in dedup_against or []:
        extra = scan(folder.warc_dir(other), follow_links=False)
        if state is None:
            state = ArchiveState()
        for digest, where in extra.digests.items():
            state.digests.setdefault(digest, where)
    if mode != "resume" and state is not None:
        state.done.clear()
    return mode, state, notes


def run_crawl(seeds: list[str], archive_dir: Path, overrides: dict[str, Any],
              resume: bool | None = None,
              dedup_against: list[Path] | None = None) -> dict[str, Any]:
    """Crawl ``seeds`` into ``archive_dir/warc``; return the crawl report."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    if overrides.get("REDIS_URL"):
        return run_worker(seeds, archive_dir, overrides)
    settings = crawl_settings(archive_dir, overrides)
    mode, state, notes = prepare(archive_dir, seeds, resume, dedup_against,
                                 show_progress=settings.getbool("REPORT_PROGRESS"))
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    write_state(archive_dir, status="running", mode=mode, seeds=seeds, started_at=started)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AkershusSpider)
    process.crawl(crawler, urls=seeds, archive_state=state if mode == "resume" else None,
                  dedup_state=state)
    start(process, settings)
    warc = warc_extension(crawler)
    if warc is not None:
        warc.file.close()  # a forced stop skips spider_closed: still leave closed files
    report_path = folder.report_file(archive_dir)
    report = final_report(crawler, report_path)
    report["mode"] = mode
    report["recovered"] = notes
    status = "finished" if report["finish_reason"] in {"finished", "closespider_pagecount"} \
        else "interrupted"
    try:
        save_json(report_path, report)
        write_state(archive_dir, status=status, mode=mode, seeds=seeds, started_at=started,
                    finish_reason=report["finish_reason"])
    except OSError as exc:  # the state still says "running": the next run resumes
        report["save_error"] = save_error(exc, report_path)
    return report


def final_report(crawler: Any, report_path: Path) -> dict[str, Any]:
    """The report, made again once every spider_closed handler has run (and counted).

    A forced stop skips spider_closed: then what the report file holds, if anything.
    A failed WARC write is the finish reason whatever else the crawl was doing.
    """
    extension = report_extension(crawler)
    report: dict[str, Any] = {}
    if extension is not None and extension.closed_reason is not None:
        report = extension.as_dict(extension.closed_reason)
    elif report_path.exists():
        report = json.loads(report_path.read_text(encoding="utf-8"))
    report.setdefault("finish_reason", "killed")
    warc = warc_extension(crawler)
    failure = warc.file.failure if warc is not None else None
    if failure is not None:
        report["finish_reason"] = failure.finish_reason
        report["write_failure"] = failure.as_dict()
    return report


def save_error(exc: OSError, path: Path) -> dict[str, str]:
    """Why the report or the state could not be written, for the CLI's message."""
    return {"file": str(exc.filename or path), "error": errno_name(exc),
            "message": exc.strerror or str(exc)}


def run_worker(seeds: list[str], archive_dir: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """One worker of a crawl shared on Redis: the frontier and its state live there."""
    import warnings

    from scrapy.exceptions import ScrapyDeprecationWarning

    from crawler.distributed import LOST_STAT, WORKER, check_reachable, redis_settings
    from crawler.recovery import recover_dead_workers
    from crawler.report import report_name

    check_reachable(overrides["REDIS_URL"])
    # scrapy-redis passes ``spider=`` to the stats collector, which Scrapy deprecates:
    # a warning on every run that an archivist can do nothing about.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    settings = crawl_settings(archive_dir, {**redis_settings(overrides["REDIS_URL"]), **overrides})
    settings.set("SHARED_DOWNLOAD_DELAY", overrides.get("DOWNLOAD_DELAY",
                                                         settings.getfloat("DOWNLOAD_DELAY")),
                 priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    if "CONCURRENT_REQUESTS_PER_DOMAIN" in overrides:
        settings.set("SHARED_CONCURRENT_REQUESTS_PER_DOMAIN",
                     overrides["CONCURRENT_REQUESTS_PER_DOMAIN"], priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AkershusSpider)
    process.crawl(crawler, urls=seeds)
    start(process, settings)
    warc = warc_extension(crawler)
    if warc is not None:
        warc.file.close()
    host = WORKER.rsplit("-", 1)[0].replace("-", "_")
    notes = [r.describe() for r in recover_dead_workers(folder.warc_dir(archive_dir), host)]
    path = archive_dir / report_name(settings)
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    report.setdefault("finish_reason", "killed")
    report.update(mode="distributed", worker=WORKER, recovered=notes)
    lost = crawler.stats.get_value(LOST_STAT) if crawler.stats is not None else None
    if lost:
        report["redis_lost"] = lost
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
