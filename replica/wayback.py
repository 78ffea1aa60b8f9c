"""A stand-in for the Wayback Machine (web.archive.org) serving captures read from WARCs.

It answers as the real archive does, as recorded with public sources in
docs/wayback-facts.md (FACTS): the CDX API at ``/cdx/search/cdx``
(replica/wayback_cdx.py), raw and view replay at ``/web/<ts><mode>/<url>``
(replica/wayback_replay.py), an index with the variety of the real one
(replica/wayback_index.py), and its load limits: 429 over a per-minute rate,
refused connections for a client that ignores them, transient failures.

Run ``python -m replica.wayback [options] WARC...``: the first stdout line is
``http://127.0.0.1:PORT``; SIGTERM or SIGINT ends it. ``GET /__standin__/state``
tells what was asked and answered and the truth about every capture, never rate
limited or counted. Tests and benchmarks use :class:`WaybackStandIn`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self
from urllib.parse import parse_qs
from urllib.request import urlopen

from .wayback_cdx import answer as cdx_answer
from .wayback_cdx import wants_gzip
from .wayback_http import BadRequest, Request, read_request, reset, send
from .wayback_index import Index, build_index, read_warcs
from .wayback_limits import NGINX_PAGE, TOO_MANY, Limiter, fault_answer, too_many_headers
from .wayback_replay import replay

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CONTROL = "/__standin__/"
IDLE_TIMEOUT = 75.0  # nginx's keepalive_timeout


@dataclass
class Options:
    """How the stand-in behaves; each is a command-line option of the same name."""

    seed: int = 0
    variants: bool = True
    unplayable_every: int = 17
    cdx_per_minute: int = 60
    replay_per_minute: int = 600
    time_scale: float = 1.0
    transient_rate: float = 0.0
    paged: bool = False
    page_size: int = 10
    max_limit: int = 150000
    latency_ms: float = 0.0
    base: str = ""
    port: int = 0


class WaybackServer:
    """The archive on 127.0.0.1: a main port and a control port, one asyncio loop."""

    def __init__(self, index: Index, options: Options) -> None:
        self.index = index
        self.options = options
        self.limiter = Limiter({"cdx": options.cdx_per_minute,
                                "replay": options.replay_per_minute}, options.time_scale)
        self.offset = 0.0  # added to the clock by /__standin__/advance
        self.faults = random.Random(options.seed + 7919)
        self.latency = random.Random(options.seed + 104729)
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.fault_counts: Counter[str] = Counter()
        self.refused = 0
        self.port = options.port
        self._main: asyncio.Server | None = None
        self._control: asyncio.Server | None = None
        self._conns: dict[str, set[asyncio.StreamWriter]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def control_url(self) -> str:
        assert self._control is not None
        return f"http://{HOST}:{self._control.sockets[0].getsockname()[1]}"

    def clock(self) -> float:
        return time.monotonic() + self.offset

    async def start(self) -> None:
        # before the URL is printed: a SIGTERM right after it must stop us cleanly
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)
        await self._listen()
        self._control = await asyncio.start_server(
            lambda r, w: self._connection(r, w, control=True), HOST, 0)

    async def _listen(self) -> None:
        for _ in range(100):
            try:
                self._main = await asyncio.start_server(
                    lambda r, w: self._connection(r, w, control=False), HOST, self.port,
                    reuse_address=True, backlog=128)
                self.port = self._main.sockets[0].getsockname()[1]
                return
            except OSError:  # the port reopened after a block may be briefly taken
                if not self.port:
                    raise
                await asyncio.sleep(0.05)
        raise OSError(f"cannot listen on port {self.port} again")

    async def serve(self) -> None:
        """Until SIGTERM or SIGINT; blocks end on time meanwhile."""
        watcher = asyncio.create_task(self._watch_blocks())
        await self._stopping.wait()
        watcher.cancel()
        for server in (self._main, self._control):
            if server is not None:
                server.close()
        for conns in self._conns.values():
            for w in list(conns):
                w.transport.abort()

    async def _watch_blocks(self) -> None:
        while True:
            untils = list(self.limiter.blocked_until.values())
            timeout = max(0.0, min(untils) - self.clock()) if untils else None
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            await self._expire()

    async def _expire(self) -> None:
        self.limiter.expire(self.clock())
        if not self.limiter.blocked_until and self._main is None:
            await self._listen()

    def _block(self, ip: str) -> None:
        """Refuse the client (FACTS 3: "block the IP at the firewall (no connection)";
        clients see "Connection refused - connect(2)"). Every client of a server bound to
        127.0.0.1 has that one address, so blocking it is closing the port."""
        self.limiter.block(ip, self.clock())
        if self._main is not None:
            self._main.close()
            self._main = None
        for w in list(self._conns.get(ip, ())):
            reset(w)
        self._wake.set()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                          control: bool) -> None:
        ip = str(writer.get_extra_info("peername")[0])
        if not control and ip in self.limiter.blocked_until:
            self.refused += 1
            reset(writer)
            return
        self._conns[ip].add(writer)
        try:
            while True:
                try:
                    request = await asyncio.wait_for(read_request(reader), IDLE_TIMEOUT)
                except BadRequest:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                    break
                if request is None or not await self._dispatch(request, writer, ip, control):
                    break
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, asyncio.CancelledError):
            pass  # a cancelled connection: the server is stopping
        finally:
            self._conns[ip].discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _dispatch(self, req: Request, writer: asyncio.StreamWriter, ip: str,
                        control: bool) -> bool:
        """Answer one request; False when the connection is to end."""
        path, _, query = req.target.partition("?")
        keep = req.keep_alive
        if path.startswith(CONTROL):
            status, body = await self._control_answer(path, query)
            await send(writer, status, {200: "OK", 400: "Bad Request"}.get(status, "Not Found"),
                       [("Content-Type", "application/json")], body, keep=keep)
            return keep
        if control:
            await send(writer, 404, "Not Found", [("Content-Type", "text/plain")],
                       b"control port\n", keep=keep)
            return keep
        kind = "cdx" if path.startswith("/cdx/search") else (
            "replay" if path.startswith("/web/") else "other")
        now = self.clock()
        if kind != "other":
            if ip in self.limiter.blocked_until:  # a kept connection of a blocked client
                self.counts[kind]["closed"] += 1
                reset(writer)
                return False
            verdict = self.limiter.check(ip, kind, now)
            if verdict == "block":
                self.counts[kind]["closed"] += 1
                self._block(ip)
                return False
            if verdict == "limited":
                self.counts[kind]["429"] += 1
                await send(writer, 429, "Too Many Requests", too_many_headers(),
                           TOO_MANY.encode(), keep=keep, head=req.method == "HEAD")
                return keep
            fault = self._fault(kind)
            if fault == "closed":  # "Remote end closed connection without response"
                self.counts[kind]["closed"] += 1
                self.fault_counts["closed"] += 1
                writer.close()
                return False
            if fault:
                self.counts[kind][fault] += 1
                self.fault_counts[fault] += 1
                await send(writer, *fault_answer(fault, kind), keep=keep,
                           head=req.method == "HEAD")
                return keep
            if self.options.latency_ms > 0:  # FACTS 3: replays are slow and variable
                await asyncio.sleep(self.options.latency_ms / 1000 / self.options.time_scale
                                    * self.latency.uniform(0.5, 1.5))
        base = self.options.base or f"http://{req.header('Host') or f'{HOST}:{self.port}'}"
        if kind == "cdx":
            status, reason, headers, body, chunked = self._cdx(query, req)
        elif kind == "replay":
            ans = replay(self.index, req.target, base=base,
                         accept_encoding=req.header("Accept-Encoding"))
            status, reason, headers, body, chunked = (ans.status, ans.reason, ans.headers,
                                                      ans.body, ans.chunked)
        else:
            status, reason, chunked = 404, "Not Found", False
            headers = [("Server", "nginx"), ("Date", formatdate(usegmt=True)),
                       ("Content-Type", "text/html; charset=utf-8")]
            body = NGINX_PAGE.format("404 Not Found").encode()
        self.counts[kind][str(status)] += 1
        await send(writer, status, reason, headers, body, keep=keep, chunked=chunked,
                   head=req.method == "HEAD", http10=req.version == "HTTP/1.0")
        return keep

    def _fault(self, kind: str) -> str | None:
        """FACTS 3: intermittent 503 (nginx page), 504 from CDX, closed connections."""
        rate = self.options.transient_rate
        if rate <= 0 or self.faults.random() >= rate:
            return None
        return self.faults.choice(("503", "504", "closed") if kind == "cdx"
                                  else ("503", "closed"))

    def _cdx(self, query: str, req: Request) -> tuple[int, str, list[tuple[str, str]],
                                                        bytes, bool]:
        params = parse_qs(query, keep_blank_values=True)
        ans = cdx_answer(self.index, params, paged=self.options.paged,
                         page_size=self.options.page_size, max_limit=self.options.max_limit)
        body = ans.body.encode("utf-8")
        headers = [("Server", "nginx"), ("Date", formatdate(usegmt=True)),
                   ("Content-Type", ans.content_type), *ans.headers]
        # FACTS 1: gzip when the client accepts it, unless gzip=false (CDXJ determineGzip)
        if wants_gzip(params, req.header("Accept-Encoding")):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        headers += [("x-app-server", "wwwb-standin"), ("x-ts", str(ans.status))]
        return ans.status, "OK" if ans.status == 200 else "Bad Request", headers, body, True

    async def _control_answer(self, path: str, query: str) -> tuple[int, bytes]:
        name = path[len(CONTROL):].strip("/")
        if name == "advance":
            try:
                seconds = float(parse_qs(query).get("seconds", ["0"])[-1])
            except ValueError:
                return 400, b'{"error": "seconds must be a number"}\n'
            self.offset += seconds
            await self._expire()
            self._wake.set()
        elif name != "state":
            return 404, b'{"error": "unknown control"}\n'
        return 200, json.dumps(self.state(), indent=1).encode() + b"\n"

    def state(self) -> dict[str, Any]:
        """What the control endpoint shows (see the module docstring)."""
        now = self.clock()
        by_status: Counter[str] = Counter()
        for counts in self.counts.values():
            by_status.update(counts)
        until = max(self.limiter.blocked_until.values(), default=None)

        def wall(t: float) -> str:
            stamp = time.time() + (t - now)
            return datetime.fromtimestamp(stamp, UTC).isoformat()

        return {
            "url": self.url, "control_url": self.control_url, "pid": os.getpid(),
            "options": asdict(self.options),
            "clock": {"now": now, "offset": self.offset, "window_seconds": self.limiter.window,
                      "grace_seconds": self.limiter.grace,
                      "block_seconds": self.limiter.block_base},
            "requests": {
                "total": sum(by_status.values()),
                "by_kind": {k: sum(c.values()) for k, c in sorted(self.counts.items())},
                "by_status": dict(sorted(by_status.items())),
                "by_kind_status": {k: dict(sorted(c.items()))
                                   for k, c in sorted(self.counts.items())},
            },
            "rate_limited": by_status.get("429", 0),
            "faults": dict(self.fault_counts),
            "refused_connections": self.refused,
            "blocks": {
                "count": sum(self.limiter.blocks.values()),
                "blocked": bool(self.limiter.blocked_until),
                "blocked_until": wall(until) if until is not None else None,
                "seconds_left": max(0.0, until - now) if until is not None else 0.0,
                "history": [{**h, "until_utc": wall(h["until"])} for h in self.limiter.history],
            },
            "lines": len(self.index.lines),
            "captures": [c.summary() for c in self.index.captures],
        }


# --- command line ----------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> tuple[Options, list[Path]]:
    p = argparse.ArgumentParser(prog="python -m replica.wayback",
                                description="Serve WARC captures as the Wayback Machine would.")
    p.add_argument("warcs", nargs="+", type=Path, metavar="WARC")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1, 0 = any free one")
    p.add_argument("--seed", type=int, default=0, help="seed of every choice (default: 0)")
    p.add_argument("--variants", action=argparse.BooleanOptionalAction, default=True,
                   help="URL variants, revisit rows, duplicate lines, unplayable captures")
    p.add_argument("--unplayable-every", type=int, default=17, metavar="N",
                   help="every Nth capture of a URL with others cannot be played (0: none)")
    p.add_argument("--cdx-per-minute", type=int, default=60, metavar="N",
                   help="CDX requests a client may make per minute before 429 (default: 60)")
    p.add_argument("--replay-per-minute", type=int, default=600, metavar="N",
                   help="replays a client may fetch per minute before 429 (default: 600)")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                   help="divide every duration (windows, grace, blocks) by F")
    p.add_argument("--transient-rate", type=float, default=0.0, metavar="R",
                   help="share of requests answered 503/504 or closed unanswered")
    p.add_argument("--paged", action="store_true", help="support page= and showNumPages")
    p.add_argument("--page-size", type=int, default=10, help="CDX lines per page with --paged")
    p.add_argument("--max-limit", type=int, default=150000, help="most lines per CDX query")
    p.add_argument("--latency-ms", type=float, default=0.0,
                   help="mean delay of each CDX and replay answer (scaled by --time-scale)")
    p.add_argument("--base", default="", help="archive base URL in Location and Link "
                   "(default: http:// and the request's Host)")
    args = p.parse_args(argv)
    if args.time_scale <= 0:
        p.error("--time-scale must be positive")
    fields = {k: v for k, v in vars(args).items() if k != "warcs"}
    return Options(**fields), list(args.warcs)


async def _amain(options: Options, warcs: list[Path]) -> None:
    captures = read_warcs(warcs)
    index = build_index(captures, seed=options.seed, variants=options.variants,
                        unplayable_every=options.unplayable_every)
    server = WaybackServer(index, options)
    await server.start()
    logger.info("%d captures, %d CDX lines", len(index.captures), len(index.lines))
    print(server.url, flush=True)
    await server.serve()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options, warcs = parse_args(argv)
    try:
        asyncio.run(_amain(options, warcs))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        pass
    return 0


# --- for tests and benchmarks ----------------------------------------------------------

class WaybackStandIn:
    """The stand-in as a process: ``with WaybackStandIn([warc], time_scale=60) as wb: ...``.

    Options are those of :class:`Options` (``variants=False`` is ``--no-variants``).
    """

    def __init__(self, warcs: list[Path], startup_timeout: float = 120.0,
                 **options: Any) -> None:
        unknown = set(options) - set(Options.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown options: {sorted(unknown)}")
        self.warcs = [Path(w) for w in warcs]
        self.options = options
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.control_url = ""
        self._stderr: IO[bytes] | None = None

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "replica.wayback"]
        for name, value in self.options.items():
            flag = "--" + name.replace("_", "-")
            if isinstance(value, bool):
                if name == "variants":
                    args.append(flag if value else "--no-variants")
                elif value:
                    args.append(flag)
            elif value is not None:
                args += [flag, str(value)]
        return args + [str(w) for w in self.warcs]

    @property
    def replay(self) -> str:
        return self.url + "/web"

    @property
    def cdx(self) -> str:
        return self.url + "/cdx/search/cdx"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def start(self) -> Self:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], self.startup_timeout)
        line = self.process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the stand-in did not start: {self.stderr()[-3000:]}")
        self.url = line
        self.control_url = self._get(self.url + CONTROL + "state")["control_url"]
        return self

    def _get(self, url: str) -> dict[str, Any]:
        with urlopen(url, timeout=30) as resp:
            return json.loads(resp.read())

    def state(self) -> dict[str, Any]:
        """The control JSON, from the control port (reachable while clients are blocked)."""
        return self._get(self.control_url + CONTROL + "state")

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the stand-in's clock on (seconds already divided by the time scale)."""
        return self._get(f"{self.control_url}{CONTROL}advance?seconds={seconds}")

    def stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """End the process; its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()


if __name__ == "__main__":
    sys.exit(main())
