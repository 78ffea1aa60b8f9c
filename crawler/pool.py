"""Persistent connections for the recording client: HTTP/1.1 keep-alive, bounded per host.

A new TCP connection per request is what made small servers drop us: Python's
``http.server`` listens with a backlog of 5, so a burst of connects overflows
it and the kernel retries each dropped one after 1, 3, 7 ... seconds. Kept
connections cost one connect (and on https one TLS handshake) per connection,
not per request, and new ones to a server (an address and port, whichever host
names it serves) are opened one after another, spaced by ``connect_interval``,
so a small accept queue always keeps up.

At most ``max_per_host`` connections, busy or idle, are open to one host (the
crawl's ``--concurrency``, which Scrapy applies per host name too). An idle connection is reused while it is
younger than ``idle_timeout`` (or the server's ``Keep-Alive: timeout=``, less
a second) and still quiet: one the server closed, or that holds bytes nobody
asked for, is dropped rather than read as the next answer.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str, str, int]  # (scheme, host name, address, port)


@dataclass
class Connection:
    """One open connection and what it is known by."""

    key: Key
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    ip_address: str | None
    expires: float = 0.0  # loop time after which it is not reused
    exchanges: int = 0  # exchanges made on it so far

    def quiet(self, now: float) -> bool:
        """Still open, not expired, and with nothing unread in it."""
        buffered = getattr(self.reader, "_buffer", b"")  # asyncio keeps no public count
        return (now < self.expires and not self.writer.is_closing()
                and not self.reader.at_eof() and not buffered
                and self.reader.exception() is None)

    def close(self) -> None:
        try:
            self.writer.close()
        except (OSError, RuntimeError):  # already gone, or its loop closed
            pass


@dataclass
class _Host:
    """The connections to one host: how many are open, the idle ones, who waits."""

    open: int = 0
    idle: deque[Connection] = field(default_factory=deque)
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)


@dataclass
class _Listener:
    """One address and port connected to: its accept queue is what pacing protects."""

    next_connect: float = 0.0
    pacing: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class PoolStats:
    connects: int = 0
    reused: int = 0
    stale: int = 0  # idle connections found closed or expired when wanted


class ConnectionPool:
    """Connections by address, reused across requests (see the module docstring)."""

    def __init__(self, ssl_context: ssl.SSLContext, max_per_host: int, idle_timeout: float,
                 connect_interval: float, limit: int, keep_alive: bool = True) -> None:
        self.ssl_context = ssl_context
        self.max_per_host = max(1, max_per_host)
        self.idle_timeout = idle_timeout
        self.connect_interval = connect_interval
        self.limit = limit  # the StreamReader's buffer limit
        self.keep_alive = keep_alive
        self.stats = PoolStats()
        self._hosts: dict[Key, _Host] = {}
        # Paced by address, not host name: several names (www., static., the bare
        # domain) may be one server, and their connects share its one accept queue.
        self._listeners: dict[tuple[str, int], _Listener] = {}

    async def acquire(self, key: Key, timeout: float) -> tuple[Connection, bool]:
        """A connection for ``key`` and whether it was reused; waits while the host is full."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        host = self._hosts.setdefault(key, _Host())
        while True:
            conn = self._take_idle(host, loop.time())
            if conn is not None:
                self.stats.reused += 1
                return conn, True
            if host.open < self.max_per_host:
                break
            waiter = loop.create_future()
            host.waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, max(deadline - loop.time(), 0))
            except BaseException as exc:
                if waiter in host.waiters:
                    host.waiters.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake(host)  # woken but leaving: the turn goes to the next one
                if isinstance(exc, TimeoutError):
                    raise TimeoutError("no free connection in time") from None
                raise
        host.open += 1
        try:
            conn = await self._connect(key, deadline)
        except BaseException:
            host.open -= 1
            self._wake(host)
            raise
        self.stats.connects += 1
        return conn, False

    def _take_idle(self, host: _Host, now: float) -> Connection | None:
        while host.idle:
            conn = host.idle.pop()  # the most recently used first
            if conn.quiet(now):
                return conn
            self.stats.stale += 1
            conn.close()
            host.open -= 1
        return None

    async def _connect(self, key: Key, deadline: float) -> Connection:
        scheme, name, address, port = key
        loop = asyncio.get_running_loop()
        listener = self._listeners.setdefault((address, port), _Listener())
        async with listener.pacing:  # one connect at a time per server, spaced
            wait = listener.next_connect - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            listener.next_connect = loop.time() + self.connect_interval
        tls = scheme == "https"
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, ssl=self.ssl_context if tls else None,
                                    server_hostname=name if tls else None, limit=self.limit),
            timeout=max(deadline - loop.time(), 0.001))
        peer: Any = writer.get_extra_info("peername")
        return Connection(key, reader, writer, peer[0] if peer else None)

    def release(self, conn: Connection, reusable: bool, keep_for: float | None = None) -> None:
        """Give a connection back after an exchange; kept idle only when ``reusable``."""
        conn.exchanges += 1
        host = self._hosts[conn.key]
        if reusable and self.keep_alive:
            ttl = self.idle_timeout if keep_for is None else min(self.idle_timeout, keep_for)
            conn.expires = asyncio.get_running_loop().time() + ttl
            host.idle.append(conn)
        else:
            conn.close()
            host.open -= 1
        self._wake(host)

    @staticmethod
    def _wake(host: _Host) -> None:
        while host.waiters:
            waiter = host.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close(self) -> None:
        """Close every idle connection (busy ones close when their exchange ends)."""
        for host in self._hosts.values():
            while host.idle:
                host.idle.popleft().close()
                host.open -= 1
