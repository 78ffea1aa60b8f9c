"""Load limits and refusals of the Wayback Machine stand-in (docs/wayback-facts.md section 3).

Over a per-minute rate the archive answers 429 without Retry-After; a client that keeps
asking for more than a minute is refused any connection for an hour, doubling on each
repeat; now and then a request fails for no reason of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from email.utils import formatdate
from typing import Any

MINUTE, HOUR = 60.0, 3600.0

NGINX_PAGE = ("<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1>"
              "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
RUNTIME_503 = "org.archive.util.io.RuntimeIOException: Service Temporarily Unavailable"
TOO_MANY = ("<!DOCTYPE html>\n<html><head><title>429 Too Many Requests</title></head><body>"
            "<h1>Too Many Requests</h1><p>We are limiting the rate of requests from your IP "
            "address.</p></body></html>\n")


class Limiter:
    """Per client address and kind: a sliding window of requests, the 429 streak, blocks.

    FACTS 3 (IA staff in edgi-govdata-archiving/wayback#137): about 60 CDX requests a
    minute; "If 429s are ignored for more than a minute we block the IP at the firewall
    (no connection) for 1 hour", doubling on each repeat. Every request counts in the
    window, a refused one too, so a client that keeps asking stays refused.
    """

    def __init__(self, limits: dict[str, int], scale: float) -> None:
        self.limits = limits
        self.window = MINUTE / scale
        self.grace = MINUTE / scale
        self.block_base = HOUR / scale
        self.times: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.streak: dict[tuple[str, str], float] = {}
        self.blocks: Counter[str] = Counter()
        self.blocked_until: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []

    def check(self, ip: str, kind: str, now: float) -> str:
        """``ok``, ``limited`` (answer 429) or ``block`` (429s ignored past the grace)."""
        times = self.times[(ip, kind)]
        while times and times[0] <= now - self.window:
            times.popleft()
        times.append(now)
        if len(times) <= self.limits[kind]:
            self.streak.pop((ip, kind), None)
            return "ok"
        start = self.streak.setdefault((ip, kind), now)
        return "block" if now - start > self.grace else "limited"

    def block(self, ip: str, now: float) -> float:
        """Block for an hour, twice as long as the last time; the end of the block."""
        self.blocks[ip] += 1
        seconds = self.block_base * 2 ** (self.blocks[ip] - 1)
        self.blocked_until[ip] = now + seconds
        self.history.append({"ip": ip, "start": now, "seconds": seconds, "until": now + seconds})
        for key in [k for k in self.times if k[0] == ip]:
            del self.times[key]
            self.streak.pop(key, None)
        return now + seconds

    def expire(self, now: float) -> None:
        """Lift the blocks that have run out."""
        for ip in [ip for ip, until in self.blocked_until.items() if until <= now]:
            del self.blocked_until[ip]


def too_many_headers() -> list[tuple[str, str]]:
    """FACTS 3: no Retry-After; headers as in akamhy/waybackpy#142."""
    return [("server", "nginx"), ("date", formatdate(usegmt=True)),
            ("content-type", "text/html; charset=utf-8"), ("cache-control", "no-cache"),
            ("x-app-server", "wwwb-standin"), ("x-ts", "429"), ("x-tr", "1"), ("x-rl", "0"),
            ("x-na", "0"), ("x-page-cache", "MISS"), ("x-nid", "-"),
            ("referrer-policy", "no-referrer-when-downgrade"),
            ("permissions-policy", "interest-cohort=()")]


def fault_answer(fault: str, kind: str) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """nginx's page for a failing backend (FACTS 3: hartator/wayback-machine-downloader#269)."""
    reason = "Service Temporarily Unavailable" if fault == "503" else "Gateway Time-out"
    headers = [("Server", "nginx"), ("Date", formatdate(usegmt=True)),
               ("Content-Type", "text/html")]
    if kind == "cdx" and fault == "503":  # HttpCDXWriter.serverError
        headers.append(("X-Archive-Wayback-Runtime-Error", RUNTIME_503))
    return int(fault), reason, headers, NGINX_PAGE.format(f"{fault} {reason}").encode()
