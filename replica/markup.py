"""Read the hand-written page files in ``replica/content/`` into ``Page`` data.

The files use a small markdown-like format so that page text stays data, not
code. A file holds several pages::

    === /ansvarsomrader/tannhelse/
    title: Tannhelse
    ingress: Den offentlige tannhelsetjenesten ...
    ---
    Paragraph with [a link](/path/) and **bold** text.

    ## Heading
    - bullet
    1. numbered
    > quotation
    > -- source
    | head | head |
    | cell | cell |
    ![alt](http://static.akershus.no/bilder/x.png "caption")
    @kontakt Name | Job title | Phone | email
    @nyheter 5
    @nbsp

Header keys: title, ingress, menu, published, modified, template, lang,
charset, era (page only in that era), linked, sitemap, gzip, chunked.
A line ending in `` \\`` inside a paragraph becomes a ``<br>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from typing import Any

from .model import Block, Page

_BOOL = {"yes": True, "ja": True, "true": True, "no": False, "nei": False, "false": False}
_OL = re.compile(r"^\d+\.\s+")
_FIG = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<src>\S+)(?:\s+"(?P<cap>[^"]*)")?\)$')


def parse_blocks(text: str) -> tuple[Block, ...]:
    """Split body text into blocks at blank lines, by the first line's marker."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = [ln.rstrip("\n") for ln in chunk.split("\n") if ln.strip()]
        if lines:
            blocks.extend(_parse_chunk(lines))
    return tuple(blocks)


def _parse_chunk(lines: list[str]) -> Iterator[Block]:
    first = lines[0]
    if first.startswith("### "):
        yield ("h3", first[4:].strip())
        if lines[1:]:
            yield from _parse_chunk(lines[1:])
    elif first.startswith("## "):
        yield ("h2", first[3:].strip())
        if lines[1:]:
            yield from _parse_chunk(lines[1:])
    elif first.startswith("- "):
        yield ("ul", tuple(ln[2:].strip() for ln in lines))
    elif _OL.match(first):
        yield ("ol", tuple(_OL.sub("", ln).strip() for ln in lines))
    elif first.startswith(">"):
        body = [ln.lstrip(">").strip() for ln in lines]
        source = ""
        if body[-1].startswith("-- "):
            source = body.pop()[3:].strip()
        yield ("quote", " ".join(body), source)
    elif first.startswith("|"):
        rows = [tuple(c.strip() for c in ln.strip().strip("|").split("|")) for ln in lines]
        rows = [r for r in rows if not all(set(c) <= set("-: ") for c in r)]
        yield ("table", rows[0], tuple(rows[1:]))
    elif m := _FIG.match(first):
        yield ("figure", m["src"], m["alt"], m["cap"] or "")
    elif first.startswith("@kontakt "):
        people = tuple(tuple(p.strip() for p in ln[9:].split("|")) for ln in lines)
        yield ("contact", people)
    elif first.startswith("@nyheter"):
        yield ("news", int(first.split()[1]))
    elif first.startswith("@nbsp"):
        yield ("nbsp",)
    elif first.startswith("@raw "):
        yield ("raw", "\n".join(ln.removeprefix("@raw ") for ln in lines))
    else:
        yield ("p", "\n".join(lines))


def parse_pages(text: str) -> Iterator[tuple[Page, str]]:
    """Yield (page, era) pairs from one content file; era is "" for both eras."""
    for section in re.split(r"^=== ", text, flags=re.MULTILINE)[1:]:
        head, _, body = section.partition("\n---\n")
        path, *meta_lines = head.strip("\n").split("\n")
        meta = dict(_meta(ln) for ln in meta_lines if ln.strip() and not ln.startswith("#"))
        era = meta.pop("era", "")
        page = Page(path=path.strip(), title=meta.pop("title"), blocks=parse_blocks(body))
        page = replace(page, **_page_fields(meta))
        yield page, era


def _meta(line: str) -> tuple[str, str]:
    key, _, value = line.partition(":")
    return key.strip(), value.strip()


def _page_fields(meta: dict[str, str]) -> dict[str, Any]:
    """Page fields by name: text, or a flag for yes/no (Any: each field has its own type)."""
    names = {"menu": "menu_title", "sitemap": "in_sitemap"}
    fields: dict[str, Any] = {}
    for key, value in meta.items():
        name = names.get(key, key)
        fields[name] = _BOOL.get(value, value)
    return fields


def load_content_pages(era: str) -> list[Page]:
    """All hand-written pages of ``replica/content/*.txt`` for one era, in file order."""
    pages: dict[str, Page] = {}
    folder = resources.files(__package__).joinpath("content")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        for page, page_era in parse_pages(entry.read_text(encoding="utf-8")):
            if page_era in ("", era):
                pages[page.path] = page
    return list(pages.values())
