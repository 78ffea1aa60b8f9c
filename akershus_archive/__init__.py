"""Command-line entry point: thin glue over crawler, archive and render."""

from archive.folder import __version__

__all__ = ["__version__"]
