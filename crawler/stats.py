"""The crawl's stats collector: Scrapy's, without a lookup hook on every attribute.

Scrapy's StatsCollector routes every attribute read through a Python
``__getattribute__`` that wraps its methods to warn about a deprecated
``spider`` argument: an f-string, a failed lookup and a wrapper call each time
a counter moves, about ten times a request (2% of a CPU-bound crawl's time).
The methods are the same; only the hook is gone. A ``spider`` argument is
still taken, as before, and ignored.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class Stats(MemoryStatsCollector):
    """MemoryStatsCollector with plain attribute lookup (STATS_CLASS)."""

    __getattribute__ = object.__getattribute__
