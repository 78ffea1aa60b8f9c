"""The command line's options: the parser, its argument types, and its error contract.

Kept apart from the commands (akershus_archive/cli.py) so the options can be
read, tested and documented without running anything; each default shown in
``--help`` is crawler/settings.py's, where it is declared once.
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from akershus_archive import __version__
from crawler import settings as defaults


class Parser(argparse.ArgumentParser):
    """argparse with the project's error contract: one line, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"Error: {message} - see '{self.prog} --help'\n")


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


def timestamp(value: str) -> str:
    from crawler.cdx import timestamp_arg

    try:
        return timestamp_arg(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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

    p = sub.add_parser("verify", parents=[common], help="check every WARC in DIR")
    p.add_argument("dir", metavar="DIR")

    p = sub.add_parser("extract", parents=[common],
                       help="write DIR/data/pages.jsonl and documents.jsonl")
    p.add_argument("dir", metavar="DIR")

    p = sub.add_parser("export", parents=[common], formatter_class=fmt,
                       help="export the page or document records as JSON Lines, JSON or CSV")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--format", choices=["jsonl", "json", "csv"], default="jsonl")
    p.add_argument("--output", metavar="FILE", help="output file (default: in DIR/data/)")
    p.add_argument("--latest", action="store_true", help="only the newest capture per URL")
    p.add_argument("--strategies", action="store_true",
                   help="export the strategy records (from pages and documents)")
    p.add_argument("--documents", action="store_true",
                   help="export the document records (DIR/data/documents.jsonl)")

    p = sub.add_parser("render", parents=[common], help="build the offline archive DIR/site/")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--templates", metavar="FOLDER",
                   help="a folder of templates that override the built-in ones")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="processes rendering pages (default, or 0: one per CPU, at most 4)")

    p = sub.add_parser("build", parents=[common],
                       help="crawl, verify, extract and render")
    p.add_argument("urls", nargs="+", type=seed_url, metavar="URL")
    p.add_argument("--out", "-o", required=True, metavar="DIR")
    add_crawl_options(p)

    p = sub.add_parser("demo", parents=[common],
                       help="build the whole archive from the bundled replica site")
    p.add_argument("--out", "-o", default="akershus-demo", metavar="DIR",
                   help="archive directory (default: akershus-demo)")
    add_crawl_options(p)

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
    p.set_defaults(latest=False, resume=None)

    p = sub.add_parser("index", parents=[common],
                       help="write DIR/indexes/index.cdxj, a CDXJ index of every WARC in DIR")
    p.add_argument("dir", metavar="DIR")

    p = sub.add_parser("package", parents=[common],
                       help="package DIR as one WACZ file (WARCs, index, page list)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--output", "-o", required=True, metavar="NAME.wacz")

    p = sub.add_parser("serve", parents=[common], formatter_class=fmt,
                       help="serve DIR/site/ on 127.0.0.1")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--port", type=positive_int, default=8000)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    return parser
