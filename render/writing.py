"""What the parts of a build need to put files into the site, and no more.

A Protocol, so the original view, the file copier and the ways in can write pages
without importing the builder that composes them.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Protocol


class SiteWriter(Protocol):
    """Writes files at site-relative paths (never outside the site)."""

    def write(self, rel: str, template: str, stream: bool = False, **ctx: Any) -> None:
        """Render ``template`` to ``rel``."""

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` to ``rel``."""

    def open_for_write(self, rel: str) -> BinaryIO:
        """A new file at ``rel``."""
