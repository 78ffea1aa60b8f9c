"""What of a raw replay answer is the site's (crawler/replay.py), on answers as the archives give them."""

from __future__ import annotations

from crawler.replay import decoded_by_archive, original_exchange, replay_parts, unrewrite_location


def test_replay_parts_of_the_archives_urls() -> None:
    assert replay_parts("https://web.archive.org/web/20150101000000id_/http://www.akershus.no/a/") \
        == ("20150101000000", "http://www.akershus.no/a/")
    assert replay_parts("/akershus/2019im_/https://www.akershus.no/b.png?x=1") == (
        "2019", "https://www.akershus.no/b.png?x=1")
    assert replay_parts("/web/20150101000000id_/http:/www.akershus.no/c") == (
        "20150101000000", "http://www.akershus.no/c")  # a slash folded by a proxy
    assert replay_parts("http://www.akershus.no/ny/") is None
    assert unrewrite_location("/ny/") == "/ny/"


def test_wayback_answer_gives_back_the_original_headers() -> None:
    original = original_exchange(301, "Moved Permanently", [
        ("Server", "nginx"), ("Date", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ("Content-Type", "text/html"), ("x-archive-orig-date", "Mon, 05 Jan 2015 10:00:00 GMT"),
        ("x-archive-orig-server", "Microsoft-IIS/8.5"), ("x-archive-orig-content-length", "99"),
        ("Location", "https://web.archive.org/web/20150105100000id_/http://www.akershus.no/ny/"),
        ("Memento-Datetime", "Mon, 05 Jan 2015 10:00:00 GMT"), ("x-archive-src", "a.warc.gz"),
        ("cache-control", "max-age=1800"), ("Transfer-Encoding", "chunked")], b"moved")
    assert original.headers == [
        ("Content-Type", "text/html"), ("date", "Mon, 05 Jan 2015 10:00:00 GMT"),
        ("server", "Microsoft-IIS/8.5"), ("Location", "http://www.akershus.no/ny/"),
        ("Content-Length", "5")]
    assert ("Memento-Datetime", "Mon, 05 Jan 2015 10:00:00 GMT") in original.added
    assert ("cache-control", "max-age=1800") in original.added  # the Wayback Machine's own
    assert original.rewritten_location.startswith("https://web.archive.org/web/")


def test_pywb_answer_keeps_headers_passed_under_their_own_names() -> None:
    original = original_exchange(200, "OK", [
        ("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Cache-Control", "private"),
        ("X-Archive-Orig-Date", "Thu, 20 Jun 2019 08:15:32 GMT"), ("Date", "now"),
        ("Link", '<http://www.akershus.no/>; rel="original"'),
        ("Content-Location", "http://127.0.0.1:8080/akershus/2019id_/http://www.akershus.no/")],
        b"<html></html>")
    names = [name for name, _ in original.headers]
    assert names == ["Content-Type", "Set-Cookie", "Cache-Control", "Date", "Content-Length"]
    assert dict(original.headers)["Date"] == "Thu, 20 Jun 2019 08:15:32 GMT"


def test_a_decoded_original_is_recognised() -> None:
    assert decoded_by_archive([("X-Archive-Orig-Content-Encoding", "gzip")]) == "gzip"
    assert decoded_by_archive([("X-Archive-Orig-Content-Encoding", "gzip"),
                               ("Content-Encoding", "gzip")]) == ""
    assert decoded_by_archive([("Content-Type", "text/html")]) == ""
