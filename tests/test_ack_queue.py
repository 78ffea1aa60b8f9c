"""The shared frontier's ack queue on a real redis-server, with Scrapy's own retry requests.

A retry chain may cross workers (a 503 retried by another worker) and the worker
holding a chain may die: each logical request has one token, moved with its
retries, cleared by the ack wherever the chain ended, put back once.
"""

from __future__ import annotations

import time

import pytest
import redis
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.test import get_crawler

from crawler.distributed import AckQueue, slots_key

KEY = "t:requests"


@pytest.fixture(scope="module")
def server(redis_url: str) -> redis.Redis:
    """The session's redis-server, database 3 (the crawl tests use 0-2)."""
    return redis.Redis.from_url(redis_url.replace("/0", "/3"))


@pytest.fixture
def workers(server: redis.Redis) -> tuple[AckQueue, AckQueue]:
    server.flushdb()
    spider = Spider(name="t")
    return (AckQueue(server, spider, KEY, worker="a"), AckQueue(server, spider, KEY, worker="b"))


SPIDER = Spider.from_crawler(get_crawler(Spider), name="t")  # with stats, as retries need


def _retry(request: Request) -> Request:
    retried = get_retry_request(request, spider=SPIDER, reason="503 Service Unavailable",
                                max_retry_times=5)
    assert retried is not None
    return retried


def test_a_retry_chain_across_workers_empties_the_queue(workers: tuple[AckQueue, AckQueue]) -> None:
    a, b = workers
    a.push(Request("http://example.test/feil/"))
    first = a.pop()
    assert first is not None and len(a) == 1  # in flight at a
    a.push(_retry(first))  # a got 503: the retry is queued, the token moves with it
    assert len(a) == 1
    second = b.pop()
    assert second is not None and second.meta["_redis_token"] == first.meta["_redis_token"]
    b.push(_retry(second))
    third = a.pop()
    assert third is not None
    a.ack(third)  # the chain ends at a
    assert len(a) == 0 and len(b) == 0, "a token was left behind: the crawl would never end"


def test_the_holder_of_a_chain_dies_and_it_is_put_back_once(
        workers: tuple[AckQueue, AckQueue], server: redis.Redis) -> None:
    a, b = workers
    a.push(Request("http://example.test/feil/"))
    a.push(Request("http://example.test/other/"))
    first = a.pop()
    assert first is not None
    a.push(_retry(first))
    taken = [b.pop(), b.pop()]  # the retry and the other request
    assert all(r is not None for r in taken)
    other = next(r for r in taken if r is not None and r.url.endswith("/other/"))
    server.zadd(slots_key("t", "example.test"), {"b:1:1": time.time() * 1000 + 90_000,
                                                 "a:2:2": time.time() * 1000 + 90_000})
    server.delete(b.heartbeat_key)  # b is killed: its heartbeat lapses
    assert a.requeue_dead() == 2  # each logical request once, not each step of its chain
    assert server.zrange(slots_key("t", "example.test"), 0, -1) == [b"a:2:2"]  # b's slot freed
    again = [a.pop(), a.pop()]
    assert a.pop() is None
    tokens = {r.meta["_redis_token"] for r in again if r is not None}
    assert tokens == {first.meta["_redis_token"], other.meta["_redis_token"]}
    retried = next(r for r in again if r is not None and r.url.endswith("/feil/"))
    assert retried.meta.get("retry_times") == 1  # the chain goes on where it was
    for r in again:
        assert r is not None
        a.ack(r)
    assert len(a) == 0


def test_the_heartbeats_wake_up_request_never_reaches_the_scheduler(redis_url: str) -> None:
    """Heartbeat.tick wakes an idle engine with engine.crawl(); request_scheduled drops it."""
    from scrapy import signals
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    from crawler.distributed import WAKE, WAKE_URL, Heartbeat

    crawler = get_crawler(Spider, {"REDIS_URL": redis_url})
    beat = Heartbeat.from_crawler(crawler)  # kept: signals hold their handlers weakly

    def dropped(request: Request) -> bool:
        results = crawler.signals.send_catch_log(signals.request_scheduled, request=request,
                                                 spider=None, dont_log=IgnoreRequest)
        return any(isinstance(r, Failure) and r.check(IgnoreRequest) for _, r in results)

    assert dropped(Request(WAKE_URL, meta={WAKE: True}, dont_filter=True))
    assert not dropped(Request("http://www.akershus.no/"))
    assert beat.crawler is crawler
