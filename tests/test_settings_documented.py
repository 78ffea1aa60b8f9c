"""Every setting in crawler/settings.py has a line in docs/settings.md."""

from __future__ import annotations

import re
from pathlib import Path

from crawler import settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", doc))
    names = {n for n in vars(settings) if n.isupper()}
    missing = sorted(names - documented)
    assert not missing, f"settings without a line in docs/settings.md: {missing}"


def _documented_defaults() -> dict[str, str]:
    """NAME -> the default cell of its row in docs/settings.md, for rows of one setting."""
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[A-Z][A-Z0-9_]+`", cells[0]):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def _as_doc(value: object) -> set[str] | None:
    """The ways docs/settings.md may write a plain default, else None (described in words)."""
    if value in ("", [], ()):
        return {"empty", "`[]`", '`""`'}
    if isinstance(value, (bool, int, float, str)):
        return {f"`{value}`"}
    if isinstance(value, list) and all(isinstance(v, (int, str)) for v in value):
        return {f"`{value!r}`", f"`{value!r}`".replace("'", '"')}
    return None


def test_every_documented_default_is_the_code_default() -> None:
    rows = _documented_defaults()
    wrong = []
    for name, cell in rows.items():
        if not hasattr(settings, name):
            continue
        allowed = _as_doc(getattr(settings, name))
        if not (cell.startswith("`") or cell == "empty"):
            continue  # described in words ("a sentence", "asyncio reactor")
        if allowed is not None and cell not in allowed:
            wrong.append(f"{name}: docs {cell}, code {getattr(settings, name)!r}")
    assert len(rows) > 60 and not wrong, wrong


def test_cli_help_shows_the_settings_defaults() -> None:
    from akershus_archive.cli import build_parser

    parser = build_parser()
    crawl = parser._subparsers._group_actions[0].choices["crawl"].format_help()  # type: ignore
    harvest = parser._subparsers._group_actions[0].choices["harvest"].format_help()  # type: ignore
    flat = " ".join(crawl.split())
    assert f"(default: {settings.DOWNLOAD_DELAY})" in flat
    assert f"(default: {settings.CONCURRENT_REQUESTS_PER_DOMAIN})" in flat
    assert f"(default: {settings.DOWNLOAD_MAXSIZE})" in flat
    flat = " ".join(harvest.split())
    assert f"(default: {settings.HARVEST_DELAY};" in flat
    assert f"(default: {settings.HARVEST_CONCURRENCY})" in flat
    assert "(default: None)" not in flat


def test_warcinfo_names_every_setting_that_shapes_a_capture() -> None:
    from crawler.warcfile import CAPTURE_SETTINGS

    names = {n for n in vars(settings) if n.isupper()}
    shaping = {n for n in names if n.startswith(("SCOPE_", "WIRE_", "HARVEST_"))} - {
        # how the harvest is paced after refusals, paged and retried: not what it captures
        "HARVEST_PAGINATION", "HARVEST_PAGE_SIZE", "HARVEST_RETRY_HTTP_CODES",
        "HARVEST_RETRY_TIMES", "HARVEST_BACKOFF", "HARVEST_BACKOFF_MAX",
        "HARVEST_BLOCK_AFTER", "HARVEST_BLOCK_PAUSE", "HARVEST_BLOCK_RETRIES"}
    assert shaping <= set(CAPTURE_SETTINGS), sorted(shaping - set(CAPTURE_SETTINGS))
    assert set(CAPTURE_SETTINGS) <= names


def test_document_limits_in_the_docs_are_the_code_defaults() -> None:
    """docs/documents.md gives each per-document limit with the default the code has."""
    from archive.pdf_read import DocumentLimits
    from archive.pdf_worker import GRACE_SECONDS, WORKER_MEMORY

    doc = (ROOT / "docs" / "documents.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", doc, flags=re.MULTILINE))
    limits = DocumentLimits()
    assert rows["max_bytes"].strip() == f"{limits.max_bytes // 2**20} MiB"
    assert rows["max_pages"].strip() == str(limits.max_pages)
    assert rows["max_seconds"].strip() == f"{limits.max_seconds:g} s"
    assert rows["max_chars"].strip().replace(" ", "") == str(limits.max_chars)
    assert rows["WORKER_MEMORY"].strip() == f"{WORKER_MEMORY // 2**30} GiB"
    assert f"{GRACE_SECONDS:g} s more (`GRACE_SECONDS`)" in doc
