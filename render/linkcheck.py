"""Link integrity of a rendered site: nothing broken, nothing unreachable, nothing live.

Every HTML and CSS file is parsed (not grepped); every local reference must
name a file inside the site; every archived page must be reachable from
``index.html`` by following links; and no clickable link may lead to the old
domain, which now belongs to someone else.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

from .linkmap import is_site_host

# <link rel> values that are metadata about the page, not something loaded.
META_RELS = frozenset({"original", "successor-version", "dcterms:isreplacedby", "alternate"})
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
_SKIP_SCHEMES = ("mailto:", "tel:", "data:")
MAX_LISTED = 20


@dataclass
class LinkReport:
    """What the check found; ``ok`` is what the build's exit code follows."""

    files: int = 0
    links: int = 0
    external: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)  # (file, reference)
    unreachable: list[str] = field(default_factory=list)
    live_old_site: list[tuple[str, str]] = field(default_factory=list)
    external_embeds: list[tuple[str, str]] = field(default_factory=list)  # would fetch the web

    @property
    def ok(self) -> bool:
        return not (self.broken or self.unreachable or self.live_old_site
                    or self.external_embeds)

    def lines(self) -> list[str]:
        out = [f"link check: {self.files} files, {self.links} local links, "
               f"{self.external} links leaving the archive: "
               + ("OK" if self.ok else "FAILED")]
        for label, items in (("broken link", self.broken),
                             ("live link to the old site", self.live_old_site),
                             ("resource loaded from the web", self.external_embeds)):
            out += [f"  {label}: {f} -> {ref}" for f, ref in items[:MAX_LISTED]]
            if len(items) > MAX_LISTED:
                out.append(f"  ... and {len(items) - MAX_LISTED} more {label}s")
        out += [f"  unreachable from index.html: {p}" for p in self.unreachable[:MAX_LISTED]]
        if len(self.unreachable) > MAX_LISTED:
            out.append(f"  ... and {len(self.unreachable) - MAX_LISTED} more unreachable pages")
        return out


_WITH_URLS = "//*[@href or @src or @srcset or @imagesrcset or @poster or @background]"


def _references(doc: lxml.html.HtmlElement) -> list[tuple[str, str, bool]]:
    """(reference, tag, navigable) for every URL-bearing attribute of a document."""
    out = []
    for el in doc.xpath(_WITH_URLS):
        tag = el.tag.lower()
        if tag in ("a", "area") and el.get("href") is not None:
            out.append((el.get("href"), tag, True))
        elif tag == "link" and el.get("href") is not None:
            rels = set((el.get("rel") or "").lower().split())
            if not rels & META_RELS:
                out.append((el.get("href"), tag, False))
        for attr in ("src", "poster", "background"):
            if el.get(attr):
                out.append((el.get(attr), tag, False))
        for attr in ("srcset", "imagesrcset"):
            for candidate in (el.get(attr) or "").split(","):
                if candidate.strip():
                    out.append((candidate.strip().split()[0], tag, False))
    return out


class _Checker:
    def __init__(self, site: Path) -> None:
        self.site = site.resolve()
        self.report = LinkReport()
        self.root = str(self.site)
        self.exists_cache: dict[str, str | None] = {}

    def _resolve_file(self, rel: str) -> str | None:
        """The file a site-relative path names (a folder means its index.html), or None."""
        if rel not in self.exists_cache:
            if len(self.exists_cache) > 50_000:  # bounded: shared targets come back soon
                self.exists_cache.clear()
            path = os.path.join(self.root, rel)
            if os.path.isfile(path):
                self.exists_cache[rel] = rel
            elif os.path.isfile(os.path.join(path, "index.html")):
                self.exists_cache[rel] = f"{rel}/index.html"
            else:
                self.exists_cache[rel] = None
        return self.exists_cache[rel]

    def local_target(self, source: str, ref: str) -> str | None:
        """Site-relative path a relative reference names, or None if it leaves the site."""
        path = unquote(ref.split("#", 1)[0].split("?", 1)[0])
        if not path:
            return source
        if path.startswith("/"):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        return None if joined.startswith("../") or joined == ".." else joined

    def check_file(self, rel: str) -> list[str]:
        """Check one file; return the local HTML pages it links to."""
        self.report.files += 1
        full = os.path.join(self.root, rel)
        if rel.endswith(".css"):
            with open(full, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            refs = [(m.group(2) or m.group(4) or "", "css", False) for m in _CSS_URL.finditer(text)]
            ids: set[str] = set()
        else:
            try:
                with open(full, "rb") as fh:
                    doc = lxml.html.document_fromstring(fh.read())
            except (ValueError, lxml.etree.ParserError):
                self.report.broken.append((rel, "(file does not parse as HTML)"))
                return []
            refs = _references(doc)
            ids = set(doc.xpath("//@id"))
        pages = []
        for ref, tag, navigable in refs:
            ref = ref.strip()
            if not ref or ref.lower().startswith(_SKIP_SCHEMES):
                continue
            if ref.startswith("#"):
                if not rel.endswith(".orig.html") and not rel.endswith(".css") \
                        and ref[1:] and ref[1:] not in ids:
                    self.report.broken.append((rel, ref))
                continue
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:
                self.report.external += 1
                if navigable and is_site_host(parts.hostname):
                    self.report.live_old_site.append((rel, ref))
                elif not navigable:
                    self.report.external_embeds.append((rel, ref))
                continue
            self.report.links += 1
            target = self.local_target(rel, ref)
            found = self._resolve_file(target) if target is not None else None
            if found is None:
                self.report.broken.append((rel, ref))
            elif navigable and found.endswith(".html"):
                pages.append(found)
        return pages


def check_site(site: Path, required: list[str]) -> LinkReport:
    """Check every HTML and CSS file under ``site``; ``required`` must be reachable."""
    checker = _Checker(site)
    visited: set[str] = set()
    queue = deque(["index.html"])
    visited.add("index.html")
    while queue:  # breadth-first from the front page
        rel = queue.popleft()
        if not os.path.isfile(os.path.join(checker.root, rel)):
            checker.report.broken.append(("(site)", rel))
            continue
        for target in checker.check_file(rel):
            if target not in visited:
                visited.add(target)
                queue.append(target)
    for dirpath, _, names in os.walk(checker.site):
        for name in names:
            if name.endswith((".html", ".css")):
                rel = os.path.relpath(os.path.join(dirpath, name), checker.site).replace(os.sep, "/")
                if rel not in visited:
                    checker.check_file(rel)
    checker.report.unreachable = sorted(p for p in required if p not in visited)
    return checker.report
