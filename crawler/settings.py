"""Every setting of the crawl, with its documented default.

This is the Scrapy settings module (``scrapy.cfg`` points here), so
``scrapy crawl akershus`` and ``akershus-archive crawl`` run with the same
defaults. Settings of this project are grouped and prefixed by component
(``ARCHIVE_*``, ``WARC_*``, ``SCOPE_*``, ``WIRE_*``, ``REPORT_*``); each has a
line in ``docs/settings.md`` (a test keeps the two in step).
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy


def _without(components: dict[str, int], off: tuple[str, ...]) -> dict[str, int]:
    """One of Scrapy's base component lists, less the components in ``off``."""
    return {name: order for name, order in components.items() if name not in off}


BOT_NAME = "akershus-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Output -----------------------------------------------------------------
# Archive directory: WARCs go to ARCHIVE_DIR/warc/, the crawl report to
# ARCHIVE_DIR/crawl-report.json.
ARCHIVE_DIR = "akershus-archive-out"

# --- WARC writing (crawler/warcfile.py) -----------------------------------------
# Rotate to a new WARC file once the current one reaches this size (bytes).
WARC_MAX_FILE_SIZE = 1_000_000_000
# Deflate level of each record's gzip member: 6, zlib's and gzip(1)'s default,
# as Heritrix writes (Java's default Deflater). Records are deflated with
# zlib-ng (same format as zlib, about 40% less CPU at this level; files 0.2%
# bigger). The records are the same bytes at any level; only the files' size
# differs (docs/settings.md has the figures). A payload that is compressed
# already is stored, not deflated again, at any level (crawler/deflate.py).
WARC_GZIP_LEVEL = 6
# File name prefix; names follow the IIPC pattern prefix-timestamp-serial-host-pid.
WARC_PREFIX = "akershus"
# Operator named in the warcinfo record (who ran the crawl).
WARC_OPERATOR = ""
# Free-text description of the crawl, kept in the warcinfo record.
WARC_DESCRIPTION = "Crawl of the legacy website of Akershus fylkeskommune (www.akershus.no)"

# --- Wire (crawler/wire.py: the recording HTTP client) -------------------------
# Send a host's connections elsewhere, like curl's --connect-to:
# list of "HOST:PORT:ADDRESS:PORT" strings. The real Host header is still sent.
WIRE_CONNECT_TO: list[str] = []
# Largest response head (status line + headers) accepted (bytes).
WIRE_MAX_HEAD_SIZE = 256 * 1024
# Verify TLS certificates (archives of defunct sites often have expired ones).
WIRE_VERIFY_TLS = False
# Keep connections alive and reuse them (HTTP/1.1 persistent connections), at
# most CONCURRENT_REQUESTS_PER_DOMAIN open to one host. False: one connection
# per request, sent with "Connection: close", for servers that mishandle reuse.
WIRE_KEEP_ALIVE = True
# Seconds an idle kept connection is reused for (less than Apache's default
# KeepAliveTimeout of 5 s; a server's own "Keep-Alive: timeout=N" shortens it).
WIRE_IDLE_TIMEOUT = 4.0
# Seconds between new connections to one server (address and port, whatever host
# names it serves): a small accept queue (Python's
# http.server listens with a backlog of 5) is never overrun by a burst.
WIRE_CONNECT_INTERVAL = 0.005

# --- Scope (crawler/scope.py) ---------------------------------------------------
# Hosts whose pages are followed besides the seeds' own hosts.
SCOPE_EXTRA_HOSTS: list[str] = []
# Only pages under these URL prefixes are followed (empty: the whole hosts).
SCOPE_URL_PREFIXES: list[str] = []
# Regular expressions: a page URL must match one of these (empty: all)...
SCOPE_INCLUDE: list[str] = []
# ...and none of these.
SCOPE_EXCLUDE: list[str] = []
# Page requisites (CSS, images, scripts) and documents (PDF...) are fetched
# from any host under these registered domains, besides the seed hosts'
# own domains. akershus-fk.no was the county's second domain (yearly reports).
SCOPE_REQUISITE_DOMAINS: list[str] = ["akershus.no", "akershus-fk.no"]
# Trap rules, chosen so that the real site's deepest paths (about 7 segments)
# and its press archive (15 listing pages at n_lim=10, each linking the next)
# pass with room to spare, while an endless calendar (each day links the next)
# or a self-repeating path ends quickly.
# A path segment may repeat at most this many times in one path.
SCOPE_MAX_SEGMENT_REPEATS = 2
# At most this many path segments.
SCOPE_MAX_PATH_DEPTH = 16
# A query variant at most this many link hops beyond the first variant of its
# path (pagination and calendars: "next" forever).
SCOPE_MAX_QUERY_HOPS = 20
# At most this many distinct query strings for one path (query explosion).
SCOPE_MAX_QUERY_VARIANTS = 200
# At most this many parameters in one query string.
SCOPE_MAX_QUERY_PARAMS = 8
# Longest URL followed (characters).
SCOPE_MAX_URL_LENGTH = 2048
# Link hops from a seed (0: no limit). Requisites do not add a hop.
SCOPE_MAX_DEPTH = 0
# Stop after this many pages (HTML responses) have been archived (0: no limit).
SCOPE_MAX_PAGES = 0

