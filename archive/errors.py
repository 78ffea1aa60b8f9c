"""The one domain exception of the archive package.

The CLI turns it into a single line, ``Error: <what> - <what to do>``, so
every message names the problem and the fix.
"""


class ArchiveError(Exception):
    """Bad input to the archive layer: a missing directory, no WARCs, no data yet."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
