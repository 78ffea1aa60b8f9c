"""What a forked worker process must undo of its parent before it does any work.

Shared by the renderer's fork pool and link check and by the extract's PDF reader.

A worker is forked from the command's process, which may have crawled just
before (``build``, ``demo``): the crawler's signal handlers are still
installed there and would be inherited. A worker that got SIGTERM would then
run the crawler's graceful-stop handler, which waits on locks that no thread
of the worker will ever release, instead of ending.
"""

from __future__ import annotations

import signal


def default_signals() -> None:
    """SIGTERM ends the worker; SIGINT (Ctrl-C in the terminal) is left to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
