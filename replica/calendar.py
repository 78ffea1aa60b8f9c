"""The endless event calendar: one page per day, each linking the day before and after.

A crawler trap on purpose (``/arrangementer/kalender/?dato=YYYY-MM-DD`` answers
200 for every valid date), so the crawler's trap rules can be tested.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from .model import Page

CALENDAR_PATH = "/arrangementer/kalender/"
ENTRY_DAY = date(2019, 9, 1)  # the day the "Arrangementer" page links to
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")
EVENTS = (
    ("Åpen dag", "Kjelle videregående skole", "Skolen viser fram utdanningsprogrammene."),
    ("Møte i fylkestinget", "Fylkestingssalen, Schweigaards gate 4", "Møtet er åpent for publikum."),
    ("Kulturminnedag", "Akershus festning", "Omvisning og foredrag om fylkets kulturminner."),
    ("Konferanse om folkehelse", "Lillestrøm kultursenter", "For ansatte i kommunene."),
    ("Informasjonsmøte om inntak", "Ski videregående skole", "For elever og foresatte."),
    ("Sykkelens dag", "Sandvika", "Gratis sykkelservice og rådgivning."),
    ("Frokostmøte om næringsutvikling", "Kjeller innovasjon", "Påmelding innen dagen før."),
)


def calendar_url(day: date) -> str:
    return f"{CALENDAR_PATH}?dato={day.isoformat()}"


def _events(day: date) -> list[tuple[str, str, str]]:
    digest = hashlib.sha256(day.isoformat().encode()).digest()
    count = digest[0] % 3  # 0, 1 or 2 events a day
    return [EVENTS[digest[1 + i] % len(EVENTS)] for i in range(count)]


def calendar_page(day: date) -> Page:
    """The calendar page of one day (never in the URL inventory: there are infinitely many)."""
    label = f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} {day.year}"
    blocks: list[tuple] = []
    events = _events(day)
    if events:
        for title, place, text in events:
            blocks += [("h2", title), ("p", f"Sted: {place}. {text}")]
    else:
        blocks.append(("p", "Ingen arrangementer denne dagen."))
    links = []
    if day > date.min:
        prev = day - timedelta(days=1)
        links.append(f'<a class="prev-day" rel="prev" href="{calendar_url(prev)}">Forrige dag</a>')
    if day < date.max:
        nxt = day + timedelta(days=1)
        links.append(f'<a class="next-day" rel="next" href="{calendar_url(nxt)}">Neste dag</a>')
    blocks.append(("raw", '<nav class="calendar-nav">' + " ".join(links) + "</nav>"))
    return Page(path=CALENDAR_PATH, title=f"Arrangementer {label}",
                ingress="Kalender over arrangementer i regi av Akershus fylkeskommune.",
                blocks=tuple(blocks), menu_title="Kalender", linked=False, in_sitemap=False)
