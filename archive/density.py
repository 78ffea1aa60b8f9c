"""The content root of a page found by text and link density.

The scoring follows what readability, jusText and trafilatura agree on, in a
form of our own: prose is long, has commas and few links; menus, link lists
and footers are short or made of links. Every text block (a paragraph, a
cell, a list item, a div with text of its own) scores
``(1 + commas + min(chars / 100, 3)) * (1 - link density)`` and passes its
score up: all of it to its parent, half to the grandparent, a third of it
divided by the level further up (readability's propagation). Blocks under 25
characters score nothing on their own (they are labels, menu items, dates).
The container holding the page's main heading gets a bonus, as the heading
is where a reader's eye starts; the best-scoring container is the root, and
it is widened to take in the main heading when the heading sits just outside
it (a title cell above the text cell).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from archive.layout import BLOCKS, HEADINGS, INLINE, drop, holds, tag_of

MIN_BLOCK_CHARS = 25
# Containers that can be a content root.
CANDIDATES = frozenset(
    ["div", "td", "th", "section", "article", "main", "body", "center", "blockquote", "form", "font", "span", "table", "tbody", "tr"]
)
HEADING_BONUS = 5.0
_SCORED = tuple(BLOCKS - set(HEADINGS))  # blocks whose own text scores
# Widening to take in the heading may add at most this share of words.
WIDEN_MAX = 0.5


@dataclass(frozen=True, slots=True)
class Found:
    """The chosen root, how it was chosen, and its share of the page's words."""

    root: etree._Element
    method: str  # density | body
    text_share: float
    core: etree._Element | None = None  # the best container, when the root was widened from it


def _own_text(el: etree._Element) -> tuple[str, int]:
    """Text of an element outside its block children, and how much of it is link text."""
    parts: list[str] = [el.text or ""]
    link = 0
    for child in el:
        tag = tag_of(child)
        if tag in INLINE:  # block children have their own text, scored on their own
            text = " ".join(child.itertext())
            parts.append(text)
            if tag == "a":
                link += len(text.strip())
            else:
                link += sum(len(" ".join(a.itertext()).strip()) for a in child.iter("a"))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split()), link


def find_root(body: etree._Element, heading: etree._Element | None) -> Found:
    """Score the containers under ``body`` and return the best; the body when nothing scores."""
    scores: dict[etree._Element, float] = {}
    total_chars = 0
    own: dict[etree._Element, int] = {}  # length of each block's own text
    for el in body.iter(*_SCORED):
        tag = el.tag
        text, link_chars = _own_text(el)
        if not text:
            continue
        total_chars += len(text)
        own[el] = len(text)
        if len(text) < MIN_BLOCK_CHARS:
            continue
        density = min(1.0, link_chars / len(text))
        score = (1 + text.count(",") + min(len(text) / 100, 3)) * (1 - density)
        if score <= 0:
            continue
        holder = el if tag in CANDIDATES else None
        if holder is not None:
            scores[holder] = scores.get(holder, 0.0) + score * 0.5
        node = el.getparent()
        level = 0
        while node is not None and level < 5:
            div = 1 if level == 0 else 2 if level == 1 else level * 3
            if tag_of(node) in CANDIDATES:
                scores[node] = scores.get(node, 0.0) + score / div
            if node is body:
                break
            node = node.getparent()
            level += 1
    if heading is not None:
        node = heading.getparent()
        while node is not None and tag_of(node) not in CANDIDATES:
            node = node.getparent()
        if node is not None:
            scores[node] = scores.get(node, 0.0) + HEADING_BONUS
    scores.pop(body, None)
    if not scores or total_chars == 0:
        return Found(body, "body", 1.0)
    core = max(scores, key=lambda el: scores[el])
    best = _widen(core, heading, body, own)
    if best is not core:
        _prune_beside(best, core, heading)
    share = _chars(best, own) / total_chars if total_chars else 1.0
    return Found(best, "density", round(share, 3), core if best is not core else None)


def _chars(el: etree._Element, own: dict[etree._Element, int], limit: float = float("inf")
           ) -> int:
    """Characters of text in the blocks under ``el`` (counting stops once past ``limit``)."""
    total = 0
    for d in el.iter():
        total += own.get(d, 0)
        if total > limit:
            break
    return total


def _widen(best: etree._Element, heading: etree._Element | None, body: etree._Element,
           own: dict[etree._Element, int]) -> etree._Element:
    """Take in the main heading when it sits just outside the best container."""
    if heading is None or holds(best, heading):
        return best
    node = best.getparent()
    base = _chars(best, own)
    while node is not None and node is not body:
        if holds(node, heading):
            limit = base * (1 + WIDEN_MAX) + len(" ".join(heading.itertext()))
            return node if _chars(node, own, limit) <= limit else best
        node = node.getparent()
    return best


def _prune_beside(root: etree._Element, core: etree._Element,
                  heading: etree._Element | None) -> None:
    """In a root widened to take in the heading, drop the link lists beside core and heading."""
    keep = {root, core, *core.iterancestors()}
    if heading is not None:
        keep |= {heading, *heading.iterancestors()}
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el):
            if child is core or child is heading:
                continue
            if child in keep:
                stack.append(child)
                continue
            text = " ".join(" ".join(child.itertext()).split())
            links = sum(len(" ".join(" ".join(a.itertext()).split())) for a in child.iter("a"))
            if text and links * 2 > len(text):
                drop(child)



def place_of(el: etree._Element) -> str:
    """Where an element sits: tags with ids and cell numbers from the root ("body>table>tr>td[2]")."""
    steps: list[str] = []
    node: etree._Element | None = el
    while node is not None and tag_of(node) != "html":
        tag = tag_of(node)
        step = tag
        ident = node.get("id")
        if ident:
            step += "#" + ident
        elif tag in ("td", "th"):
            parent = node.getparent()
            if parent is not None:
                step += f"[{[c for c in parent if tag_of(c) in ('td', 'th')].index(node) + 1}]"
        steps.append(step)
        node = node.getparent()
    return ">".join(reversed(steps))
