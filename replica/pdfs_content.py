"""The text and structure of the replica's PDF documents: the single source for PDFs and gold.

``replica.pdfs`` renders these documents and ``replica.pdfs_gold`` derives the
expected content from them. The international strategy builds on the seed
page's text (the real "Internasjonal strategi" page) and expands it; the
public health strategy and the transport strategy use the facts the replica's
pages state (1 750 km fylkesvei, 40 prosent eierandel i Ruter, forventet
levealder 83,1 år ...), so site and documents agree.

Text conventions: a soft hyphen (U+00AD) marks where the layout may break a
word; it is not content. ``line_breaks`` lists the hyphens that do fall at a
line end, as printed before and after the break and as the content reads
joined (a soft hyphen disappears, a hard hyphen stays); rendering tests check
the list against the PDF's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

AUTHOR = "Akershus fylkeskommune"
SHY = "\u00ad"
CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))


def footer_text(page: int, pages: int) -> str:
    """The running footer of page ``page`` (the title page, page 1, has none)."""
    return f"Side {page} av {pages}"


@dataclass(frozen=True)
class Para:
    """A paragraph; ``continues`` marks the one the layout carries across a page break."""

    text: str
    style: str = "body"  # body, lead (the ingress) or goal (the overall goal, emphasised)
    continues: bool = False


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Grid:
    """A table; the first row is its header. ``ruled`` draws the grid, else only alignment."""

    rows: tuple[tuple[str, ...], ...]
    ruled: bool = True
    widths: tuple[float, ...] | None = None  # shares of the text width


Block = Para | Items | Grid


@dataclass(frozen=True)
class Section:
    heading: str
    level: int  # 1 chapter, 2 section, 3 subsection
    blocks: tuple[Block, ...] = ()
    new_page: bool = False
    two_columns: bool = False  # the section fills a two-column page of its own
    new_column: bool = False  # on a two-column page: starts the right-hand column


@dataclass(frozen=True)
class Priority:
    title: str
    goals: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    value: str
    context: str


@dataclass(frozen=True)
class Strategy:
    period: str
    goal: str
    priorities: tuple[Priority, ...]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class LineBreak:
    """A hyphen at a line end: printed ``before``/``after`` the break, read as ``joined``."""

    before: str
    after: str
    joined: str


@dataclass(frozen=True)
class Document:
    name: str  # file stem
    title: str
    subject: str
    keywords: tuple[str, ...]
    created: datetime
    modified: datetime
    creator: str
    producer: str
    title_page: tuple[str, ...]  # organisation, title, subtitle lines
    pages: int
    outline: bool
    sections: tuple[Section, ...]
    strategy: Strategy | None = None
    two_column_pages: tuple[int, ...] = ()
    line_breaks: tuple[LineBreak, ...] = ()
    password: str | None = None
    owner_password: str | None = None


@dataclass(frozen=True)
class Scan:
    """A scanned paper page: text only in the picture."""

    name: str
    file_title: str
    lines: tuple[str, ...]
    created: datetime
    creator: str
    producer: str


@dataclass(frozen=True)
class BadDocuments:
    encrypted: Document
    damaged: Document
    damaged_keep: float  # share of the bytes the damaged download kept
    scanned: Scan


def figure_rows(figures: tuple[Figure, ...], head: tuple[str, str]) -> tuple[tuple[str, ...], ...]:
    return (head, *((f.value, f.context) for f in figures))


def bullets(*items: str) -> Items:
    return Items(tuple(items))


def numbered(*items: str) -> Items:
    return Items(tuple(items), ordered=True)


# -- Internasjonal strategi 2014-2018 ---------------------------------------------------------

INT_FIGURES_TABLE = (
    Figure("570 000", "innbyggere i Akershus i 2014"),
    Figure("200 000", "flere innbyggere ventet i Akershus frem mot 2040"),
    Figure("1,2 millioner", "innbyggere i hovedstadsregionen Oslo og Akershus"),
    Figure("22", "kommuner i Akershus"),
    Figure("24 millioner", "passasjerer ved Oslo lufthavn Gardermoen i 2013"),
)
INT_FIGURES_PLAIN = (
    Figure("14", "EU-prosjekter med fylkeskommunal deltakelse i 2013"),
    Figure("35", "videregående skoler med internasjonale partnerskap"),
    Figure("1 100", "elever og lærlinger på utveksling eller studiereise i 2013"),
    Figure("4,5 millioner kroner", "årlig til internasjonalt arbeid i fylkeskommunen"),
)

INT_PRIORITIES = (
    Priority("Samferdsel og miljø", (
        ("Fylkeskommunen skal hente kunnskap om klimavennlig areal- og transportplanlegging "
         "fra europeiske storbyregioner."),
        ("Akershus skal delta i europeiske prosjekter om kollektivtransport, sykkel og "
         "fossilfri mobilitet."),
        "Erfaringer fra internasjonalt samarbeid skal brukes i regionale planer.",
    )),
    Priority("Nærings- og samfunnsutvikling", (
        ("Flere bedrifter og kunnskapsmiljøer i Akershus skal delta i europeiske "
         "forsknings- og innovasjonsprogrammer."),
        "Fylkeskommunen skal mobilisere kommuner og næringsliv til å søke EU-midler.",
        "Akershus skal være synlig som en attraktiv region for investeringer og kompetanse.",
    )),
    Priority("Ungdom og opplæring", (
        ("Alle elever i videregående opplæring skal få tilbud om internasjonale "
         "erfaringer i løpet av skoletiden."),
        "Flere lærlinger og lærere skal delta i utveksling og hospitering i Europa.",
        "Ungdom skal få økt kunnskap om Europa og om globale spørsmål.",
    )),
)

INT_GOAL = ("Akershus fylkeskommunes internasjonale engasjement skal bidra til å realisere "
            "fylkeskommunens målsettinger og oppgaveløsning.")

INTERNASJONAL = Document(
    name="internasjonal-strategi-2014-2018",
    title="Internasjonal strategi 2014-2018",
    subject="Strategi for Akershus fylkeskommunes internasjonale arbeid i perioden 2014-2018",
    keywords=("internasjonalt samarbeid", "EU", "Europa", "strategi", "Akershus"),
    created=datetime(2014, 6, 19, 10, 12, 0, tzinfo=CEST),
    modified=datetime(2014, 6, 23, 14, 40, 5, tzinfo=CEST),
    creator="Adobe InDesign CS6 (Windows)",
    producer="Adobe PDF Library 10.0.1",
    title_page=(
        AUTHOR,
        "Internasjonal strategi 2014-2018",
        "Strategi for fylkeskommunens internasjonale engasjement",
        "SAMFERDSEL OG MILJØ \u00b7 NÆRINGSLIV \u00b7 UNGDOM OG OPPLÆRING",
        "Vedtatt av fylkestinget 16. juni 2014",
    ),
    pages=8,
    outline=True,
    two_column_pages=(7,),
    strategy=Strategy("2014-2018", INT_GOAL, INT_PRIORITIES,
                      INT_FIGURES_TABLE + INT_FIGURES_PLAIN),
    line_breaks=(
        LineBreak("fag-", "områdets", "fagområdets"),
        LineBreak("Akershus-", "samfunnet", "Akershus-samfunnet"),
        LineBreak("Oslo-", "regionens", "Oslo-regionens"),
    ),
    sections=(
        Section("Innledning", 1, (
            Para("Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god "
                 "utvikling i regionen og levere gode tjenester til befolkningen.", "lead"),
            Para("Mange av utfordringene i Akershus sammenfaller med utfordringer andre steder "
                 "i Europa. Som regional utviklingsaktør er det naturlig at fylkeskommunen tar "
                 "et ansvar for å mobilisere og dyktiggjøre kommuner, bedrifter og "
                 "organisasjoner i Akershus til vellykket internasjonal samhandling."),
            Para("Ved strategisk internasjonalt arbeid legger vi til rette for å utnytte de "
                 "interessefellesskap som finnes, til beste for Akershus-samfunnet. "
                 "Internasjonalt samarbeid gir mulighet for resultater, utvikling og politisk "
                 "dialog på alle områder."),
            bullets(
                "Akershus fylkeskommune bruker internasjonalt samarbeid for å bidra til god "
                "utvikling i regionen og levere gode tjenester til befolkningen.",
                "Internasjonalt samarbeid er et verktøy for dialog, læring og utvikling på "
                "alle politikkområder.",
                "Internasjonal kompetanse gjør Akershus\u2019 innbyggere bedre rustet til å leve, "
                "studere og arbeide i et flerkulturelt og globalisert samfunn.",
            ),
        )),
        Section("Et verktøy for fylkeskommunens politikkområder", 2, (
            Para("Internasjonalt arbeid kan også være et godt verktøy for å påvirke "
                 "rammebetingelser som ikke avgjøres lokalt, regionalt eller nasjonalt. Ikke "
                 "minst gjør internasjonal samhandling oss bedre i stand til å forstå og delta "
                 "i det globaliserte og flerkulturelle samfunnet vi lever i."),
            Para("Strategien gjelder hele virksomheten i fylkeskommunen, og hver avdeling har "
                 "ansvar for fag\u00adområdets internasjonale arbeid og for å vurdere hvordan "
                 "samarbeid kan styrke arbeidet. Resultatene rapporteres i årsrapporten."),
        )),
        Section("Internasjonal strategi 2014-2018", 1, (
            Para("Fylkeskommunens internasjonale strategi viderefører, videreutvikler og spisser "
                 "det internasjonale engasjementet som vi har hatt i en årrekke."),
            Para("Både tematisk og geografisk prioriteres ressursene til områder hvor "
                 "fylkeskommunen har tydelig ansvar og virkemidler, og der internasjonalt "
                 "arbeid skaper merverdi for Akershus-samfunnet."),
        ), new_page=True),
        Section("Overordnet målsetting for det internasjonale arbeidet", 2, (
            Para("Akershus er et grønt og variert fylke der man finner både byer i sterk vekst "
                 "og rurale jordbruksområder, hovedkontorene til mange av de største "
                 "multinasjonale selskapene og Nordens største flyplass. Fylket har 570 000 "
                 "innbyggere, og det er forventet en økning på 200 000 frem mot 2040. Sammen "
                 "med Oslo utgjør Akershus en hovedstadsregion med om lag 1,2 millioner "
                 "innbyggere."),
            Para("Den sterke veksten, kombinert med et innovativt næringsliv, gir både "
                 "muligheter og utfordringer for Akershus. Dette gjelder ikke minst areal- og "
                 "transportplanlegging, og hvordan dette kan gjøres på en miljømessig "
                 "bærekraftig måte. Akershus fylkeskommune vil gjennom sitt internasjonale "
                 "arbeid styrke sin kompetanse og sitt virkemiddelapparat for å realisere "
                 "muligheter og takle utfordringer."),
            Para("Dette gir følgende overordnede målsetting for det internasjonale arbeidet:"),
            Para(INT_GOAL, "goal"),
        )),
        Section("Akershus i tall", 3, (
            Grid(figure_rows(INT_FIGURES_TABLE, ("Tall", "Hva tallet gjelder")),
                 widths=(0.3, 0.7)),
            Para("Tallene viser at Akershus er et av de raskest voksende fylkene i landet. "
                 "Veksten stiller store krav til boliger, skoler, veier og kollektivtilbud, og "
                 "den gjør det nødvendig å se Akershus i sammenheng med Oslo og med andre "
                 "storbyregioner i Europa. Mange europeiske regioner står overfor de samme "
                 "spørsmålene: hvordan veksten kan skje uten at klimagassutslippene øker, "
                 "hvordan jordbruksarealer og grøntområder kan bevares, og hvordan nye "
                 "innbyggere kan få arbeid, utdanning og gode levekår. Gjennom nettverk som "
                 "ERRIN og Eurocities, gjennom Interreg-programmene og gjennom bilaterale "
                 "partnerskap får fylkeskommunen tilgang til kunnskap og løsninger som er "
                 "prøvd ut andre steder. Samtidig kan Akershus bidra med egne erfaringer, for "
                 "eksempel fra samarbeidet med Oslo om en felles plan for areal og transport, "
                 "fra arbeidet med fossilfri kollektivtransport og fra satsingen på "
                 "yrkesfag og lærlingordningen. Erfaringene viser at det er i møtet mellom "
                 "konkrete oppgaver og internasjonale partnere at merverdien oppstår, og at "
                 "samarbeidet må forankres i fagavdelingene for å gi varige resultater. "
                 "Strategien legger derfor vekt på at hver avdeling selv tar ansvar for sitt "
                 "internasjonale arbeid, med støtte fra den internasjonale enheten, og at "
                 "arbeidet måles på hva det betyr for innbyggerne i Akershus. Internasjonalt "
                 "samarbeid er ikke et mål i seg selv, men et middel til å løse oppgaver som "
                 "fylkeskommunen uansett har ansvar for. Når et prosjekt avsluttes, skal "
                 "kunnskapen og løsningene tas i bruk i den ordinære driften, slik at "
                 "gevinsten varer lenger enn prosjektperioden.",
                 continues=True),
        )),
        Section("Tematiske prioriteringer", 1, (
            Para("For at det internasjonale arbeidet skal nå sine mål må det spisses inn mot "
                 "relevante hovedutfordringer på hvert enkelt fagområde. Satsingsområdene bør "
                 "ikke velges fordi de er internasjonale i sin karakter, men fordi "
                 "fylkeskommunen gjennom internasjonalt arbeid kan styrke sin kompetanse og "
                 "gjennomføringsevne. Den internasjonale strategien angir mål og strategier "
                 "innenfor de følgende tre områdene:"),
            bullets(*(p.title for p in INT_PRIORITIES)),
        ), new_page=True),
        Section(INT_PRIORITIES[0].title, 2, (
            Para("Befolkningsveksten i Akershus gjør det nødvendig å planlegge slik at flere "
                 "reiser kollektivt, sykler og går. Europeiske storbyregioner har lang erfaring "
                 "med knutepunktutvikling og miljøvennlig transport, og fylkeskommunen vil "
                 "bruke denne erfaringen i sitt eget arbeid."),
            Para("Mål:"),
            bullets(*INT_PRIORITIES[0].goals),
        )),
        Section(INT_PRIORITIES[1].title, 2, (
            Para("Akershus har et kunnskapsintensivt næringsliv og sterke forsknings\u00admiljøer. "
                 "Fylkeskommunen vil hjelpe bedrifter, kommuner og kunnskapsmiljøer til å delta "
                 "i europeiske programmer og nettverk."),
            Para("Mål:"),
            bullets(*INT_PRIORITIES[1].goals),
        )),
        Section(INT_PRIORITIES[2].title, 2, (
            Para("Internasjonale erfaringer gir elever og lærlinger kompetanse som arbeidslivet "
                 "etterspør, og styrker forståelsen av andre kulturer og språk."),
            Para("Mål:"),
            bullets(*INT_PRIORITIES[2].goals),
        ), new_page=True),
        Section("Tiltak i opplæringen", 3, (
            numbered(
                "Alle videregående skoler skal ha minst én internasjonal partnerskole.",
                "Fylkeskommunen søker Erasmus+ midler til utveksling for lærlinger hvert år.",
                "Skolene får veiledning i prosjektsøknader fra den internasjonale enheten.",
                "Erfaringer fra utvekslingen deles på en årlig samling for skolene.",
            ),
        )),
        Section("Geografiske prioriteringer", 1, (
            Para("Fylkeskommunens internasjonale arbeid retter seg først og fremst mot Europa. "
                 "Her finner vi regionene som står overfor de samme utfordringene som "
                 "Akershus, og her finnes programmene og nettverkene som gir mulighet for "
                 "samarbeid og finansiering."),
            Para("Prioriteringen betyr ikke at fylkeskommunen avviser samarbeid med andre deler "
                 "av verden, men at ressursene i perioden konsentreres der de gir størst "
                 "merverdi for Akershus-samfunnet."),
        ), two_columns=True),
        Section("Europa og EU", 2, (
            Para("Norge deltar i EUs indre marked gjennom EØS-avtalen, og mye av regelverket "
                 "som styrer fylkeskommunens oppgaver utformes i EU. Fylkeskommunen deltar i "
                 "Oslo-regionens Europakontor i Brussel, som gir tidlig kunnskap om nytt "
                 "regelverk og om utlysninger i EUs programmer."),
            bullets("Horisont 2020", "Erasmus+",
                    "Interreg Europe og Interreg Øresund-Kattegat-Skagerrak"),
        ), two_columns=True),
        Section("Norden og Østersjøregionen", 2, (
            Para("Det nordiske samarbeidet bygger på felles språk, kultur og samfunnsmodell. "
                 "Fylkeskommunen vil videreføre samarbeidet med naboregionene i Sverige og "
                 "Danmark, særlig om transportkorridorer og grensehindringer."),
            Para("I Østersjøregionen deltar Akershus i nettverk om maritim transport, "
                 "miljø og innovasjon, og i EUs strategi for Østersjøregionen."),
        ), two_columns=True, new_column=True),
        Section("Partnerskap utenfor Europa", 2, (
            Para("Fylkeskommunen har et langvarig skolesamarbeid med partnere i Sør-Afrika og "
                 "Kina. Samarbeidet videreføres når det støtter målene for opplæringen."),
        ), two_columns=True),
        Section("Organisering og oppfølging", 1, (
            Para("Fylkesrådmannen har ansvar for å gjennomføre strategien. Den internasjonale "
                 "enheten koordinerer arbeidet, gir råd til avdelingene og følger opp "
                 "fylkeskommunens deltakelse i nettverk og prosjekter."),
            Para("Strategien følges opp slik:"),
            numbered(
                "Hver avdeling lager en årlig handlingsplan for sitt internasjonale arbeid.",
                "Årsrapporten viser resultatene av det internasjonale arbeidet.",
                "Hovedutvalgene får en orientering om det internasjonale arbeidet hvert år.",
                "Strategien evalueres før en ny strategi vedtas i 2018.",
            ),
        ), new_page=True),
        Section("Nøkkeltall for det internasjonale arbeidet", 2, (
            Grid(figure_rows(INT_FIGURES_PLAIN, ("Antall", "Gjelder")), ruled=False,
                 widths=(0.3, 0.7)),
        )),
    ),
)


# -- Folkehelsestrategi 2019-2023 -------------------------------------------------------------

HELSE_GOAL = "Flere leveår med god helse og mindre sosial ulikhet i helse i befolkningen."

HELSE_PRIORITIES = (
    Priority("Barn og unge", (
        "Flere barn og unge skal oppleve mestring, trivsel og tilhørighet.",
        "Andelen elever som fullfører videregående opplæring skal øke.",
        "Barn og unge skal ha gode møteplasser og et trygt oppvekstmiljø.",
    )),
    Priority("Levekår", (
        "Færre barn skal vokse opp i familier med vedvarende lavinntekt.",
        "Flere unge voksne skal være i arbeid eller utdanning.",
    )),
    Priority("Helsevennlige lokalsamfunn", (
        "Kommunene skal planlegge for bomiljøer som fremmer helse og sosial kontakt.",
        "Flere skal ha trygg gang- og sykkelvei til skole, arbeid og fritidsaktiviteter.",
    )),
    Priority("Fysisk aktivitet og friluftsliv", (
        "Flere skal være fysisk aktive i hverdagen, i alle aldersgrupper.",
        ("Friluftsområdene skal være tilgjengelige for alle, også for personer med "
         "nedsatt funksjonsevne."),
    )),
)

HELSE_FIGURES_PLAIN = (
    Figure("83,1 år", "forventet levealder i Akershus"),
    Figure("1 av 5", "ungdommer oppgir at de er lite fysisk aktive"),
    Figure("10 prosent", "av barna vokser opp i familier med vedvarende lavinntekt"),
    Figure("16", "kommuner er partnerskapskommuner i folkehelse"),
    Figure("1 270 km", "merkede turstier i Akershus"),
    Figure("47", "statlig sikrede friluftsområder"),
)

HELSE_INDICATORS = (
    ("Indikator", "Akershus", "Landet"),
    ("Forventet levealder, menn", "81,0 år", "79,6 år"),
    ("Forventet levealder, kvinner", "84,6 år", "83,8 år"),
    ("Fullført videregående skole", "79 %", "75 %"),
    ("Andel med høyere utdanning", "41 %", "34 %"),
)

FOLKEHELSE = Document(
    name="folkehelsestrategi-2019-2023",
    title="Folkehelsestrategi 2019-2023",
    subject="Strategi for Akershus fylkeskommunes folkehelsearbeid 2019-2023",
    keywords=("folkehelse", "levekår", "friluftsliv", "barn og unge", "Akershus"),
    created=datetime(2019, 10, 22, 9, 5, 31, tzinfo=CEST),
    modified=datetime(2019, 11, 4, 13, 27, 2, tzinfo=CET),
    creator="Microsoft\u00ae Word for Office 365",
    producer="Microsoft\u00ae Word for Office 365",
    title_page=(
        AUTHOR,
        "Folkehelsestrategi 2019-2023",
        "Flere leveår med god helse for alle i Akershus",
        "OPPVEKST \u00b7 LEVEKÅR \u00b7 NÆRMILJØ \u00b7 FRILUFTSLIV",
        "Vedtatt av fylkestinget 21. oktober 2019",
    ),
    pages=6,
    outline=False,
    strategy=Strategy("2019-2023", HELSE_GOAL, HELSE_PRIORITIES, HELSE_FIGURES_PLAIN),
    line_breaks=(),
    sections=(
        Section("Forord", 1, (
            Para("God folkehelse skapes der vi bor, lever og arbeider. Folkehelsestrategien "
                 "viser hvordan fylkeskommunen vil bidra til at flere i Akershus får gode leveår, "
                 "og til at forskjellene i helse mellom grupper i befolkningen blir mindre.",
                 "lead"),
            Para("Strategien bygger på folkehelseoversikten for Akershus og på innspill fra 19 "
                 "kommuner, frivillige organisasjoner og ungdomsrådet i høringen. Den gjelder "
                 "for fylkeskommunens egne tjenester, for det regionale utviklingsarbeidet og "
                 "for samarbeidet med kommunene."),
        )),
        Section("Bakgrunn", 1, (
            Para("Folkehelseloven gir fylkeskommunen ansvar for å ha oversikt over "
                 "helsetilstanden i befolkningen og over faktorer som påvirker den, og for å "
                 "fremme folkehelse innenfor de oppgavene fylkeskommunen har. Befolkningen i "
                 "Akershus har god helse sammenlignet med landet, men gjennomsnittet skjuler "
                 "store forskjeller mellom kommuner, bydeler og grupper."),
        )),
        Section("Helsetilstanden i Akershus", 2, (
            Para("Tabellen viser noen indikatorer fra folkehelseoversikten, sammenlignet med "
                 "landet som helhet:"),
            Grid(HELSE_INDICATORS, widths=(0.5, 0.25, 0.25)),
            Para("Tallene er hentet fra Folkehelseinstituttet og Statistisk sentralbyrå."),
        )),
        Section("Sosial ulikhet i helse", 2, (
            Para("Personer med lang utdanning og høy inntekt lever lenger og har bedre helse enn "
                 "personer med kort utdanning og lav inntekt. Forskjellene går gjennom hele "
                 "befolkningen, ikke bare mellom de rikeste og de fattigste, og de har økt de "
                 "siste tiårene. Utdanning er den viktigste enkeltfaktoren fylkeskommunen kan "
                 "påvirke, og derfor er arbeidet for at flere fullfører videregående opplæring "
                 "også et folkehelsearbeid. Det samme gjelder kollektivtilbudet, som gir unge "
                 "og eldre uten bil mulighet til å delta i arbeid, utdanning og fritid, og "
                 "tannhelsetjenesten, som når alle barn og unge uansett familiens økonomi. "
                 "Strategien legger vekt på tiltak som virker i hele befolkningen, men som har "
                 "størst betydning for dem som trenger det mest. Fylkeskommunen vil følge "
                 "utviklingen i forskjellene med de samme indikatorene gjennom hele perioden, "
                 "slik at resultatene kan vurderes når strategien skal rulleres, og slik at "
                 "kommunene kan sammenligne seg med hverandre og med fylket som helhet. "
                 "Indikatorene publiseres i folkehelseoversikten, som oppdateres hvert fjerde "
                 "år, og i de årlige oversiktene over barn og unges oppvekst i Akershus. "
                 "Samarbeidet med kommunene om oversiktsarbeidet videreføres, og "
                 "partnerskapskommunene får tilgang til data for sine egne innbyggere, "
                 "fordelt på alder, kjønn og utdanning. Slik kan tiltakene rettes dit "
                 "behovet er størst. Erfaringene fra forrige strategiperiode viser at "
                 "kommunene bruker tallene aktivt i sine egne planer, og at et felles "
                 "kunnskapsgrunnlag gjør det lettere å samarbeide på tvers av kommunegrenser, "
                 "for eksempel om friluftsområder, kollektivtilbud og tilbud til ungdom som "
                 "står utenfor skole og arbeid. Fylkeskommunen vil også styrke samarbeidet "
                 "med frivillige organisasjoner, idrettslag og menighetene, som når grupper "
                 "det offentlige ofte ikke når. Mange av de mest virksomme tiltakene er enkle: "
                 "en møteplass med åpne dører, en turgruppe som går hver uke, eller et "
                 "leksehjelptilbud på biblioteket. Slike tiltak skal få langsiktig støtte, "
                 "slik at de ikke forsvinner når en prosjektperiode er over, og de skal "
                 "evalueres sammen med dem som bruker dem.",
                 continues=True),
        )),
        Section("Hovedmål og satsingsområder", 1, (
            Para("Strategiens hovedmål er:"),
            Para(HELSE_GOAL, "goal"),
            Para("For å nå hovedmålet prioriterer fylkeskommunen fire satsingsområder:"),
            numbered(*(p.title for p in HELSE_PRIORITIES)),
        ), new_page=True),
        *(Section(p.title, 2, (Para("Delmål:"), bullets(*p.goals)), new_page=i == 2)
          for i, p in enumerate(HELSE_PRIORITIES)),
        Section("Gjennomføring", 1, (
            Para("Strategien gjennomføres gjennom fylkeskommunens økonomiplan og gjennom "
                 "partnerskapsavtaler med kommunene. Folkehelsekoordinatoren leder arbeidet og "
                 "rapporterer til hovedutvalget for samferdsel, areal og miljø."),
        ), new_page=True),
        Section("Partnerskap for folkehelse", 2, (
            Para("Partnerskapskommunene får økonomisk støtte, faglige nettverk og hjelp til "
                 "oversiktsarbeidet. Frivillige organisasjoner kan søke tilskudd til "
                 "lavterskeltilbud innen fysisk aktivitet og friluftsliv."),
        )),
        Section("Tall og fakta", 3, (
            Grid(figure_rows(HELSE_FIGURES_PLAIN, ("Tall", "Hva tallet gjelder")), ruled=False,
                 widths=(0.25, 0.75)),
        )),
        Section("Tiltak i perioden", 3, (
            bullets(
                "Program for folkehelse i kommunene, med vekt på psykisk helse blant barn og unge",
                "Tilskudd til friluftsliv og nærmiljøanlegg",
                "Helsefremmende skoler: fysisk aktivitet og måltider i videregående skole",
                "Årlig folkehelsekonferanse for kommuner og frivillige organisasjoner",
            ),
        )),
    ),
)


# -- Samferdselsstrategi for Akershus 2018-2030 -----------------------------------------------

SAMFERDSEL_GOAL = ("Akershus skal ha et effektivt, trygt og miljøvennlig transportsystem der "
                   "veksten i persontransporten tas med kollektivtransport, sykkel og gange.")

SAMFERDSEL_PRIORITIES = (
    Priority("Kollektivtransport", (
        "Kollektivandelen av alle reiser i Akershus skal øke.",
        "Busser og båter i Akershus skal bruke fornybart drivstoff innen 2025.",
        "Knutepunktene skal gi enkle bytter mellom buss, bane og tog.",
    )),
    Priority("Fylkesveier og vedlikehold", (
        "Vedlikeholdsetterslepet på fylkesveiene skal ikke øke i perioden.",
        "Bruer og tunneler skal oppfylle kravene til sikkerhet innen 2030.",
    )),
    Priority("Sykkel og gange", (
        "Sykkelandelen skal øke fra 4 til 8 prosent av alle reiser innen 2025.",
        "Det skal bygges sammenhengende gang- og sykkelveier langs fylkesveiene.",
    )),
    Priority("Trafikksikkerhet", (
        "Ingen skal bli drept eller hardt skadd i trafikken i Akershus.",
        "Alle skoleveier langs fylkesveiene skal være trygge.",
    )),
)

SAMFERDSEL_FIGURES = (
    Figure("1 750 km", "fylkesvei eier og drifter fylkeskommunen"),
    Figure("390 millioner", "reiser med Ruter i Oslo og Akershus i 2018"),
    Figure("4,1 prosent", "økning i antall kollektivreiser i Akershus fra 2017 til 2018"),
    Figure("40 prosent", "av Ruter AS eies av Akershus fylkeskommune"),
    Figure("11 000", "innfartsparkeringsplasser for bil"),
    Figure("6 000", "innfartsparkeringsplasser for sykkel"),
    Figure("3 til 4 milliarder kroner", "vedlikeholdsetterslep på fylkesveiene"),
)

SAMFERDSEL_PROJECTS = (
    ("Prosjekt", "Kommune", "Kostnad (mill. kr)", "Ferdig"),
    ("Fv. 120 Nordre Øyeren bru", "Rælingen/Fet", "410", "2021"),
    ("Fv. 152 Måna - Vassum", "Frogn", "85", "2019"),
    ("Fv. 156 Nesoddtangen - Tangen", "Nesodden", "230", "2020"),
    ("Fv. 174 Rødenessjøen", "Aurskog-Høland", "64", "2018"),
)

SAMFERDSEL = Document(
    name="samferdselsstrategi-2018-2030",
    title="Samferdselsstrategi for Akershus 2018-2030",
    subject="Mål og strategier for samferdsel i Akershus fylkeskommune 2018-2030",
    keywords=("samferdsel", "kollektivtransport", "fylkesvei", "sykkel", "trafikksikkerhet"),
    created=datetime(2018, 3, 9, 8, 41, 17, tzinfo=CET),
    modified=datetime(2018, 3, 9, 8, 41, 17, tzinfo=CET),
    creator="Adobe InDesign CC 13.0 (Macintosh)",
    producer="Adobe PDF Library 15.0",
    title_page=(
        AUTHOR,
        "Samferdselsstrategi for Akershus 2018-2030",
        "Kollektivtransport, fylkesveier, sykkel og trafikksikkerhet",
        "BUSS OG BÅT \u00b7 FYLKESVEI \u00b7 SYKKEL \u00b7 MILJØ OG NÆRMILJØ",
        "Vedtatt av fylkestinget 5. mars 2018",
    ),
    pages=5,
    outline=True,
    strategy=Strategy("2018-2030", SAMFERDSEL_GOAL, SAMFERDSEL_PRIORITIES, SAMFERDSEL_FIGURES),
    line_breaks=(),
    sections=(
        Section("Sammendrag", 1, (
            Para("Befolkningen i Akershus vokser raskt, og flere skal reise med "
                 "kollektivtransport, sykle og gå. Samferdselsstrategien samler fylkeskommunens "
                 "mål for fylkesveiene, kollektivtransporten, sykkel og trafikksikkerhet frem "
                 "mot 2030.", "lead"),
            Para("Hovedmålet for samferdselsstrategien er:"),
            Para(SAMFERDSEL_GOAL, "goal"),
            Para("Strategien har fire satsingsområder:"),
            bullets(*(p.title for p in SAMFERDSEL_PRIORITIES)),
        )),
        Section("Samferdsel i Akershus i tall", 2, (
            Grid(figure_rows(SAMFERDSEL_FIGURES, ("Tall", "Hva tallet gjelder")),
                 widths=(0.35, 0.65)),
        )),
        Section("Satsingsområder", 1, (
            Para("For hvert satsingsområde angir strategien mål for perioden. Tiltakene "
                 "prioriteres i handlingsprogrammet for samferdsel, som rulleres hvert år."),
        ), new_page=True),
        *(Section(p.title, 2, (bullets(*p.goals),)) for p in SAMFERDSEL_PRIORITIES[:2]),
        Section("Store prosjekter 2018-2021", 3, (
            Grid(SAMFERDSEL_PROJECTS, widths=(0.4, 0.25, 0.2, 0.15)),
        )),
        *(Section(p.title, 2, (bullets(*p.goals),), new_page=i == 0)
          for i, p in enumerate(SAMFERDSEL_PRIORITIES[2:])),
        Section("Ansvar og samarbeid", 1, (
            Para("Ansvaret for transportsystemet i Akershus er delt mellom flere aktører:"),
            numbered(
                "Fylkestinget vedtar økonomiske rammer og mål for kollektivtransporten.",
                "Ruter kjøper inn transporttjenester fra operatørene og fastsetter rutetilbudet.",
                "Operatørene kjører bussene, båtene og banene.",
                "Statens vegvesen forvalter fylkesveiene på vegne av fylkeskommunen til 2020.",
            ),
            Para("Fylkeskommunen samarbeider med Oslo kommune og staten gjennom Oslopakke 3 og "
                 "byvekstavtalen, som finansierer utbygging av kollektivtransport, sykkelveier "
                 "og trafikksikkerhetstiltak i Oslo og Akershus."),
        ), new_page=True),
    ),
)

DOCUMENTS = (INTERNASJONAL, FOLKEHELSE, SAMFERDSEL)


# -- Bad documents ----------------------------------------------------------------------------

HANDLINGSPROGRAM = Document(
    name="handlingsprogram-internasjonalt-2016-konfidensielt",
    title="Handlingsprogram for internasjonalt arbeid 2016",
    subject="Arbeidsdokument, unntatt offentlighet",
    keywords=("internasjonalt", "handlingsprogram"),
    created=datetime(2015, 11, 30, 15, 2, 44, tzinfo=CET),
    modified=datetime(2015, 12, 1, 9, 12, 0, tzinfo=CET),
    creator="Microsoft\u00ae Word 2010",
    producer="Microsoft\u00ae Word 2010",
    title_page=(AUTHOR, "Handlingsprogram for internasjonalt arbeid 2016",
                "Arbeidsdokument, unntatt offentlighet"),
    pages=2,
    outline=False,
    password="Fylkeshuset2016",
    owner_password="afk-internasjonal-eier",
    sections=(
        Section("Prioriterte tiltak i 2016", 1, (
            Para("Handlingsprogrammet følger opp Internasjonal strategi 2014-2018 med tiltak "
                 "for året 2016."),
            numbered(
                "Søknad om Interreg-prosjekt om fossilfri kollektivtransport.",
                "Utveksling for 120 lærlinger gjennom Erasmus+.",
                "Studietur for hovedutvalget for næring til Øresundsregionen.",
            ),
        )),
    ),
)

FOLKEHELSEOVERSIKT = Document(
    name="folkehelseoversikt-2016",
    title="Folkehelseoversikt for Akershus 2016",
    subject="Oversikt over helsetilstanden i befolkningen og faktorer som påvirker den",
    keywords=("folkehelse", "oversikt", "statistikk"),
    created=datetime(2016, 10, 10, 11, 30, 0, tzinfo=CEST),
    modified=datetime(2016, 10, 10, 11, 30, 0, tzinfo=CEST),
    creator="Microsoft\u00ae Word 2013",
    producer="Microsoft\u00ae Word 2013",
    title_page=(AUTHOR, "Folkehelseoversikt for Akershus 2016",
                "Helsetilstanden i befolkningen og faktorer som påvirker den"),
    pages=3,
    outline=False,
    sections=(
        Section("Befolkning og levekår", 1, (
            Para("Akershus har en ung og godt utdannet befolkning, men levekårene varierer mye "
                 "mellom kommunene og innad i kommunene."),
            Grid(HELSE_INDICATORS, widths=(0.5, 0.25, 0.25)),
        )),
        Section("Helserelatert atferd", 1, (
            Para("Andelen ungdommer som er lite fysisk aktive har økt de siste årene, særlig "
                 "blant jenter i videregående skole."),
        ), new_page=True),
    ),
)

VEDTAK_SCAN = Scan(
    name="saksprotokoll-fylkestinget-2014-06-16-skannet",
    file_title="Skannet dokument",
    lines=(
        "SAKSPROTOKOLL",
        "Akershus fylkeskommune",
        "Fylkestinget 16.06.2014",
        "Sak 45/14 Internasjonal strategi 2014-2018",
        "",
        "Vedtak:",
        "1. Fylkestinget vedtar Internasjonal strategi 2014-2018.",
        "2. Fylkesrådmannen legger fram årlige handlingsplaner",
        "   for det internasjonale arbeidet.",
        "3. Strategien evalueres i 2018.",
        "",
        "Vedtaket ble fattet mot én stemme.",
        "Rett utskrift bekreftes. Oslo, 18. juni 2014",
        "Møtesekretær, fylkesordførerens kontor",
    ),
    created=datetime(2014, 6, 18, 12, 4, 9, tzinfo=CEST),
    creator="RICOH Aficio MP C4502",
    producer="RICOH Aficio MP C4502",
)

BAD = BadDocuments(encrypted=HANDLINGSPROGRAM, damaged=FOLKEHELSEOVERSIKT, damaged_keep=0.6,
                   scanned=VEDTAK_SCAN)
