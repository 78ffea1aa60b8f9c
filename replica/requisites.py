"""Non-HTML resources of the site: stylesheets, script, images, PDF documents, robots.txt.

Some live on the second host ``static.akershus.no`` (content images, a plan
document) and are linked with absolute ``http://static.akershus.no/`` URLs,
as on the real site. The strategy documents are the multi-page PDFs of
``replica.pdfs`` (laid out by ReportLab, the ``replica`` extra), with an
encrypted, a damaged and a scanned one beside them; the plan is a one-page
PDF written by hand, as a small generator would.
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

DOCUMENT_FOLDER = "/globalassets/dokumenter/"
STRATEGY_PDF = DOCUMENT_FOLDER + "internasjonal-strategi-2014-2018.pdf"
PLAN_PDF = "/dokumenter/regional-plan-for-areal-og-transport-2015-2030.pdf"  # static host
HEALTH_PDF = DOCUMENT_FOLDER + "folkehelsestrategi-2019-2023.pdf"


def _laid_out() -> dict[str, bytes]:
    try:
        from .pdfs import build_all
    except ImportError as exc:  # the replica extra is not installed
        raise SystemExit("the replica's PDFs need ReportLab: "
                         "pip install 'akershus-archive[replica]'") from exc
    return build_all()


def _documents() -> list[Resource]:
    plan = pdf("Regional plan for areal og transport i Oslo og Akershus 2015-2030", (
        "Vedtatt av Oslo bystyre og Akershus fylkesting desember 2015.",
        "Mål: Osloregionen skal være en konkurransedyktig og bærekraftig region i Europa.",
        "Veksten i persontransport skal tas med kollektivtransport, sykkel og gange.",
        "80 prosent av boligveksten i Akershus skal komme i prioriterte vekstområder.",
    ))
    laid_out = [Resource(WWW_HOST, f"{DOCUMENT_FOLDER}{name}.pdf", "application/pdf", body,
                         "document") for name, body in _laid_out().items()]
    return [*laid_out, Resource(STATIC_HOST, PLAN_PDF, "application/pdf", plan, "document")]


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
