"""What the crawl may fetch: scope, page requisites and crawler traps.

Every request passes :class:`ScopeMiddleware` before it reaches the wire, so
the rules hold for links, sitemaps and redirect targets alike.

Trap rule (documented in the README): a URL is a trap when a path segment
repeats more than ``SCOPE_MAX_SEGMENT_REPEATS`` times, the path is deeper than
``SCOPE_MAX_PATH_DEPTH``, the query has more than ``SCOPE_MAX_QUERY_PARAMS``
parameters, the URL is longer than ``SCOPE_MAX_URL_LENGTH``, a query variant
lies more than ``SCOPE_MAX_QUERY_HOPS`` link hops beyond the first variant of
its path (endless calendars and pagination: "next" links forever), or the
path already has ``SCOPE_MAX_QUERY_VARIANTS`` distinct query strings (query
explosion). The hop rule does not depend on the order pages are fetched in,
so a resumed or repeated crawl ends a calendar on the same day. No rule names
a site's own paths.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler import settings as defaults
from crawler.links import canonical, request_url

logger = logging.getLogger(__name__)

PAGE, REQUISITE, ROBOTS, SITEMAP = "page", "requisite", "robots", "sitemap"


@lru_cache(maxsize=1024)
def ascii_host(host: str) -> str:
    """``host`` as requests name it: lower case, IDNA (punycode) as w3lib encodes it.

    ``--extra-host bærum.example``, a link to ``http://BÆRUM.example/`` and the
    request for ``http://xn--brum-voa.example/`` are one host.
    """
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    return (urlsplit(request_url(f"http://{host}/")).hostname or host).lower()


def registered_domain(host: str) -> str:
    """The last two labels: right for .no and the other one-level suffixes the site used."""
    labels = ascii_host(host).split(".")
    return ".".join(labels[-2:])


def host_in_domains(host: str, domains: set[str]) -> bool:
    host = ascii_host(host)
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass
class TrapRules:
    """Stateful trap detector; see the module docstring for the rule."""

    max_segment_repeats: int = defaults.SCOPE_MAX_SEGMENT_REPEATS
    max_path_depth: int = defaults.SCOPE_MAX_PATH_DEPTH
    max_query_variants: int = defaults.SCOPE_MAX_QUERY_VARIANTS
    max_query_hops: int = defaults.SCOPE_MAX_QUERY_HOPS
    max_query_params: int = defaults.SCOPE_MAX_QUERY_PARAMS
    max_url_length: int = defaults.SCOPE_MAX_URL_LENGTH
    _variants: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (host, path) -> fewest hops a query variant of it was met at; shared in
    # Redis by distributed crawls (crawler/distributed.py) so all workers agree.
    first_hops: Any = field(default_factory=dict)

    def check(self, url: str, hops: int = 0) -> str | None:
        """Return the trap rule the URL (met ``hops`` links from a seed) breaks, or None.

        Remembers query variants and how close to a seed each path was first met.
        """
        if len(url) > self.max_url_length:
            return "trap:url_length"
        # The rules judge the resource, as the duplicate filter does: dot segments
        # resolved (``zz/../`` repeats no segment), escapes in one case, so every
        # spelling of a path shares one hop budget and one set of query variants.
        try:
            url = canonical(url)
        except ValueError:  # not a URL a request can be made for; the spider counts it
            pass
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_path_depth:
            return "trap:path_depth"
        if segments and max(Counter(s.lower() for s in segments).values()) > self.max_segment_repeats:
            return "trap:repeating_segments"
        if parts.query:
            if len(parse_qsl(parts.query, keep_blank_values=True)) > self.max_query_params:
                return "trap:query_params"
            key = (parts.netloc.lower(), parts.path)
            first = min(self.first_hops.get(key, hops), hops)
            self.first_hops[key] = first
            if hops - first > self.max_query_hops:
                return "trap:query_hops"
            seen = self._variants.setdefault(key, set())
            query = parts.query
            if query not in seen:
                if len(seen) >= self.max_query_variants:
                    return "trap:query_variants"
                seen.add(query)
        return None


@dataclass
class Scope:
    """Which hosts and paths are pages of the site, and where requisites may come from."""

    hosts: set[str]
    requisite_domains: set[str]
    prefixes: list[str] = field(default_factory=list)
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)

    @classmethod
    def build(cls, seeds: list[str], extra_hosts: list[str], prefixes: list[str],
              include: list[str], exclude: list[str], requisite_domains: list[str]) -> Scope:
        hosts = {ascii_host(urlsplit(request_url(s)).hostname or "") for s in seeds} | {
            ascii_host(h) for h in extra_hosts}
        hosts.discard("")
        domains = {registered_domain(h) for h in hosts} | {
            ascii_host(d) for d in requisite_domains}
        # prefixes compare with URLs as requested (request_url): escaped, punycode
        return cls(hosts, domains, [request_url(p) for p in prefixes],
                   [re.compile(p) for p in include], [re.compile(p) for p in exclude])

    def check(self, url: str, kind: str) -> str | None:
        """None when ``url`` may be fetched as ``kind``, else the reason it may not."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return "scheme"
        host = ascii_host(parts.hostname or "")
        if kind in {REQUISITE, ROBOTS}:
            return None if host_in_domains(host, self.requisite_domains) else "out_of_scope"
        if host not in self.hosts:
            return "out_of_scope"
        if kind == SITEMAP:
            return None
        if self.prefixes and not any(url.startswith(p) for p in self.prefixes):
            return "out_of_scope"
        if self.include and not any(p.search(url) for p in self.include):
            return "excluded"
        if any(p.search(url) for p in self.exclude):
            return "excluded"
        return None


