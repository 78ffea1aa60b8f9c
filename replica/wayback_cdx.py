"""The CDX server API (``/cdx/search/cdx``) of the Wayback Machine stand-in.

It follows internetarchive/wayback's CDXServer.java line by line where the answer
depends on it: the key range of a match type, the order of offset, from/to, filters and
collapsing, when a resume key is written and how. Sources are those of
docs/wayback-facts.md section 1 (FACTS 1).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_plus, unquote_plus

from .wayback_index import FIELDS, Capture, Index, urlkey

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain;charset=UTF-8"
PAGED_ERROR = ("Sorry, this server is not configured to support paged query. "
               "Remove page= param and try again.")


class CdxQueryError(ValueError):
    """A query the CDX server answers with 400 and a one-line message."""


@dataclass
class CdxAnswer:
    status: int
    content_type: str
    body: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def inc_last_char(text: str) -> str:
    """webarchive-commons ``incLastChar``: the last character plus one (9 -> ':')."""
    return text[:-1] + chr(ord(text[-1]) + 1) if text else text


def resume_key(line: tuple[str, ...]) -> str:
    """URL-encoded ``urlkey + " " + incLastChar(timestamp)`` (FACTS 1, CDXJ)."""
    return quote_plus(f"{line[0]} {inc_last_char(line[1])}", safe="")


def key_range(url: str, match: str) -> tuple[str, str]:
    """Start and end key of a match type (UrlSurtRangeComputer.determineRange)."""
    url = url.removeprefix(".")
    start = urlkey(url, keep_slash=(match == "prefix"))
    host, _, path = start.partition(")")
    if match == "prefix" and path in ("", "/"):  # a prefix on "/" is a host match
        match = "host"
    host_surt = host.split(":")[0]
    if match == "exact":
        return start, start + "!"
    if match == "prefix":
        return start, inc_last_char(start)
    if match == "host":  # a host with a port other than the default is its own host
        return host + ")/", host + ")0"
    if match == "domain":
        return host_surt + ")/", host_surt + "-"
    raise CdxQueryError(f"Invalid matchType: {match}")


def _field_index(name: str) -> int:
    if name.lstrip("-").isdigit():
        return int(name)
    return FIELDS.index(name) if name in FIELDS else -1


def _value(line: tuple[str, ...], index: int) -> str:
    if index < 0 or index >= len(line):
        return " ".join(line)
    return line[index]


def _filter(spec: str) -> Callable[[tuple[str, ...]], bool]:
    """``[~][!]field:regex``; the regex matches the whole field (FieldRegexFilter.java)."""
    contains = spec.startswith("~")
    spec = spec[1:] if contains else spec
    inverted = spec.startswith("!")
    spec = spec[1:] if inverted else spec
    name, sep, pattern = spec.partition(":")
    index = _field_index(name) if sep else -1
    if not sep:
        pattern = spec
    if contains:
        def test(line: tuple[str, ...]) -> bool:
            return pattern in _value(line, index)
    else:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise CdxQueryError(f"Invalid filter regex {pattern!r}: {exc}") from None

        def test(line: tuple[str, ...]) -> bool:
            return regex.fullmatch(_value(line, index)) is not None
    return (lambda line: not test(line)) if inverted else test


class _Collapser:
    """``collapse=field[:N]``: drops adjacent repeats (CollapseFieldFilter.java)."""

    def __init__(self, specs: list[str]) -> None:
        self.rules: list[tuple[int, int]] = []
        for spec in specs:
            spec = unquote_plus(spec)
            name, _, size = spec.partition(":")
            self.rules.append((_field_index(name), int(size) if size.isdigit() else -1))
        self.prev: list[str | None] = [None] * len(self.rules)

    def include(self, line: tuple[str, ...]) -> bool:
        for i, (index, size) in enumerate(self.rules):
            value = _value(line, index)
            if 0 < size <= len(value):
                value = value[:size]
            if self.prev[i] is not None and value == self.prev[i]:
                return False  # like the Java loop: later rules are not updated
            self.prev[i] = value
        return True


def _int(params: dict[str, list[str]], name: str, default: int) -> int:
    raw = params.get(name, [""])[-1].strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise CdxQueryError(f"Invalid {name}: {raw}") from None


def _flag(params: dict[str, list[str]], name: str) -> bool:
    return params.get(name, ["false"])[-1].strip().lower() == "true"


def wants_gzip(params: dict[str, list[str]], accept_encoding: str | None) -> bool:
    """CDXServer.determineGzip: ``gzip=`` decides, else ``Accept-Encoding`` contains gzip."""
    if "gzip" in params:
        return params["gzip"][-1].strip().lower() != "false"
    return accept_encoding is not None and "gzip" in accept_encoding


class _Writer:
    """JsonWriter / PlainTextWriter: the exact bytes of both outputs."""

    def __init__(self, json_output: bool, names: list[str]) -> None:
        self.json = json_output
        self.names = names
        self.parts: list[str] = ["["] if json_output else []
        self.first = True

    def line(self, fields: list[str]) -> None:
        if not self.json:
            self.parts.append(" ".join(fields) + "\n")
            return
        if self.first:
            self.parts.append("[" + ",".join(f'"{n}"' for n in self.names) + "],\n")
            self.first = False
        else:
            self.parts.append(",\n")
        self.parts.append("[" + ", ".join(json.dumps(f) for f in fields) + "]")

    def resume(self, key: str) -> None:
        self.parts.append(f',\n[],\n["{key}"]' if self.json else f"\n{key}\n")

    def end(self) -> str:
        if self.json:
            self.parts.append("]\n")
        return "".join(self.parts)


def answer(index: Index, params: dict[str, list[str]], *, paged: bool = False,
           page_size: int = 10, max_limit: int = 150000) -> CdxAnswer:
    """The answer to one query: status, type, body (before gzip), extra headers."""
    json_output = params.get("output", [""])[-1] == "json"
    ctype = JSON_TYPE if json_output else TEXT_TYPE
    try:
        return _answer(index, params, json_output, paged, page_size, max_limit)
    except CdxQueryError as exc:  # HttpCDXWriter.printError: 400 and one line
        return CdxAnswer(400, ctype, f"{exc}\n")


def _answer(index: Index, params: dict[str, list[str]], json_output: bool, paged: bool,
            page_size: int, max_limit: int) -> CdxAnswer:
    ctype = JSON_TYPE if json_output else TEXT_TYPE
    url = params.get("url", [""])[-1]
    if not url:
        raise CdxQueryError("url parameter is required")
    match = params.get("matchType", [""])[-1] or None
    if match is None:  # wildcards as shortcuts for matchType (CDXServer.getCdx)
        if url.startswith("*."):
            match, url = "domain", url[2:]
        elif url.endswith("*"):
            match, url = "prefix", url[:-1]
        else:
            match = "exact"
    start, end = key_range(url, match)
    limit = _int(params, "limit", 0)
    offset = _int(params, "offset", 0)
    page = _int(params, "page", -1)
    show_pages = _flag(params, "showNumPages")
    texts = index.texts
    headers: list[tuple[str, str]] = []
    if page >= 0 or show_pages:  # ZipNum pages (CDXServer.createPagedCdxIterator)
        if not paged:
            raise CdxQueryError(PAGED_ERROR)
        lo, hi = bisect.bisect_left(texts, start), bisect.bisect_left(texts, end)
        pages = max(1, math.ceil((hi - lo) / page_size))
        headers.append(("X-CDX-Num-Pages", str(pages)))
        if show_pages:
            return CdxAnswer(200, ctype, f"{pages}\n", headers)
        lo = min(hi, lo + page * page_size)
        candidates = index.lines[lo:min(hi, lo + page_size)]
        read_limit = 2**31 - 1
    else:
        key = params.get("resumeKey", [""])[-1]
        if key and " " not in key:  # a double-encoded key (FACTS 1: EDGI's resumeKey)
            key = unquote_plus(key)
        from_ts = params.get("from", [""])[-1]
        search = key or (f"{start} {from_ts}" if from_ts else start)
        lo, hi = bisect.bisect_left(texts, search), bisect.bisect_left(texts, end)
        candidates = index.lines[lo:hi] if lo < hi else []
        read_limit = max_limit
    return _write(candidates, params, json_output, match, limit, offset, read_limit,
                  ctype, headers)


def _write(candidates: list[tuple[str, Capture]], params: dict[str, list[str]],
           json_output: bool, match: str, limit: int, offset: int, read_limit: int,
           ctype: str, headers: list[tuple[str, str]]) -> CdxAnswer:
    """CDXServer.writeCdxResponse: offset, from/to, filters, collapse, limit, resume key."""
    from_ts = params.get("from", [""])[-1]
    to_ts = params.get("to", [""])[-1]
    fl = [n for n in params.get("fl", [""])[-1].split(",") if n]
    names = [n for n in fl if n in FIELDS] if fl else list(FIELDS)
    picks = [FIELDS.index(n) for n in names]
    filters = [_filter(f) for f in params.get("filter", []) if f]
    collapser = _Collapser([c for c in params.get("collapse", []) if c])
    reverse = limit == -1 or _flag(params, "last")
    if reverse:  # the last line: a reverse scan limited to one
        candidates, limit = candidates[::-1], 1
    last_n = 0
    if limit < 0:
        last_n, limit = min(-limit, read_limit), read_limit
    elif limit == 0:
        limit = read_limit
    else:
        limit = min(limit, read_limit)
    writer = _Writer(json_output, names)
    kept: list[list[str]] = []
    written = read = 0
    line: tuple[str, ...] | None = None
    for _text, capture in candidates:
        if written >= limit or read >= read_limit:
            break
        read += 1
        if offset > 0:
            offset -= 1
            continue
        line = capture.fields()
        ts = line[1]
        if from_ts and ts < from_ts:
            continue
        if to_ts and ts > to_ts and not ts.startswith(to_ts):
            if match == "exact" and not reverse:
                break
            continue
        if not all(f(line) for f in filters) or not collapser.include(line):
            continue
        out = [line[i] for i in picks]
        if last_n:
            kept = (kept + [out])[-last_n:]  # LastNLineProcessor counts no lines written
        else:
            writer.line(out)
            written += 1
    for out in kept:
        writer.line(out)
    if _flag(params, "showResumeKey") and line is not None and written >= limit > 0:
        writer.resume(resume_key(line))
    return CdxAnswer(200, ctype, writer.end(), headers)
