"""Site-aware boilerplate removal, on pages of a generator unlike the replica's.

The pages are built the way a 2000s Joomla-style council site built them
(wrapper divs, a sidebar of modules, a footer of addresses, a share box),
written to a real WARC and extracted: what recurs at one place on most pages
goes, what recurs because it is content stays, and a small archive falls
back to the per-page rules.
"""

from __future__ import annotations

import json
from pathlib import Path

from fixtures_archive import Response, write_warc
from lxml import html as lxml_html

from archive.boilerplate import SAMPLE_URLS, HashSample, ProfileLearner
from archive.extract import run_extract
from archive.page import read_page
from archive.reader import RecordRef

SITE = "http://www.example-fylke.no"
QUOTE = ("Fylkestinget vedtok strategien enstemmig, og den skal rulleres hvert fjerde år "
         "i samarbeid med kommunene, næringslivet og frivillige organisasjoner i regionen.")
CONTACT = "Kari Nordmann, rådgiver, telefon 22 00 00 01, kari.nordmann@example-fylke.no"
FOOTER = "Example fylkeskommune, Postboks 9, 0101 Oslo. Sentralbord: 22 00 00 00."
SIDEBAR = "Aktuelt fra fylkestinget og hovedutvalgene, med sakspapirer og protokoller fra møtene."
# Chrome inside the content column that no per-page rule can tell from text.
DISCLAIMER = "Innholdet på denne siden er kvalitetssikret av kommunikasjonsavdelingen, og oppdateres jevnlig."
CHROME = (FOOTER, SIDEBAR, "Del denne siden", "Lenker i regionen", DISCLAIMER)


def page(n: int, *, quote: bool = False, contact: bool = False) -> str:
    extra = f"<p>{QUOTE}</p>" if quote else ""
    person = f"<h2>Kontakt</h2><p>{CONTACT}</p>" if contact else f"<h2>Kontakt</h2><p>Servicetorget, sak {n}.</p>"
    return f"""<html><head><title>Side {n} - Example fylkeskommune</title></head><body>
<div id="wrapper"><div id="top"><a href="/"><img src="/logo.png" alt="Example"></a></div>
<div id="columns"><div id="left"><div class="moduletable"><h3>Lenker i regionen</h3>
<p>{SIDEBAR}</p><ul><li><a href="/a">Kommunene</a></li><li><a href="/b">Regionrådet</a></li></ul></div></div>
<div id="maincol"><div class="item"><h1>Side {n}</h1>
<p>Dette er den {n}. siden om et eget tema, med tekst som bare står her, og som er skrevet for sak nummer {n} i arkivet.</p>
<h2>Bakgrunn for sak {n}</h2><p>Saken gjelder tiltak {n}, og tiltaket er beskrevet i planen, med frister og ansvar fordelt mellom etatene.</p>
{extra}{person}
<p class="small">{DISCLAIMER}</p>
<div class="sharebox"><b>Del denne siden</b> <a href="http://www.facebook.com/sharer.php?u=x">Facebook</a></div>
</div></div></div>
<div id="foot"><p>{FOOTER}</p></div></div></body></html>"""


