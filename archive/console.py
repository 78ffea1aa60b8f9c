"""The terminal of a long command: live lines on a terminal, plain lines elsewhere, quiet when asked.

A harvest at the Wayback Machine's real limits runs for hours and a render of
100 000 pages for minutes; the archivist watches them in a terminal. Every
long command draws through one ``Console``:

- on a terminal, a live display (rich): a bar with counts, rate and ETA where
  the total is known or estimated, and the state the command is in ("waiting
  60 s: the archive answered 429"). Log records are printed through the same
  console, above the live lines, never into them;
- when the stream is not a terminal (a log file, CI), plain lines only: log
  records, and a progress line now and then, with no control characters;
- with ``quiet``, nothing but errors.

It lives in ``archive`` so that the crawler, the extractor and the renderer
draw on the same console without importing each other.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any, Self

# Seconds between plain progress lines when the stream is not a terminal.
PLAIN_INTERVAL = 30.0
PLAIN_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Seconds between redraws of the live lines at most (a new state is drawn at once).
LIVE_INTERVAL = 0.25


@dataclass
class Task:
    """One counted piece of work: done out of total (None: not known), its unit and state."""

    description: str
    unit: str
    total: int | None = None
    estimated: bool = False  # the total is an estimate (a sitemap's count), not a listing's
    done: int = 0
    state: str = ""
    started: float = field(default_factory=time.monotonic)

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.started, 1e-6)

    def eta(self) -> float | None:
        """Seconds left at the rate so far, when the total is known."""
        if self.total is None or self.done == 0 or self.done >= self.total:
            return None
        return (self.total - self.done) / self.rate()

    def line(self) -> str:
        """The task in one plain line: ``render: 1200/2000 pages, 310.4 pages/s, ETA 0:00:03``."""
        total = "" if self.total is None else f"/{'~' if self.estimated else ''}{self.total}"
        out = f"{self.description}: {self.done}{total} {self.unit}, {self.rate():.1f} {self.unit}/s"
        eta = self.eta()
        if eta is not None:
            out += f", ETA {_clock(eta)}"
        return out + (f" ({self.state})" if self.state else "")


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Console:
    """Draws tasks and log records on one stream (standard error by default)."""

    def __init__(self, quiet: bool = False, stream: IO[str] | None = None,
                 live: bool | None = None, plain_interval: float = PLAIN_INTERVAL) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.live = not quiet and (is_tty if live is None else live)
        self.plain_interval = plain_interval
        self.tasks: list[Task] = []
        self._rich: Any = None
        self._progress: Any = None
        self._ids: dict[int, Any] = {}
        self._last_plain = 0.0
        self._last_draw = 0.0
        if self.live:
            from rich.console import Console as RichConsole

            self._rich = RichConsole(file=self.stream, force_terminal=True, highlight=False,
                                     soft_wrap=True)

    # -- logging --------------------------------------------------------------------
    def handler(self, level: int = logging.WARNING) -> logging.Handler:
        """A logging handler that prints through this console (above the live lines)."""
        if self.live:
            from rich.logging import RichHandler

            handler: logging.Handler = RichHandler(
                console=self._rich, show_time=False, show_path=False, markup=False,
                rich_tracebacks=False)
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        else:
            handler = logging.StreamHandler(self.stream)
            handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
        handler.setLevel(logging.ERROR if self.quiet else level)
        return handler

    def install(self, level: int = logging.WARNING) -> logging.Handler:
        """Make this console the root logger's only handler; returns the handler."""
        root = logging.getLogger()
        for old in list(root.handlers):
            root.removeHandler(old)
        handler = self.handler(level)
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, handler.level))
        return handler

    # -- tasks ------------------------------------------------------------------------
    def task(self, description: str, unit: str, total: int | None = None,
             estimated: bool = False) -> Task:
        """Start drawing a task (its line stays until ``stop``)."""
        task = Task(description, unit, total, estimated)
        self.tasks.append(task)
        self._last_plain = time.monotonic()  # the first plain line after one interval
        if self.live:
            self._start_live()
            self._ids[id(task)] = self._progress.add_task(
                description, total=total, unit=unit, state="", rate="", start=True)
        return task

    def update(self, task: Task, advance: int = 0, total: int | None = None,
               state: str | None = None, estimated: bool | None = None) -> None:
        """Count work done; change the total, its kind or the state line."""
        task.done += advance
        if total is not None:
            task.total = total
        if estimated is not None:
            task.estimated = estimated
        if state is not None:
            task.state = state
        if self.live:
            self._progress.update(self._ids[id(task)], completed=task.done, total=task.total,
                                  state=task.state, rate=f"{task.rate():.1f}/s")
            now = time.monotonic()
            if now - self._last_draw >= LIVE_INTERVAL or state is not None:
                self._last_draw = now
                self._progress.refresh()
        elif not self.quiet and time.monotonic() - self._last_plain >= self.plain_interval:
            self._last_plain = time.monotonic()
            self.stream.write(task.line() + "\n")
            self.stream.flush()

    def _start_live(self) -> None:
        if self._progress is not None:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.table import Column

        def fixed() -> Column:
            return Column(no_wrap=True, overflow="crop")

        self._progress = Progress(
            TextColumn("{task.description}", table_column=fixed()),
            BarColumn(bar_width=12, table_column=fixed()),
            MofNCompleteColumn(table_column=fixed()),
            TextColumn("{task.fields[unit]}", table_column=fixed()),
            TextColumn("{task.fields[rate]}", table_column=fixed()),
            TimeRemainingColumn(table_column=fixed()),
            # the state gives way first on a narrow terminal
            TextColumn("{task.fields[state]}",
                       table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
            # no refresh thread: commands fork workers (render), which is not safe
            # beside a running thread; the display is redrawn on updates instead
            console=self._rich, transient=True, auto_refresh=False, expand=True)
        self._progress.start()

    def print(self, text: str) -> None:
        """A line that stays (a summary): above the live lines on a terminal."""
        if self.quiet:
            return
        if self.live:
            self._rich.print(text, markup=False, highlight=False)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def stop(self) -> None:
        """Take the live lines away (the summary printed next is the last thing shown)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
