"""``akershus-archive``: build the parser, call crawler, archive and render, map errors to exits.

Exit status: 0 success, 1 a failure (one line on stderr: ``Error: <what> -
<what to do>``; a full disk stops a crawl this way, resumable), 2 a usage error,
130 interrupted. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from akershus_archive import __version__
from archive import folder
from crawler import settings as defaults

logger = logging.getLogger("akershus_archive")

REPLICA_HOSTS = ("www.akershus.no", "akershus.no", "static.akershus.no", "www.viken.no")


class Parser(argparse.ArgumentParser):
    """argparse with the project's error contract: one line, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"Error: {message} - see '{self.prog} --help'\n")


class Failure(Exception):
    """A failure the user can act on; the message says what and what to do."""


def seed_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an http(s) URL - give a full URL such as http://www.akershus.no/")
    return value


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be 0 or more")
    return number


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be 0 or more")
    return number


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default only when it has one (not None, [] or a flag's False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, [], False, True) or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("crawl")
    # The defaults shown are crawler/settings.py's, where each is declared once.
    g.add_argument("--delay", type=seconds, metavar="SECONDS",
                   help=f"pause between requests to one host (default: {defaults.DOWNLOAD_DELAY})")
    g.add_argument("--concurrency", type=positive_int, metavar="N",
                   help="parallel requests per host "
                        f"(default: {defaults.CONCURRENT_REQUESTS_PER_DOMAIN})")
    g.add_argument("--max-pages", type=positive_int, metavar="N",
                   help=f"stop after N pages (default: {defaults.SCOPE_MAX_PAGES}, no limit)")
    g.add_argument("--max-depth", type=positive_int, metavar="N",
                   help=f"link hops from a seed (default: {defaults.SCOPE_MAX_DEPTH}, no limit)")
    g.add_argument("--max-size", type=positive_int, metavar="BYTES",
                   help="largest response kept; larger ones are cut and marked "
                        f"WARC-Truncated (default: {defaults.DOWNLOAD_MAXSIZE})")
    g.add_argument("--close-connections", action="store_true",
                   help="one connection per request (Connection: close) instead of kept "
                        "connections, for servers that mishandle reuse")
    g.add_argument("--ignore-robots", action="store_true",
                   help="fetch what robots.txt disallows (robots.txt is archived either way)")
    g.add_argument("--connect-to", action="append", default=[], metavar="HOST:PORT:ADDR:PORT",
                   help="send HOST:PORT's connections to ADDR:PORT, keeping the real Host "
                        "header (repeatable; like curl)")
    g.add_argument("--extra-host", action="append", default=[], metavar="HOST",
                   help="also follow pages on HOST (repeatable)")
    g.add_argument("--url-prefix", action="append", default=[], metavar="URL",
                   help="only follow pages under this URL prefix (repeatable)")
    g.add_argument("--include", action="append", default=[], metavar="REGEX",
                   help="only follow page URLs matching REGEX (repeatable)")
    g.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                   help="never follow page URLs matching REGEX (repeatable)")
    r = p.add_argument_group("resume and dedup")
    mode = r.add_mutually_exclusive_group()
    mode.add_argument("--resume", dest="resume", action="store_const", const=True,
                      help="go on with the crawl in DIR (default when it did not finish)")
    mode.add_argument("--new-crawl", dest="resume", action="store_const", const=False,
                      help="crawl everything again into DIR; payloads already held "
                           "become revisit records (default after a finished crawl)")
    r.add_argument("--redis", metavar="URL",
                   help="share the crawl with other workers through this Redis server, "
                        "e.g. redis://host:6379/0 (run the same command on each machine)")
    r.add_argument("--dedup-against", action="append", default=[], metavar="DIR",
                   help="write revisit records for payloads that archive DIR holds "
                        "(repeatable)")


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Command-line options as settings (only those given: the rest keep their defaults)."""
    out: dict[str, Any] = {}
    if args.delay is not None:
        out["DOWNLOAD_DELAY"] = args.delay
    if args.concurrency is not None:
        out["CONCURRENT_REQUESTS_PER_DOMAIN"] = max(args.concurrency, 1)
        out["CONCURRENT_REQUESTS"] = max(args.concurrency * 4, 16)
    if args.max_pages is not None:
        out["SCOPE_MAX_PAGES"] = args.max_pages
    if args.max_depth is not None:
        out["SCOPE_MAX_DEPTH"] = args.max_depth
    if args.max_size is not None:
        out["DOWNLOAD_MAXSIZE"] = args.max_size
    if args.ignore_robots:
        out["ROBOTSTXT_OBEY"] = False
    if getattr(args, "close_connections", False):
        out["WIRE_KEEP_ALIVE"] = False
    for key, attr in [("WIRE_CONNECT_TO", "connect_to"), ("SCOPE_EXTRA_HOSTS", "extra_host"),
                      ("SCOPE_URL_PREFIXES", "url_prefix"), ("SCOPE_INCLUDE", "include"),
                      ("SCOPE_EXCLUDE", "exclude")]:
        if getattr(args, attr):
            out[key] = list(getattr(args, attr))
    if getattr(args, "redis", None):
        if not args.redis.startswith(("redis://", "rediss://", "unix://")):
            raise Failure(f"--redis {args.redis!r} is not a Redis URL - write it like "
                          "redis://host:6379/0")
        out["REDIS_URL"] = args.redis
    out["REPORT_PROGRESS"] = not args.quiet
    out["LOG_LEVEL"] = "DEBUG" if args.debug else ("ERROR" if args.quiet else "WARNING")
    return out


def check_crawl_args(args: argparse.Namespace) -> None:
    """Fail early, before any file is written, on options that cannot work."""
    from crawler.wire import parse_connect_to

    try:
        parse_connect_to(args.connect_to)
    except ValueError as exc:
        raise Failure(str(exc)) from None
    import re

    for pattern in args.include + args.exclude:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Failure(f"--include/--exclude {pattern!r} is not a valid regular expression "
                          f"({exc}) - fix the pattern") from None


def writable_dir(path: Path) -> Path:
    """``path``, made if need be and proven writable.

    The probe is a file no other process can name (several crawl workers start
    on one --out folder at once; a shared probe name made one unlink the
    other's file, and that worker stopped).
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise Failure(f"cannot write to {path} ({exc.strerror}) - choose another --out "
                      "directory") from None
    return path


# -- commands ------------------------------------------------------------------------------


def dedup_dirs(args: argparse.Namespace, made_by: str) -> list[Path]:
    """The --dedup-against archives, each checked to hold a warc/ folder."""
    others = [Path(d) for d in args.dedup_against]
    for other in others:
        if not folder.warc_dir(other).is_dir():
            raise Failure(f"--dedup-against {other}: no warc/ folder there - give an archive "
                          f"directory made by {made_by}")
    return others


def cmd_crawl(args: argparse.Namespace) -> int:
    check_crawl_args(args)
    out = writable_dir(Path(args.out))
    from crawler.report import summary
    from crawler.run import run_crawl

    others = dedup_dirs(args, "'akershus-archive crawl'")
    report = run_crawl(args.urls, out, crawl_overrides(args), resume=args.resume,
                       dedup_against=others)
    if not args.quiet:
        print(summary(report))
        print(f"Archive: {folder.warc_dir(out)}")
    stopped = write_stop(report, out)
    if stopped:
        raise Failure(stopped)
    return 130 if report["finish_reason"] == "shutdown" else 0


def write_stop(report: dict[str, Any], out: Path) -> str | None:
    """What to tell the user when the disk refused the WARCs, the report or the state."""
    failure = report.get("write_failure")
    where = folder.warc_dir(out)
    if not failure:
        failure = report.get("save_error")
        if not failure:
            return None
        where = Path(failure["file"])
    return disk_message(failure["error"], failure["message"], where)


def disk_message(error: str, message: str, where: Path | str) -> str:
    """One line: what could not be written, and that running the command again resumes."""
    again = "run the same command again to resume"
    if error == "ENOSPC":
        return f"disk full writing {where} - free space and {again}"
    if error == "EDQUOT":
        return f"disk quota exceeded writing {where} - free space and {again}"
    return f"cannot write {where} ({message}) - fix the disk or its permissions and {again}"


def cmd_verify(args: argparse.Namespace) -> int:
    from archive.verify import verify

    report = verify(Path(args.dir))
    print(report.summary())
    return 0 if report.ok else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from archive.extract import run_extract

    report = run_extract(Path(args.dir))
    if not args.quiet:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from archive.export import run_export

    path = run_export(Path(args.dir), args.format, Path(args.output) if args.output else None,
                      latest=args.latest, strategies=args.strategies)
    if not args.quiet:
        print(path)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from render.build import run_render

    report = run_render(Path(args.dir), Path(args.templates) if args.templates else None,
                        getattr(args, "workers", None) or None)
    if not args.quiet:
        print(report.summary() if hasattr(report, "summary") else report)
    return 0 if getattr(report, "ok", True) else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from render.serve import serve

    site = folder.site_dir(Path(args.dir))
    if not (site / "index.html").is_file():
        raise Failure(f"no offline archive in {site} - run 'akershus-archive render {args.dir}'")
    serve(site, host=args.host, port=args.port)
    return 0


def build_pipeline(args: argparse.Namespace, seeds: list[str]) -> int:
    """Crawl, verify, extract and render into args.out."""
    args.urls = seeds
    status = cmd_crawl(args)
    if status:
        return status
    return after_crawl(args)


def after_crawl(args: argparse.Namespace) -> int:
    """Verify, extract and render args.out."""
    args.dir = args.out
    args.templates = getattr(args, "templates", None)
    for step in (cmd_verify, cmd_extract, cmd_render):
        status = step(args)
        if status:
            return status
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    return build_pipeline(args, args.urls)


def cmd_demo(args: argparse.Namespace) -> int:
    from replica.server import ReplicaServer

    with ReplicaServer() as server:
        port = server.port
        args.connect_to = list(args.connect_to) + [
            f"{host}:80:127.0.0.1:{port}" for host in REPLICA_HOSTS]
        if args.delay is None:
            args.delay = 0.0  # the replica is on this machine: no need to be gentle
        if args.concurrency is None:
            args.concurrency = 8
        if not args.quiet:
            print(f"Replica of www.akershus.no serving on 127.0.0.1:{port}")
        args.urls = ["http://www.akershus.no/"]
        status = cmd_crawl(args)
    # the replica is stopped first: rendering forks its workers from a one-thread process
    if status == 0:
        status = after_crawl(args)
    if status == 0:  # the captures as one WACZ too, for ReplayWeb.page or pywb
        args.output = str(Path(args.out) / "akershus.wacz")
        status = cmd_package(args)
    site = folder.site_dir(Path(args.out)) / "index.html"
    if status == 0 and not args.quiet:
        print(f"Open: {site.resolve()}" if site.exists() else f"Archive: {Path(args.out).resolve()}")
    return status


def timestamp(value: str) -> str:
    from crawler.cdx import timestamp_arg

    try:
        return timestamp_arg(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_harvest(args: argparse.Namespace) -> int:
    out = writable_dir(Path(args.out))
    from crawler.harvest import run_harvest
    from crawler.report import summary

    others = dedup_dirs(args, "'akershus-archive crawl' or 'harvest'")
    overrides: dict[str, Any] = {
        "HARVEST_URL_PREFIX": args.url_prefix,
        "HARVEST_LATEST": args.latest,
        "HARVEST_FILTERS": list(args.filter),
        "HARVEST_CHANGES_ONLY": args.changes_only,
        "REPORT_PROGRESS": not args.quiet,
        "LOG_LEVEL": "DEBUG" if args.debug else ("ERROR" if args.quiet else "WARNING"),
    }
    for key, value in [("HARVEST_FROM", args.from_ts), ("HARVEST_TO", args.to_ts),
                       ("HARVEST_CDX_URL", args.cdx), ("HARVEST_DELAY", args.delay),
                       ("HARVEST_CONCURRENCY", args.concurrency)]:
        if value is not None:
            overrides[key] = value
    report = run_harvest(args.archive, out, overrides, resume=args.resume,
                         dedup_against=others)
    harvest = report.get("harvest", {})
    if not args.quiet:
        print(summary(report))
        counts = harvest.get("counts", {})
        print(f"Harvested {counts.get('harvested', 0)} of {counts.get('in_range', 0)} captures "
              f"in range ({counts.get('revisits_from_listing', 0)} revisits from the listing, "
              f"{counts.get('unplayable', 0)} unplayable, {counts.get('failed', 0)} failed, "
              f"{counts.get('digest_mismatch', 0)} digest mismatches); archive: {folder.warc_dir(out)}")
    stopped = write_stop(report, out)
    if stopped:
        raise Failure(stopped)
    if report["finish_reason"] == "shutdown":
        return 130
    if not harvest.get("listing_complete"):
        raise Failure("the archive's CDX listing could not be read to the end (see the "
                      "messages above) - run the same command again to resume")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from archive.cdxj import run_index

    path = run_index(Path(args.dir))
    if not args.quiet:
        print(path)
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    from archive.wacz import run_package

    path = run_package(Path(args.dir), Path(args.output))
    if not args.quiet:
        print(path)
    return 0


# -- the parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help="no progress, only errors")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks and debug logs")

    parser = Parser(
        prog="akershus-archive",
        description="Archive the defunct website of Akershus fylkeskommune: crawl into WARC, "
                    "extract structured JSON, render an offline archive.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    fmt = DefaultsHelpFormatter

    p = sub.add_parser("crawl", parents=[common],
                       help="crawl a site into DIR/warc/*.warc.gz")
    p.add_argument("urls", nargs="+", type=seed_url, metavar="URL", help="seed URLs")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="archive directory")
    add_crawl_options(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("verify", parents=[common], help="check every WARC in DIR")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("extract", parents=[common], help="write DIR/data/pages.jsonl")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("export", parents=[common], formatter_class=fmt,
                       help="export the page records as JSON Lines, JSON or CSV")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--format", choices=["jsonl", "json", "csv"], default="jsonl")
    p.add_argument("--output", metavar="FILE", help="output file (default: in DIR/data/)")
    p.add_argument("--latest", action="store_true", help="only the newest capture per URL")
    p.add_argument("--strategies", action="store_true", help="export the strategy records")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("render", parents=[common], help="build the offline archive DIR/site/")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--templates", metavar="FOLDER",
                   help="a folder of templates that override the built-in ones")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="processes rendering pages (default, or 0: one per CPU, at most 4)")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("build", parents=[common],
                       help="crawl, verify, extract and render")
    p.add_argument("urls", nargs="+", type=seed_url, metavar="URL")
    p.add_argument("--out", "-o", required=True, metavar="DIR")
    add_crawl_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("demo", parents=[common],
                       help="build the whole archive from the bundled replica site")
    p.add_argument("--out", "-o", default="akershus-demo", metavar="DIR",
                   help="archive directory (default: akershus-demo)")
    add_crawl_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("harvest", parents=[common], formatter_class=fmt,
                       help="harvest a site's captures from a web archive into DIR/warc/")
    p.add_argument("--archive", required=True, type=seed_url, metavar="URL",
                   help="the archive's replay endpoint: https://web.archive.org/web, or "
                        "http://HOST:PORT/COLLECTION for pywb")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="archive directory")
    g = p.add_argument_group("what to harvest")
    g.add_argument("--url-prefix", type=seed_url, default=defaults.HARVEST_URL_PREFIX,
                   metavar="URL", help="captures of URLs under this prefix (any scheme)")
    g.add_argument("--from", dest="from_ts", type=timestamp, metavar="TIMESTAMP",
                   help="earliest capture date, 1-14 digits YYYYMMDDhhmmss UTC, e.g. 2019")
    g.add_argument("--to", dest="to_ts", type=timestamp, metavar="TIMESTAMP",
                   help="latest capture date, included, e.g. 2020")
    which = g.add_mutually_exclusive_group()
    which.add_argument("--all-captures", dest="latest", action="store_false",
                       help="every capture in the range (the default)")
    which.add_argument("--latest", dest="latest", action="store_true",
                       help="only the newest capture in the range of each URL")
    g.add_argument("--changes-only", action="store_true",
                   help="one capture per run of identical digests of a URL (as "
                        "collapse=digest); the repeats are not fetched")
    g.add_argument("--filter", action="append", default=[], metavar="[!]FIELD:REGEX",
                   help="CDX filter with Wayback field names, e.g. statuscode:200 "
                        "(repeatable)")
    g.add_argument("--cdx", type=seed_url, metavar="URL",
                   help="the archive's CDX API (default: the Wayback Machine's "
                        "/cdx/search/cdx, else ARCHIVE/cdx as pywb serves it)")
    q = p.add_argument_group("politeness")
    q.add_argument("--delay", type=seconds, metavar="SECONDS",
                   help="pause between replay requests to the archive (default: "
                        f"{defaults.HARVEST_DELAY}; the CDX API: HARVEST_CDX_DELAY, "
                        f"{defaults.HARVEST_CDX_DELAY})")
    q.add_argument("--concurrency", type=positive_int, metavar="N",
                   help="replay requests to the archive in flight "
                        f"(default: {defaults.HARVEST_CONCURRENCY})")
    r = p.add_argument_group("resume and dedup")
    mode = r.add_mutually_exclusive_group()
    mode.add_argument("--resume", dest="resume", action="store_const", const=True,
                      help="go on with the harvest in DIR (default when it did not finish)")
    mode.add_argument("--new-harvest", dest="resume", action="store_const", const=False,
                      help="fetch every capture again; payloads already held become "
                           "revisit records (default after a finished harvest)")
    r.add_argument("--dedup-against", action="append", default=[], metavar="DIR",
                   help="write revisit records for payloads that archive DIR holds "
                        "(repeatable)")
    p.set_defaults(func=cmd_harvest, latest=False, resume=None)

    p = sub.add_parser("index", parents=[common],
                       help="write DIR/indexes/index.cdxj, a CDXJ index of every WARC in DIR")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("package", parents=[common],
                       help="package DIR as one WACZ file (WARCs, index, page list)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--output", "-o", required=True, metavar="NAME.wacz")
    p.set_defaults(func=cmd_package)

    p = sub.add_parser("serve", parents=[common], formatter_class=fmt,
                       help="serve DIR/site/ on 127.0.0.1")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--port", type=positive_int, default=8000)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    args.debug = getattr(args, "debug", False)
    if args.command not in {"crawl", "build", "demo", "harvest"}:  # Scrapy configures logging for crawls
        logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                            format="%(levelname)s %(name)s: %(message)s")
    from archive.errors import ArchiveError

    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted", file=sys.stderr)
        return 130
    except (Failure, ArchiveError) as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if args.debug:
            raise
        from crawler.warcfile import DISK_FULL, errno_name

        if exc.errno in DISK_FULL:
            print("Error: " + disk_message(errno_name(exc), exc.strerror or "",
                                           exc.filename or "the archive directory"),
                  file=sys.stderr)
            return 1
        print(f"Error: {exc.strerror or exc} ({exc.filename or ''}) - check the path and its "
              "permissions", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"Error: unexpected {type(exc).__name__}: {first} - please report it; "
              "--debug shows the details", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
