"""The ecosystem's own tools, which nobody here wrote, on what we write.

Each tool runs from a virtualenv or npm folder of its own that ``make test``
makes (``.venv-pywb``: pywb; ``.venv-interop``: Frictionless, FastWARC, pandas; ``.npm-interop``:
ReplayWeb.page, driven in Debian's headless Chromium), on a fresh archive of
the replica.
(warcio check, wacz validate and pywb replay are proven in test_cdxj_wacz.py,
test_harvest.py and test_pywb_replay.py.)
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser import CHROMIUM
from conftest import ROOT, chunked, cli, digest_problems, records
from pywb_util import COLLECTION, PYWB_PYTHON, Pywb
from rangeserver import RangeServer
from warcio.archiveiterator import ArchiveIterator

from archive.wacz import run_package

FRICTIONLESS = ROOT / ".venv-interop" / "bin" / "frictionless"
FASTWARC = ROOT / ".venv-interop" / "bin" / "fastwarc"
EXPORTS = [(fmt, extra) for fmt in ("jsonl", "json", "csv")
           for extra in ([], ["--latest"], ["--strategies"])]


@pytest.fixture(scope="module")
def exported(replica_crawl: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("interop") / "archive"
    shutil.copytree(replica_crawl, archive)
    cli("extract", str(archive), "--quiet", check=True)
    for fmt, extra in EXPORTS:
        cli("export", str(archive), "--format", fmt, *extra, check=True)
    return archive / "data" / "export"


def test_frictionless_validates_every_export(exported: Path) -> None:
    assert FRICTIONLESS.is_file(), "make test builds .venv-interop (frictionless[json])"
    proc = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                          cwd=exported, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(proc.stdout)
    failed = {t["name"]: t["errors"][:3] for t in report["tasks"] if not t["valid"]}
    assert report["valid"] and not failed, failed or report["errors"]
    kinds = {t["name"]: t["type"] for t in report["tasks"]}
    assert len(kinds) == len(EXPORTS) + 1  # every export and the JSON Schema
    assert kinds["page-schema"] == "json" and kinds["pages-csv"] == "table"


def test_csv_is_utf8_as_declared(exported: Path) -> None:
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["format"] != "csv":
            continue
        assert resource["encoding"] == "utf-8"
        with (exported / resource["path"]).open(encoding=resource["encoding"], newline="") as fh:
            header = next(csv.reader(fh))
        # the first column's name as the schema gives it: no byte-order mark glued to it
        assert header == [f["name"] for f in resource["schema"]["fields"]], header[:2]


PANDAS_READ = """
import json, sys
import pandas
package = json.load(open("datapackage.json", encoding="utf-8"))
out = {}
for r in package["resources"]:
    if r["format"] == "csv":
        frame = pandas.read_csv(r["path"], encoding=r["encoding"], keep_default_na=False)
    elif r["format"] == "jsonl":
        frame = pandas.read_json(r["path"], lines=True, encoding=r["encoding"])
    elif r["format"] == "json" and "records" in r:
        frame = pandas.read_json(r["path"], encoding=r["encoding"])
    else:
        continue
    out[r["name"]] = [len(frame), list(frame.columns)[:2], r["records"]]
