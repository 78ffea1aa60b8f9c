"""Pages in the legacy templates for the unit tests, and a small archive of them.

The seed page uses the real text of the seed; the others are written for
the tests, each for one behaviour (a strategy with other headings, English,
ISO-8859-1, a press release, the annual-report template, a contact block).
"""

from __future__ import annotations

from pathlib import Path

from fixtures_archive import Response, legacy_page, report_page, write_warc

SITE = "http://www.akershus.no"
SEED_URL = (
    SITE + "/ansvarsomrader/internasjonalt/hvordan-jobber-vi-internasjonalt%3F/"
    "internasjonal-strategi/"
)

SEED_BODY = """
<p>Et verktøy for å nå målsettinger på fylkeskommunens politikkområder.</p>
<p>Mange av utfordringene i Akershus sammenfaller med utfordringer andre steder i Europa. Som regional utviklingsaktør er det naturlig at fylkeskommunen  tar et ansvar for å mobilisere og dyktiggjøre kommuner, bedrifter og organisasjoner i Akershus til vellykket internasjonal samhandling.</p>
<p>Ved strategisk internasjonalt arbeid legger vi til rette for å utnytte de interessefellesskap som finnes, til beste for Akershus-samfunnet.</p>
<p>Internasjonalt samarbeid gir mulighet for resultater, utvikling og politisk dialog på alle områder. Internasjonalt arbeid kan også være et godt verktøy for å påvirke rammebetingelser som ikke avgjøres lokalt, regionalt eller nasjonalt. Ikke minst gjør internasjonal samhandling oss bedre i stand til å forstå og delta i det globaliserte og flerkulturelle samfunnet vi lever i.</p>
<ul>
<li>Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god utvikling i regionen og levere gode tjenester til befolkningen.</li>
<li>Internasjonalt samarbeid er et verktøy for dialog, læring og utvikling på alle politikkområder.</li>
<li>Internasjonal kompetanse gjør Akershus’ innbyggere bedre rustet til å leve, studere og arbeide i et flerkulturelt og globalisert samfunn.</li>
</ul>
<h2>Internasjonal strategi 2014-2018</h2>
<p>Fylkeskommunens internasjonale strategi viderefører, videreutvikler og spisser det internasjonale engasjementet som vi har hatt i en årrekke.</p>
<p>Både tematisk og geografisk prioritereres ressursene til områder hvor fylkeskommunen har tydelig ansvar og virkemidler, og der internasjonalt arbeid skaper merverdi for Akershus-samfunnet.</p>
<p><a href="/globalassets/dokumenter/internasjonal-strategi-2014-2018.pdf">Internasjonal strategi 2014-2018 (PDF)</a></p>
<h2>Overordnet målsetting for det internasjonale arbeidet</h2>
<p>Akershus er et grønt og variert fylke der man finner både byer i sterk vekst og rurale jordbruksområder, hovedkontorene til mange av de største multinasjonale selskapene og Nordens største flyplass.<br>
Fylket har 570 000 innbyggere, og det er forventet en økning på 200 000 frem mot 2040. Sammen med Oslo utgjør Akershus en hovedstadsregion med om lag 1,2 millioner innbyggere.</p>
<p>Den sterke veksten, kombinert med et innovativt næringsliv, gir både muligheter og utfordringer for Akershus. Dette gjelder ikke minst areal- og transportplanlegging, og hvordan dette kan gjøres på en miljømessig bærekraftig måte. Akershus fylkeskommune vil gjennom sitt internasjonale arbeid styrke sin kompetanse og sitt virkemiddelapparat for å realisere muligheter og takle utfordringer.</p>
<p>Dette gir følgende overordnede målsetting for det internasjonale arbeidet:</p>
<p>Akershus fylkeskommunes internasjonale engasjement skal bidra til å realisere fylkeskommunens målsettinger og oppgaveløsning.</p>
<h2>Tematiske prioriteringer</h2>
<p>For at det internasjonale arbeidet skal nå sine mål må det spisses inn mot relevante hovedutfordringer på hvert enkelt fagområde. Satsingsområdene bør ikke velges fordi de er internasjonale i sin karakter, men fordi fylkeskommunen gjennom internasjonalt arbeid kan styrke sin kompetanse og gjennomføringsevne. Den internasjonale strategien angir mål og strategier innenfor de følgende tre områdene:</p>
<ul>
<li>Samferdsel og miljø</li>
<li>Nærings- og samfunnsutvikling</li>
<li>Ungdom og opplæring</li>
</ul>
"""
SEED_INGRESS = (
    "Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god utvikling "
    "i regionen og levere gode tjenester til befolkningen."
)
SEED_GOAL = (
    "Akershus fylkeskommunes internasjonale engasjement skal bidra til å realisere "
    "fylkeskommunens målsettinger og oppgaveløsning."
)

