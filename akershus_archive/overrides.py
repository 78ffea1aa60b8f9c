"""Command-line options as crawl settings: what the user gave, checked before anything runs."""

from __future__ import annotations

import argparse
from typing import Any

from akershus_archive.failure import Failure


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
