"""Scrapy's request fingerprint, keyed by the URL as the crawl requests it.

Scrapy's default fingerprinter canonicalises with w3lib, which sorts the query:
``?b=1&a=2`` and ``?a=2&b=1`` would be one request and whichever came first
would be archived, so the archive would depend on the order links were met (a
resumed crawl meets them in another). Here two requests are the same when their
normalised URLs (``crawler.links.request_url``: RFC 3986 equivalences only)
are, so what is fetched is the same whatever the order.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy import Request

from crawler.links import request_url


class RequestFingerprinter:
    """Method, normalised URL and body, hashed (SHA-1) as Scrapy's own are."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        digest = hashlib.sha1()
        digest.update(request.method.encode("ascii"))
        digest.update(b"\0" + request_url(request.url).encode("ascii", "replace") + b"\0")
        digest.update(request.body or b"")
        return digest.digest()
