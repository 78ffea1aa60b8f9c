"""The one Jinja environment of the renderer, and every filter it knows.

Autoescape is on for every template (archived text is untrusted input); a
user's template folder, when given, is searched before the package's own, so
an archivist can override one partial (``_banner.html``) without copying the
rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, pass_context

from archive import notices

from .linkmap import is_site_host
from .paths import relative

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"

_MONTHS_NB = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember"]
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]


def parse_when(value: str | None) -> datetime | date | None:
    """An ISO date or date-time (``Z`` allowed) -> a datetime in UTC, or a date."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def date_nb(value: str | None) -> str:
    """``2020-09-14`` -> ``14. september 2020``."""
    d = parse_when(value)
    return f"{d.day}. {_MONTHS_NB[d.month - 1]} {d.year}" if d else (value or "")


def date_en(value: str | None) -> str:
    """``2020-09-14`` -> ``14 September 2020``."""
    d = parse_when(value)
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}" if d else (value or "")


def datetime_utc(value: str | None) -> str:
    """``2020-09-14T10:42:07Z`` -> ``2020-09-14 10:42:07 UTC``."""
    d = parse_when(value)
    if isinstance(d, datetime):
        return d.strftime("%Y-%m-%d %H:%M:%S UTC")
    return d.isoformat() if d else (value or "")


def iso_utc(value: str | None) -> str:
    """A normalised ISO 8601 UTC timestamp for ``<time datetime>``."""
    d = parse_when(value)
    if isinstance(d, datetime):
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat() if d else ""


def http_date(value: str | None) -> str:
    """RFC 7231 date, the form Memento uses for ``Memento-Datetime``."""
    d = parse_when(value)
    if isinstance(d, datetime):
        return format_datetime(d, usegmt=True)
    return ""


def year(value: str | None) -> str:
    d = parse_when(value)
    return str(d.year) if d else ""


def host(url: str) -> str:
    """The host of a URL, for short link labels."""
    return urlsplit(url).hostname or url


def old_site(url: str | None) -> bool:
    """True for a URL on the old domain: shown as text, never linked (it has a new owner)."""
    return bool(url) and is_site_host(urlsplit(str(url)).hostname)


@pass_context
def rel(context: Any, target: str) -> str:
    """Site-relative path -> URL relative to the page being rendered (``here``)."""
    return relative(context["here"], target)


def page_csp(scripts: bool = False) -> str:
    """The Content-Security-Policy of a generated page: no script unless it is the search page.

    ``'self'`` is what a server gives; from file:// it is ``file:`` that lets
    the archive's own files load.
    """
    script = "'self' file:" if scripts else "'none'"
    return ("default-src 'none'; style-src 'self' file:; img-src 'self' file: data:; "
            f"form-action 'self' file:; base-uri 'none'; object-src 'none'; script-src {script}")


def make_environment(template_dir: Path | None = None) -> Environment:
    """Build the renderer's Jinja environment; ``template_dir`` overrides package templates."""
    loaders = [FileSystemLoader(str(template_dir))] if template_dir else []
    loaders.append(FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=ChainableUndefined,  # optional record fields may be absent
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build reads each template thousands of times and never edits one: no
        # stat of the file before every use.
        auto_reload=False,
    )
    env.filters.update(
        date_nb=date_nb,
        date_en=date_en,
        datetime_utc=datetime_utc,
        iso_utc=iso_utc,
        http_date=http_date,
        year=year,
        host=host,
        rel=rel,
        old_site=old_site,
    )
    env.globals.update(notices=notices.texts(), role=notices.role)
    return env
