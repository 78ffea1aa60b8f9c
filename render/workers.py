"""How many worker processes a stage of the build starts when not told.

One per CPU this process may use (its affinity, which a container or ``taskset``
narrows, not the machine's count), at most a stage's own ceiling: rendering
gains up to about four, the link check up to two.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(most: int) -> int:
    """One worker per usable CPU, between 1 and ``most``."""
    return max(1, min(most, usable_cpus()))