def archive(tmp_path: Path, pages: dict[str, str]) -> list[dict]:
    responses = [Response(f"{SITE}/sak/{path}/", body.encode(), date="2008-05-01T10:00:00Z")
                 for path, body in pages.items()]
    write_warc(tmp_path / "warc" / "site.warc.gz", responses, revisits=False)
    run_extract(tmp_path)
    lines = (tmp_path / "data" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def content_text(record: dict) -> str:
    return json.dumps(record["sections"], ensure_ascii=False)


def test_recurring_chrome_goes_and_quoted_content_stays(tmp_path: Path) -> None:
    pages = {str(n): page(n, quote=n in (3, 7), contact=n in (2, 5, 9)) for n in range(1, 13)}
    records = archive(tmp_path, pages)
    assert len(records) == 12
    for r in records:
        text = content_text(r)
        for phrase in CHROME:
            assert phrase not in text, (r["url"], phrase)
        assert r["extraction"]["site_pages"] == 12
        assert r["extraction"]["template_blocks"] > 0
        headings = [s["heading"] for s in r["sections"]]
        n = r["url"].rstrip("/").rsplit("/", 1)[1]
        assert headings == [f"Side {n}", f"Bakgrunn for sak {n}", "Kontakt"]
    quoted = [r for r in records if QUOTE in content_text(r)]
    assert sorted(r["url"] for r in quoted) == [f"{SITE}/sak/3/", f"{SITE}/sak/7/"]
    contacts = [r for r in records if CONTACT in content_text(r)]
    assert len(contacts) == 3


def test_small_archive_falls_back_to_per_page_rules(tmp_path: Path) -> None:
    records = archive(tmp_path, {str(n): page(n, quote=True) for n in range(1, 4)})
    assert len(records) == 3
    for r in records:
        assert r["extraction"]["site_pages"] == 0
        assert r["extraction"]["template_blocks"] == 0
        assert r["extraction"]["method"] == "density"
        text = content_text(r)
        assert QUOTE in text
        assert FOOTER not in text and SIDEBAR not in text and "Del denne siden" not in text
        assert DISCLAIMER in text  # only the site profile can tell this one from content
        assert r["sections"][0]["heading"].startswith("Side ")


def test_one_page_alone_is_read_by_shape() -> None:
    p = read_page(page(1), f"{SITE}/sak/1/")
    assert [s.heading for s in p.sections] == ["Side 1", "Bakgrunn for sak 1", "Kontakt"]
    assert FOOTER not in p.text and SIDEBAR not in p.text
    assert "tools" in p.extraction.chrome_rules
    assert p.extraction.root.endswith("div#maincol>div") or "maincol" in p.extraction.root


def test_captures_of_one_url_count_once(tmp_path: Path) -> None:
    """Ten captures of one page are one page: nothing is learned from them."""
    responses = [Response(f"{SITE}/sak/1/", page(1, quote=True).encode(),
                          date=f"20{10 + i:02d}-05-01T10:00:00Z") for i in range(10)]
    write_warc(tmp_path / "warc" / "site.warc.gz", responses, revisits=False)
    run_extract(tmp_path)
    records = [json.loads(x) for x in (tmp_path / "data" / "pages.jsonl").read_text().splitlines()]
    assert len(records) == 10
    assert all(r["extraction"]["site_pages"] == 0 for r in records)
    assert all(QUOTE in content_text(r) for r in records)


def test_the_sample_is_bounded_and_order_free() -> None:
    """However large the archive, the profile learns from at most SAMPLE_URLS pages."""
    urls = [f"{SITE}/sak/{n}/" for n in range(SAMPLE_URLS * 8)]
    forwards, backwards = HashSample(), HashSample()
    for i, url in enumerate(urls):
        forwards.offer(url, "text/html", RecordRef("a.warc.gz", i, 1, url))
        forwards.offer(url + "x.png", "image/png", RecordRef("a.warc.gz", i, 1, url))
    for i, url in reversed(list(enumerate(urls))):
        backwards.offer(url, "text/html; charset=utf-8", RecordRef("a.warc.gz", i, 1, url))
    assert len(forwards.refs) <= 2 * SAMPLE_URLS
    chosen = forwards.chosen()
    assert len(chosen) == SAMPLE_URLS
    assert {r.record_id for r in chosen} == {r.record_id for r in backwards.chosen()}
    assert [r.offset for r in chosen] == sorted(r.offset for r in chosen)
    learner = ProfileLearner()
    body = lxml_html.fromstring(page(1)).find("body")
    assert body is not None
    for ref in chosen:
        learner.add(body, ref.record_id)
    assert learner.profile().pages == {"example-fylke.no": SAMPLE_URLS}
