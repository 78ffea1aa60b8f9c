"""What kind of element a tag is, and whether a table lays out a page or holds data.

The site's first generations built their pages out of tables: a row for the
header, a row of three cells (menu, content, shortcuts), a row for the
footer. Such a table is layout, and its cells are read as ordinary flow, so a
heading inside a cell is a heading. A data table holds short texts in a grid.
The test is on what the cells hold, never on class names: a cell that holds
headings, lists, forms, nested tables or more than one paragraph is a page
region, not a datum (the rule WHATWG gives for layout tables, and the one
readability's table check and jusText's block model come to).
"""

from __future__ import annotations

from lxml import etree

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Inline elements: their text joins the running paragraph instead of starting a block.
INLINE = frozenset(
    ["a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "font", "label", "ins", "del"]
)
# Elements that start a block of their own.
BLOCKS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption", "legend"]
)
# Elements whose text is not page text.
NOT_TEXT = frozenset(["script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object", "svg", "math"])
# Form controls: chrome wherever they stand (search boxes, feedback boxes, polls).
CONTROLS = frozenset(["input", "select", "textarea", "button", "option", "optgroup", "datalist"])
# Cell content that makes a table a layout table.
_REGION = frozenset(
    ["h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "form", "fieldset", "blockquote", "pre", "input", "select", "textarea", "button", "iframe", "center"]
)


def tag_of(el: etree._Element) -> str:
    """Tag name (the HTML parser gives them in lower case); "" for comments and entities."""
    tag = el.tag
    return tag if isinstance(tag, str) else ""


def drop(el: etree._Element) -> None:
    """Remove an element and its subtree, keeping the text that follows it.

    lxml refuses to join a tail holding characters XML forbids (they survive
    in a tree parsed from hostile bytes); then the tail goes with the element.
    """
    parent = el.getparent()
    if parent is None:
        return
    try:
        el.drop_tree()
    except ValueError:
        el.tail = None
        parent.remove(el)


def has_block(el: etree._Element) -> bool:
    """True when an (inline) element wraps block content, as ``<font>`` did around whole pages."""
    for d in el.iterdescendants():
        if tag_of(d) in BLOCKS:
            return True
    return False


def holds(container: etree._Element, el: etree._Element) -> bool:
    """True when ``el`` is ``container`` or stands inside it."""
    return el is container or any(anc is container for anc in el.iterancestors())


def cells(table: etree._Element) -> list[etree._Element]:
    """The cells of this table's own rows (not those of tables nested in them)."""
    out: list[etree._Element] = []
    for child in table:
        tag = tag_of(child)
        rows = [child] if tag == "tr" else [r for r in child if tag_of(r) == "tr"] if tag in (
            "tbody", "thead", "tfoot") else []
        for tr in rows:
            out.extend(c for c in tr if tag_of(c) in ("td", "th"))
    return out


def is_layout_table(table: etree._Element) -> bool:
    """True when the table arranges regions of a page rather than holding data."""
    role = (table.get("role") or "").lower()
    if role in ("presentation", "none"):
        return True
    own = cells(table)
    if not own:
        return True  # rows only in nested tables, or none: nothing tabular here
    for cell in own:
        paragraphs = 0
        blocks = 0
        for d in cell.iterdescendants():
            tag = tag_of(d)
            if tag in _REGION:
                return True
            if tag == "p":
                paragraphs += 1
            elif tag in ("div", "section", "article", "main", "nav", "header", "footer", "aside"):
                blocks += 1
        if paragraphs > 1 or blocks > 1 or (blocks and paragraphs):
            return True
    return False


_TEXTS = etree.XPath("descendant-or-self::*/text()")


# Texts longer than this are running prose: no notice, dates line or cookie banner.
SHORT_TEXT = 600


Hits = list[tuple[etree._Element, str]]


def short_texts(root: etree._Element, stems: tuple[str, ...]) -> Hits:
    """(element, lower-cased text) of each short text under ``root`` holding one of ``stems``.

    A tail counts for the element it stands in. The text nodes come from one XPath
    (strings only: no element is touched unless its text matches); long texts are
    prose and skipped. One pass serves every word-based rule of a page.
    """
    out: Hits = []
    for text in _TEXTS(root):
        if len(text) > SHORT_TEXT:
            continue
        low = text.lower()
        for stem in stems:
            if stem in low:
                el = text.getparent()
                if el is not None and text.is_tail:
                    el = el.getparent()
                if el is not None:
                    out.append((el, low))
                break
    return out


def text_hits(root: etree._Element, stems: tuple[str, ...], hits: Hits | None = None
              ) -> list[etree._Element]:
    """The elements whose own short text holds one of ``stems``, in document order
    (from ``hits`` of ``short_texts`` when the page's were already gathered)."""
    found = short_texts(root, stems) if hits is None else hits
    return [el for el, low in found if any(stem in low for stem in stems)]
