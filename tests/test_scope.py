"""Scope, trap and URL rules of the crawler."""

from __future__ import annotations

import random

import pytest

from crawler.scope import PAGE, REQUISITE, ROBOTS, SITEMAP, Scope, TrapRules, registered_domain

SEED = "http://www.akershus.no/"


def scope(**kw) -> Scope:
    args = {"seeds": [SEED], "extra_hosts": [], "prefixes": [], "include": [], "exclude": [],
            "requisite_domains": ["akershus-fk.no"]}
    args.update(kw)
    return Scope.build(**args)


def test_seed_host_pages_in_scope() -> None:
    s = scope()
    assert s.check("http://www.akershus.no/ansvarsomrader/", PAGE) is None
    assert s.check("https://www.akershus.no/english/", PAGE) is None


@pytest.mark.parametrize("url", [
    "https://www.viken.no/",
    "http://www.regjeringen.no/",
    "http://akershus.no.evil.example/",
    "http://static.akershus.no/bilder/a.png",  # another host: not a page host
])
def test_other_hosts_are_not_pages(url: str) -> None:
    assert scope().check(url, PAGE) == "out_of_scope"


def test_requisites_from_other_hosts_of_the_site() -> None:
    s = scope()
    assert s.check("http://static.akershus.no/bilder/a.png", REQUISITE) is None
    assert s.check("http://aarsrapport2013.akershus-fk.no/css/a.css", REQUISITE) is None
    assert s.check("https://www.viken.no/logo.png", REQUISITE) == "out_of_scope"
    assert s.check("http://cdn.example.com/jquery.js", REQUISITE) == "out_of_scope"
    assert s.check("http://static.akershus.no/robots.txt", ROBOTS) is None


def test_scheme_refused() -> None:
    assert scope().check("ftp://www.akershus.no/", PAGE) == "scheme"
    assert scope().check("javascript:alert(1)", REQUISITE) == "scheme"


def test_prefix_include_exclude() -> None:
    s = scope(prefixes=["http://www.akershus.no/ansvarsomrader/"], exclude=[r"/intranett/"])
    assert s.check("http://www.akershus.no/ansvarsomrader/tannhelse/", PAGE) is None
    assert s.check("http://www.akershus.no/om-fylkeskommunen/", PAGE) == "out_of_scope"
    assert s.check("http://www.akershus.no/ansvarsomrader/intranett/", PAGE) == "excluded"
    s = scope(include=[r"/english/"])
    assert s.check("http://www.akershus.no/english/a/", PAGE) is None
    assert s.check("http://www.akershus.no/norsk/", PAGE) == "excluded"
    # sitemaps are fetched from a seed host whatever the page filters say
    assert s.check("http://www.akershus.no/sitemap.xml", SITEMAP) is None


def test_extra_hosts() -> None:
    s = scope(extra_hosts=["aarsrapport2013.akershus-fk.no"])
    assert s.check("http://aarsrapport2013.akershus-fk.no/", PAGE) is None


def test_registered_domain() -> None:
    assert registered_domain("www.akershus.no") == "akershus.no"
    assert registered_domain("aarsrapport2013.akershus-fk.no") == "akershus-fk.no"


def test_trap_repeating_segments() -> None:
    t = TrapRules()
    assert t.check("http://www.akershus.no/a/a/") is None
    assert t.check("http://www.akershus.no/a/a/a/") == "trap:repeating_segments"
    assert t.check("http://www.akershus.no/" + "x/" * 3) == "trap:repeating_segments"


def test_trap_depth_and_length() -> None:
    t = TrapRules(max_path_depth=4, max_url_length=60)
    assert t.check("http://www.akershus.no/a/b/c/d/") is None
    assert t.check("http://www.akershus.no/a/b/c/d/e/") == "trap:path_depth"
    assert t.check("http://www.akershus.no/" + "y" * 60) == "trap:url_length"


def test_trap_query_hops_end_a_calendar_whatever_the_order() -> None:
    base = "http://www.akershus.no/arrangementer/kalender/?dato=2019-09-{:02d}"
    # day 10 is linked at hop 3; each day links the next and the previous
    days = {d: 3 + abs(d - 10) for d in range(1, 31)}
    accepted = []
    for seed in range(5):  # pages of one hop level parsed in any order: same days kept
        rng = random.Random(seed)
        rules = TrapRules(max_query_hops=5)
        order = sorted(days, key=lambda d: (days[d], rng.random()))
        accepted.append({d for d in order if rules.check(base.format(d), days[d]) is None})
    assert all(a == set(range(5, 16)) for a in accepted)
    assert rules.check(base.format(20), days[20]) == "trap:query_hops"


def test_trap_query_variants_end_an_explosion() -> None:
    t = TrapRules(max_query_variants=5)
    base = "http://www.akershus.no/sok/?q="
    results = [t.check(f"{base}{n}", 2) for n in range(1, 10)]
    assert results[:5] == [None] * 5
    assert set(results[5:]) == {"trap:query_variants"}
    # a variant already seen stays allowed (it is the same URL)
    assert t.check(f"{base}1", 2) is None
    # parameter order does not make a new variant
    t2 = TrapRules(max_query_variants=1)
    assert t2.check("http://h/p?a=1&b=2") is None
    assert t2.check("http://h/p?b=2&a=1") is None


def test_trap_query_params() -> None:
    t = TrapRules(max_query_params=3)
    assert t.check("http://h/p?a=1&b=2&c=3") is None
    assert t.check("http://h/p?a=1&b=2&c=3&d=4") == "trap:query_params"


def test_press_pagination_is_not_a_trap_by_default() -> None:
    t = TrapRules()
    url = "http://www.akershus.no/om-fylkeskommunen/pressesenter/pressemeldinger/?n_lim=10&n_po={}"
    assert all(t.check(url.format(n)) is None for n in range(0, 150, 10))
