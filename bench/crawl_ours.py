"""Our crawl, as `akershus-archive crawl URL --out DIR [options]` runs it, for the benchmark.

    python bench/crawl_ours.py URL DIR [crawl options...] [--profile FILE]

The options are parsed by the command line's own parser, so the settings are
exactly those of the CLI. ``--profile FILE`` writes cProfile statistics of
the whole crawl to FILE.
"""

from __future__ import annotations

import cProfile
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from akershus_archive.cli import build_parser, crawl_overrides
from crawler.run import run_crawl


def main(argv: list[str]) -> int:
    profile = None
    if "--profile" in argv:
        i = argv.index("--profile")
        profile = argv[i + 1]
        del argv[i:i + 2]
    url, out, *options = argv
    args = build_parser().parse_args(["crawl", url, "--out", out, *options])
    args.quiet, args.debug = True, False
    overrides = crawl_overrides(args)
    if profile:
        prof = cProfile.Profile()
        prof.enable()
    run_crawl(args.urls, Path(out), overrides)
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