print(json.dumps(out))
"""


def test_pandas_reads_every_export(exported: Path) -> None:
    python = ROOT / ".venv-interop" / "bin" / "python"
    proc = subprocess.run([str(python), "-c", PANDAS_READ], cwd=exported, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    read = json.loads(proc.stdout)
    assert len(read) == len(EXPORTS)
    for name, (rows, first_columns, count) in read.items():
        assert rows == count > 0, name  # one row per record, none lost or split
        assert first_columns[0] in ("id", "page_id"), (name, first_columns)


def test_fastwarc_checks_every_digest(replica_crawl: Path, tmp_path: Path) -> None:
    """FastWARC (2.x) verifies block and payload digests; like warcio 1.8 it digests a
    chunked body with its framing, so it fails exactly our chunked responses, whose
    digests are of the entity body (WARC 1.1 5.9, iipc/warc-specifications#22)."""
    assert FASTWARC.is_file(), "make test builds .venv-interop (fastwarc)"
    verdicts: dict[str, str] = {}
    for path in sorted((replica_crawl / "warc").glob("*.warc.gz")):
        out = tmp_path / (path.name + ".txt")
        subprocess.run([str(FASTWARC), "check", "-p", "-q", "-o", str(out), str(path)],
                       capture_output=True, timeout=300, check=False)
        for line in out.read_text().splitlines():
            rid, _, verdict = line.partition(": ")
            verdicts[rid] = verdict
    kinds: dict[str, str] = {}
    for path in sorted((replica_crawl / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                rid = record.rec_headers.get_header("WARC-Record-ID")
                transferred = record.raw_stream.read()
                kinds[rid] = record.rec_type
                if verdicts.get(rid, "").endswith("PAYLOAD_FAIL"):
                    assert record.rec_type == "response" and chunked(record), rid
                    assert not digest_problems(record, transferred), rid
    assert set(verdicts) == set(kinds)  # every record read
    assert all(v.startswith("OK") for v in verdicts.values())  # every block digest
    failed = [r for r, v in verdicts.items() if v.endswith("PAYLOAD_FAIL")]
    assert failed  # the replica serves chunked pages
    for rid, verdict in verdicts.items():
        if kinds[rid] in ("metadata", "warcinfo", "request"):
            assert verdict.endswith("PAYLOAD_NO_DIGEST"), (kinds[rid], verdict)


# ReplayWeb.page as its npm package ships it (ui.js and the service worker), fetched
# by `make test` with `npm pack` (the prebuilt files need none of its build deps).
REPLAYWEB = ROOT / ".npm-interop" / "package"
REPLAY_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="./ui.js"></script></head>
<body><replay-web-page source="archive.wacz" url="{url}"
 style="display:block;height:600px"></replay-web-page></body></html>
"""


SW_ACTIVE = """async () => {
  for (;;) {  // the call's own timeout bounds it
    const reg = await navigator.serviceWorker.getRegistration("./replay/");
    if (reg && reg.active && reg.active.state === "activated") return true;
    await new Promise((wake) => setTimeout(wake, 100));
  }
}"""


def replayed_text(site: Path, url: str, deadline_s: float = 90) -> tuple[str | None, list[str]]:
    """The body text of ``url`` inside ReplayWeb.page's replay frame (None if not in
    time), and what the page said on its console."""
    from playwright.sync_api import Error, sync_playwright

    with RangeServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            said: list[str] = []
            page.on("console", lambda message: said.append(message.text[:300]))
            page.goto(server.url + "index.html")
            # A page is controlled only by a service worker that was active when it
            # loaded (the Service Worker lifecycle): wait for ReplayWeb.page's to be
            # activated, then load the page again, as a second visit would.
            page.evaluate(SW_ACTIVE)
            page.reload()
            deadline = time.monotonic() + deadline_s
            while time.monotonic() < deadline:
                for frame in page.frames:
                    if f"mp_/{url}" in frame.url:
                        try:
                            text = frame.inner_text("body", timeout=1000)
                        except Error:  # still loading
                            continue
                        if text.strip():
                            return text, said
                page.wait_for_timeout(250)  # polls the frame for a condition, with a deadline
            return None, said + [f"frame: {f.url}" for f in page.frames]
        finally:
            browser.close()


def test_replaywebpage_opens_the_wacz_and_shows_the_front_page(
        replica_crawl: Path, tmp_path: Path) -> None:
    assert (REPLAYWEB / "ui.js").is_file(), "make test fetches ReplayWeb.page (npm pack)"
    site = tmp_path / "site"
    (site / "replay").mkdir(parents=True)
    shutil.copyfile(REPLAYWEB / "ui.js", site / "ui.js")
    shutil.copyfile(REPLAYWEB / "sw.js", site / "replay" / "sw.js")
    archive = tmp_path / "archive"
    shutil.copytree(replica_crawl, archive)
    run_package(archive, site / "archive.wacz")
    with zipfile.ZipFile(site / "archive.wacz") as zf:
        front = json.loads(zf.read("datapackage.json"))["mainPageUrl"]
    (site / "index.html").write_text(REPLAY_PAGE.format(url=front), encoding="utf-8")
    text, said = replayed_text(site, front)
    assert text is not None, "ReplayWeb.page showed no replay of the front page:\n" + "\n".join(said)
    assert "Akershus fylkeskommune er fra 01.01.2020 en del av Viken" in text


def test_pywb_wb_manager_adds_the_warcs_and_replays_the_front_page(
        replica_crawl: Path, tmp_path: Path) -> None:
    """pywb's own import (wb-manager add: it indexes the WARCs itself), then replay in id_
    mode: the body served is the archived payload, byte for byte."""
    manager = Path(PYWB_PYTHON).parent / "wb-manager"
    warcs = sorted((replica_crawl / "warc").glob("*.warc.gz"))
    for args in (["init", COLLECTION], ["add", COLLECTION, *map(str, warcs)]):
        proc = subprocess.run([str(manager), *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
    front = next(rec for _name, rec in records(replica_crawl)
                 if rec.rec_type == "response" and rec.rec_headers.get_header(
                     "WARC-Target-URI") == "http://www.akershus.no/")
    stamp = "".join(c for c in front.rec_headers.get_header("WARC-Date") if c.isdigit())[:14]
    with Pywb(tmp_path) as pywb, urllib.request.urlopen(
            f"{pywb.url}/{stamp}id_/http://www.akershus.no/", timeout=30) as resp:
        body = resp.read()
    assert body == front.raw  # pywb serves the payload decoded, as warcio reads it
