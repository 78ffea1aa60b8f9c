"""The peer of our crawl: a bare Scrapy spider that follows the same links and writes nothing.

    python bench/bare_spider.py URL [--concurrency 8] [--delay 0]

Scrapy's own HTTP client, robots.txt obeyed, breadth first, the same
politeness settings as our crawl; pages, stylesheets, scripts, images and
documents on the seed's host are fetched (a/@href, img/@src, link/@href,
script/@src and CSS url()), nothing is stored. Prints one JSON line:
{"pages": N, "responses": M}.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse

CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class BareSpider(Spider):
    name = "bare"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url]
        self.host = urlsplit(url).netloc
        self.pages = 0
        self.responses = 0

    def parse(self, response: Response) -> Iterator[Request]:
        self.responses += 1
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if not isinstance(response, TextResponse):
            return
        if ctype.startswith("text/css"):
            links = CSS_URL.findall(response.text)
        elif ctype.startswith("text/html"):
            if response.status == 200:
                self.pages += 1
            links = response.xpath("//a/@href|//img/@src|//link/@href|//script/@src").getall()
        else:
            return
        for href in links:
            url = urldefrag(response.urljoin(href.strip()))[0]
            if url.startswith("http") and urlsplit(url).netloc == self.host:
                yield Request(url, callback=self.parse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": args.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "CONCURRENT_REQUESTS": max(16, args.concurrency * 4),
        "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "ERROR",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "DEPTH_PRIORITY": 1, "RETRY_TIMES": 2,
        "HTTPERROR_ALLOW_ALL": True,
        "EXTENSIONS": {"scrapy.extensions.logstats.LogStats": None},
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, url=args.url)
    process.start()
    spider = crawler.spider
    print(json.dumps({"pages": spider.pages, "responses": spider.responses}))


if __name__ == "__main__":
    main()