def scope_from_settings(seeds: list[str], settings: Any) -> tuple[Scope, TrapRules]:
    scope = Scope.build(
        seeds,
        settings.getlist("SCOPE_EXTRA_HOSTS"),
        settings.getlist("SCOPE_URL_PREFIXES"),
        settings.getlist("SCOPE_INCLUDE"),
        settings.getlist("SCOPE_EXCLUDE"),
        settings.getlist("SCOPE_REQUISITE_DOMAINS"),
    )
    traps = TrapRules(
        max_segment_repeats=settings.getint("SCOPE_MAX_SEGMENT_REPEATS"),
        max_path_depth=settings.getint("SCOPE_MAX_PATH_DEPTH"),
        max_query_variants=settings.getint("SCOPE_MAX_QUERY_VARIANTS"),
        max_query_hops=settings.getint("SCOPE_MAX_QUERY_HOPS"),
        max_query_params=settings.getint("SCOPE_MAX_QUERY_PARAMS"),
        max_url_length=settings.getint("SCOPE_MAX_URL_LENGTH"),
    )
    return scope, traps


class ScopeMiddleware:
    """Downloader middleware: no request outside scope reaches the wire, redirects included."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> Request | None:
        spider = self.crawler.spider
        scope: Scope | None = getattr(spider, "scope", None)
        if scope is None:
            return None
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            kind = ROBOTS
        else:
            kind = request.meta.get("kind", PAGE)
        redirected = bool(request.meta.get("redirect_times"))
        if redirected and request.meta.get("canonical_redirect") != request.url:
            # before any rule: the rules judge the URL the crawl will request
            again = self.redirect_request(request, spider, kind)
            if again is not None:
                return again
        reason = scope.check(request.url, kind)
        if reason is None and kind == PAGE and redirected:
            reason = spider.traps.check(request.url, request.meta.get("hops", 0))
        if reason:
            spider.skipped(request.url, reason)
            raise IgnoreRequest(f"{reason}: {request.url}")
        return None

    @staticmethod
    def redirect_request(request: Request, spider: Any, kind: str) -> Request | None:
        """A redirect target, asked for as links are: once, by its canonical URL.

        Scrapy's redirect middleware asks for the Location as written; the
        spider's own sets say whether the resource was asked for already (Scrapy's
        filter starts empty on a resume, and the replacement passes it).
        """
        url = request_url(request.url)
        # marks the URL checked (a redirect of this request inherits its meta)
        again = None if url == request.url else request.replace(
            url=url, dont_filter=True, meta={**request.meta, "canonical_redirect": url})
        if kind in {ROBOTS, SITEMAP} or request.meta.get("dont_obey_robotstxt"):
            return again  # asked for again on every run, by design (revisits)
        try:
            canonical(url)  # raises for a URL no request can be made for
        except ValueError:  # counted as an invalid URL where the request fails
            return None
        key = request_url(url)
        asked = spider.seen_pages if kind == PAGE else spider.requested
        if key in spider.done_keys or key in asked:
            raise IgnoreRequest(f"asked for already: {request.url}")
        asked.add(key)
        return again