PLAN_BODY = """
<h2>Visjon</h2>
<p>Et aktivt og inkluderende fylke der alle kan delta.</p>
<h2>Hovedmål</h2>
<p>Planen bygger på fylkets utfordringsbilde.</p>
<p>Hovedmål: Befolkningen i Akershus skal ha god helse og små sosiale forskjeller.</p>
<h2>Innsatsområder</h2>
<p>Planen har fire innsatsområder.</p>
<h3>Levekår og sosial ulikhet</h3>
<p>Over 30 000 barn vokser opp i familier med lav inntekt.</p>
<h3>Psykisk helse</h3>
<p>Tekst.</p>
<h3>Fysisk aktivitet</h3>
<p>Tekst.</p>
<h3>Rusforebygging</h3>
<p>Tekst.</p>
<h2>Kontakt</h2>
"""

ENGLISH_BODY = """
<h2>Objectives</h2>
<p>The county aims to strengthen international cooperation. Akershus has about 600,000 inhabitants.</p>
<h2>Focus areas</h2>
<ol><li>Transport and environment</li><li>Business development</li><li>Youth and education</li></ol>
"""

LATIN1_BODY = """
<p>Fylkestinget vedtok planen for videregående opplæring. Søknadsfristen er 1. mars – ikke glem den.</p>
<ul><li>Ærlig «sitat»</li><li>Østre Ås</li></ul>
"""

PRESS_BODY = """
<p class="news-date"><time datetime="2019-05-14">14.05.2019</time></p>
<p>Fylkestinget vedtok i dag ny samferdselsplan 2019-2030 med 3 nye bussruter.</p>
"""

CONTACT_BODY = """
<p>Tannhelsetjenesten gir tilbud til barn og unge.</p>
<table><tr><th>Alder</th><th>Pris</th></tr><tr><td>0-18</td><td>Gratis</td></tr></table>
<blockquote>Gode tenner hele livet.<cite>Tannhelsesjefen</cite></blockquote>
<div class="contact-block">
  <h2>Kontakt</h2>
  <div class="contact-person"><p class="contact-name">Kari Nordmann</p>
    <p class="contact-title">Fylkestannlege</p><p class="contact-phone">22 05 50 00</p>
    <p class="contact-email"><a href="mailto:kari.nordmann@akershus.no">kari.nordmann@akershus.no</a></p></div>
</div>
"""

REPORT_BODY = """
<h2>Økonomi</h2>
<p>Driftsbudsjettet var 8,5 milliarder kroner.</p>
<table><tr><th>Post</th><th>Beløp</th></tr><tr><td>Skole</td><td>4 mrd</td></tr></table>
"""


def seed_html(notice: bool = True, older: bool = False) -> str:
    return legacy_page("Internasjonal strategi", SEED_BODY, ingress=SEED_INGRESS,
                       notice=notice, older=older)


def sample_responses() -> list[Response]:
    """The unit-test archive: one capture per behaviour, two of the seed, one revisit."""
    plan = legacy_page("Regional plan for folkehelse 2015–2030", PLAN_BODY,
                       ingress="Planen skal styrke folkehelsen.")
    english = legacy_page("International strategy", ENGLISH_BODY, lang="en",
                          ingress="International cooperation in Akershus.")
    latin1 = legacy_page("Videregående opplæring", LATIN1_BODY, charset="iso-8859-1",
                         ingress="Søk skoleplass – før fristen.")
    press = legacy_page("Ny samferdselsplan vedtatt", PRESS_BODY, body_class="page-news",
                        meta="")
    contact = legacy_page("Tannhelse", CONTACT_BODY, ingress="Tannhelse for alle.")
    report = report_page("Årsrapport 2015", REPORT_BODY, "Året i korte trekk.")
    return [
        Response(SEED_URL, seed_html(notice=False, older=True).encode(),
                 date="2016-05-01T08:00:00Z"),
        Response(SEED_URL, seed_html().encode(), date="2021-03-01T10:00:00Z", gzip=True,
                 chunked=True),
        Response(SITE + "/folkehelse/regional-plan/", plan.encode()),
        Response(SITE + "/english/areas-of-responsibility/", english.encode()),
        Response(SITE + "/opplaring/", latin1.encode("cp1252"),
                 content_type="text/html; charset=iso-8859-1"),
        Response(SITE + "/om-fylkeskommunen/pressesenter/pressemeldinger/ny-plan/",
                 press.encode(), gzip=True),
        Response(SITE + "/tannhelse/", contact.encode()),
        Response(SITE + "/rapporter/arsrapport/2015/", report.encode()),
        Response(SITE + "/gammel-side/", b"", status="301 Moved Permanently",
                 content_type=None, extra_headers=[("Location", SITE + "/")]),
        Response(SITE + "/finnes-ikke/", b"<html><body>Not found</body></html>",
                 status="404 Not Found"),
        Response(SITE + "/globalassets/dokumenter/internasjonal-strategi-2014-2018.pdf",
                 b"%PDF-1.4 fake", content_type="application/pdf"),
        Response(SITE + "/static/css/akershus.css", b"body{}", content_type="text/css"),
        # the same bytes again, a day later: written as a revisit
        Response(SITE + "/tannhelse/", contact.encode(), date="2021-03-02T10:00:00Z"),
    ]


def sample_archive(root: Path) -> Path:
    """An archive directory with one WARC of the sample responses."""
    write_warc(root / "warc" / "sample-00000.warc.gz", sample_responses())
    return root
