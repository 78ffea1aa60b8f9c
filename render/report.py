"""The build report: what a build produced, how long each step took, whether its links hold.

Kept apart from the builder so the CLI, the ways in and the tests can read a report
without reaching into the build.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field
from pathlib import Path

from .linkcheck import LinkReport


@dataclass
class RenderReport:
    """What a build produced, and whether its links hold."""

    site_dir: Path
    captures: int = 0
    urls: int = 0
    files: int = 0
    documents: int = 0  # documents linked from the pages
    document_records: int = 0  # records of data/documents.jsonl given a reading view
    missing: int = 0
    no_payload: int = 0
    seconds: float = 0.0
    search: dict[str, int] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build step
    peaks: dict[str, float] = field(default_factory=dict)  # MB: this process's peak after each step
    linkcheck: LinkReport | None = None
    damaged: list[str] = field(default_factory=list)  # WARC files read only up to damage

    @property
    def ok(self) -> bool:
        """False when a WARC was damaged, a local link is broken or a page unreachable."""
        return not self.damaged and self.linkcheck is not None and self.linkcheck.ok

    @property
    def pages_per_second(self) -> float:
        return self.captures / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """The report as the CLI prints it."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """A short human-readable summary, one fact a line."""
        out = [
            f"site: {self.site_dir / 'index.html'}",
            (f"captures rendered: {self.captures} ({self.urls} URLs), files copied: "
             f"{self.files}, documents: {self.documents} ({self.document_records} with a "
             f"reading view), not-archived pages: {self.missing}"),
            (f"time: {self.seconds:.1f} s ({self.pages_per_second:.0f} pages/s; "
             + ", ".join(f"{k} {v:.1f}" for k, v in self.stages.items()) + ")"),
        ]
        if self.peaks:
            out.append("peak memory (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in self.peaks.items()))
        if self.no_payload:
            out.append(f"captures without HTML in the WARCs (original view is a stub): "
                       f"{self.no_payload}")
        for reason in self.damaged:
            out.append(f"damaged WARC, read up to the damage: {reason}")
        if self.linkcheck:
            out.extend(self.linkcheck.lines())
        return out


def peak_mb(who: int) -> float:
    """Peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(who).ru_maxrss / 1024
