"""Strategy detection from structure and wording, and figures with what they count."""

from __future__ import annotations

from fixtures_archive import legacy_page
from fixtures_archive_pages import ENGLISH_BODY, PLAN_BODY, SEED_GOAL, SEED_URL, SITE, seed_html

from archive.figures import find_figures
from archive.page import read_page
from archive.strategy import detect_strategy, period_of


def strategy_of(html: str, url: str = SITE + "/x/"):  # type: ignore[no-untyped-def]
    page = read_page(html, url)
    return detect_strategy(page.title, page.sections, page.template)


def test_seed_strategy() -> None:
    s = strategy_of(seed_html(), SEED_URL)
    assert s is not None
    assert s.title == "Internasjonal strategi 2014-2018"
    assert (s.period.start, s.period.end) == (2014, 2018)
    assert s.goal == SEED_GOAL
    assert s.priorities == ["Samferdsel og miljø", "Nærings- og samfunnsutvikling",
                            "Ungdom og opplæring"]
    figures = {(f.value, f.counts) for f in s.figures}
    assert {(570000, "innbyggere"), (200000, "økning"), (1200000, "innbyggere")} <= figures
    assert next(f for f in s.figures if f.value == 1200000).approximate


def test_plan_with_other_headings_and_sub_headings_as_priorities() -> None:
    s = strategy_of(legacy_page("Regional plan for folkehelse 2015–2030", PLAN_BODY))
    assert s is not None
    assert s.title == "Regional plan for folkehelse 2015–2030"
    assert (s.period.start, s.period.end) == (2015, 2030)
    assert s.goal == "Befolkningen i Akershus skal ha god helse og små sosiale forskjeller."
    assert s.priorities == ["Levekår og sosial ulikhet", "Psykisk helse", "Fysisk aktivitet",
                            "Rusforebygging"]


def test_english_strategy() -> None:
    s = strategy_of(legacy_page("International strategy 2016-2020", ENGLISH_BODY, lang="en"))
    assert s is not None and s.period is not None and s.period.end == 2020
    assert s.priorities == ["Transport and environment", "Business development",
                            "Youth and education"]
    assert s.goal == "The county aims to strengthen international cooperation."


def test_goal_as_a_quote_and_focus_areas_in_nynorsk() -> None:
    body = ("<h2>Målsetjing</h2><blockquote>Akershus skal vere ein open region.</blockquote>"
            "<h2>Satsingsområde</h2><ul><li>Kultur</li><li>Idrett</li></ul>")
    s = strategy_of(legacy_page("Kulturstrategi 2017–2021", body, lang="nn"))
    assert s is not None
    assert s.goal == "Akershus skal vere ein open region."
    assert s.priorities == ["Kultur", "Idrett"]


def test_ordinary_pages_are_not_strategies() -> None:
    assert strategy_of(legacy_page("Tannhelse", "<h2>Mål</h2><p>Friske tenner.</p>")) is None
    assert strategy_of(legacy_page("Planer og strategier", "<ul><li><a href='/a/'>"
                                   "Internasjonal strategi 2014-2018</a></li></ul>")) is None
    press = legacy_page("Ny samferdselsplan 2019-2030 vedtatt",
                        "<h2>Mål</h2><p>x</p><h2>Prioriteringer</h2><ul><li>a</li></ul>",
                        body_class="page-news")
    assert strategy_of(press) is None
    report = legacy_page("Årsrapport 2015", "<h2>Mål og strategier</h2><ul><li>a</li></ul>")
    assert strategy_of(report) is None


def test_period_forms() -> None:
    assert (period_of("Plan 2015–2030").start, period_of("Plan 2015–2030").end) == (2015, 2030)
    assert period_of("Strategi 2016-19").end == 2019
    assert period_of("fram mot 2030").start is None
    assert period_of("ingen år") is None


def test_figures_skip_years_dates_and_phone_numbers() -> None:
    text = ("Den 12.03.2015 ringte 22 05 50 00 om planen 2015-2030. I 2019 gikk "
            "34 videregående skoler og 45 % av elevene, budsjett 1,5 mrd. kroner.")
    figures = find_figures(text)
    assert [(f.value, f.counts) for f in figures] == [
        (34, "videregående skoler"), (45, "prosent"), (1_500_000_000, "kroner")]
