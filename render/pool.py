"""The fork pool: the captures' shares rendered by worker processes, results back in order.

Workers are forked so they inherit the builder as it stands (templates loaded, link map
committed) instead of receiving it pickled; each spools its search entries to a file of
its own, read back merged in record order.
"""

from __future__ import annotations

import heapq
import json
import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from archive.forking import default_signals

from .shares import Share

# Renders share ``w`` of ``workers``, spooling its search entries under the given folder.
RenderShare = Callable[[int, int, Path], Share]

# What a forked worker runs (set in the parent just before the fork).
_RENDER: RenderShare | None = None


def render_shares(render: RenderShare, workers: int, spool: Path) -> list[Share]:
    """Run ``render`` for every share in its own forked process; the shares in order."""
    global _RENDER
    _RENDER = render
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=default_signals)
    try:
        shares = pool.starmap(_render_in_worker, [(w, workers, spool) for w in range(workers)])
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()  # idle workers end on their own: no signal is sent
        pool.join()
    _RENDER = None
    return shares


def spooled_entries(spool: Path, workers: int) -> Iterator[tuple[int, list[Any], dict[str, int]]]:
    """Every worker's search entries, merged in record order."""
    return heapq.merge(*(_read_entries(spool / f"{w}.jsonl") for w in range(workers)))


def _render_in_worker(w: int, workers: int, spool: Path) -> Share:
    render = _RENDER
    assert render is not None
    return render(w, workers, spool)


def _read_entries(path: Path) -> Iterator[tuple[int, list[Any], dict[str, int]]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            n, doc, weights = json.loads(line)
            yield n, doc, weights
