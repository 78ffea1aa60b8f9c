"""The archive's notices, in Norwegian bokmål and English, made from the succession chain.

Every banner, provenance box, front page and "not archived" page says the same
facts: when the old site stopped being updated, who succeeded whom, who owns
the old domain today. They are told here once, from ``archive.succession.CHAIN``
(the data), so no template spells a date or a successor's name itself
(``tests/test_render_gaps.py`` checks that none does). Each notice is a
``{"nb": ..., "en": ...}`` pair of plain text (templates escape it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import unquote, urlsplit

from archive import succession
from archive.model import Successor

_MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")

# What each body of the chain was, in both languages, by its site (the chain's notes
# are English only; a record's chain is matched to these by site).
_ROLES: dict[str, tuple[str, str]] = {
    "https://www.akershus.no/": (
        "Fylkeskommunen som eide nettstedet som er arkivert her",
        "The county council whose website is archived here"),
    "https://www.viken.no/": (
        "Akershus, Buskerud og Østfold slått sammen; oppløst {end_nb}",
        "Akershus, Buskerud and Østfold merged; dissolved on {end_en}"),
    "https://afk.no/": (
        "Fylkeskommunen gjenopprettet, med et nytt nettsted; eier i dag domenet akershus.no",
        "The county council re-established with a new website; owns the domain akershus.no today"),
}


def date_nb(value: str | None) -> str:
    """``2020-01-01`` -> ``1. januar 2020`` (anything else as it is)."""
    try:
        d = date.fromisoformat((value or "")[:10])
    except ValueError:
        return value or ""
    return f"{d.day}. {_MONTHS_NB[d.month - 1]} {d.year}"


def date_en(value: str | None) -> str:
    """``2020-01-01`` -> ``1 January 2020``."""
    try:
        d = date.fromisoformat((value or "")[:10])
    except ValueError:
        return value or ""
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.") if host.count(".") > 1 else host


@dataclass(frozen=True)
class Facts:
    """The chain read as the notices need it."""

    legacy: Successor  # the body whose site is archived
    merged: Successor  # the body it became part of
    current: Successor  # who holds the old domain today

    @property
    def old_site(self) -> str:
        return urlsplit(self.legacy.site or "").hostname or "www.akershus.no"

    @property
    def old_domain(self) -> str:
        return _host(self.legacy.site or "")


def facts(chain: tuple[Successor, ...] = succession.CHAIN) -> Facts:
    return Facts(chain[0], chain[1], chain[-1])


def _pair(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


@cache
def texts() -> dict[str, dict[str, str]]:
    """Every notice, by name: ``{"nb": ..., "en": ...}``."""
    f = facts()
    stopped = f.merged.start
    dissolved = f.current.start
    current = f"{f.current.name} ({_host(f.current.site or '')})"
    owner_nb = (f"Domenet {f.old_domain} tilhører nå den gjenopprettede {current}; "
                "de gamle sidene finnes bare i nettarkiver.")
    owner_en = (f"The domain {f.old_domain} now belongs to the re-established {current}; "
                "the old pages live on only in web archives.")
    return {
        "site_title": _pair("Arkiv av et nettsted som ikke lenger oppdateres",
                            "Archive of a website no longer updated"),
        "archive_of": _pair(
            f"Et arkiv av {f.old_site}, nettstedet til {f.legacy.name}.",
            f"An archive of {f.old_site}, the website of {f.legacy.name} "
            "(Akershus County Council)."),
        "stopped": _pair(
            f"Nettstedet ble ikke lenger oppdatert fra {date_nb(stopped)}, da Akershus ble "
            f"en del av {f.merged.name}.",
            f"The site stopped being updated on {date_en(stopped)}, when Akershus became "
            f"part of {f.merged.name}."),
        "owner": _pair(owner_nb, owner_en),
        "now": _pair(f"{f.merged.name} ble oppløst {date_nb(dissolved)}. {owner_nb}",
                     f"{f.merged.name} was dissolved on {date_en(dissolved)}. {owner_en}"),
        "not_updated": _pair("Sidene oppdateres ikke.", "The pages are not updated."),
        "as_text": _pair(
            f"Vises som tekst, ikke som lenke: domenet {f.old_domain} tilhører i dag den "
            f"gjenopprettede {current}, og det som ligger på adressen nå, er ikke den "
            "arkiverte siden.",
            f"Shown as text, not as a link: the domain {f.old_domain} belongs today to the "
            f"re-established {current}, and what is at the address now is not the "
            "archived page."),
        "old_addresses": _pair(
            f"Adresser på {f.old_domain} vises bare som tekst i arkivet, aldri som lenker.",
            f"Addresses on {f.old_domain} are shown only as text in this archive, never as "
            "links."),
        "local_copy": _pair(
            "Lagret fra en lokal kopi av nettstedet, ikke fra det levende nettstedet.",
            "Captured from a local copy, not the live site."),
        "email": _pair(
            "e-postadresse fra den arkiverte siden – kan nå en person i dag",
            "e-mail address from the archived page; it may reach someone today"),
        "phone": _pair(
            "telefonnummer fra den arkiverte siden – kan nå en person i dag",
            "phone number from the archived page; it may reach someone today"),
    }


# The schemes of a link that writes to or calls someone; never live in the archive.
CONTACT_SCHEMES = ("mailto", "tel", "sms", "callto")


def contact_kind(scheme: str) -> str:
    """The notice that marks an address of this scheme: ``email`` or ``phone``."""
    return "email" if scheme.lower() == "mailto" else "phone"


def contact_marker(scheme: str) -> str:
    """The marker shown after a contact address, both languages in one line."""
    t = texts()[contact_kind(scheme)]
    return f"({t['nb']} / {t['en']})"


def contact_address(url: str) -> tuple[str, str]:
    """``mailto:Post@afk.no?subject=x`` -> ``("mailto", "Post@afk.no")``: what to show."""
    scheme, _, rest = url.strip().partition(":")
    return scheme.lower(), unquote(rest.split("?", 1)[0]).strip().lstrip("/")


def role(entry_url: str | None, lang: str) -> str:
    """What a body of the chain was, in ``lang`` (``nb``/``en``); "" for an unknown body."""
    found = _ROLES.get(entry_url or "")
    if found is None:
        return ""
    by_site = {s.site: s for s in succession.CHAIN}
    end = (by_site.get(entry_url or "") or facts().merged).end
    after = date.fromordinal(date.fromisoformat(end).toordinal() + 1).isoformat() if end else ""
    text = found[0] if lang == "nb" else found[1]
    return text.format(end_nb=date_nb(after), end_en=date_en(after))
