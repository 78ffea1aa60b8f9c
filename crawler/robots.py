"""robots.txt: always fetched and archived, obeyed unless the archivist says not to.

Scrapy's own middleware does nothing at all when robots are ignored, but an
archive wants the robots.txt record either way (it documents the site's
policy at the time), and the spider wants its ``Sitemap:`` lines.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

logger = logging.getLogger(__name__)


class SiteRobotsMiddleware:
    """Fetch robots.txt once per host; disallow only when ``ROBOTSTXT_OBEY`` is on.

    A downloader middleware of its own (Scrapy's reads nothing when robots are
    ignored, and its cache is private): one fetch per host, shared by every
    request that waits on it, announced with Scrapy's ``robots_parsed`` signal
    (the spider reads the ``Sitemap:`` lines there). A robots.txt that cannot be
    fetched allows everything, as Scrapy's middleware does.
    """

    # ahead of every page: Scrapy's RobotsTxtMiddleware.DOWNLOAD_PRIORITY
    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.obey = settings.getbool("ROBOTSTXT_OBEY")
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT")
        self.user_agent = settings.get("USER_AGENT")
        self.parser_class = load_object(settings.get("ROBOTSTXT_PARSER"))
        # host -> its parser once fetched (None: no usable robots.txt), or the fetch
        self.parsers: dict[str, RobotParser | None | asyncio.Future[RobotParser | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteRobotsMiddleware:
        return cls(crawler)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser; the first request for a host fetches robots.txt, others wait."""
        url = urlparse_cached(request)
        known = self.parsers.get(url.netloc, ...)
        if isinstance(known, asyncio.Future):
            return await asyncio.shield(known)
        if known is not ...:
            return known
        waiting: asyncio.Future[RobotParser | None] = asyncio.get_running_loop().create_future()
        self.parsers[url.netloc] = waiting
        parser = await self._fetch(f"{url.scheme}://{url.netloc}/robots.txt", request)
        self.parsers[url.netloc] = parser
        waiting.set_result(parser)
        return parser

    async def _fetch(self, robots_url: str, request: Request) -> RobotParser | None:
        stats = self.crawler.stats
        robots = Request(robots_url, priority=self.DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        assert self.crawler.engine is not None
        stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
        except IgnoreRequest:
            return None
        except Exception as exc:  # noqa: BLE001 - any failure: no robots.txt, as Scrapy does
            stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            logger.error("Error downloading %s: %s", robots_url, exc)
            return None
        stats.inc_value("robotstxt/response_count")
        stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        parser = build_from_crawler(self.parser_class, self.crawler, response.body)
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=parser, request=request)
        return parser

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        if not request.url.startswith(("http://", "https://")):
            return
        parser = await self.robot_parser(request)
        if not self.obey or parser is None:
            return
        # the agent robots.txt is read for: ROBOTSTXT_USER_AGENT, else the one sent
        agent = self.robots_agent or request.headers.get(b"User-Agent") or self.user_agent
        if not parser.allowed(request.url, agent):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            skipped = getattr(self.crawler.spider, "skipped", None)
            if skipped:
                skipped(request.url, "robots")
            raise IgnoreRequest("Forbidden by robots.txt")
