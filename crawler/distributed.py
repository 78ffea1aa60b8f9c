"""One crawl on several machines: a shared frontier, shared politeness, shared dedup on Redis.

Built on scrapy-redis (its scheduler and shared duplicate filter), with what
an archive needs and scrapy-redis does not give:

- **No URL lost when a worker dies.** scrapy-redis pops a request and forgets
  it. :class:`AckQueue` moves a popped request to the worker's in-flight hash
  in the same atomic step, and removes it only when the request is finished
  (its response archived and its links queued, or its failure recorded).
  Every worker beats a heartbeat key; the in-flight requests of a worker
  whose heartbeat has lapsed go back to the queue.
- **Politeness across workers.** :class:`SharedPoliteness` keeps, per host,
  the earliest time the next request may start and a semaphore of requests
  in flight, both in Redis, so N workers together keep one host's delay and
  concurrency, not N times it.
- **One payload, one record.** :class:`SharedDigests` is the revisit index in
  Redis, so a payload fetched by two workers is stored once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler import settings as defaults
from crawler.resume import Revisitable

logger = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}-{os.getpid()}"
# The token of a popped request's logical request (meta key): copied with the meta
# into its retries and redirects, so each step of the chain is the same request.
TOKEN = "_redis_token"

# Atomically take the best request and note it as in flight for this worker, under
# the token of its logical request: the one it was queued with (a retry, a request
# put back), else a new one. KEYS: queue, this worker's in-flight hash, token_of.
POP_SCRIPT = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return nil end
redis.call('ZREM', KEYS[1], item[1])
local token = redis.call('HGET', KEYS[3], item[1])
if token then redis.call('HDEL', KEYS[3], item[1]) else token = redis.sha1hex(item[1]) end
redis.call('HSET', KEYS[2], token, cjson.encode({item[2], item[1]}))
return {token, item[1]}
"""

# Queue the next step of a logical request this worker holds (a retry, a redirect):
# its token moves from the in-flight hash to the queue, in one step.
# KEYS: queue, this worker's in-flight hash, token_of; ARGV: score, member, token.
MOVE_SCRIPT = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HDEL', KEYS[2], ARGV[3])
return 1
"""

# Put back the in-flight requests of a worker whose heartbeat lapsed, each logical
# request once, under its token. KEYS: queue, the dead worker's hash, its heartbeat,
# token_of.
REQUEUE_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local e = cjson.decode(entries[i + 1])
  redis.call('ZADD', KEYS[1], e[1], e[2])
  redis.call('HSET', KEYS[4], e[2], entries[i])
end
redis.call('DEL', KEYS[2])
return #entries / 2
"""

# Per host: take the start now if the shared next-start time has come, moving it on
# by the delay (returns 0); else the microseconds left. KEYS: the host's next start;
# ARGV: the delay in microseconds. Redis's clock, so workers' clocks need not agree.
DELAY_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= nxt then
  redis.call('SET', KEYS[1], now + tonumber(ARGV[1]),
             'PX', math.floor(tonumber(ARGV[1]) / 1000) + 60000)
  return 0
end
return nxt - now
"""

# Per host semaphore with expiring holders (a dead worker's slots free themselves).
ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""


# The heartbeat wakes an idle engine with a request that is dropped when
# scheduled (request_scheduled), marked by this meta key; its URL is never fetched.
WAKE = "distributed_wake"
WAKE_URL = "data:,"


# The crawl's finish reason, and the stat holding why, when the Redis server stops
# answering mid-crawl.
LOST_REASON = "redis_lost"
T = TypeVar("T")
F = TypeVar("F")
_LOST = object()  # what shared() gives back once the server is lost
LOST_STAT = "distributed/redis_lost"


class RedisUnreachable(Exception):
    """The Redis server of ``--redis`` does not answer at the start; the message says why."""


def check_reachable(url: str) -> None:
    """Raise :class:`RedisUnreachable` unless the server at ``url`` answers a PING."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (RedisError, OSError, ValueError) as exc:
        raise RedisUnreachable(str(exc) or type(exc).__name__) from None


