"""The CDXJ index and the WACZ package, checked by the reference tools.

The index must equal, line for line, the one webrecorder's ``cdxj-indexer``
(the indexer py-wacz uses) writes for the same WARCs; the package must pass
``wacz validate`` (py-wacz), and every WARC ``warcio check``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import struct
import subprocess
import sys
import tracemalloc
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from conftest import assert_warcio_check_fails_only_on_framing
from pywb_util import COLLECTION, PYWB_PYTHON, Eras, Pywb, crawl_eras
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.cdxj import run_index
from archive.errors import ArchiveError
from archive.wacz import run_package

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> Eras:
    return crawl_eras(tmp_path_factory.getbasetemp() / "eras")


def reference_index(warc_dir: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", "from cdxj_indexer.main import main; main()", "--sort",
         *sorted(str(p) for p in warc_dir.glob("*.warc.gz"))],
        capture_output=True, text=True, timeout=120, check=True)
    return sorted(proc.stdout.splitlines())


def test_index_equals_the_reference_indexer(eras: Eras) -> None:
    path = run_index(eras.old)
    assert path == eras.old / "indexes" / "index.cdxj"
    ours = path.read_text(encoding="utf-8").splitlines()
    assert len(ours) > 50
    assert ours == sorted(ours)
    assert ours == reference_index(eras.old / "warc")


def test_index_lines_point_at_their_records(eras: Eras) -> None:
    lines = (eras.new / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    kinds = set()
    for line in lines:
        key, stamp, blob = line.split(" ", 2)
        fields = json.loads(blob)
        with (eras.new / "warc" / fields["filename"]).open("rb") as fh:
            fh.seek(int(fields["offset"]))
            member = fh.read(int(fields["length"]))
        record = next(iter(ArchiveIterator(BytesIO(member))))
        h = record.rec_headers
        assert h.get_header("WARC-Target-URI") == fields["url"]
        assert h.get_header("WARC-Payload-Digest") == fields["digest"]
        assert "".join(c for c in h.get_header("WARC-Date") if c.isdigit())[:14] == stamp
        assert key.startswith(("no,akershus)/", "no,akershus,static)/"))
        kinds.add(fields["mime"])
    assert {"text/html", "text/css", "image/png"} <= kinds


def test_warcio_check_differs_only_on_chunked_payload_digests(eras: Eras) -> None:
    files = [p for d in (eras.early, eras.old, eras.new) for p in sorted((d / "warc").glob("*.warc.gz"))]
    assert assert_warcio_check_fails_only_on_framing(files) > 0  # the replica serves chunked pages


def wacz_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "wacz"), "validate", "-f", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=path.parent,
                          check=False)


@pytest.fixture(scope="module")
def package(eras: Eras, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_package(eras.new, tmp_path_factory.mktemp("wacz") / "akershus.wacz")


def test_package_passes_wacz_validate(package: Path) -> None:
    proc = wacz_validate(package)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded" in proc.stdout


def test_package_layout_and_hashes(package: Path, eras: Eras) -> None:
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        warcs = sorted(p.name for p in (eras.new / "warc").glob("*.warc.gz"))
        assert names[:len(warcs)] == [f"archive/{n}" for n in warcs]
        assert {"indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl", "datapackage.json",
                "datapackage-digest.json"} <= set(names)
        for name in names:
            if name.startswith("archive/"):
                assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED  # seekable
        package_json = zf.read("datapackage.json")
        datapackage = json.loads(package_json)
        assert datapackage["wacz_version"] == "1.1.1"
        listed = {r["path"]: r for r in datapackage["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():
            data = zf.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(package_json).hexdigest()
        blocks = zf.read("indexes/index.cdx.gz")
        assert zf.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        assert gzip.decompress(blocks) == (eras.new / "indexes" / "index.cdxj").read_bytes()
        idx = zf.read("indexes/index.idx").decode("utf-8").splitlines()
        assert idx[0] == '!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}'
        end = 0
        for line in idx[1:]:  # each names one gzip block: where it is, its first key
            prefix, where = line.split(" {", 1)
            where = json.loads("{" + where)
            assert where["offset"] == end
            block = blocks[where["offset"]:where["offset"] + where["length"]]
            assert where["digest"] == "sha256:" + hashlib.sha256(block).hexdigest()
            assert gzip.decompress(block).decode("utf-8").startswith(prefix + " {")
            end += where["length"]
        assert end == len(blocks)
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
    assert pages[0]["format"] == "json-pages-1.0" and pages[0]["hasText"] is True
    by_url = {p["url"]: p for p in pages[1:]}
    seed = by_url["http://www.akershus.no/ansvarsomrader/internasjonalt/"
                  "hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/"]
    assert seed["title"] == "Internasjonal strategi"
    assert "Tematiske prioriteringer" in seed["text"]
    assert seed["ts"].startswith("20") and seed["ts"].endswith("Z")
    html_200 = [line for line in (eras.new / "indexes" / "index.cdxj").read_text().splitlines()
                if '"mime": "text/html"' in line and '"status": "200"' in line]
    assert len(pages) - 1 == len(html_200)


def local_header(data: bytes, offset: int) -> tuple[int, int, dict[int, bytes]]:
    """(compressed size, size, extra fields by id) of the ZIP local header at ``offset``."""
    assert data[offset:offset + 4] == b"PK\x03\x04"
    csize, usize, name_len, extra_len = struct.unpack("<IIHH", data[offset + 18:offset + 30])
    extra = data[offset + 30 + name_len:offset + 30 + name_len + extra_len]
    fields, i = {}, 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i:i + 4])
        fields[kind] = extra[i + 4:i + 4 + size]
        i += 4 + size
    return csize, usize, fields


def test_local_headers_agree_with_the_central_directory(package: Path) -> None:
    """No ZIP64 where none is needed: ReplayWeb.page reads data offsets as the central
    directory gives them, and a local header with a ZIP64 field the directory lacks
    (0xFFFFFFFF sizes) made it fail on every entry."""
    data = package.read_bytes()
    with zipfile.ZipFile(package) as zf:
        infos = zf.infolist()
    assert infos
    for info in infos:
        csize, usize, fields = local_header(data, info.header_offset)
        assert 0x0001 not in fields, info.filename  # no ZIP64 extra field
        assert (csize, usize) == (info.compress_size, info.file_size), info.filename


def test_datapackage_names_the_front_page(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        datapackage = json.loads(zf.read("datapackage.json"))
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    assert datapackage["mainPageUrl"] == "http://www.akershus.no/"
    front = next(p for p in pages if p["url"] == datapackage["mainPageUrl"])
    assert datapackage["mainPageDate"] == front["ts"]


def test_tampered_package_fails_validation(package: Path, tmp_path: Path) -> None:
    """The validator does check: one changed byte in the page list and it says so."""
    bad = tmp_path / "tampered.wacz"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "pages/pages.jsonl":
                data = data.replace(b"Internasjonal strategi", b"Internasjonal Strategi", 1)
            dst.writestr(info, data)
    proc = wacz_validate(bad)
    assert proc.returncode == 1
    assert "Validation failed" in proc.stdout and "hash" in proc.stdout


class _Noise:
    """A file-like of ``size`` pseudo-random bytes, made block by block (fixed seed)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.rng = random.Random(42)

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return self.rng.randbytes(n)


