"""Headless Chromium for the browser tests: where it is, how it starts, what a page did.

The ``browser`` and ``page`` fixtures (tests/conftest.py) are built from this.
Debian's ``chromium`` at /usr/bin/chromium, driven by Playwright: no browser
is downloaded. A test that needs it fails when it is missing (``.ci/run``
installs it): a skipped browser test would hide a broken archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING = "needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"


class Watch:
    """Console errors, page errors and every request that is not file://."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:"))
                else self.outside.append(r.url))

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
