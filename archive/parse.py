"""HTML to sections and typed blocks.

The page is parsed with lxml, the template rule picks the content root, chrome
is cut out of it, and one walk in document order turns what is left into
sections (split at h1-h6) of typed blocks. Inline text that sits loose in a
container becomes a paragraph, so nothing the page says is dropped. Any
input, however broken, gives a result rather than an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from archive.documents import document_extension
from archive.layout import HEADINGS, INLINE, drop, has_block, is_layout_table
from archive.model import (
    Block,
    Contact,
    Image,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Section,
    Table,
)
from archive.templates import CompiledRule, match_template

# huge_tree: libxml2 otherwise cuts a tree deeper than 256 levels (tables in tables)
# and silently drops what is below; the payload size is capped by the reader.
_PARSER = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)


def clean(text: str | None) -> str:
    """Collapse runs of whitespace (incl. no-break spaces) to one space."""
    return " ".join(text.split()) if text else ""


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_document(text: str) -> etree._Element | None:
    """Parse decoded HTML into an lxml tree; None when there is nothing to parse."""
    if not text or not text.strip():
        return None
    text = _CONTROL.sub("", text)  # lxml keeps them in the tree but refuses them when set
    if not text.strip():
        return None
    try:
        root = html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.ParserError, ValueError, UnicodeError):
        return None
    if _TOO_DEEP(root):
        _flatten(root)
    return root


# Nesting no page needs (the deepest layout-table pages of the site nest about
# 20 levels); beyond it elements are unwrapped, their text kept, so that the
# walks over the tree stay within Python's recursion limit.
MAX_DEPTH = 120
_TOO_DEEP = etree.XPath(f"boolean(//*[ancestor::*[{MAX_DEPTH}]])")
_KEEP_DEEP = frozenset(["br", "img"])


def _flatten(root: etree._Element) -> None:
    """Unwrap every element nested deeper than MAX_DEPTH (text and tails stay in place)."""
    deep: list[etree._Element] = []
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_DEPTH and isinstance(el.tag, str) and el.tag not in _KEEP_DEEP:
            deep.append(el)
        stack.extend((child, depth + 1) for child in el)
    for el in reversed(deep):  # innermost first: each unwrap moves finished content up
        try:
            el.drop_tag()
        except ValueError:  # text lxml will not join (see layout.drop): the element goes
            drop(el)


def element_text(el: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """Text of an element, ``<br>`` as a space, skipping subtrees with tags in ``skip``."""
    return clean("".join(_texts(el, skip)))


def _texts(el: etree._Element, skip: frozenset[str]) -> Iterator[str]:
    if el.text:
        yield el.text
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in skip and tag:
            if tag in INLINE:
                yield from _texts(child, skip)
            else:
                yield " "
                yield from _texts(child, skip)
                yield " "
        if child.tail:
            yield child.tail


@dataclass
class Walk:
    """State of one walk over a content root."""

    base: str
    rule: CompiledRule
    ingress: set[etree._Element] = field(default_factory=set)
    contacts: set[etree._Element] = field(default_factory=set)
    sections: list[Section] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    layout_tables: int = 0

    def section(self) -> Section:
        if not self.sections:
            self.sections.append(Section(heading=None, level=0))
        return self.sections[-1]

    def add(self, block: Block) -> None:
        self.flush()
        self.section().blocks.append(block)

    def flush(self) -> None:
        text = clean("".join(self.pending))
        self.pending.clear()
        if text:
            self.section().blocks.append(Paragraph(text))

    def heading(self, text: str, level: int) -> None:
        self.flush()
        if text:
            self.sections.append(Section(heading=text, level=level))


def sections_of(root: etree._Element, rule: CompiledRule, base: str) -> list[Section]:
    """Walk a (chrome-free) content root into sections of blocks."""
    return walk_root(root, rule, base).sections


def walk_root(root: etree._Element, rule: CompiledRule, base: str,
              lead: etree._Element | None = None) -> Walk:
    """The walk over a content root: its sections, and what it met on the way.

    ``lead`` is an ingress found by shape (see ``lead_of``), added to the rule's.
    """
    walk = Walk(base=base, rule=rule)
    walk.ingress = set(rule.ingress(root))
    if lead is not None:
        walk.ingress.add(lead)
    walk.contacts = set(rule.contact(root))
    if root.tag == "table" and is_layout_table(root):
        walk.layout_tables += 1
    _walk_children(root, walk, in_ingress=False)
    walk.flush()
    walk.sections = [s for s in walk.sections if s.heading or s.blocks]
    return walk


def _walk_children(el: etree._Element, walk: Walk, in_ingress: bool) -> None:
    if el.text and el.text.strip():
        walk.pending.append(el.text)
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag:
            _walk(child, tag, walk, in_ingress)
        if child.tail and child.tail.strip():
            walk.pending.append(child.tail)


def _walk(el: etree._Element, tag: str, walk: Walk, in_ingress: bool) -> None:
    if (tag in INLINE and not has_block(el)) or tag == "br":
        if tag == "br":
            walk.pending.append(" ")
        elif tag == "span" or tag == "font" or el.find(".//img") is None:
            walk.pending.append("".join(_texts(el, frozenset())))
        else:
            _walk_children(el, walk, in_ingress)
        return
    if el in walk.contacts:
        _contact_block(el, walk)
        return
    if el in walk.ingress:
        in_ingress = True
    if tag in HEADINGS:
        walk.heading(element_text(el), HEADINGS[tag])
    elif tag == "p" or tag == "pre" or tag == "address":
        walk.flush()
        if el.find(".//img") is not None:
            _walk_children(el, walk, in_ingress)
            _mark_ingress(walk, in_ingress)
            return
        text = element_text(el)
        if text:
            walk.add(Paragraph(text, ingress=in_ingress))
    elif tag in ("ul", "ol", "dl", "menu"):
        items = list(_list_items(el))
        if items:
            walk.add(ListBlock(items=items, ordered=tag == "ol"))
    elif tag == "table" and is_layout_table(el):
        walk.layout_tables += 1  # a page region: its cells are read as flow
        walk.flush()
        _walk_children(el, walk, in_ingress)
        walk.flush()
    elif tag == "table":
        table = _table(el)
        if table.rows:
            walk.add(table)
    elif tag == "blockquote":
        cite_el = el.find(".//cite")
        if cite_el is None:
            cite_el = el.find(".//footer")
        cite = element_text(cite_el).lstrip("—–- ") if cite_el is not None else None
        text = element_text(el, skip=frozenset({"cite", "footer"}) if cite else frozenset())
        if text:
            walk.add(Quote(text=text, cite=cite or None))
    elif tag == "img":
        _image(el, walk, None)
    elif tag == "figure":
        caption_el = el.find(".//figcaption")
        caption = element_text(caption_el) if caption_el is not None else None
        imgs = el.findall(".//img")
        for img in imgs:
            _image(img, walk, caption or None)
        if not imgs:
            _walk_children(el, walk, in_ingress)
    elif tag in ("hr", "head", "title", "meta", "link", "base", "area", "map", "object",
                 "embed", "video", "audio", "canvas", "picture", "source", "track", "colgroup"):
        walk.flush()
    else:  # div, section and unknown elements are containers
        walk.flush()
        _walk_children(el, walk, in_ingress)
        walk.flush()
        _mark_ingress(walk, in_ingress)


LEAD_WORDS = 120  # an ingress is a paragraph or two, never the article


def lead_of(heading: etree._Element | None, root: etree._Element) -> etree._Element | None:
    """The ingress by its shape: the paragraph right after the main heading, set apart.

    Every generation of the site set its lead paragraph apart from the body
    text, though each named it differently: a class no other paragraph of
    the page carries, or the whole paragraph in bold or emphasis.
    """
    if heading is None:
        return None
    node = heading
    while node is not None and node is not root and node.getnext() is None:
        node = node.getparent()  # a heading wrapped in a <font> or a title box
    after = node.getnext() if node is not None else None
    while after is not None and not after.text_content().strip() and after.tag != "p":
        after = after.getnext()  # spacers, empty date slots
    if after is None or not isinstance(after.tag, str) or after.tag not in ("p", "div"):
        return None
    words = len(after.text_content().split())
    if not words or words > LEAD_WORDS:
        return None  # empty, or the body text itself
    cls = (after.get("class") or "").strip()
    if cls and sum(1 for p in root.iter("p", "div") if (p.get("class") or "").strip() == cls) == 1:
        return after
    kids = [c for c in after if isinstance(c.tag, str)]
    if (len(kids) == 1 and kids[0].tag in ("b", "strong", "em", "i") and not (after.text or "").strip()
            and not (kids[0].tail or "").strip()):
        return after
    return None


def _mark_ingress(walk: Walk, in_ingress: bool) -> None:
    """Loose text flushed inside an ingress container is ingress too."""
    if in_ingress and walk.sections:
        for block in walk.sections[-1].blocks:
            if isinstance(block, Paragraph):
                block.ingress = True


def _list_items(el: etree._Element) -> Iterator[str]:
    nested = frozenset({"ul", "ol", "dl"})
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in ("li", "dt", "dd"):
            text = element_text(child, skip=nested)
            if text:
                yield text
            for sub in child:
                if isinstance(sub.tag, str) and sub.tag.lower() in nested:
                    yield from _list_items(sub)
        elif tag in nested:
            yield from _list_items(child)


def _table(el: etree._Element) -> Table:
    rows: list[list[str]] = []
    header = False
    for i, tr in enumerate(el.iter("tr")):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        if i == 0:
            header = bool(cells) and all(c.tag.lower() == "th" for c in cells)
        row = [element_text(c) for c in cells]
        if any(row):
            rows.append(row)
    caption_el = el.find("caption")
    caption = element_text(caption_el) if caption_el is not None else None
    return Table(rows=rows, header=header, caption=caption or None)


def _spacer(img: etree._Element) -> bool:
    """A layout image: a transparent pixel stretched to make room (width or height of 1-2)."""
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def _image(img: etree._Element, walk: Walk, caption: str | None) -> None:
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:") and not _spacer(img):
        walk.add(Image(src=urljoin(walk.base, src), alt=clean(img.get("alt")), caption=caption))


def _contact_block(el: etree._Element, walk: Walk) -> None:
    """A contact block: its heading opens a section, each person becomes a contact."""
    walk.flush()
    for h in el.iter(*HEADINGS):
        walk.heading(element_text(h), HEADINGS[h.tag])
        break
    people = [p for p in el.iter() if _has_class(p, "contact-person")] or [el]
    for person in people:
        walk.add(_contact(person))


def _contact(el: etree._Element) -> Contact:
    def part(name: str) -> str | None:
        for node in el.iter():
            if _has_class(node, name):
                return element_text(node) or None
        return None

    email = part("contact-email")
    if email is None:
        mail = next((a for a in el.iter("a") if (a.get("href") or "").startswith("mailto:")), None)
        if mail is not None:
            email = mail.get("href", "")[7:].split("?")[0] or None
    text = element_text(el, skip=frozenset(HEADINGS))
    return Contact(
        text=text,
        name=part("contact-name"),
        title=part("contact-title"),
        phone=part("contact-phone"),
        email=email,
    )


def _has_class(el: etree._Element, name: str) -> bool:
    cls = el.get("class") if isinstance(el.tag, str) else None
    return cls is not None and name in cls.split()


def links_of(root: etree._Element, base: str, internal_hosts: frozenset[str]) -> tuple[
    list[Link], list[tuple[str, str, str]]
]:
    """Links of the content (absolute URLs) and the documents among them (url, title, ext)."""
    links: list[Link] = []
    docs: list[tuple[str, str, str]] = []
    seen_docs: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            url = urljoin(base, href)
            parts = urlsplit(url)
        except ValueError:
            continue
        if parts.scheme not in ("http", "https"):
            continue
        url = url.split("#", 1)[0]
        text = element_text(a) or clean(a.get("title"))
        host = (parts.hostname or "").lower()
        internal = host in internal_hosts or host.endswith(".akershus.no")
        links.append(Link(url=url, text=text, internal=internal))
        ext = document_extension(parts.path)
        if ext and url not in seen_docs:
            seen_docs.add(url)
            name = parts.path.rsplit("/", 1)[-1]
            docs.append((url, text or clean(a.get("title")) or name, ext))
    return links, docs


def strip_chrome(root: etree._Element, rule: CompiledRule) -> None:
    """Remove every chrome element under root, keeping the text that follows it."""
    for el in rule.chrome(root):
        if el is root:
            continue
        drop(el)


def content_root(doc: etree._Element, rule: CompiledRule) -> etree._Element:
    """The content root of the rule, else the body, else the document."""
    found = rule.content(doc)
    if found:
        return found[0]
    body = doc.find("body")
    return body if body is not None else doc


def page_structure(doc: etree._Element) -> tuple[CompiledRule, etree._Element]:
    """The template rule of a parsed page and its content root (not yet stripped)."""
    rule = match_template(doc)
    return rule, content_root(doc, rule)


def sections_text(sections: list[Section]) -> str:
    """Plain text of sections: headings and blocks, one per line."""
    lines: list[str] = []
    for s in sections:
        if s.heading:
            lines.append(s.heading)
        for b in s.blocks:
            lines.extend(block_texts(b))
    return "\n".join(lines)


def block_texts(block: Block) -> list[str]:
    """The texts a block contributes to search text and scoring."""
    if isinstance(block, ListBlock):
        return list(block.items)
    if isinstance(block, Table):
        return [" | ".join(row) for row in block.rows]
    if isinstance(block, Image):
        return [t for t in (block.alt, block.caption) if t]
    return [block.text]
