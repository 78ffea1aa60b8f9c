"""Figures keep their context: the sentence they came from and the years they refer to."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.figures import find_figures
from archive.model import Figure, ListBlock, Paragraph, Period, Section
from archive.strategy import _figures

SEED_TEXT = (
    "Fylket har 570 000 innbyggere, og det er forventet en økning på 200 000 frem mot 2040. "
    "Sammen med Oslo utgjør Akershus en hovedstadsregion med om lag 1,2 millioner innbyggere."
)


def one(text: str) -> Figure:
    (figure,) = find_figures(text)
    return figure


def contexts(text: str) -> list[tuple[str, Period | None, str | None]]:
    return [(f.text, f.period, f.when) for f in find_figures(text)]


def test_the_seed_paragraph() -> None:
    first, increase, region = find_figures(SEED_TEXT)
    assert increase.text == "økning på 200 000"
    assert increase.period == Period(start=None, end=2040)
    assert increase.when == "frem mot 2040"
    assert increase.sentence == (
        "Fylket har 570 000 innbyggere, og det er forventet en økning på 200 000 frem mot 2040."
    )
    # the population is today's: the year belongs to the increase after it, in another clause
    assert (first.text, first.period, first.when) == ("570 000 innbyggere", None, None)
    assert first.sentence == increase.sentence
    assert region.sentence == (
        "Sammen med Oslo utgjør Akershus en hovedstadsregion med om lag 1,2 millioner innbyggere."
    )
    assert (region.period, region.when) == (None, None)


@pytest.mark.parametrize(
    ("text", "period", "when"),
    [
        # an end year
        ("Folketallet vil øke med 200 000 frem mot 2040.", (None, 2040), "frem mot 2040"),
        ("Folketallet vil auke med 150 000 fram mot 2040.", (None, 2040), "fram mot 2040"),
        ("Det trengs 5 000 nye boliger fram til 2040.", (None, 2040), "fram til 2040"),
        ("Utslippene skal ned 40 prosent innen 2030.", (None, 2030), "innen 2030"),
        ("Utsleppa skal ned 40 prosent innan 2030.", (None, 2030), "innan 2030"),
        ("Det skal bygges 1 000 boliger innen utgangen av 2030.", (None, 2030),
         "innen utgangen av 2030"),
        ("Emissions will fall by 55 percent by 2030.", (None, 2030), "by 2030"),
        ("The county expects 200,000 more residents towards 2040.", (None, 2040),
         "towards 2040"),
        # one year
        ("I 2018 gikk 34 videregående skoler med.", (2018, 2018), "I 2018"),
        ("Fylket hadde 600 000 innbyggere i 2018.", (2018, 2018), "i 2018"),
        ("The county had 600,000 residents in 2018.", (2018, 2018), "in 2018"),
        ("Det var 570.000 innbyggere per 2018.", (2018, 2018), "per 2018"),
        ("Prosjektet har en ramme på ca. 300 mill. kroner (2018).", (2018, 2018), "(2018)"),
        # a range
        ("Det bygges 40 km sykkelvei 2018-2030.", (2018, 2030), "2018-2030"),
        ("Det bygges 40 km sykkelvei 2018–30.", (2018, 2030), "2018–30"),
        ("Talet på elevar auka med 300 elevar frå 2018 til 2030.", (2018, 2030),
         "frå 2018 til 2030"),
        ("Det bygges 40 km sykkelvei fra 2018 til 2030.", (2018, 2030), "fra 2018 til 2030"),
        ("Ridership grew by 12 percent between 2018 and 2030.", (2018, 2030),
         "between 2018 and 2030"),
        ("Det settes av 5 mrd. kroner i perioden 2018-2030.", (2018, 2030),
         "i perioden 2018-2030"),
        ("Regionen får 350 000 nye innbyggere mellom 2015 og 2030.", (2015, 2030),
         "mellom 2015 og 2030"),
    ],
)
def test_the_year_expression(text: str, period: tuple[int | None, int], when: str) -> None:
    figure = one(text)
    assert figure.period == Period(*period)
    assert figure.when == when
    assert figure.sentence == text


def test_a_baseline_year_is_not_the_period() -> None:
    target = one("Utslippene av klimagasser i Akershus skal reduseres med 55 prosent innen 2030, "
                 "sammenlignet med 1990.")
    assert (target.period, target.when) == (Period(None, 2030), "innen 2030")
    later = one("Utsleppa skal ned 40 prosent samanlikna med 1990 innan 2030.")
    assert (later.period, later.when) == (Period(None, 2030), "innan 2030")
    for text in (
        "Utslippene skal kuttes med 50 prosent sammenlignet med 1990.",
        "Utslippene skal kuttes med 50 prosent fra 1990-nivå.",
        "Utslippene er redusert med 10 prosent siden 2010.",
        "Emissions are to fall by 55 percent compared with 1990.",
        "Emissions are to fall by 55 percent from 1990 levels.",
        "Sammenlignet med 1990 skal utslippene ned 55 prosent.",
    ):
        assert (one(text).period, one(text).when) == (None, None), text


def test_several_figures_in_one_sentence_take_the_year_that_follows_them() -> None:
    assert contexts("Andelen skal øke fra 20 prosent i 2018 til 40 prosent i 2030.") == [
        ("20 prosent", Period(2018, 2018), "i 2018"),
        ("40 prosent", Period(2030, 2030), "i 2030"),
    ]
    # a year already taken by the figure before is not the next figure's
    assert contexts("Andelen økte fra 20 prosent i 2018 til 40 prosent.") == [
        ("20 prosent", Period(2018, 2018), "i 2018"), ("40 prosent", None, None)]
    # the start value of a change has no year of its own
    assert contexts("Andelen skal øke fra 20 prosent til 40 prosent innen 2030.") == [
        ("20 prosent", None, None), ("40 prosent", Period(None, 2030), "innen 2030")]
    # a year before the figure, in its clause, when none follows
    assert contexts("I 2018 var det 20 prosent, og i 2030 skal det være 40 prosent.") == [
        ("20 prosent", Period(2018, 2018), "I 2018"),
        ("40 prosent", Period(2030, 2030), "i 2030"),
    ]


def test_figures_listed_together_share_the_period_after_them() -> None:
    text = ("Oslo og Akershus ventes å få om lag 350 000 nye innbyggere og 190 000 nye "
            "arbeidsplasser mellom 2015 og 2030.")
    assert contexts(text) == [
        ("om lag 350 000 nye innbyggere", Period(2015, 2030), "mellom 2015 og 2030"),
        ("190 000 nye arbeidsplasser", Period(2015, 2030), "mellom 2015 og 2030"),
    ]


def test_a_figure_with_no_year() -> None:
    figure = one("Forventet levealder i Akershus er 83,1 år.")
    assert (figure.period, figure.when) == (None, None)
    assert figure.sentence == "Forventet levealder i Akershus er 83,1 år."


def test_dates_phone_numbers_and_the_figures_own_words_are_not_periods() -> None:
    for text in (
        "Planen ble vedtatt 18. juni 2018 og gjelder 40 skoler.",
        "Planen ble vedtatt i desember 2015 og gjelder 40 skoler.",
        "Andelen var 5 prosent per 31.12.2018.",
        "Ring 22 05 20 18 for å bestille 5 billetter.",
        "Det var 40 prosent i 2018-kroner.",
        "Det ble en økning fra 2018 på 200 000.",  # the year is in the figure's own text
        "Det var 30 prosent i 2030-2018.",  # backwards: no range
    ):
        figure = one(text)
        assert (figure.period, figure.when) == (None, None), text


def test_sentences_split_at_the_right_places() -> None:
    text = ("Vi har bl.a. 5 skoler i Asker. Oslo har f.eks. 20 skoler i 2018! Det er 1.2 "
            "millioner innbyggere i 2019? Til sammen 570.000 innbyggere, dvs. Akershus og Oslo. "
            "Kari N. Nordmann leder 12 ansatte. 2019 ble et rekordår med 300 besøkende.")
    assert [f.sentence for f in find_figures(text)] == [
        "Vi har bl.a. 5 skoler i Asker.",
        "Oslo har f.eks. 20 skoler i 2018!",
        "Det er 1.2 millioner innbyggere i 2019?",
        "Til sammen 570.000 innbyggere, dvs. Akershus og Oslo.",
        "Kari N. Nordmann leder 12 ansatte.",
        "2019 ble et rekordår med 300 besøkende.",
    ]
    assert [f.period for f in find_figures(text)] == [
        None, Period(2018, 2018), Period(2019, 2019), None, None, None]
    # abbreviations that end in a number do not end the sentence
    assert one("Budsjettet er ca. 5 mill. Kroner er mye.").sentence == (
        "Budsjettet er ca. 5 mill. Kroner er mye.")
    assert one("Saken har nr. 2019 og gjelder 40 skoler.").sentence == (
        "Saken har nr. 2019 og gjelder 40 skoler.")
    # white space is collapsed; a blank line or a bullet line ends a sentence
    assert one("Fylket  har\n570 000\tinnbyggere").sentence == "Fylket har 570 000 innbyggere"
    assert [f.sentence for f in find_figures("Mål:\n- 30 skoler\n- 5 prosent innen 2030")] == [
        "- 30 skoler", "- 5 prosent innen 2030"]


def test_list_items_are_their_own_sentences() -> None:
    sections = [Section(heading="Mål", level=2, blocks=[
        Paragraph(text="Planen gjelder fra 2018 til 2030. Den har tre mål:"),
        ListBlock(items=["Utslippene skal halveres", "40 prosent av reisene skal være kollektive",
                         "5 000 nye boliger innen 2025"]),
    ])]
    got = [(f.sentence, f.period) for f in _figures(sections)]
    assert got == [("40 prosent av reisene skal være kollektive", None),
                   ("5 000 nye boliger innen 2025", Period(None, 2025))]


def test_value_text_counts_and_approximate_are_as_before() -> None:
    text = ("Den 12.03.2015 ringte 22 05 50 00 om planen 2015-2030. I 2019 gikk "
            "34 videregående skoler og 45 % av elevene, budsjett 1,5 mrd. kroner.")
    assert [(f.value, f.text, f.counts, f.approximate) for f in find_figures(text)] == [
        (34, "34 videregående skoler", "videregående skoler", False),
        (45, "45 %", "prosent", False),
        (1_500_000_000, "1,5 mrd. kroner", "kroner", False),
    ]
    assert {f.when for f in find_figures(text)} == {"I 2019"}


# --- properties -------------------------------------------------------------------

PIECES = [
    "Fylket har", "570 000 innbyggere", "om lag 1,2 millioner innbyggere", "økning på 200 000",
    "frem mot 2040", "fram mot 2040", "innen 2030", "innan 2030", "by 2030", "towards 2040",
    "i 2018", "in 2018", "per 2018", "(2018)", "2018-2030", "2018–30", "2030-2018",
    "fra 2018 til 2030", "frå 2030 til 2018", "between 2018 and 2030", "mellom 2015 og 2030",
    "i perioden 2018-2030", "sammenlignet med 1990", "fra 1990-nivå", "compared with 1990",
    "18. juni 2018", "12.03.2015", "22 05 50 00", "55 prosent", "45 %", "ca.", "mill.", "f.eks.",
    "bl.a.", "1.2", "570.000", "og", "til", "fra", ",", ".", "!", "?", ";", ", og", "Det", "A.",
    "\n", "\n\n", "- ", "2019", "20", "nr.", "kr.", "Kroner",
]
WORDLIKE = st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join)


def check(text: str) -> None:
    for f in find_figures(text):
        assert " ".join(f.text.split()) in f.sentence
        assert f.sentence == " ".join(f.sentence.split())
        assert (f.period is None) == (f.when is None)
        if f.when is not None:
            assert f.when in f.sentence
        if f.period is not None:
            assert f.period.end is not None
            assert f.period.start is None or f.period.start <= f.period.end


@settings(max_examples=400, deadline=None)
@given(WORDLIKE)
def test_figures_from_pieces_keep_a_consistent_context(text: str) -> None:
    check(text)
    if text == " ".join(text.split()):  # single-spaced: the figure's text is in its sentence
        assert all(f.text in f.sentence for f in find_figures(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 .,-–()/iInoaemrt\n%"), max_size=80)
       | st.text(max_size=80))
def test_find_figures_never_raises_and_the_context_holds(text: str) -> None:
    check(text)