# --- Report and progress (crawler/report.py) ---------------------------------
# Show a live progress display on stderr when it is a terminal.
REPORT_PROGRESS = True
# Seconds between progress updates.
REPORT_INTERVAL = 1.0

# --- Distributed crawling (crawler/distributed.py; on with --redis URL) --------
# Redis server holding the shared frontier, duplicate filter and revisit index.
REDIS_URL = ""
# Prefix of this crawl's Redis keys (one crawl per prefix).
DISTRIBUTED_KEY = "akershus"
# Seconds between a worker's heartbeats; a worker silent for 4 beats is taken
# for dead and its in-flight requests go back to the queue.
DISTRIBUTED_HEARTBEAT = 1.0
# Seconds between requests to one host, across all workers together.
SHARED_DOWNLOAD_DELAY = 1.0
# Requests in flight to one host, across all workers together.
SHARED_CONCURRENT_REQUESTS_PER_DOMAIN = 2

# --- Politeness and limits (Scrapy's own settings) ----------------------------
# A public server of a county council would accept one request at a time per
# host with a second between them; this is what the legacy CMS served happily.
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Outputs of one callback processed at once. Scrapy starts this many tasks for
# every response (its default, 100, costs more than parsing the page); the
# outputs here are requests, which go straight to the scheduler.
CONCURRENT_ITEMS = 8
# Scrapy reads a generator callback's source again (inspect, ast) for every
# response to warn about a `return value` in it: its cache is keyed by the bound
# method, made anew per request. The spiders' callbacks are checked once by a
# test instead (tests/test_components.py).
WARN_ON_GENERATOR_RETURN_VALUE = False
# Seconds before a fetch gives up.
DOWNLOAD_TIMEOUT = 60
# Largest response stored (bytes); larger ones are cut and marked WARC-Truncated.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# What a fetch raises that is worth another try: the recording client's failures
# (crawler/handler.py: connect, timeout, reset, no response) are DownloadFailedError
# and its kin. Scrapy's list adds its own HTTP client's TunnelError, whose import
# alone costs a quarter of a second at every start; that client is never used.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError",
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,  # HttpCompressionMiddleware decompressing an empty body, as Scrapy says
]
# A <meta http-equiv="refresh"> is a link the spider follows (crawler/links.py),
# not a redirect that hides the page's other links from it.
METAREFRESH_ENABLED = False
USER_AGENT = "akershus-archive/0.1 (web archiving; +https://www.akershus.no/)"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "nb-NO,nb;q=0.9,no;q=0.8,nn;q=0.7,en;q=0.5",
}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
DEPTH_LIMIT = 0
# Breadth first (Scrapy's default is depth first): the site's upper levels are
# captured first, and a crawl is reproducible, so a resumed one matches.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Requests are the same when their URLs normalise alike (RFC 3986 only; the query
# keeps its order): Scrapy's default also sorts the query (crawler/fingerprint.py).
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.RequestFingerprinter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's in-memory stats, without the hook its base class runs on every
# attribute read (crawler/stats.py).
STATS_CLASS = "crawler.stats.Stats"

# --- The crawl process (crawler/run.py) ----------------------------------------
# New objects after which Python's garbage collector walks its youngest generation
# (Python's default: 700). What start-up made is frozen (gc.freeze) as well.
GC_THRESHOLD = 10_000

# --- Components ---------------------------------------------------------------
DOWNLOAD_HANDLERS = {
    "http": "crawler.handler.RecordingDownloadHandler",
    "https": "crawler.handler.RecordingDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.scope.ScopeMiddleware": 50,
    "crawler.robots.SiteRobotsMiddleware": 100,
    # Scrapy's content decoding, inflating gzip and deflate with zlib-ng
    # (crawler/decompression.py), in its place.
    "crawler.decompression.Decompression": 590,
    "crawler.report.DownloadErrorStats": 850,
}
# Scrapy's downloader middlewares, less those the project replaces or never uses.
# Robots and scope are the project's own (above). The WARC records every request
# and response byte for byte; Scrapy's byte and status counts (which serialise
# each request again) give way to the failures only, under Scrapy's stat names,
# which the crawl report reads. The recording client connects to the server
# itself (WIRE_CONNECT_TO maps a host elsewhere): a proxy set in the environment
# would go unused, and its Proxy-Authorization header would be sent to the
# site; no HTTP auth either. No cookies (COOKIES_ENABLED): the cookie
# middleware's module imports tldextract and requests (0.05 s at every start).
# Left out of the base list, not set to None: Scrapy imports every key it lists.
DOWNLOADER_MIDDLEWARES_OFF = (
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
    "scrapy.downloadermiddlewares.stats.DownloaderStats",
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware",
)
DOWNLOADER_MIDDLEWARES_BASE = _without(_scrapy.DOWNLOADER_MIDDLEWARES_BASE,
                                       DOWNLOADER_MIDDLEWARES_OFF)
