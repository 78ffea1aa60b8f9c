"""Site chrome found by its shape on one page, whatever the template calls it.

Every rule here is about what a block is made of, never about its class or
id: the site's generations named their boxes differently (and archives
rewrite names), but a search box is always controls, skip links always point
into the page, a breadcrumb always starts at the front page with separators
between its links, print and share tools always link to scripts or share
endpoints. Each rule removes the smallest box that is wholly that chrome, and
never a box that holds the page's main heading, so content next to chrome
survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import etree

from archive.layout import BLOCKS, CONTROLS, Hits, drop, tag_of, text_hits

# A box of controls larger than this is a page region with a form in it, not a form.
CONTROL_BOX_WORDS = 60
# Skip links, tools and breadcrumbs are short lines; longer blocks are text.
SHORT_WORDS = 15
CRUMB_WORDS = 30
COOKIE_WORDS = 80
_SEPARATORS = re.compile(r"[›»>/|→\\·•:]|&gt;|\s-\s")
_ACCEPT = re.compile(
    r"^(ok|ok,? jeg forstår|jeg forstår|eg forstår|godta\w*|aksepter\w*|lukk|skjul|accept\w*|"
    r"close|i agree|jeg godtar|forstått)$",
    re.IGNORECASE,
)
_SHARE_HOSTS = ("facebook.com", "twitter.com", "x.com", "linkedin.com", "addthis.com",
                "sharethis.com", "pinterest.com", "reddit.com")
_FRONT_PATHS = re.compile(r"^/?((index|default|forside|start|hjem|home)(\.\w+)?)?/?$", re.IGNORECASE)


def words(el: etree._Element) -> int:
    """Words of an element's text (text joined in C: a threshold, not an exact count)."""
    return len(el.text_content().split())


def _short(el: etree._Element, max_words: int) -> bool:
    """At most ``max_words`` words; a long text is refused before it is split."""
    text = el.text_content()
    return len(text) <= max_words * 25 and len(text.split()) <= max_words


def _link_words(el: etree._Element) -> int:
    return sum(len(" ".join(a.itertext()).split()) for a in el.iter("a"))


def _has_h1(el: etree._Element) -> bool:
    return tag_of(el) == "h1" or next(el.iter("h1"), None) is not None


def _block_of(el: etree._Element, stop: etree._Element) -> etree._Element | None:
    """The nearest block ancestor of an element (lists for their items), below ``stop``."""
    node = el.getparent()
    while node is not None and node is not stop:
        tag = tag_of(node)
        if tag == "li":
            parent = node.getparent()
            return parent if parent is not None and parent is not stop else node
        if tag in BLOCKS:
            return node
        node = node.getparent()
    return None


def _climb(box: etree._Element, stop: etree._Element, fits: Callable[[etree._Element], bool]
           ) -> etree._Element:
    """The largest ancestor of ``box`` (itself included) below ``stop`` that still ``fits``."""
    best = box
    node = box.getparent()
    while node is not None and node is not stop and fits(node):
        best = node
        node = node.getparent()
    return best


def remove_controls(root: etree._Element) -> bool:
    """Remove form controls with the box they sit in (search, feedback, polls); True if any."""
    controls = [el for el in root.iter() if tag_of(el) in CONTROLS or tag_of(el) == "form"]
    if not controls:
        return False
    total = words(root)
    limit = min(CONTROL_BOX_WORDS, total // 2)
    verdict: dict[etree._Element, bool] = {}  # boxes are shared by the controls in them

    def fits(node: etree._Element) -> bool:
        if node not in verdict:
            verdict[node] = _short(node, limit) and not _has_h1(node)
        return verdict[node]

    for el in controls:
        if el.getparent() is None or not _attached(el, root):
            continue
        box = el if not fits(el) else _climb(el, root, fits)
        if (box is el and (el.get("type") or "").lower() in ("radio", "checkbox")
                and len((el.tail or "").split()) <= 3):
            el.tail = None  # the label of a bare radio button or checkbox ("Ja", "Nei")
        drop(box)
    return True


def _attached(el: etree._Element, root: etree._Element) -> bool:
    """False once an earlier rule dropped the element (it then heads a tree of its own)."""
    return el.getroottree().getroot() is root.getroottree().getroot()


def _front_link(a: etree._Element, page_host: str) -> bool:
    href = (a.get("href") or "").strip()
    if href.count("/") > 4 or "?" in href or "#" in href:
        return False  # deeper than a front page: no need to parse it
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    if parts.scheme not in ("", "http", "https") or parts.query or parts.fragment:
        return False
    if parts.netloc and parts.hostname and page_host and parts.hostname.lower() != page_host:
        return False
    return bool(_FRONT_PATHS.match(parts.path)) and (bool(parts.path) or bool(parts.netloc))


def _tool_link(a: etree._Element) -> bool:
    href = (a.get("href") or "").strip().lower()
    if href.startswith(("javascript:", "mailto:?")) or href == "#":
        return True
    if a.get("onclick") and (not href or href.startswith("#")):
        return True
    if "share" not in href and "intent" not in href:
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _SHARE_HOSTS) and (
        "share" in href or "sharer" in href or "intent" in href)


