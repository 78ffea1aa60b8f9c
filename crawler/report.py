"""Crawl progress on a terminal and the crawl report at the end.

The report (``ARCHIVE_DIR/crawl-report.json``) is what an archivist files
with the WARCs: what was captured by status and type, how many bytes, how
long it took, and every URL left out with the reason why.

The summary speaks in words (what was left out and why, what could not be
recorded); the JSON report keeps Scrapy's stat names. Errors become counts by
reason, never tracebacks on the terminal: an exception
in one of the crawl's signal handlers is one log line and a
``signal_error/<handler>/<type>`` count, and a WARC write the disk refused
stops the crawl with its reason (``write_error/<errno>``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.python import global_object_name
from twisted.internet.task import LoopingCall

from archive import folder
from archive.console import Console
from crawler.warcfile import WarcFile, warc_extension

logger = logging.getLogger(__name__)

# How many example URLs to keep per skip reason (the counts are always complete).
SKIPPED_EXAMPLES = 50
# Scrapy logs an exception of any signal handler here, with its traceback.
SIGNAL_LOGGER = "scrapy.utils.signal"
# Loggers that log a failed download or callback with its traceback: after a
# failed WARC write (told once, the crawl stopping) they would repeat it.
KNOCK_ON_LOGGERS = ("scrapy.core.scraper", "scrapy.core.engine",
                    "scrapy.downloadermiddlewares.robotstxt")
# Stats whose counts the report lists under errors_by_reason (prefix, name kept).
ERROR_STATS = (("wire/error/", ""), ("warc/write_error/", "write_error/"),
               ("signal_error/", "signal_error/"))


def handler_name(receiver: Any) -> str:
    """``Class.method`` of a bound method, else the function's qualified name."""
    owner = getattr(receiver, "__self__", None)
    func = getattr(receiver, "__func__", receiver)
    if owner is not None:
        return f"{type(owner).__name__}.{getattr(func, '__name__', '?')}"
    return getattr(receiver, "__qualname__", None) or type(receiver).__name__


class OneLineErrors(logging.Filter):
    """Turns Scrapy's "Error caught on signal handler" tracebacks into one counted line.

    Installed on the loggers themselves, so it works whatever handlers there
    are; the traceback is kept only with --debug or when the log goes to a file.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__()
        self.stats = crawler.stats
        level = str(crawler.settings.get("LOG_LEVEL")).upper()
        self.keep_traceback = level in {"DEBUG", "10"} or bool(crawler.settings.get("LOG_FILE"))

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        if isinstance(error, WarcFile.WriteError):
            return self.keep_traceback  # already counted and told: the crawl is stopping
        if record.name == SIGNAL_LOGGER:
            self.count_signal_error(record, error)
        return True

    def count_signal_error(self, record: logging.LogRecord, error: BaseException) -> None:
        args = record.args if isinstance(record.args, dict) else {}
        name = handler_name(args.get("receiver"))
        key = f"signal_error/{name}/{type(error).__name__}"
        self.stats.inc_value(key)
        text = (str(error).splitlines() or [""])[0]
        record.msg = "Error in signal handler %s: %s: %s (counted in the crawl report as %s)"
        record.args = (name, type(error).__name__, text, key)
        if not self.keep_traceback:
            record.exc_info = None
            record.exc_text = None


class PlainRetries(logging.Filter):
    """Scrapy's "Gave up retrying" in an archivist's words, at the level it deserves.

    A server's 500 or 503 answer was recorded, every try of it: the archive holds
    what the site said, so giving up is news (INFO), not an error of the crawl.
    A fetch that never got an answer (a timeout, a refused connection) is what
    the crawl could not record: an ERROR, named in words with its URL.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Gave up retrying") or not isinstance(
                record.args, dict):
            return True
        args = record.args
        request, tries, reason = args.get("request"), args.get("retry_times"), args.get("reason")
        url = getattr(request, "url", request)
        if isinstance(reason, str) and reason[:3].isdigit():
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "Recorded %s answering %s, %s times (kept as answered)", (
                url, reason, tries)
        else:
            record.msg, record.args = "Could not record %s after %s tries: %s", (
                url, tries, _in_words(reason))
        return True


