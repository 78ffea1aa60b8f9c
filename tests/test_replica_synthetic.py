"""The synthetic replica: pages weigh the same at every size, and every page can be reached."""

from __future__ import annotations

import re
from statistics import mean

import pytest

from replica import synthetic
from replica.synthetic import SyntheticSite

HREF = re.compile(r'href="(/[^"#?]*)"')


def _links(site: SyntheticSite, path: str) -> list[str]:
    return HREF.findall(site.page_html(site.pages[path]).decode())


def _articles(site: SyntheticSite, step: int) -> list[str]:
    return [p for p in site.pages if "/side-" in p][::step]


def test_links_per_page_do_not_grow_with_the_site() -> None:
    small, large = SyntheticSite(2000), SyntheticSite(20000)
    per_small = mean(len(_links(small, p)) for p in _articles(small, 37))
    per_large = mean(len(_links(large, p)) for p in _articles(large, 370))
    assert 40 < per_small < 80
    assert per_large == pytest.approx(per_small, rel=0.1)


def test_a_windowed_menu_still_reaches_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthetic, "MENU_AREAS", 3)
    site = SyntheticSite(600)
    menu = re.compile(r'<nav id="sekundarmeny".*?</nav>', re.DOTALL)
    page = next(p for p in site.pages if "/omrade-3/side-" in p)
    shown = re.findall(r'href="([^"]*omrade-\d+/)"', menu.search(
        site.page_html(site.pages[page]).decode())[0])
    assert len(shown) == 3 and any("/omrade-3/" in s for s in shown)
    seen, todo = {"/"}, ["/"]
    while todo:
        for link in _links(site, todo.pop()):
            if link in site.pages and link not in seen:
                seen.add(link)
                todo.append(link)
    assert seen == set(site.pages)