def _drop_link_box(a: etree._Element, root: etree._Element,
                   kind: Callable[[etree._Element], bool]) -> bool:
    """Drop the largest short box around ``a`` whose every link is of ``kind``; True if one went."""
    box = _block_of(a, root)
    if box is None:
        return False

    def fits(node: etree._Element) -> bool:
        links = list(node.iter("a"))
        return (_short(node, SHORT_WORDS) and bool(links) and all(map(kind, links))
                and not _has_h1(node))

    if not fits(box):
        return False
    drop(_climb(box, root, fits))
    return True


def _in_page_link(a: etree._Element) -> bool:
    return (a.get("href") or "").startswith("#")


def remove_tools(root: etree._Element) -> bool:
    """Print, send-to-a-friend and share lines: short blocks whose every link is a tool."""
    found = False
    for a in list(root.iter("a")):
        if _attached(a, root) and _tool_link(a):
            found = _drop_link_box(a, root, _tool_link) or found
    return found


def remove_skiplinks(root: etree._Element) -> bool:
    """Links into the page itself before its first heading ("Hopp til innhold")."""
    found = False
    for el in list(root.iter()):
        tag = tag_of(el)
        if tag in ("h1", "h2", "h3"):
            break
        if tag != "a" or not _attached(el, root):
            continue
        href = (el.get("href") or "").strip()
        if len(href) >= 2 and href.startswith("#"):
            found = _drop_link_box(el, root, _in_page_link) or found
    return found


def remove_breadcrumbs(root: etree._Element, page_host: str) -> bool:
    """Short link trails that start at the front page ("Du er her: Forside > ...")."""
    found = False
    for a in list(root.iter("a")):
        if not _attached(a, root) or not _front_link(a, page_host):
            continue
        box = _block_of(a, root)
        if box is None or _has_h1(box):
            continue
        links = list(box.iter("a"))
        n = words(box)
        if links[0] is not a:
            continue  # a trail starts at the front page; a link back to it at the end is content
        if len(links) < 2 or n > CRUMB_WORDS or _link_words(box) * 10 < n * 3:
            continue
        if tag_of(box) not in ("ul", "ol") and not _SEPARATORS.search(_between_links(box)):
            continue
        drop(box)
        found = True
    return found


def _between_links(box: etree._Element) -> str:
    """The text of a box outside its links (where a breadcrumb's separators are)."""
    parts: list[str] = [box.text or ""]
    for d in box.iterdescendants():
        if tag_of(d) != "a" and d.text and not any(tag_of(x) == "a" for x in d.iterancestors()):
            parts.append(d.text)
        parts.append(d.tail or "")
    return " ".join(parts)


COOKIE_STEMS = ("cookie", "informasjonskaps", "infokaps")


def remove_cookie_notice(root: etree._Element, hits: Hits | None = None) -> bool:
    """A short box about cookies with a button or an acceptance link."""
    for el in text_hits(root, COOKIE_STEMS, hits):
        while el is not None and el is not root and tag_of(el) not in BLOCKS:
            el = el.getparent()
        if el is None or el is root or not _attached(el, root):
            continue

        def fits(node: etree._Element) -> bool:
            return _short(node, COOKIE_WORDS) and not _has_h1(node)

        if not fits(el):
            continue
        box = _climb(el, root, fits)
        accept = any(tag_of(x) in CONTROLS for x in box.iter()) or any(
            _ACCEPT.match(" ".join(" ".join(a.itertext()).split())) for a in box.iter("a"))
        if accept:
            drop(box)
            return True
    return False


def remove_page_chrome(root: etree._Element, page_host: str, hits: Hits | None = None
                       ) -> list[str]:
    """Apply every per-page rule under ``root``; the names of those that removed something."""
    fired: list[str] = []
    for name, rule in (
        ("cookie", lambda r: remove_cookie_notice(r, hits)),
        ("controls", remove_controls),
        ("skiplinks", remove_skiplinks),
        ("tools", remove_tools),
        ("breadcrumb", lambda r: remove_breadcrumbs(r, page_host)),
    ):
        if rule(root):
            fired.append(name)
    return fired