def _in_words(reason: object) -> str:
    """An exception as a sentence: its message, else its class name without the module."""
    text = str(reason).strip() if reason is not None else ""
    name = type(reason).__name__ if isinstance(reason, BaseException) else ""
    return f"{name}: {text}" if name and text else (text or name or "no answer")


RETRY_LOGGER = "scrapy.downloadermiddlewares.retry"


def skip_unshown_records(crawler: Crawler) -> None:
    """Set the root logger's level to the lowest a handler shows, so no other record is made.

    Scrapy leaves the root logger at NOTSET and filters at its handler
    (LOG_LEVEL), so every ``debug()`` call built, filtered and dropped a record
    (a "Crawled (200)" line for each response: 1% of a CPU-bound crawl). A
    handler someone else put on the root logger (a test's capture) keeps its
    level: the lowest one wins.
    """
    level = logging.getLevelName(str(crawler.settings.get("LOG_LEVEL")).upper())
    levels = [level if isinstance(level, int) else logging.DEBUG]
    root = logging.getLogger()
    levels += [handler.level for handler in root.handlers]
    root.setLevel(min(levels))


def install_filter(crawler: Crawler) -> OneLineErrors:
    """One filter per logger, this crawler's (a process may run several crawls)."""
    new = OneLineErrors(crawler)
    for name in (SIGNAL_LOGGER, *KNOCK_ON_LOGGERS):
        log = logging.getLogger(name)
        for old in [f for f in log.filters if isinstance(f, OneLineErrors)]:
            log.removeFilter(old)
        log.addFilter(new)
    retry_log = logging.getLogger(RETRY_LOGGER)
    if not any(isinstance(f, PlainRetries) for f in retry_log.filters):
        retry_log.addFilter(PlainRetries())
    return new