SPIDER_MIDDLEWARES: dict[str, int] = {}
# Scrapy's spider middlewares, less three: the spider counts hops itself
# (depth), the trap rule SCOPE_MAX_URL_LENGTH is the one URL-length limit (url
# length), and the spider builds each request's meta itself (Scrapy's check for
# meta copied from a response, a warning for spider authors).
SPIDER_MIDDLEWARES_OFF = (
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
)
SPIDER_MIDDLEWARES_BASE = _without(_scrapy.SPIDER_MIDDLEWARES_BASE, SPIDER_MIDDLEWARES_OFF)
EXTENSIONS = {
    "crawler.warcfile.WarcExtension": 100,
    "crawler.report.ReportExtension": 200,
}
# Scrapy's own extensions, less those a crawl does without: the crawl report
# replaces the periodic log lines, and no control port is opened (neither the
# telnet console nor the remote control, which runs Python code sent to it).
# They are left out of the base list rather than set to None in EXTENSIONS
# because Scrapy imports every key of EXTENSIONS to compare it: the remote
# control's module would import aiohttp's web server at every start (0.1 s).
# A distributed crawl adds its heartbeat (crawler/distributed.py).
EXTENSIONS_OFF = (
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.logstats.LogStats",
    "scrapy.extensions.remote_control.RemoteControl",
)
EXTENSIONS_BASE = _without(_scrapy.EXTENSIONS_BASE, EXTENSIONS_OFF)
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Harvest from a web archive (crawler/harvest.py, crawler/spiders/harvest.py) ---
# Replay endpoint of the archive to harvest from (--archive): captures are
# fetched as <HARVEST_ARCHIVE>/<timestamp>id_/<url>. For the Wayback Machine
# it is https://web.archive.org/web; for pywb http://HOST:PORT/<collection>.
HARVEST_ARCHIVE = ""
# The archive's CDX API (--cdx); empty: the Wayback Machine's
# /cdx/search/cdx on its host, else <HARVEST_ARCHIVE>/cdx (pywb).
HARVEST_CDX_URL = ""
# Captures of URLs under this prefix are listed (matchType=prefix, any scheme).
HARVEST_URL_PREFIX = "http://www.akershus.no/"
# Capture date range, 1 to 14 digits of YYYYMMDDhhmmss, UTC (--from, --to);
# empty: no bound. "2019" to "2020" is every capture of 2019 and 2020.
HARVEST_FROM = ""
HARVEST_TO = ""
# Only the newest capture in range of each URL (--latest); else every capture.
HARVEST_LATEST = False
# CDX filter expressions, [!]field:regex with the Wayback field names
# (statuscode, mimetype, original), e.g. "statuscode:200" (--filter).
HARVEST_FILTERS: list[str] = []
# How the listing is paged: "resume" (limit + showResumeKey, the Wayback
# Machine's; a server that ignores it is asked once for the whole listing),
# "pages" (showNumPages, then page=N) or "none" (one answer).
HARVEST_PAGINATION = "resume"
# CDX lines per listing page with "resume" paging.
HARVEST_PAGE_SIZE = 5000
# Seconds between replay requests to the archive (--delay): 480 a minute, 80% of
# the Wayback Machine's limit of about 600 (EDGI's default, asked for by the
# Internet Archive; docs/wayback-facts.md, section 3).
HARVEST_DELAY = 0.125
# Seconds between CDX API requests: 24 a minute, EDGI's 80% of 30 (the API's
# limit is about 60 a minute). A listing of the site is a few pages.
HARVEST_CDX_DELAY = 2.5
# Replay requests in flight at once (--concurrency): replays take 100-300 ms, so
# four keep the pace HARVEST_DELAY sets without exceeding it.
HARVEST_CONCURRENCY = 4
# Keep one capture per run of identical digests of a URL (--changes-only), as
# the CDX API's collapse=digest does; the others are not fetched or recorded.
HARVEST_CHANGES_ONLY = False
# Answers of the archive itself (not replayed captures) that make the harvest
# pause and retry: rate limited, overloaded, gateway errors.
HARVEST_RETRY_HTTP_CODES = [429, 500, 502, 503, 504]
# Retries of one request after such answers.
HARVEST_RETRY_TIMES = 6
# First pause (seconds) when no Retry-After is given; doubled on each retry. The
# Wayback Machine's 429 has none, and a client that goes on for a minute is
# blocked: EDGI waits 60 s.
HARVEST_BACKOFF = 60.0
# Longest pause (seconds), whatever Retry-After asks.
HARVEST_BACKOFF_MAX = 600.0
# Connections refused or dropped unanswered this many times in a row are the
# archive's block (an hour at first, doubling, after ignored 429s)...
HARVEST_BLOCK_AFTER = 3
# ...and the harvest pauses this long (seconds), doubled on each block...
HARVEST_BLOCK_PAUSE = 3600.0
# ...and stops ("archive_blocked", resumable) after this many pauses.
HARVEST_BLOCK_RETRIES = 2
