"""The ecosystem's own tools, which nobody here wrote, on what we write.

Each tool runs from a virtualenv of its own that ``make test`` makes
(``.venv-interop``: Frictionless), on a fresh archive of the replica.
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
from conftest import ROOT, cli

FRICTIONLESS = ROOT / ".venv-interop" / "bin" / "frictionless"
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