class DownloadErrorStats:
    """Counts failed fetches by exception class, as Scrapy's DownloaderStats does.

    The report's ``errors`` are these counts. Scrapy's middleware also counts
    request and response bytes by serialising each request again; the WARC holds
    those bytes exactly, so only the failures are counted here.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloadErrorStats:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception,
                          spider: Any = None) -> None:
        self.stats.inc_value("downloader/exception_count")
        self.stats.inc_value(f"downloader/exception_type_count/{global_object_name(type(exception))}")


def host_rates(hosts: Counter[str], seconds: float, most: int = 3) -> str:
    """Responses a second of the busiest hosts of a multi-host crawl: ``a.no 4.1/s, b.no 0.5/s``."""
    seconds = max(seconds, 1e-6)
    rates = [f"{host} {n / seconds:.1f}/s" for host, n in hosts.most_common(most)]
    if len(hosts) > most:
        rates.append(f"{len(hosts) - most} more hosts")
    return ", ".join(rates)


class ReportExtension:
    """Counts what the crawl did; shows progress; writes the JSON report."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.archive_dir = Path(settings.get("ARCHIVE_DIR"))
        self.show_progress = settings.getbool("REPORT_PROGRESS") and sys.stderr.isatty()
        self.interval = settings.getfloat("REPORT_INTERVAL")
        self.status: Counter[int] = Counter()
        self.types: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()  # responses by host, for the live line
        self.skipped: Counter[str] = Counter()
        self.skipped_examples: dict[str, list[str]] = defaultdict(list)
        self.bytes = 0
        self.pages = 0
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self._live: Console | None = None
        self._task: Any = None
        self._waiting: tuple[float, str] = (0.0, "")
        self._loop: LoopingCall | None = None
        self.path = self.archive_dir / report_name(settings)
        self.closed_reason: str | None = None
        self.write_failure: WarcFile.WriteError | None = None
        self.save_error: OSError | None = None
        install_filter(crawler)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportExtension:
        return cls(crawler)

    def skip(self, url: str, reason: str) -> None:
        self.skipped[reason] += 1
        examples = self.skipped_examples[reason]
        if len(examples) < SKIPPED_EXAMPLES and url not in examples:
            examples.append(url)

    def write_failed(self, failure: WarcFile.WriteError) -> None:
        """A WARC write failed (cut back already): count it and stop the crawl cleanly.

        Nothing more can be archived; the fetches in flight end, the files close
        valid, and the next run resumes from them.
        """
        self.write_failure = failure
        self.crawler.stats.inc_value(f"warc/write_error/{failure.reason}")
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        stopping = deferred_from_coro(engine.close_spider_async(reason=failure.finish_reason))
        stopping.addErrback(lambda f: logger.info("Stopping after a failed write: %s", f.value))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.status[response.status] += 1
        self.hosts[urlsplit(response.url).netloc] += 1
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        ctype = ctype.split(";")[0].strip().lower() or "unknown"
        self.types[ctype] += 1
        self.bytes += len(response.body)
        if ctype in {"text/html", "application/xhtml+xml"} and response.status == 200:
            self.pages += 1

    # -- progress -----------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        # here, not in __init__: Scrapy puts its root handler back (and the root
        # logger at NOTSET) after it has built the extensions
        skip_unshown_records(self.crawler)
        warc = warc_extension(self.crawler)
        if warc is not None:  # a failed write stops the crawl through the report
            warc.file.on_failure = self.write_failed
        if not self.show_progress:
            return
        # One console for the live line and every log record (Scrapy's too): records
        # are printed above the line, never into it (archive/console.py).
        self._live = Console(live=True)
        level = logging.getLevelName(str(self.crawler.settings.get("LOG_LEVEL")).upper())
        self._live.install(level if isinstance(level, int) else logging.WARNING)
        if getattr(spider, "name", "") == "harvest":  # its listing is the total (see _draw)
            self._task = self._live.task("harvest", "captures", estimated=True)
        else:
            self._task = self._live.task("crawl", "responses", estimated=True)
        self._loop = LoopingCall(self._draw)
        self._loop.start(self.interval, now=True)

    def waiting(self, seconds: float, why: str) -> None:
        """Say on the live line that the crawl waits, and why, until the wait is over."""
        self._waiting = (time.monotonic() + seconds, why)
        self._draw()

    def _draw(self) -> None:
        """The live line: done out of the total (the listing's, or done + queued), the state."""
        if self._live is None:
            return
        stats = self.crawler.stats
        responses, queued, state = self._counts()
        if stats.get_value("harvest/listing_pages"):  # a harvest: its listing is the total
            self._task.description, self._task.unit = "harvest", "captures"
            done = sum(int(stats.get_value(f"harvest/{k}", 0)) for k in HARVEST_DONE)
            total, estimated = int(stats.get_value("harvest/in_range", 0)), not stats.get_value(
                "harvest/listing_complete")
        else:
            # done + queued, or the sitemaps' count of pages while that is more
            listed = int(stats.get_value("sitemap/urls", 0))
            done, total, estimated = responses, max(responses + queued, listed), True
        until, why = self._waiting
        left = until - time.monotonic()
        if left > 0:
            state = f"waiting {left:.0f} s: {why}"
        self._live.update(self._task, done - self._task.done, total=total, state=state,
                          estimated=estimated)

    def _counts(self) -> tuple[int, int, str]:
        stats = self.crawler.stats
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        queued = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        errors = sum(
            v for k, v in stats.get_stats().items()
            if k.startswith("downloader/exception_type_count/")
            and k.removeprefix("downloader/exception_type_count/") not in NOT_ERRORS
        )
        state = (f"{self.pages} pages, {self.bytes / 1e6:.1f} MB, "
                 f"{sum(self.skipped.values())} left out, {errors} not recorded")
        listed = int(stats.get_value("sitemap/urls", 0))
        if listed:
            state += f", sitemaps list {listed}"
        if len(self.hosts) > 1:
            state += "; " + host_rates(self.hosts, time.monotonic() - self.started)
        return sum(self.status.values()), queued, state

    def _line(self) -> str:
        """The progress in one plain line (what the live display shows)."""
        responses, queued, state = self._counts()
        return f"crawl: {responses}/~{responses + queued} responses ({state})"

    # -- the report -----------------------------------------------------------------
    def as_dict(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        duration = time.monotonic() - self.started
        errors = {
            k.removeprefix("downloader/exception_type_count/"): v
            for k, v in stats.items() if k.startswith("downloader/exception_type_count/")
        }
        warc = warc_extension(self.crawler)
        return {
            "started_at": self.started_at.isoformat().replace("+00:00", "Z"),
            "finished_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "finish_reason": reason,
            "duration_seconds": round(duration, 3),
            "seeds": list(getattr(self.crawler.spider, "seeds", [])),
            "pages": self.pages,
            "responses": sum(self.status.values()),
            "pages_per_second": round(self.pages / duration, 3) if duration else None,
            "by_status": {str(k): v for k, v in sorted(self.status.items())},
            "by_type": dict(self.types.most_common()),
            "bytes": self.bytes,
            "warc_bytes_recorded": stats.get("warc/response_bytes", 0),
            "warc_records": stats.get("warc/records", 0),
            "warc_files": [p.name for p in warc.file.closed_files] if warc else [],
            "truncated": {k.removeprefix("warc/truncated/"): v for k, v in stats.items()
                          if k.startswith("warc/truncated/")},
            "retries": stats.get("retry/count", 0),
            # kept connections (crawler/pool.py): opened, reused for a later request,
            # and found closed or expired when wanted (not a server fault)
            "connections": {k: stats.get(f"wire/connections/{k}", 0)
                            for k in ("opened", "reused", "stale")},
            "errors": errors,
            "errors_by_reason": errors_by_reason(stats),
            "skipped": dict(self.skipped.most_common()),
            "skipped_examples": dict(self.skipped_examples),
            **({"write_failure": self.write_failure.as_dict()} if self.write_failure else {}),
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._live is not None:
            self._draw()  # the last counts, drawn once before the line goes
            self._live.stop()
            self._live = None
        self.closed_reason = reason
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        try:
            save_json(self.path, self.as_dict(reason))
        except OSError as exc:  # a full disk: crawler/run.py tries again, then says so
            self.save_error = exc
            logger.info("Could not write %s: %s", self.path, exc)

    def engine_stopped(self) -> None:
        """Write the report again: spider_closed handlers after ours may have counted errors."""
        if self.closed_reason is not None and self.save_error is None:
            try:
                save_json(self.path, self.as_dict(self.closed_reason))
            except OSError as exc:
                self.save_error = exc


def save_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` whole or not at all: a failed write leaves the previous file."""
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n",
                       encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def errors_by_reason(stats: dict[str, Any]) -> dict[str, int]:
    """Failed fetches by wire reason, refused writes by errno, signal handler errors."""
    out: dict[str, int] = {}
    for prefix, name in ERROR_STATS:
        out.update({name + k.removeprefix(prefix): v for k, v in stats.items()
                    if k.startswith(prefix)})
    return out


def report_name(settings: Any) -> str:
    """One report per crawl; one per worker when several share a crawl on Redis."""
    if settings.get("REDIS_URL"):
        from crawler.distributed import WORKER

        return folder.report_name(WORKER)
    return folder.report_name()


# The harvest's outcomes, each a listed capture dealt with (the live line's "done").
HARVEST_DONE = ("captures", "revisits_from_listing", "already_held", "unchanged_skipped",
                "older_skipped", "unplayable", "failed")
# Exceptions the downloader counts that are no failure to record: a request a rule
# dropped (robots.txt, a duplicate) is already counted under "skipped" with its reason.
NOT_ERRORS = frozenset({"scrapy.exceptions.IgnoreRequest"})
ERROR_WORDS = {
    "ResponseTimeout": "no answer in time",
    "TimeoutError": "no answer in time",
    "TCPTimedOutError": "connection timed out",
    "ConnectionRefusedError": "connection refused",
    "ConnectionLost": "connection lost during the answer",
    "ConnectionDone": "connection closed before the answer",
    "ResponseNeverReceived": "no answer",
    "DNSLookupError": "host name not found",
    "SSLError": "TLS handshake failed",
    "ResponseTooLarge": "answer larger than the size limit",
}
SKIP_WORDS = {
    "out_of_scope": "outside the scope", "robots": "robots.txt", "offsite": "another site",
    "max_pages": "the page limit", "max_depth": "the depth limit", "duplicate": "already seen",
}


def error_in_words(stat: str) -> str:
    """``twisted.internet.error.ConnectionRefusedError`` -> "connection refused"."""
    name = stat.rsplit(".", 1)[-1]
    return ERROR_WORDS.get(name, name)


def skip_in_words(reason: str) -> str:
    """``trap:query_hops`` -> "trap rule query_hops"; ``robots`` -> "robots.txt"."""
    if reason.startswith("trap:"):
        return "trap rule " + reason.removeprefix("trap:")
    return SKIP_WORDS.get(reason, reason.replace("_", " "))


def summary(report: dict[str, Any]) -> str:
    """A few lines for stdout: what the crawl archived and what it left out."""
    lines = []
    if report.get("mode") == "resume":
        lines.append("Resumed an unfinished crawl from the WARC files it had written.")
    for note in report.get("recovered", []):
        lines.append(f"Recovered {note}")
    lines += [
        (f"Crawl {report['finish_reason']}: {report['pages']} pages, "
         f"{report['responses']} responses, {report['bytes'] / 1e6:.2f} MB "
         f"in {report['duration_seconds']:.1f} s"),
        "  by status: " + ", ".join(f"{k}: {v}" for k, v in report["by_status"].items()),
        "  by type:   " + ", ".join(f"{k}: {v}" for k, v in report["by_type"].items()),
    ]
    conns = report.get("connections") or {}
    if conns.get("opened"):
        lines.append(f"  connections: {conns['opened']} opened, {conns['reused']} reuses, "
                     f"{conns['stale']} found closed")
    if report["skipped"]:
        lines.append("  left out:  " + ", ".join(
            f"{skip_in_words(k)}: {v}" for k, v in report["skipped"].items()))
    errors = {error_in_words(k): v for k, v in report["errors"].items() if k not in NOT_ERRORS}
    if errors:
        lines.append("  not recorded: " + ", ".join(f"{k}: {v}" for k, v in errors.items()))
    if report["truncated"]:
        lines.append("  truncated: " + ", ".join(f"{k}: {v}" for k, v in report["truncated"].items()))
    failure = report.get("write_failure")
    if failure:
        lines.append(f"  write failed: {failure['error']} ({failure['message']}) in "
                     f"{failure['file']}, cut back {failure['cut_bytes']} bytes; crawl stopped")
    handlers = {k: v for k, v in report.get("errors_by_reason", {}).items()
                if k.startswith("signal_error/")}
    if handlers:
        lines.append("  signal handler errors: "
                     + ", ".join(f"{k.removeprefix('signal_error/')}: {v}"
                                 for k, v in handlers.items()))
    lines.append("  WARC files: " + ", ".join(report["warc_files"]))
    return "\n".join(lines)


def report_extension(crawler: Crawler) -> ReportExtension | None:
    """The crawl's report (Scrapy's own lookup), or None when ReportExtension is off."""
    try:
        return crawler.get_extension(ReportExtension)
    except RuntimeError:
        return None
