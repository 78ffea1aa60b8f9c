"""URL -> file name: never outside the site, never two URLs in one file (property tests)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from render.paths import (
    MAX_SEGMENT,
    capture_paths,
    encode_segment,
    file_path,
    inside,
    missing_path,
    relative,
    split_url,
    url_dir,
)

HOSTILE = ["..", ".", "%2e%2e", "%2E%2e", "%2F", "%252F", "%25252e", "..%2f..", "\\..\\",
           "C:", "c:\\windows", "/etc/passwd", "\x00", "%00", "CON", "con", "NUL", "nul.txt",
           "com1", "LPT9", "aux.html", "A", "a", "%3F", "%3f", "?", "+", " ", "%20", "%2B",
           "ø", "%C3%B8", "~", "~q", "~h", "~2e", "_", "x" * 300, "%41" * 100, "ǅ", "ß", "ẞ"]
segment = st.one_of(st.sampled_from(HOSTILE),
                    st.text(alphabet="aA.%2eEfF/\\?#+ ~:;_-ø\x00", max_size=12))
path_tail = st.lists(segment, max_size=6).map("/".join)
query = st.one_of(st.none(), st.sampled_from(["", "n_lim=10&n_po=80", "a=%3F", "a=?", "A=1"]),
                  st.text(alphabet="aA=&%3F+ /?.", max_size=10))
host = st.sampled_from(["www.akershus.no", "WWW.Akershus.NO", "akershus.no",
                        "www.akershus.no:8080", "aarsrapport2013.akershus-fk.no", "con",
                        "user@www.akershus.no"])
scheme = st.sampled_from(["http", "https", "HTTP"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    q = draw(query)
    return f"{draw(scheme)}://{draw(host)}/{draw(path_tail)}" + ("" if q is None else "?" + q)


SAFE_NAME = re.compile(r"^[a-z0-9_~.-]+$")
WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
PROPS = settings(max_examples=400, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def _ok_name(name: str) -> bool:
    return (bool(SAFE_NAME.match(name)) and name not in (".", "..") and len(name) <= 255
            and not name.endswith(".") and not WINDOWS_DEVICES.match(name))


@PROPS
@given(urls())
@example("http://www.akershus.no/../../etc/passwd")
@example("http://www.akershus.no/%2e%2e/%2e%2e/x")
@example("http://www.akershus.no/a\\..\\..\\b")
def test_every_name_is_safe_and_inside_the_site(url: str) -> None:
    paths = capture_paths(url, "2020-09-14T10:42:07Z")
    for rel in (paths.page, paths.original, paths.record, paths.captures,
                file_path(url, "2020-09-14T10:42:07Z", "application/pdf"), missing_path(url)):
        parts = rel.split("/")
        assert all(_ok_name(p) for p in parts), rel
        assert len(rel) < 400
        root = Path("/srv/site")
        assert os.path.commonpath([root, inside(root, rel)]) == str(root)


def _decode(name: str) -> str:
    """Inverse of the segment encoding (only for names without a hash)."""
    if name == "~":
        return ""
    out = bytearray()
    i = 0
    while i < len(name):
        if name[i] == "~":
            out += bytes.fromhex(name[i + 1:i + 3])
            i += 3
        else:
            out += name[i].encode()
            i += 1
    return out.decode("utf-8", "surrogatepass")


@PROPS
@given(urls())
def test_folders_decode_back_to_the_url(url: str) -> None:
    parts = split_url(url)
    folder = url_dir(parts)
    assume("~h" not in folder)
    names = folder.split("/")
    q = None
    if names[-1].startswith("~q"):
        q = _decode(names.pop()[2:])
    path = "/" + "/".join(_decode(n) for n in names[1:])
    assert _upper_escapes(path) == parts.path
    assert (None if q is None else _upper_escapes(q)) == parts.query


def _upper_escapes(text: str) -> str:
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), text)


@PROPS
@given(urls(), urls())
def test_different_urls_never_share_a_file_even_case_folded(a: str, b: str) -> None:
    pa, pb = split_url(a), split_url(b)
    assume((pa.key, pa.scheme) != (pb.key, pb.scheme))
    fa = capture_paths(a, "2020-09-14T10:42:07Z").page
    fb = capture_paths(b, "2020-09-14T10:42:07Z").page
    assert fa.lower() != fb.lower()


@pytest.mark.parametrize("a,b", [
    ("http://www.akershus.no/a/b%3F/", "http://www.akershus.no/a/b?/"),
    ("http://www.akershus.no/a/b%3F", "http://www.akershus.no/a/b?"),
    ("http://www.akershus.no/a+b/", "http://www.akershus.no/a b/"),
    ("http://www.akershus.no/a+b/", "http://www.akershus.no/a%20b/"),
    ("http://www.akershus.no/a%2Bb/", "http://www.akershus.no/a+b/"),
    ("http://www.akershus.no/x/", "https://www.akershus.no/x/"),
    ("http://www.akershus.no/Side/", "http://www.akershus.no/side/"),
    ("http://www.akershus.no/a/b", "http://www.akershus.no/a/b/"),
    ("http://www.akershus.no/a%2Fb/", "http://www.akershus.no/a/b/"),
    ("http://www.akershus.no/p/?n=1", "http://www.akershus.no/p/%3Fn=1"),
    ("http://www.akershus.no/p/?", "http://www.akershus.no/p/"),
    ("http://www.akershus.no/%2e%2e/", "http://www.akershus.no/../"),
    ("http://www.akershus.no/" + "x" * 300 + "1/", "http://www.akershus.no/" + "x" * 300 + "2/"),
])
def test_named_pairs_map_apart(a: str, b: str) -> None:
    fa = capture_paths(a, "2020-09-14T10:42:07Z").page
    fb = capture_paths(b, "2020-09-14T10:42:07Z").page
    assert fa.lower() != fb.lower()


def test_the_seed_url_reads_well() -> None:
    url = ("http://www.akershus.no/ansvarsomrader/internasjonalt/"
           "hvordan-jobber-vi-internasjonalt%3F/internasjonal-strategi/")
    assert capture_paths(url, "2020-09-14T10:42:07Z").page == (
        "pages/www.akershus.no/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt~253f/"
        "internasjonal-strategi/~/20200914104207-http.html")


def test_equivalent_spellings_share_a_folder() -> None:
    same = ["http://WWW.AKERSHUS.NO:80/a/%3f/", "http://www.akershus.no/a/%3F/#frag",
            "https://www.akershus.no:443/a/%3F/"]
    assert len({url_dir(split_url(u)) for u in same}) == 1


def test_reserved_and_long_names() -> None:
    assert encode_segment("CON") == "~43~4f~4e"
    assert encode_segment("con") == "~63on"
    assert encode_segment("nul") == "~6eul"
    long = encode_segment("a" * 1000)
    assert len(long) <= MAX_SEGMENT and "~h" in long
    assert encode_segment("a" * 1000) != encode_segment("a" * 999 + "b")


def test_non_http_urls_are_refused() -> None:
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://x/", "//x/y", "/a/b"):
        with pytest.raises(ValueError):
            capture_paths(bad, "2020-09-14T10:42:07Z")


def test_inside_refuses_escapes() -> None:
    root = Path("/srv/site")
    for bad in ("../x", "a/../../x", "/etc/passwd", "a\\..\\x", "c:/x", "", "x\x00"):
        with pytest.raises(ValueError):
            inside(root, bad)


def test_relative_links() -> None:
    assert relative("pages/a/b/c.html", "index.html") == "../../../index.html"
    assert relative("pages/a/b/c.html", "pages/a/b/d.html") == "d.html"
    assert relative("index.html", "browse/a-z.html") == "browse/a-z.html"
    assert relative("pages/a/x.html", "pages/b/y.html#top") == "../b/y.html#top"
