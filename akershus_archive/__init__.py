"""Command-line entry point: thin glue over crawler, archive and render."""

__version__ = "0.1.0"
