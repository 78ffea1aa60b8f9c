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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akershus_archive.failure import Failure
from akershus_archive.options import build_parser
from akershus_archive.overrides import check_crawl_args, crawl_overrides
from archive import folder

logger = logging.getLogger("akershus_archive")

REPLICA_HOSTS = ("www.akershus.no", "akershus.no", "static.akershus.no", "www.viken.no")


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

    unreachable: tuple[type[Exception], ...] = ()
    if args.redis:  # only a distributed crawl imports its Redis stack
        from crawler.distributed import RedisUnreachable
        unreachable = (RedisUnreachable,)
    others = dedup_dirs(args, "'akershus-archive crawl'")
    try:
        report = run_crawl(args.urls, out, crawl_overrides(args), resume=args.resume,
                           dedup_against=others)
    except unreachable as exc:
        raise Failure(f"cannot reach the Redis server {args.redis} ({exc}) - start it, "
                      "or check the --redis URL") from None
    if not args.quiet:
        print(summary(report))
        print(f"Archive: {folder.warc_dir(out)}")
        if args.command == "crawl" and report["finish_reason"] == "finished":
            print(f"next: akershus-archive extract {args.out}, then render {args.out}")
    stopped = write_stop(report, out)
    if stopped:
        raise Failure(stopped)
    if report.get("redis_lost"):
        raise Failure(f"the Redis server {args.redis} stopped answering; this worker stopped "
                      "and its WARC files are closed - run the same command again once the "
                      "server is back with its data, to resume")
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
    from archive.console import Console
    from archive.extract import run_extract

    report = run_extract(Path(args.dir), Console(quiet=args.quiet))
    if not args.quiet:
        print("\n".join(report.lines()))
        if args.command == "extract":
            print(f"next: akershus-archive render {args.dir}")
    return 0 if report.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from archive.export import run_export

    path = run_export(Path(args.dir), args.format, Path(args.output) if args.output else None,
                      latest=args.latest, strategies=args.strategies,
                      documents=args.documents)
    if not args.quiet:
        print(path)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from archive.console import Console
    from render.build import run_render

    report = run_render(Path(args.dir), Path(args.templates) if args.templates else None,
                        getattr(args, "workers", None) or None, Console(quiet=args.quiet))
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


def with_options(args: argparse.Namespace, **changed: Any) -> argparse.Namespace:
    """A copy of ``args`` with some options changed: a step never alters the caller's."""
    return argparse.Namespace(**{**vars(args), **changed})


def after_crawl(args: argparse.Namespace, wacz: Path | None = None) -> int:
    """Verify, extract and render the crawl's folder (``--out``); package it first with ``wacz``.

    The package comes before the render, so that the site's verify page lists the
    WACZ with its sha256 beside the WARC files.
    """
    step_args = with_options(args, dir=args.out, templates=getattr(args, "templates", None))
    steps: list[Callable[[argparse.Namespace], int]] = [cmd_verify, cmd_extract]
    if wacz is not None:
        steps.append(lambda a: cmd_package(with_options(a, output=str(wacz))))
    for step in (*steps, cmd_render):
        status = step(step_args)
        if status:
            return status
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Crawl, verify, extract and render into ``--out``."""
    status = cmd_crawl(args)
    return status or after_crawl(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from replica.server import ReplicaServer

    with ReplicaServer() as server:
        port = server.port
        crawl_args = with_options(
            args, urls=["http://www.akershus.no/"],
            connect_to=[*args.connect_to, *(f"{host}:80:127.0.0.1:{port}"
                                             for host in REPLICA_HOSTS)],
            # the replica is on this machine: no need to be gentle
            delay=0.0 if args.delay is None else args.delay,
            concurrency=8 if args.concurrency is None else args.concurrency)
        if not args.quiet:
            print(f"Replica of www.akershus.no serving on 127.0.0.1:{port}")
        status = cmd_crawl(crawl_args)
    # the replica is stopped first: rendering forks its workers from a one-thread process
    if status == 0:  # the captures as one WACZ too, for ReplayWeb.page or pywb
        status = after_crawl(args, wacz=Path(args.out) / "akershus.wacz")
    site = folder.site_dir(Path(args.out)) / "index.html"
    if status == 0 and not args.quiet:
        print(f"Open: {site.resolve()}" if site.exists() else f"Archive: {Path(args.out).resolve()}")
    return status


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
        if harvest.get("listing_complete") and report["finish_reason"] == "finished":
            print(f"next: akershus-archive extract {args.out}, then render {args.out}")
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
    from archive.console import Console
    from archive.wacz import run_package

    path = run_package(Path(args.dir), Path(args.output), Console(quiet=args.quiet))
    if not args.quiet:
        print(path)
    return 0


COMMANDS = {
    "crawl": cmd_crawl, "verify": cmd_verify, "extract": cmd_extract, "export": cmd_export,
    "render": cmd_render, "build": cmd_build, "demo": cmd_demo, "harvest": cmd_harvest,
    "index": cmd_index, "package": cmd_package, "serve": cmd_serve,
}
# build_parser and crawl_overrides are the options' (akershus_archive/options.py,
# overrides.py); named here too for callers that drive the command line as a whole
__all__ = ["COMMANDS", "Failure", "build_parser", "crawl_overrides", "main"]


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
        return int(COMMANDS[args.command](args) or 0)
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
