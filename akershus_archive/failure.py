"""The one error the command line reports as a message: what failed, and what to do."""

from __future__ import annotations


class Failure(Exception):
    """A failure the user can act on; the message says what and what to do."""
