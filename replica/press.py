"""Press releases, generated deterministically from a fixed seed and sentence templates.

The real archive held well over 140 press releases; these are invented in the
same register. ``press_pages(era)`` is a page source: items dated after the
era's capture day do not exist in that era, so the 2019 listing is shorter.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from .eras import era_config
from .model import Page

SEED = 20191231
COUNT = 152
FIRST_DAY = date(2016, 1, 4)
LAST_DAY = date(2019, 12, 19)
LISTING = "/om-fylkeskommunen/pressesenter/pressemeldinger/"

PLACES = ("Asker", "Bærum", "Lillestrøm", "Lørenskog", "Ski", "Ås", "Jessheim", "Eidsvoll",
          "Nittedal", "Frogn", "Vestby", "Nesodden", "Sørum", "Aurskog-Høland", "Nes",
          "Gjerdrum", "Enebakk", "Rælingen", "Hurdal", "Nannestad", "Oppegård", "Fet")
SCHOOLS = ("Bjørkelangen videregående skole", "Dønski videregående skole",
           "Eikeli videregående skole", "Jessheim videregående skole",
           "Kjelle videregående skole", "Lillestrøm videregående skole",
           "Nadderud videregående skole", "Rud videregående skole",
           "Ski videregående skole", "Strømmen videregående skole",
           "Vestby videregående skole", "Ås videregående skole")
ROADS = ("120", "152", "156", "166", "167", "171", "174", "177", "454", "459")
SPEAKERS = (("fylkesordfører", "Kari Haugland"), ("fylkesrådmann", "Thomas Lindberg"),
            ("leder i hovedutvalg for samferdsel", "Per Arne Skogen"),
            ("leder i hovedutvalg for utdanning og kompetanse", "Ingrid Moe Solbakken"),
            ("fylkesvaraordfører", "Jon Erik Brekke"))
CONTACTS = (
    ("Lise Bergum Aas", "Kommunikasjonsrådgiver", "922 11 304", "lise.bergum.aas@afk.no"),
    ("Henrik Saetre", "Pressevakt", "480 33 120", "presse@afk.no"),
    ("Marte Kvam Ruud", "Seniorrådgiver, kommunikasjon", "913 77 026", "marte.kvam.ruud@afk.no"),
)

# topic -> (title templates, body sentence templates)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "samferdsel": (
        ("Nye bussruter i {place} fra {month}",
         "Fylkesvei {road} i {place} åpner igjen etter utbedring",
         "{mill} millioner kroner til sykkelveier i {place}",
         "Gang- og sykkelvei langs fylkesvei {road} er ferdig",
         "Ny innfartsparkering ved stasjonen i {place}"),
        ("Arbeidet er en del av fylkeskommunens satsing på kollektivtransport, sykkel og gange.",
         "Tiltaket er finansiert gjennom Oslopakke 3 og fylkeskommunens investeringsbudsjett.",
         "Statens vegvesen har gjennomført arbeidet på vegne av Akershus fylkeskommune.",
         "Reisende bes følge med på oppdatert informasjon fra Ruter før avreise.",
         "Målet er at veksten i persontrafikken skal tas med kollektivtransport, sykkel og gange."),
    ),
    "utdanning": (
        ("{school} får nytt verkstedbygg",
         "Rekordmange søkere til yrkesfag i {place}",
         "{people} nye lærekontrakter signert i Akershus",
         "Elever ved {school} vant nasjonal konkurranse",
         "{pct} prosent fikk oppfylt førsteønsket ved inntaket"),
        ("Fylkeskommunen har ansvar for 34 videregående skoler med rundt 20 000 elever.",
         "Flere lærebedrifter er et viktig mål i fylkeskommunens strategi for fagopplæring.",
         "Byggearbeidene skal etter planen være ferdige til skolestart.",
         "Elevene har jobbet med prosjektet gjennom hele skoleåret.",
         "Inntakskontoret sender ut svar til alle søkere i juli."),
    ),
    "tannhelse": (
        ("Ny tannklinikk åpner i {place}",
         "Tannhelsetjenesten kaller inn {people} ungdommer i {place} til undersøkelse",
         "Kortere ventetid hos den offentlige tannhelsetjenesten i {place}"),
        ("Barn og unge til og med 18 år får gratis tannbehandling i den offentlige tannhelsetjenesten.",
         "Ungdom som er 19 og 20 år betaler bare 25 prosent av prisen.",
         "Klinikken får moderne utstyr og universell utforming.",
         "Innkallingen skjer automatisk, og det er ikke nødvendig å bestille time."),
    ),
    "kultur": (
        ("{count} kulturminner i {place} får tilskudd til istandsetting",
         "Kulturprisen for {year} går til en ildsjel i {place}",
         "Den kulturelle skolesekken viser {count} forestillinger i {place}",
         "Ungdommens kulturmønstring samlet {people} deltakere i {place}"),
        ("Tilskuddet skal bidra til at kulturminnene blir tatt vare på for fremtiden.",
         "Prisen er på 100 000 kroner og deles ut av fylkestinget.",
         "Alle elever i videregående skole får oppleve profesjonell kunst og kultur.",
         "Arrangementet er et samarbeid mellom fylkeskommunen og kommunene."),
    ),
    "klima": (
        ("{mill} millioner kroner til klimatiltak i {place}",
         "Fossilfri anleggsplass ved {school}",
         "Nye ladepunkter ved {school}",
         "Klimapartnere Akershus får {count} nye medlemmer"),
        ("Klimastrategi 2030 setter mål om at utslippene skal halveres innen 2030.",
         "Tiltakene skal redusere utslippene fra transport og bygg og anlegg.",
         "Fylkeskommunen skal gå foran som en klimavennlig innkjøper.",
         "Ordningen er åpen for alle kommuner i Akershus."),
    ),
    "naring": (
        ("{mill} millioner kroner fra regionalt næringsfond til {place}",
         "Gründere i {place} får støtte til å starte opp",
         "Ny næringsklynge for grønn teknologi i {place}"),
        ("Midlene skal bidra til nye arbeidsplasser og omstilling i næringslivet.",
         "Tildelingen gjøres i samarbeid med Innovasjon Norge.",
         "Satsingen følger opp den regionale planen for innovasjon og nyskaping."),
    ),
    "politikk": (
        ("Fylkestinget vedtok budsjett for {year}",
         "Fylkesutvalget ga tilslutning til plan for {place}",
         "Fylkestinget behandlet {count} saker i {month}møtet",
         "Fylkestinget har avgitt høringsuttalelse om {place}"),
        ("Møtet ble direkteoverført på fylkeskommunens nettsider.",
         "Saksdokumentene er tilgjengelige i møtekalenderen.",
         "Vedtaket ble gjort med bred tilslutning fra partiene.",
         "Saken skal videre til behandling i departementet."),
    ),
    "folkehelse": (
        ("{place} blir partnerskapskommune i folkehelse",
         "{mill} millioner kroner til friluftslivstiltak i {place}",
         "Ny folkehelseoversikt for {place} er klar"),
        ("Partnerskapet gir kommunen faglig støtte og økonomiske midler.",
         "God folkehelse handler om hvordan vi bor, lever og arbeider.",
         "Tiltakene skal gjøre det enklere å være fysisk aktiv i hverdagen."),
    ),
}
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-"})


def slugify(title: str) -> str:
    """EPiServer-style URL segment: lower case, æøå folded, punctuation dropped."""
    text = unicodedata.normalize("NFKD", title.lower().translate(_FOLD))
    text = "".join(c for c in text if c.isascii() and (c.isalnum() or c == "-"))
    while "--" in text:
        text = text.replace("--", "-")
    return text.strip("-")


def _dates(rng: random.Random) -> list[date]:
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(rng.sample(range(span + 1), COUNT))
    out = []
    for offset in days:
        d = FIRST_DAY + timedelta(days=offset)
        while d.weekday() >= 5:  # press releases go out on weekdays
            d -= timedelta(days=1)
        out.append(d)
    return out


@lru_cache(maxsize=1)
def all_press_releases() -> tuple[Page, ...]:
    """All generated press releases, oldest first (independent of era)."""
    rng = random.Random(SEED)
    pages: list[Page] = []
    seen: set[str] = set()
    for day in _dates(rng):
        topic = rng.choice(sorted(TOPICS))
        titles, sentences = TOPICS[topic]
        values = {"place": rng.choice(PLACES), "school": rng.choice(SCHOOLS),
                  "road": rng.choice(ROADS), "mill": rng.choice((2, 3, 5, 8, 12, 15, 25, 40)),
                  "people": rng.choice((120, 240, 350, 640, 1200, 2400)),
                  "pct": rng.randrange(74, 93), "count": rng.randrange(5, 31),
                  "month": MONTHS[(day.month + rng.randrange(1, 3)) % 12],
                  "year": day.year + (1 if day.month >= 10 else 0)}
        title = rng.choice(titles).format(**values)
        title = title[0].upper() + title[1:]
        slug = slugify(title)
        base, n = slug, 1
        while slug in seen:  # the CMS appends -2, -3 ... to a taken URL segment
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        picked = rng.sample(sentences, 3)
        role, name = rng.choice(SPEAKERS)
        blocks: list[tuple] = [("p", " ".join(picked[:2])), ("p", picked[2])]
        quote = f"– Dette er en viktig sak for innbyggerne i {values['place']}, sier {role} {name}."
        blocks.append(("quote", quote, "") if rng.random() < 0.3 else ("p", quote))
        blocks.append(("contact", (rng.choice(CONTACTS),)))
        ingress = (f"Akershus fylkeskommune melder {day.day}. {MONTHS[day.month - 1]} "
                   f"{day.year}: {title[0].lower() + title[1:]}.")
        pages.append(Page(path=f"{LISTING}{slug}/", title=title, ingress=ingress,
                          blocks=tuple(blocks), template="news", date=day.isoformat(),
                          published=day.strftime("%d.%m.%Y"), gzip=True))
    return tuple(pages)


def press_pages(era: str) -> list[Page]:
    """Page source: the press releases that exist in ``era``, newest first."""
    cutoff = era_config(era).capture_day
    items = [p for p in all_press_releases() if date.fromisoformat(p.date) <= cutoff]
    return items[::-1]
