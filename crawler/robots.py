"""robots.txt: always fetched and archived, obeyed unless the archivist says not to.

Scrapy's own middleware does nothing at all when robots are ignored, but an
archive wants the robots.txt record either way (it documents the site's
policy at the time), and the spider wants its ``Sitemap:`` lines.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet.defer import Deferred


class SiteRobotsMiddleware(RobotsTxtMiddleware):
    """Fetch robots.txt once per host; disallow only when ``ROBOTSTXT_OBEY`` is on."""

    def __init__(self, crawler: Crawler) -> None:  # noqa: D107 - no NotConfigured here
        self.obey = crawler.settings.getbool("ROBOTSTXT_OBEY")
        self._default_useragent = crawler.settings["USER_AGENT"]
        self._robotstxt_useragent = crawler.settings["ROBOTSTXT_USER_AGENT"]
        self.crawler = crawler
        self._stats = crawler.stats
        self._parsers = {}
        self._parserimpl = load_object(crawler.settings.get("ROBOTSTXT_PARSER"))

    async def robot_parser(self, request: Request) -> Any:
        """The host's parser, also for requests that waited while robots.txt was fetched.

        Several requests waiting on the same fetch share one Deferred, and only
        the first waiter is handed the parser (the next ones get None, which
        would let them through). Once the fetch is over, read the parser again.
        """
        parser = await super().robot_parser(request)
        if parser is None:
            current = self._parsers.get(urlparse_cached(request).netloc)
            if not isinstance(current, Deferred):
                return current
        return parser

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        if not request.url.startswith(("http://", "https://")):
            return
        rp = await self.robot_parser(request)
        if not self.obey:
            return
        try:
            self.process_request_2(rp, request)
        except IgnoreRequest:
            skipped = getattr(self.crawler.spider, "skipped", None)
            if skipped:
                skipped(request.url, "robots")
            raise
