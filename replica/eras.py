"""The captures of the site the replica can play: 2006, 2013, 2019 and 2020.

What differs is data here, so that every era-dependent choice is visible in
one place: the HTTP Date of every response, the Viken notice, the extra
"Hopp til sekundærmeny" skip link, the capture day (press releases dated
after it do not exist yet; the calendar opens on it) and the markup
generation the pages are rendered in. The real site went through several
CMS generations; the replica serves the same page data in each, so an
extractor can be scored on markup it was not written for:

- ``table``: a 2000s layout of nested tables, HTML 4.01, ISO-8859-1;
- ``xhtml``: a 2010s XHTML 1.0 div layout with Norwegian ids and classes;
- ``cms``: the legacy CMS templates of docs/legacy-template.md (2019, 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import Era


@dataclass(frozen=True)
class EraConfig:
    era: Era
    http_date: str  # the fixed Date header of every response
    capture_day: date  # pages and press releases dated after it are absent
    notice: bool  # the post-2020 Viken notice
    secondary_skiplink: bool  # "Hopp til sekundærmeny" in the skip links
    viken_url: str
    generation: str  # table | xhtml | cms: the markup the pages are rendered in
    # The era whose variant of an era-tagged content page ("era:" in
    # replica/content) is served; None: this era's own.
    content_era: Era | None = None

    @property
    def content_variant(self) -> Era:
        """The older captures serve the 2020 variants, so every generation has the same text."""
        return self.content_era or self.era

    @property
    def has_annual_report(self) -> bool:
        """The annual-report tool came with the CMS; older captures answer 404 there."""
        return self.generation == "cms"


ERA_CONFIGS: dict[str, EraConfig] = {
    "2006": EraConfig(
        era="2006",
        http_date="Wed, 10 May 2006 09:27:14 GMT",
        capture_day=date(2006, 5, 10),
        notice=False,
        secondary_skiplink=False,
        viken_url="http://www.viken.no/",
        generation="table",
        content_era="2020",
    ),
    "2013": EraConfig(
        era="2013",
        http_date="Tue, 12 Mar 2013 14:03:51 GMT",
        capture_day=date(2013, 3, 12),
        notice=False,
        secondary_skiplink=False,
        viken_url="http://www.viken.no/",
        generation="xhtml",
        content_era="2020",
    ),
    "2019": EraConfig(
        era="2019",
        http_date="Thu, 20 Jun 2019 08:15:32 GMT",
        capture_day=date(2019, 6, 20),
        notice=False,
        secondary_skiplink=True,
        viken_url="http://www.viken.no/",
        generation="cms",
    ),
    "2020": EraConfig(
        era="2020",
        http_date="Mon, 14 Sep 2020 10:42:07 GMT",
        capture_day=date(2020, 9, 14),
        notice=True,
        secondary_skiplink=False,
        viken_url="https://www.viken.no/",
        generation="cms",
    ),
}

DEFAULT_ERA: Era = "2020"


def era_config(era: str) -> EraConfig:
    """Return the configuration of ``era``; unknown eras are an error, not a fallback."""
    try:
        return ERA_CONFIGS[era]
    except KeyError:
        raise ValueError(f"unknown era {era!r}; choose one of {sorted(ERA_CONFIGS)}") from None