def lost(crawler: Crawler | None, exc: BaseException) -> None:
    """The Redis server stopped answering: this worker stops cleanly, once.

    The fetches in flight end and are archived, the WARC files close valid, and
    the finish reason is ``redis_lost`` (the command line says what to do). What
    this worker held stays in its in-flight hash in Redis: a run after the
    server is back (with its data: persistence on) puts it back and goes on.
    """
    if crawler is None or crawler.stats is None or crawler.stats.get_value(LOST_STAT):
        return
    crawler.stats.set_value(LOST_STAT, f"{type(exc).__name__}: {exc}")
    logger.info("The Redis server stopped answering (%s): this worker stops", exc)
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        stopping = deferred_from_coro(engine.close_spider_async(reason=LOST_REASON))
        stopping.addErrback(lambda f: logger.debug("Stopping without Redis: %s", f.value))


def is_lost(crawler: Crawler | None) -> bool:
    return bool(crawler is not None and crawler.stats is not None
                and crawler.stats.get_value(LOST_STAT))


@contextmanager
def redis_guard(crawler: Crawler | None) -> Iterator[None]:
    """Run a Redis call; if the server does not answer, stop the worker (:func:`lost`).

    The error is swallowed: the statement after the ``with`` block is the fallback.
    """
    try:
        yield
    except RedisError as exc:
        lost(crawler, exc)


def shared(crawler: Crawler | None, call: Callable[[], T], fallback: F) -> T | F:
    """``call()``, a Redis call; ``fallback`` once the server is lost, or if it is lost now."""
    if not is_lost(crawler):
        with redis_guard(crawler):
            return call()
    return fallback


def slots_key(name: str, host: str = "") -> str:
    """The Redis key of a host's politeness slots (a prefix of them all without a host)."""
    return f"{name}:polite:slots:{host}"


def redis_settings(url: str, name: str = "akershus") -> dict[str, Any]:
    """Settings that put a crawl on Redis (``--redis URL``)."""
    return {
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.AckQueue",
        "SCHEDULER_QUEUE_KEY": f"{name}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{name}:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "DISTRIBUTED_KEY": name,
        # The shared middleware keeps the delay and concurrency across workers.
        "DOWNLOAD_DELAY": 0,
        "DOWNLOADER_MIDDLEWARES": {**defaults.DOWNLOADER_MIDDLEWARES,
                                   "crawler.distributed.SharedPoliteness": 950},
        "EXTENSIONS": {**defaults.EXTENSIONS, "crawler.distributed.Heartbeat": 300},
    }


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler that stops the worker cleanly when Redis goes away.

    Without this, a lost server raised in the engine's loop on every tick: a
    traceback each time, and a worker that never ended.
    """

    def enqueue_request(self, request: Request) -> bool:
        return bool(shared(self._crawler, partial(super().enqueue_request, request), False))

    def next_request(self) -> Request | None:
        return shared(self._crawler, super().next_request, None)

    def has_pending_requests(self) -> bool:
        return bool(shared(self._crawler, super().has_pending_requests, False))

    @property
    def _crawler(self) -> Crawler | None:
        return getattr(self.spider, "crawler", None)


class AckQueue(Base):
    """Priority queue whose pops are acknowledged; see the module docstring."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None,
                 worker: str = WORKER) -> None:
        super().__init__(server, spider, key, serializer)
        self.worker = worker
        self.inflight_key = f"{key}:inflight:{worker}"
        self.heartbeat_key = f"{key}:heartbeat:{worker}"
        self.token_of_key = f"{key}:token_of"
        self._pop = server.register_script(POP_SCRIPT)
        self._move = server.register_script(MOVE_SCRIPT)
        self._requeue = server.register_script(REQUEUE_SCRIPT)
        spider.ack_queue = self
        self.beat()
        self.requeue_dead()

    def __len__(self) -> int:
        """Queued plus in flight anywhere: a worker stays while others may still add."""
        pending = self.server.zcard(self.key)
        for key in self.server.scan_iter(f"{self.key}:inflight:*"):
            pending += self.server.hlen(key)
        return pending

    def push(self, request: Request) -> None:
        """Queue a request; the next step of one this worker holds keeps its token."""
        member = self._encode_request(request)
        token = request.meta.get(TOKEN)
        if token:
            self._move(keys=[self.key, self.inflight_key, self.token_of_key],
                       args=[-request.priority, member, token])
        else:
            self.server.zadd(self.key, {member: -request.priority})

    def pop(self, timeout: int = 0) -> Request | None:
        result = self._pop(keys=[self.key, self.inflight_key, self.token_of_key])
        if not result:
            return None
        token, data = result
        request = self._decode_request(data)
        request.meta[TOKEN] = token.decode() if isinstance(token, bytes) else token
        return request

    def ack(self, request: Request) -> None:
        """The logical request is done: its one token leaves this worker's in-flight hash.

        Without Redis the token stays, and a later run puts the request back.
        """
        token = request.meta.get(TOKEN)
        if token:
            with redis_guard(getattr(self.spider, "crawler", None)):
                self.server.hdel(self.inflight_key, token)

    def beat(self, ttl_ms: int = 10_000) -> None:
        self.server.set(self.heartbeat_key, "1", px=ttl_ms)

    def requeue_dead(self) -> int:
        """Give the requests of workers that stopped beating back to the queue."""
        moved = 0
        prefix = f"{self.key}:inflight:"
        for raw in self.server.scan_iter(f"{prefix}*"):
            key = raw.decode() if isinstance(raw, bytes) else raw
            worker = key[len(prefix):]
            heartbeat = f"{self.key}:heartbeat:{worker}"
            requeued = int(self._requeue(keys=[self.key, key, heartbeat, self.token_of_key]) or 0)
            if requeued or not self.server.exists(heartbeat):
                self.free_slots(worker)
            moved += requeued
        if moved:
            logger.warning("Requeued %d requests of stopped workers", moved)
        return moved

    def free_slots(self, worker: str) -> int:
        """A stopped worker's politeness slots, freed now instead of when they expire."""
        freed = 0
        prefix = slots_key(self.key.rsplit(":", 1)[0])  # the queue is NAME:requests
        mine = f"{worker}:".encode()
        for key in self.server.scan_iter(f"{prefix}*"):
            held = [m for m in self.server.zrange(key, 0, -1)
                    if (m if isinstance(m, bytes) else str(m).encode()).startswith(mine)]
            if held:
                freed += int(self.server.zrem(key, *held))
        return freed

    def clear(self) -> None:
        self.server.delete(self.key, self.inflight_key, self.token_of_key)


