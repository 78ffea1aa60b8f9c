"""Every setting in crawler/settings.py has a line in docs/settings.md."""

from __future__ import annotations

import re
from pathlib import Path

import crawler.settings as settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", doc))
    names = {n for n in vars(settings) if n.isupper()}
    missing = sorted(names - documented)
    assert not missing, f"settings without a line in docs/settings.md: {missing}"
