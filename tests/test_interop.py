"""The ecosystem's own tools, which nobody here wrote, on what we write.

Each tool runs from a virtualenv of its own that ``make test`` makes
(``.venv-interop``: Frictionless, FastWARC), on a fresh archive of the replica.
(warcio check, wacz validate and pywb replay are proven in test_cdxj_wacz.py,
test_harvest.py and test_pywb_replay.py.)
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, chunked, cli, digest_problems
from warcio.archiveiterator import ArchiveIterator

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