class SharedDigests:
    """The revisit index (payload digest -> first capture) kept in a Redis hash.

    Without Redis a payload is written whole (no revisit): nothing is lost.
    """

    def __init__(self, server: Any, key: str, crawler: Crawler | None = None) -> None:
        self.server = server
        self.key = key
        self.crawler = crawler

    def get(self, digest: str) -> Revisitable | None:
        with redis_guard(self.crawler):
            raw = self.server.hget(self.key, digest)
            return Revisitable(**json.loads(raw)) if raw else None
        return None

    def __setitem__(self, digest: str, where: Revisitable) -> None:
        with redis_guard(self.crawler):
            self.server.hsetnx(self.key, digest, json.dumps(where.__dict__))

    def update(self, items: dict[str, Revisitable]) -> None:
        for digest, where in items.items():
            self[digest] = where


MIN_SCRIPT = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or tonumber(ARGV[2]) < tonumber(cur) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return tonumber(ARGV[2])
end
return tonumber(cur)
"""


class SharedFirstHops:
    """The trap rule's first-met hops per path, shared so every worker ends a calendar alike."""

    def __init__(self, server: Any, key: str, crawler: Crawler | None = None) -> None:
        self.server = server
        self.key = key
        self.crawler = crawler
        self._min = server.register_script(MIN_SCRIPT)

    def get(self, path_key: tuple[str, str], default: int) -> int:
        with redis_guard(self.crawler):
            return int(self._min(keys=[self.key], args=["\t".join(path_key), default]))
        return default

    def __setitem__(self, path_key: tuple[str, str], hops: int) -> None:
        with redis_guard(self.crawler):
            self._min(keys=[self.key], args=["\t".join(path_key), hops])


