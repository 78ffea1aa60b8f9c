"""Reading WARCs: captures streamed, revisits resolved, damage reported not fatal."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from fixtures_archive import Response, write_warc
from fixtures_archive_pages import SEED_URL, SITE, sample_archive
from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError
from archive.reader import ArchiveReader


def test_every_response_and_revisit_is_a_capture(tmp_path: Path) -> None:
    reader = ArchiveReader(sample_archive(tmp_path))
    caps = list(reader.captures())
    assert len(caps) == 13
    assert [c.record_type for c in caps].count("revisit") == 1
    assert not reader.damaged


def test_url_kept_exactly_as_captured(tmp_path: Path) -> None:
    caps = list(ArchiveReader(sample_archive(tmp_path)).captures())
    assert caps[0].url == SEED_URL
    assert "%3F" in caps[0].url


def test_payload_is_dechunked_and_gunzipped(tmp_path: Path) -> None:
    caps = list(ArchiveReader(sample_archive(tmp_path)).captures())
    second_seed = caps[1]
    assert second_seed.header("Content-Encoding") == "gzip"
    assert second_seed.header("Transfer-Encoding") == "chunked"
    assert second_seed.payload is not None
    assert second_seed.payload.startswith(b"<!DOCTYPE html>")
    assert b"Internasjonal strategi" in second_seed.payload


def test_revisit_resolves_to_the_original_payload(tmp_path: Path) -> None:
    caps = list(ArchiveReader(sample_archive(tmp_path)).captures())
    revisit = next(c for c in caps if c.record_type == "revisit")
    original = next(c for c in caps if c.url == revisit.url and c.record_type == "response")
    assert revisit.payload == original.payload
    assert revisit.captured_at == "2021-03-02T10:00:00Z"
    assert revisit.refers_to is not None
    assert revisit.refers_to.offset == original.offset
    assert revisit.status == 200


def test_offset_and_length_read_the_record_back(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path)
    for cap in ArchiveReader(archive).captures():
        with (archive / "warc" / cap.warc_file).open("rb") as fh:
            fh.seek(cap.offset)
            member = fh.read(cap.length)
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_headers.get_header("WARC-Record-ID") == cap.record_id
        assert record.rec_headers.get_header("WARC-Target-URI") == cap.url


def test_non_html_payloads_are_not_read(tmp_path: Path) -> None:
    caps = list(ArchiveReader(sample_archive(tmp_path)).captures())
    pdf = next(c for c in caps if c.mime_type == "application/pdf")
    assert pdf.payload is None
    assert pdf.status == 200


def test_status_and_reason(tmp_path: Path) -> None:
    caps = {c.url: c for c in ArchiveReader(sample_archive(tmp_path)).captures()}
    assert caps[SITE + "/gammel-side/"].status == 301
    assert caps[SITE + "/gammel-side/"].reason == "Moved Permanently"
    assert caps[SITE + "/finnes-ikke/"].status == 404


def test_truncated_file_is_reported_and_the_next_file_read(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path)
    good = archive / "warc" / "sample-00000.warc.gz"
    data = good.read_bytes()
    cut = list(ArchiveReader(archive).captures())[3]
    (archive / "warc" / "aaa-damaged.warc.gz").write_bytes(data[: cut.offset + cut.length // 2])
    reader = ArchiveReader(archive)
    caps = list(reader.captures())
    assert reader.damaged, "a truncated file must be reported"
    assert reader.damaged[0].warc_file == "aaa-damaged.warc.gz"
    assert sum(c.warc_file == "sample-00000.warc.gz" for c in caps) == 13


def test_garbage_file_is_reported(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path)
    (archive / "warc" / "broken.warc.gz").write_bytes(gzip.compress(b"not a warc at all\r\n\r\n"))
    reader = ArchiveReader(archive)
    assert len(list(reader.captures())) == 13
    assert [d.warc_file for d in reader.damaged] == ["broken.warc.gz"]


def test_revisit_without_its_original_is_reported(tmp_path: Path) -> None:
    html = b"<html><body><h1>x</h1></body></html>"
    full = tmp_path / "full"
    write_warc(full / "warc" / "a.warc.gz", [
        Response(SITE + "/a/", html, date="2020-01-01T00:00:00Z"),
        Response(SITE + "/a/", html, date="2020-01-02T00:00:00Z"),
    ])
    revisit = next(c for c in ArchiveReader(full).captures() if c.record_type == "revisit")
    with (full / "warc" / "a.warc.gz").open("rb") as fh:
        fh.seek(revisit.offset)
        member = fh.read(revisit.length)
    alone = tmp_path / "alone"
    (alone / "warc").mkdir(parents=True)
    (alone / "warc" / "b.warc.gz").write_bytes(member)
    reader = ArchiveReader(alone)
    caps = list(reader.captures())
    assert [c.record_type for c in caps] == ["revisit"]
    assert caps[0].payload is None
    assert "not in the archive" in reader.damaged[0].reason


def test_missing_dir_and_empty_dir_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        ArchiveReader(tmp_path / "nope")
    with pytest.raises(ArchiveError, match="no WARC files"):
        ArchiveReader(tmp_path)


def test_uncompressed_warc_is_read(tmp_path: Path) -> None:
    write_warc(tmp_path / "warc" / "plain.warc", [Response(SITE + "/a/", b"<p>hei</p>")])
    caps = list(ArchiveReader(tmp_path).captures())
    assert len(caps) == 1 and caps[0].payload == b"<p>hei</p>"


def test_capture_index_merges_batches_into_one_sorted_set(monkeypatch) -> None:
    """URLs added in many small batches (repeats included) are all found, and only they."""
    from archive import reader

    monkeypatch.setattr(reader, "PENDING_MIN", 3)
    index = reader.CaptureIndex()
    urls = [f"http://www.akershus.no/side-{i % 700}/" for i in range(1000)]
    for n, url in enumerate(urls):
        index.add_url(url)
        if n % 97 == 0:  # lookups between additions
            assert index.holds(url.replace("http://", "https://"))
    assert all(index.holds(u) for u in urls)
    assert not index.holds("http://www.akershus.no/side-700/")
    assert len(index._hashes) == 700 and list(index._hashes) == sorted(set(index._hashes))