def test_package_is_streamed_not_built_in_memory(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    (tmp_path / "big" / "warc").mkdir(parents=True)
    with (tmp_path / "big" / "warc" / "big.warc.gz").open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        http = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf"),
                                           ("Content-Length", str(size))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://www.akershus.no/big.pdf", "response", payload=_Noise(size), length=size,
            http_headers=http))
    tracemalloc.start()
    try:
        out = run_package(tmp_path / "big", tmp_path / "big.wacz")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size > size
    assert peak < 12 * 1024 * 1024, f"peak {peak} bytes while packaging a {size}-byte WARC"
    assert wacz_validate(out).returncode == 0


def test_package_of_a_directory_without_warcs_fails_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="run a crawl"):
        run_package(tmp_path, tmp_path / "x.wacz")
    assert not (tmp_path / "x.wacz").exists()


def test_pywb_unpacks_the_wacz_and_replays_the_front_page(package: Path, tmp_path: Path) -> None:
    """pywb's wb-manager takes a WACZ's indexes/*.cdx.gz (it ignored index.cdxj and left
    the collection empty: every page a 404)."""
    manager = Path(PYWB_PYTHON).parent / "wb-manager"
    for args in (["init", COLLECTION], ["add", COLLECTION, str(package), "--unpack-wacz"]):
        proc = subprocess.run([str(manager), *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "does not contain any indices" not in proc.stderr
    with zipfile.ZipFile(package) as zf:
        main = json.loads(zf.read("datapackage.json"))
    stamp = "".join(c for c in main["mainPageDate"] if c.isdigit())[:14]
    with Pywb(tmp_path) as pywb, urllib.request.urlopen(
            f"{pywb.url}/{stamp}id_/{main['mainPageUrl']}", timeout=30) as resp:
        body = resp.read()
        assert resp.status == 200
    assert b"Akershus fylkeskommune" in body
