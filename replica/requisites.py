"""Non-HTML resources of the site: stylesheets, script, images, PDF documents, robots.txt.

Some live on the second host ``static.akershus.no`` (content images, a plan
document) and are linked with absolute ``http://static.akershus.no/`` URLs,
as on the real site.
"""

from __future__ import annotations

from .assets import BLUE, GREEN, GREY, LIGHT, RED, SAND, pdf, png, static_file
from .model import STATIC_HOST, WWW_HOST, Resource

ROBOTS_TXT = b"""User-agent: *
Disallow: /sok/
Disallow: /intranett/

Sitemap: http://www.akershus.no/sitemap.xml
"""
STATIC_ROBOTS_TXT = b"User-agent: *\nDisallow:\n"

STRATEGY_PDF = "/globalassets/dokumenter/internasjonal-strategi-2014-2018.pdf"
PLAN_PDF = "/dokumenter/regional-plan-for-areal-og-transport-2015-2030.pdf"  # static host
HEALTH_PDF = "/globalassets/dokumenter/folkehelsestrategi-2019-2023.pdf"


def _documents() -> list[Resource]:
    strategy = pdf("Internasjonal strategi 2014-2018", (
        "Akershus fylkeskommune",
        "Overordnet målsetting: Akershus fylkeskommunes internasjonale engasjement skal",
        "bidra til å realisere fylkeskommunens målsettinger og oppgaveløsning.",
        "Tematiske prioriteringer:",
        "1. Samferdsel og miljø",
        "2. Nærings- og samfunnsutvikling",
        "3. Ungdom og opplæring",
    ))
    plan = pdf("Regional plan for areal og transport i Oslo og Akershus 2015-2030", (
        "Vedtatt av Oslo bystyre og Akershus fylkesting desember 2015.",
        "Mål: Osloregionen skal være en konkurransedyktig og bærekraftig region i Europa.",
        "Veksten i persontransport skal tas med kollektivtransport, sykkel og gange.",
        "80 prosent av boligveksten i Akershus skal komme i prioriterte vekstområder.",
    ))
    health = pdf("Folkehelsestrategi 2019-2023", (
        "Akershus fylkeskommune",
        "Hovedmål: Flere leveår med god helse og mindre sosial ulikhet i helse.",
        "Satsingsområder: Barn og unge, Levekår, Helsevennlige lokalsamfunn.",
    ))
    return [
        Resource(WWW_HOST, STRATEGY_PDF, "application/pdf", strategy, "document"),
        Resource(WWW_HOST, HEALTH_PDF, "application/pdf", health, "document"),
        Resource(STATIC_HOST, PLAN_PDF, "application/pdf", plan, "document"),
    ]


def _images() -> list[Resource]:
    def image(host: str, path: str, body: bytes) -> Resource:
        return Resource(host, path, "image/png", body, "requisite")

    return [
        image(WWW_HOST, "/static/img/akershus-logo.png", png(180, 48, (BLUE, BLUE, LIGHT), 12)),
        image(WWW_HOST, "/static/img/ikon-pil.png", png(12, 12, (BLUE, LIGHT), 3)),
        image(WWW_HOST, "/globalassets/bilder/fylkeshuset.png", png(240, 140, (GREY, LIGHT), 10)),
        image(STATIC_HOST, "/bilder/skolebygg.png", png(320, 180, (SAND, BLUE), 16)),
        image(STATIC_HOST, "/bilder/buss-ruter.png", png(320, 180, (RED, LIGHT), 20)),
        image(STATIC_HOST, "/bilder/kulturminne.png", png(320, 180, (GREEN, SAND), 14)),
    ]


def requisites() -> list[Resource]:
    """All non-HTML resources except the sitemap (which is built from the pages)."""
    return [
        Resource(WWW_HOST, "/robots.txt", "text/plain", ROBOTS_TXT, "robots"),
        Resource(STATIC_HOST, "/robots.txt", "text/plain", STATIC_ROBOTS_TXT, "robots"),
        Resource(WWW_HOST, "/static/css/akershus.css", "text/css",
                 static_file("css/akershus.css"), "requisite", gzip=True),
        Resource(WWW_HOST, "/static/css/arsrapport.css", "text/css",
                 static_file("css/arsrapport.css"), "requisite", gzip=True),
        Resource(WWW_HOST, "/static/js/akershus.js", "application/javascript",
                 static_file("js/akershus.js"), "requisite", gzip=True),
        *_images(),
        *_documents(),
    ]
