"""Why a linked address is not in the archive, and where the captures came from.

What the archive knows, gathered once per build:

* the crawl reports (``DIR/crawl-report*.json``): every skip reason with its
  example URLs (``skipped_examples``: robots.txt, trap rules, scope, the page
  limit, network errors), at most ``crawler.report.SKIPPED_EXAMPLES`` a reason;
* the WARCs: a response that was not a page (a recorded 404, a 500) is noted by
  the builder in the store's ``gap`` table; each WARC's warcinfo record gives
  the crawl settings (the trap limits, ``WIRE_CONNECT_TO``);
* the archived robots.txt files, for a URL the reports' examples left out.

A capture came "from a local copy" when its response was read from a loopback or
private address (``WARC-IP-Address``) or the crawl connected through
``WIRE_CONNECT_TO`` (``--connect-to``): the bytes are then a replica's, not the
live site's.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from warcio.archiveiterator import ArchiveIterator

from archive.folder import finished_warcs

from .paths import url_key

logger = logging.getLogger(__name__)

# Linking pages listed on a "not archived" page (the count says how many there are).
REFERRERS_SHOWN = 100
_STAMP = re.compile(r"^\d{14} ")  # a harvest's skips are "timestamp url"

# The trap rules, by the name the crawl report gives them: what each means, the setting.
TRAP_RULES: dict[str, tuple[str, str, str]] = {
    "query_hops": ("for mange lenkeledd med nye spørreparametre fra samme side",
                   "too many link hops through new query parameters of one page",
                   "SCOPE_MAX_QUERY_HOPS"),
    "query_variants": ("for mange ulike spørreparametre til samme side",
                       "too many query variants of one page", "SCOPE_MAX_QUERY_VARIANTS"),
    "query_params": ("for mange spørreparametre i adressen",
                     "too many query parameters in the URL", "SCOPE_MAX_QUERY_PARAMS"),
    "path_depth": ("for dyp sti", "path too deep", "SCOPE_MAX_PATH_DEPTH"),
    "repeating_segments": ("gjentatte stisegmenter", "repeating path segments",
                           "SCOPE_MAX_SEGMENT_REPEATS"),
    "url_length": ("for lang adresse", "URL too long", "SCOPE_MAX_URL_LENGTH"),
}
_STATUS_NAMES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                 404: "Not Found", 410: "Gone", 500: "Internal Server Error",
                 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class CrawlFacts:
    """What the crawl reports and warcinfo records say, for the whole build."""

    skipped: dict[str, list[str]] = field(default_factory=dict)  # url key -> reasons
    settings: dict[str, Any] = field(default_factory=dict)  # crawl settings (warcinfo)
    connect_to: dict[str, list[str]] = field(default_factory=dict)  # WARC file -> entries
    user_agent: str = "*"
    limited: set[str] = field(default_factory=set)  # reasons whose examples ran out

    @classmethod
    def load(cls, archive_dir: Path) -> CrawlFacts:
        facts = cls()
        for path in sorted(archive_dir.glob("crawl-report*.json")):
            facts._read_report(path)
        for path in finished_warcs(archive_dir):
            facts._read_warcinfo(path)
        return facts

    def _read_report(self, path: Path) -> None:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("%s unreadable (%s): no skip reasons from it", path.name, exc)
            return
        examples = report.get("skipped_examples") or {}
        counts = report.get("skipped") or {}
        for reason, urls in examples.items():
            if not isinstance(urls, list):
                continue
            if int(counts.get(reason) or 0) > len(urls):
                self.limited.add(reason)
            for url in urls:
                url = _STAMP.sub("", str(url))
                try:
                    key = url_key(url)
                except ValueError:
                    continue
                have = self.skipped.setdefault(key, [])
                if reason not in have:
                    have.append(reason)

    def _read_warcinfo(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type == "warcinfo":
                        self._warcinfo(path.name, rec.content_stream().read().decode(
                            "utf-8", "replace"))
                    break  # the warcinfo record comes first, or not at all
        except Exception as exc:  # noqa: BLE001 - a damaged WARC: the index pass reports it
            logger.debug("%s: no warcinfo (%s)", path.name, exc)

    def _warcinfo(self, name: str, text: str) -> None:
        fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
        try:
            settings = json.loads(fields.get("crawl-settings") or "{}")
        except ValueError:
            settings = {}
        if not isinstance(settings, dict):
            return
        self.settings = self.settings or settings
        connect = settings.get("WIRE_CONNECT_TO") or []
        if isinstance(connect, list) and connect:
            self.connect_to[name] = [str(c) for c in connect]
        self.user_agent = str(fields.get("http-header-user-agent") or self.user_agent)


def is_local_address(ip: str | None) -> bool:
    """A loopback, private or link-local peer: a replica, not the live site."""
    try:
        addr = ipaddress.ip_address((ip or "").strip("[]"))
    except ValueError:
        return False
    return addr.is_loopback or addr.is_private or addr.is_link_local


def capture_source(facts: CrawlFacts, ip: str | None, warc_file: str | None,
                   url: str) -> dict[str, Any]:
    """Where one capture was read from: ``{"local": bool, "how": text}``."""
    host = (urlsplit(url).hostname or "").lower()
    mapped = [c for c in facts.connect_to.get(warc_file or "", [])
              if c.lower().startswith(host + ":")]
    if ip and is_local_address(ip):
        how = f"WARC-IP-Address {ip}"
        if mapped:
            how += f"; WIRE_CONNECT_TO {mapped[0]}"
        return {"local": True, "how": how, "ip": ip}
    if mapped:
        return {"local": True, "how": f"WIRE_CONNECT_TO {mapped[0]}", "ip": ip}
    return {"local": False, "how": "", "ip": ip}


def _reason(code: str, nb: str, en: str, detail: str = "") -> dict[str, str]:
    return {"code": code, "nb": nb, "en": en, "detail": detail}


def explain_skip(reason: str, settings: dict[str, Any]) -> dict[str, str]:
    """One crawl-report skip reason in words, both languages."""
    if reason == "robots":
        return _reason("robots", "Nettstedets robots.txt forbød innhøstingen å hente adressen.",
                       "The site's robots.txt disallowed the crawl from fetching it.", reason)
    if reason.startswith("trap:"):
        rule = reason.split(":", 1)[1]
        nb, en, setting = TRAP_RULES.get(rule, ("en feleregel", "a trap rule", ""))
        limit = f", {setting} = {settings[setting]}" if setting in settings else (
            f", {setting}" if setting else "")
        return _reason("trap", f"Innhøstingen stoppet ved feleregelen «{rule}» ({nb}{limit}).",
                       f"The crawl stopped at the trap rule “{rule}” ({en}{limit}).", reason)
    if reason.startswith("limit:"):
        what = reason.split(":", 1)[1]
        setting = "SCOPE_MAX_PAGES" if what == "max_pages" else what
        value = f" = {settings[setting]}" if setting in settings else ""
        return _reason("limit", f"Innhøstingen hadde nådd grensen {setting}{value}.",
                       f"The crawl had reached its limit {setting}{value}.", reason)
    if reason.startswith("error:"):
        err = reason.split(":", 1)[1]
        return _reason("error", f"Hentingen mislyktes med en nettverksfeil ({err}).",
                       f"The fetch failed with a network error ({err}).", reason)
    if reason == "out_of_scope":
        return _reason("scope", "Adressen lå utenfor innhøstingens avgrensning (vertene og "
                       "stiene som ble høstet).",
                       "The address was outside the crawl's scope (the hosts and paths "
                       "crawled).", reason)
    if reason == "excluded":
        return _reason("scope", "Adressen ble utelatt av innhøstingens regler "
                       "(SCOPE_INCLUDE / SCOPE_EXCLUDE).",
                       "The address was excluded by the crawl's rules (SCOPE_INCLUDE / "
                       "SCOPE_EXCLUDE).", reason)
    return _reason("other", f"Innhøstingen hoppet over adressen ({reason}).",
                   f"The crawl skipped the address ({reason}).", reason)


def explain_status(status: int, captured_at: str) -> dict[str, str]:
    name = _STATUS_NAMES.get(status, "")
    shown = f"{status} {name}".strip()
    day = captured_at[:10]
    return _reason("status", f"Serveren svarte med HTTP-status {shown} da adressen ble "
                   f"hentet {day}.",
                   f"The server answered HTTP status {shown} when the address was fetched "
                   f"on {day}.", str(status))


class RobotsCheck:
    """The archived robots.txt of each host, asked about a URL the reports did not list."""

    def __init__(self, read: Any, user_agent: str) -> None:
        self.read = read  # robots.txt URL -> its text, or None when not archived
        self.user_agent = user_agent
        self.parsers: dict[str, RobotFileParser | None] = {}

    def disallows(self, url: str) -> bool:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        if robots_url not in self.parsers:
            text = self.read(robots_url)
            parser = None
            if text is not None:
                parser = RobotFileParser(robots_url)
                parser.parse(text.splitlines())
            self.parsers[robots_url] = parser
        parser = self.parsers[robots_url]
        return parser is not None and not parser.can_fetch(self.user_agent, url)


def reasons_for(url: str, facts: CrawlFacts, statuses: list[tuple[int, str]],
                crawled_hosts: set[str], robots: RobotsCheck | None) -> list[dict[str, str]]:
    """Every reason the archive knows why ``url`` was not archived (at least one)."""
    out = [explain_status(status, when) for status, when in statuses]
    try:
        key = url_key(url)
    except ValueError:
        key = url
    out += [explain_skip(r, facts.settings) for r in facts.skipped.get(key, [])]
    if out:
        return out
    if robots is not None and robots.disallows(url):
        return [_reason("robots", "Nettstedets arkiverte robots.txt forbyr innhøstingen å "
                        "hente adressen.",
                        "The site's archived robots.txt disallows the crawl from fetching "
                        "it.", "robots.txt")]
    host = (urlsplit(url).hostname or "").lower()
    if host and host not in crawled_hosts:
        return [_reason("scope", f"Verten {host} ble ikke høstet: ingen side fra den er i "
                        "arkivet.",
                        f"The host {host} was not crawled: no page of it is in the archive.",
                        "host")]
    limited = ", ".join(sorted(facts.limited))
    more = (f" Innhøstingsrapporten lister bare eksempler for noen årsaker ({limited})."
            if limited else "")
    more_en = (f" The crawl report lists only examples for some reasons ({limited})."
               if limited else "")
    return [_reason("unknown", "Arkivet har ikke registrert hvorfor adressen mangler." + more,
                    "The archive has no record of why the address is missing." + more_en)]
