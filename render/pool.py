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

# What a forked worker runs, and the count of captures all workers rendered (shared
# memory, inherited by the fork): set in the parent just before the fork.
_RENDER: RenderShare | None = None
_DONE: Any = None
# Seconds between looks at the count while the workers run (the live line's pace).
PROGRESS_INTERVAL = 0.25


def render_shares(render: RenderShare, workers: int, spool: Path,
                  progress: Callable[[int], None] | None = None) -> list[Share]:
    """Run ``render`` for every share in its own forked process; the shares in order.

    ``progress(captures rendered so far)`` is called while they run, from the
    count the workers keep with ``count_capture``.
    """
    global _RENDER, _DONE
    context = multiprocessing.get_context("fork")
    _RENDER, _DONE = render, context.Value("q", 0)
    pool = context.Pool(workers, initializer=default_signals)
    try:
        running = pool.starmap_async(_render_in_worker,
                                     [(w, workers, spool) for w in range(workers)])
        while not running.ready():
            running.wait(PROGRESS_INTERVAL)
            if progress is not None:
                progress(_DONE.value)
        shares = running.get()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()  # idle workers end on their own: no signal is sent
        pool.join()
    _RENDER, _DONE = None, None
    return shares


def count_capture() -> None:
    """One more capture rendered (in a worker: the count the parent shows)."""
    if _DONE is not None:
        with _DONE.get_lock():
            _DONE.value += 1


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
