"""The two captures of the site the replica can play: 2019 (older) and 2020.

What differs is data here, so that every era-dependent choice is visible in
one place: the HTTP Date of every response, the Viken notice, the extra
"Hopp til sekundærmeny" skip link, and the capture day (press releases dated
after it do not exist yet; the calendar opens on it).
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


ERA_CONFIGS: dict[str, EraConfig] = {
    "2019": EraConfig(
        era="2019",
        http_date="Thu, 20 Jun 2019 08:15:32 GMT",
        capture_day=date(2019, 6, 20),
        notice=False,
        secondary_skiplink=True,
        viken_url="http://www.viken.no/",
    ),
    "2020": EraConfig(
        era="2020",
        http_date="Mon, 14 Sep 2020 10:42:07 GMT",
        capture_day=date(2020, 9, 14),
        notice=True,
        secondary_skiplink=False,
        viken_url="https://www.viken.no/",
    ),
}

DEFAULT_ERA: Era = "2020"


def era_config(era: str) -> EraConfig:
    """Return the configuration of ``era``; unknown eras are an error, not a fallback."""
    try:
        return ERA_CONFIGS[era]
    except KeyError:
        raise ValueError(f"unknown era {era!r}; choose one of {sorted(ERA_CONFIGS)}") from None
