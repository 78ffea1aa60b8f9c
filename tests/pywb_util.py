"""pywb, the reference replay tool, as a real process on 127.0.0.1 for the tests.

A collection is a folder with pywb's ``config.yaml`` naming the archive
directories' ``warc/`` folders and their CDXJ indexes (written by
``akershus-archive index``), so pywb replays our WARCs through our own index.
pywb's ``wayback`` server is started as a subprocess on a free port of
127.0.0.1; the helper waits until its CDX API answers (a condition with a
deadline, not a sleep) and stops the process it started when done.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from conftest import free_port

COLLECTION = "akershus"
START_TIMEOUT = 60.0  # seconds for pywb to import and answer


def make_collection(root: Path, archive_dirs: list[Path], name: str = COLLECTION) -> Path:
    """Write ``root/config.yaml``: one collection of the archive directories' WARCs.

    Each archive directory must hold ``warc/`` and ``indexes/index.cdxj``; the
    indexes are copied into ``root/indexes/`` (pywb merges every ``.cdxj`` there).
    """
    indexes = root / "indexes"
    indexes.mkdir(parents=True, exist_ok=True)
    archive_paths = []
    for n, directory in enumerate(archive_dirs):
        index = directory / "indexes" / "index.cdxj"
        if not index.is_file():
            raise FileNotFoundError(f"{index}: index the archive first")
        shutil.copyfile(index, indexes / f"{n:02d}-{directory.name}.cdxj")
        archive_paths.append(str((directory / "warc").resolve()) + "/")
    config = {
        "collections": {
            name: {
                "index_paths": str(indexes.resolve()) + "/",
                "archive_paths": archive_paths,
            },
        },
        # the replay banner and framing are not under test; id_ and mp_ modes are
        "framed_replay": False,
    }
    # JSON is YAML: no YAML writer needed
    (root / "config.yaml").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return root


# pywb pins old versions of shared libraries (redis 2.10, werkzeug), so it lives in
# a virtualenv of its own (made by `make test`); PYWB_PYTHON names another one.
PYWB_PYTHON = os.environ.get("PYWB_PYTHON") or str(
    next((p for p in [Path(__file__).resolve().parent.parent / ".venv-pywb" / "bin" / "python"]
          if p.exists()), Path(sys.executable)))


class Pywb:
    """``with Pywb(root) as pywb: pywb.url`` - pywb's wayback server on 127.0.0.1."""

    def __init__(self, root: Path, collection: str = COLLECTION) -> None:
        self.root = root
        self.collection = collection
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = root / "pywb.log"

    @property
    def url(self) -> str:
        """The collection's base URL: ``<url>/cdx`` is its CDX API, ``<url>/<ts>id_/<url>`` replay."""
        return f"http://127.0.0.1:{self.port}/{self.collection}"

    def __enter__(self) -> Pywb:  # noqa: PYI034 - a plain class, never subclassed
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            if self._start():
                return self
        raise RuntimeError(f"pywb did not start; see {self.log}:\n{self._log_tail()}")

    def _start(self) -> bool:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        code = "import sys; from pywb.apps.cli import wayback; sys.exit(wayback())"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [PYWB_PYTHON, "-c", code, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--threads", "8", "--directory", str(self.root)],
                cwd=self.root, stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT
        probe = f"{self.url}/cdx?url=http://www.akershus.no/&limit=1"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(probe, timeout=2) as resp:
                    if resp.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            try:
                self.proc.wait(timeout=0.1)  # returns early if pywb dies
            except subprocess.TimeoutExpired:
                pass
        self._stop()
        return False

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""

    def _stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop()

    def get(self, path_or_url: str) -> tuple[int, dict[str, str], bytes]:
        """GET from pywb without following redirects: (status, headers, body as sent)."""
        url = path_or_url if path_or_url.startswith("http") else self.url + path_or_url
        opener = urllib.request.build_opener(_NoRedirect)
        # as a browser would: pywb decodes gzip for clients that do not accept it
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        try:
            with opener.open(request, timeout=30) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# -- Crawls of the replica at different dates, shared by the pywb and harvest tests ---------

@dataclass
class Eras:
    """Three crawls of the replica, one after another, each in its own archive directory.

    ``early`` (2019 content, a few pages) is before the harvest range; ``old``
    (2019) and ``new`` (2020: the Viken notice, no secondary skip link) are the
    range. The crawler writes real capture times, so the three are told apart
    by their times: each crawl starts in a later second than the last record of
    the one before (the helper waits for the clock to pass it, a condition).
    """

    early: Path
    old: Path
    new: Path
    pywb_root: Path

    def span(self, directory: Path) -> tuple[str, str]:
        """First and last 14-digit capture timestamps of one crawl."""
        stamps = [line.split(" ", 2)[1] for line in
                  (directory / "indexes" / "index.cdxj").read_text().splitlines()]
        return min(stamps), max(stamps)


_ERAS: dict[str, Eras] = {}


def _wait_past(timestamp: str) -> None:
    """Wait until the UTC clock reads a later second than ``timestamp`` (14 digits)."""
    deadline = time.monotonic() + 5
    while time.strftime("%Y%m%d%H%M%S", time.gmtime()) <= timestamp:
        if time.monotonic() > deadline:
            raise AssertionError("the clock did not move on")
        time.sleep(0.01)  # polling the clock, a condition with a deadline


# The press releases and the event calendar are left out of these crawls: they
# add 140 pages of the same templates and nothing the replay and harvest tests need
# (the chunked press listing pages stay).
CRAWL_EXCLUDES = ("--exclude", r"/pressemeldinger/[^/?]+/$", "--exclude", r"/kalender/")
# The replica runs in the crawl's own process (as ``akershus-archive demo`` does it),
# which is more than twice as fast as across processes.
CRAWL_CODE = """
import sys
from akershus_archive.cli import main
from replica.server import ReplicaServer
era, out, *extra = sys.argv[1:]
with ReplicaServer(era=era) as srv:
    hosts = ("www.akershus.no", "akershus.no", "static.akershus.no")
    args = [a for h in hosts for a in ("--connect-to", f"{h}:80:127.0.0.1:{srv.port}")]
    sys.exit(main(["crawl", "http://www.akershus.no/", "--out", out, "--delay", "0",
                   "--concurrency", "8", "--quiet", *args, *extra]))
"""


def crawl_replica_era(out: Path, era: str, *extra: str) -> None:
    """Crawl the replica of ``era`` into ``out`` in a subprocess (the reactor cannot restart)."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", CRAWL_CODE, era, str(out), *extra], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def crawl_eras(tmp_root: Path) -> Eras:
    """The three crawls (made once per test process), indexed, and a pywb collection of them."""
    if "eras" in _ERAS:
        return _ERAS["eras"]
    from archive.cdxj import run_index

    made: list[Path] = []
    last = ""
    for name, era, extra in [("early", "2019", ("--max-pages", "2")), ("old", "2019", ()),
                             ("new", "2020", ())]:
        out = tmp_root / name
        if last:
            _wait_past(last)
        crawl_replica_era(out, era, *CRAWL_EXCLUDES, *extra)
        run_index(out)
        made.append(out)
        last = max(line.split(" ", 2)[1] for line in
                   (out / "indexes" / "index.cdxj").read_text().splitlines())
    root = make_collection(tmp_root / "pywb", made)
    _ERAS["eras"] = Eras(*made, pywb_root=root)
    return _ERAS["eras"]