class SharedPoliteness:
    """Downloader middleware: per-host delay and concurrency shared by all workers."""

    def __init__(self, crawler: Crawler) -> None:
        from scrapy_redis.connection import from_settings

        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        self.server = from_settings(settings)
        self.name = settings.get("DISTRIBUTED_KEY", "akershus")
        self.prefix = self.name + ":polite"
        self.delay_us = int(settings.getfloat("SHARED_DOWNLOAD_DELAY") * 1_000_000)
        self.slots = max(settings.getint("SHARED_CONCURRENT_REQUESTS_PER_DOMAIN"), 1)
        self.hold_ms = int(settings.getfloat("DOWNLOAD_TIMEOUT") * 1000) + 30_000
        self._delay = self.server.register_script(DELAY_SCRIPT)
        self._acquire = self.server.register_script(ACQUIRE_SCRIPT)
        crawler.signals.connect(self._left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlsplit(request.url).netloc.lower()
        token = f"{WORKER}:{id(request)}:{time.monotonic_ns()}"
        while not self._shared(self._acquire, keys=[slots_key(self.name, host)],
                               args=[self.slots, self.hold_ms, token]):
            await asyncio.sleep(0.02)  # a slot frees when another worker's fetch ends
        # the start-time slot is reserved by the recording client when it sends (pace)
        request.meta["_polite_slot"] = (host, token)

    async def pace(self, host: str) -> None:
        """Return once this request may start: the delay since ``host``'s last start is over.

        Called by the recording client with the connection ready, just before it
        writes the request (crawler/handler.py). The start is taken at that moment
        (asking again after each wait, not booking a time ahead): a request held up
        after a booking (a connect, a busy event loop) would reach the server
        closer than the delay to the one booked after it. The Redis call blocks,
        so nothing runs between the start being taken and the bytes being written.
        """
        if self.delay_us <= 0:
            return
        key = f"{self.prefix}:next:{host}"
        while (wait_us := int(self._shared(self._delay, keys=[key], args=[self.delay_us]))) > 0:
            await asyncio.sleep(wait_us / 1_000_000)

    def _shared(self, script: Any, **kwargs: Any) -> Any:
        """Run a politeness script; without Redis the request is not sent (and the worker stops)."""
        answer = shared(self.crawler, lambda: script(**kwargs), _LOST)
        if answer is _LOST:
            raise IgnoreRequest("the Redis server stopped answering")
        return answer

    def _left(self, request: Request, spider: Any = None) -> None:
        slot = request.meta.pop("_polite_slot", None)
        if slot:
            host, token = slot
            with redis_guard(self.crawler):  # else the slot expires by itself
                self.server.zrem(slots_key(self.name, host), token)


class Heartbeat:
    """Extension: keeps this worker's heartbeat alive and reaps stopped workers."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("DISTRIBUTED_HEARTBEAT")
        self._loop: Any = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.drop_wake, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Heartbeat:
        return cls(crawler)

    def opened(self, spider: Any) -> None:
        from twisted.internet.task import LoopingCall

        self._loop = LoopingCall(self.tick, spider)
        self._loop.start(self.interval, now=False)

    def tick(self, spider: Any) -> None:
        if is_lost(self.crawler):
            return
        queue = getattr(spider, "ack_queue", None)
        if queue is not None:
            with redis_guard(self.crawler):
                queue.beat(ttl_ms=int(self.interval * 4000))
                queue.requeue_dead()
            if is_lost(self.crawler):
                return
        # Scrapy looks for new requests every 5 s when its queue ran dry; other
        # workers may have queued some since: look now. engine.crawl() is Scrapy's
        # public way to hand the engine a request, and it wakes the engine; this
        # request is dropped by drop_wake before it reaches the scheduler.
        engine = self.crawler.engine
        if engine is not None and engine.running and engine.spider is not None:
            engine.crawl(Request(WAKE_URL, meta={WAKE: True}, dont_filter=True))

    def drop_wake(self, request: Request, spider: Any) -> None:
        """request_scheduled: the heartbeat's wake-up request goes no further."""
        if request.meta.get(WAKE):
            raise IgnoreRequest("the heartbeat's wake-up")

    def closed(self, spider: Any) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        queue = getattr(spider, "ack_queue", None)
        if queue is not None and not is_lost(self.crawler):
            with redis_guard(self.crawler):  # else it lapses by itself
                queue.server.delete(queue.heartbeat_key)
