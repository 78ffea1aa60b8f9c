"""The original view: an archived HTML page as captured, made inert by construction.

Why it is built this way:

* **The tree the browser builds.** The page is parsed by Lexbor (through
  selectolax), an HTML5-conformant parser: foreign content (SVG, MathML),
  ``<noscript>``, tables and misnested tags end up where a browser puts them.
  A parser that does not follow those rules (libxml2's) sees text where the
  browser sees tags, and a sanitiser that cleans such a tree lets markup
  through (mutation XSS). Lexbor was chosen over html5ever (markupever) and
  the pure-Python parsers (html5lib, justhtml) for speed: parsing and walking
  a page costs less than lxml did (bench/SANITIZE.md has the figures).
* **An allowlist, not a denylist.** Only the elements and attributes of
  layout, text, tables, images, links and styles are kept; an unknown
  element is unwrapped (its content stays), and the elements whose content
  is code or another document (script, template, iframe, object...) go with
  their content. Inline SVG keeps drawing elements only; MathML is kept as
  its text. Lexbor gives no namespaces, so SVG is recognised by structure:
  below an ``<svg>`` every element is SVG, once the HTML integration points
  (``foreignObject``, ``desc``, ``title``) lose their element children.
* **URLs and CSS rewritten as values**: every URL goes through the link
  map (into the archive, or emptied); CSS goes through a tokenizer
  (``render/css.py``); ``<style>`` is kept only in HTML, never in SVG, where
  its text would be parsed as tags.
* **A serialisation that parses back the same.** The cleaned tree is written
  by Lexbor's HTML serialiser, which follows the HTML standard's algorithm;
  what that algorithm is known not to round-trip (foreign ``<style>``,
  ``<noscript>``, ``<template>``, comments, a leading newline in ``<pre>``)
  is removed or fixed first, and the page's own doctype is kept, so the
  browser parses in the same mode (quirks or not) as the sanitiser did.
  Every view is parsed again as it is made, and cleaned again from that
  tree if it differs; the tests also clean every view of the hostile corpus
  again and require the same text (``inert_check``).

A Content-Security-Policy meta tag that allows no script at all is put first
in ``<head>`` (and ``serve`` sends it as a header), so anything the sanitiser
missed still could not run or fetch from the web. The archive's banner is
injected at the top of ``<body>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from archive.nesting import MAX_DEPTH, too_deep
from archive.notices import CONTACT_SCHEMES, contact_address, contact_marker

from .css import rewrite_css
from .linkmap import DATA_OK

# Resolve a URL reference as written in the page: (ref, want) -> local URL or
# None; ``want`` is "link" for navigation, "file" for embedded resources.
Rewriter = Callable[[str, str], "str | None"]

# 'self' and file: both: 'self' is what a server gives; from file:// it is the
# file: scheme that lets the archive's own copies load.
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
       "worker-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; "
       "style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data:; "
       "font-src 'self' file: data:; media-src 'self' file:")

# -- the HTML allowlist ------------------------------------------------------
# Elements kept with their content: text, sections, lists, tables, images and
# media, links, the presentational tags of 1990s-2000s pages, and form
# controls (inert without a <form>: nothing can submit them).
KEEP = frozenset("""
html head body title meta link style address article aside footer header h1 h2 h3 h4 h5 h6
hgroup main nav section search blockquote dd div dl dt figcaption figure hr li menu ol p pre
ul a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span
strong sub sup time u var wbr del ins img picture source video audio track map area canvas
caption col colgroup table tbody td tfoot th thead tr button fieldset input label legend
meter optgroup option output progress select textarea details summary acronym basefont big
blink center dir font marquee nobr strike tt
""".split())
# Elements that go with everything inside them: code, other documents,
# content parsed differently with script on or off, and MathML (kept as text).
DROP = frozenset("""
script noscript template iframe frame frameset noframes object embed applet param portal
fencedframe xmp noembed plaintext base math
""".split())
# Attributes any kept element may carry; aria-* and data-* as well (inert
# without script), except the archive's own markers.
GLOBAL_ATTRS = frozenset({"id", "class", "title", "lang", "dir", "style", "role", "hidden",
                          "translate", "xml:lang"})
_PLAIN = GLOBAL_ATTRS - {"style"}
_PREFIXED = re.compile(r"^(?:aria|data)-[a-z0-9_.-]+$")
_OURS = ("data-archive", "data-leaves-archive")
_ALIGN = frozenset({"align"})
_CELL = frozenset({"align", "valign", "char", "charoff", "bgcolor", "background", "width",
                   "height"})
ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name", "hreflang", "type", "target"}),
    "area": frozenset({"href", "alt", "shape", "coords", "target", "hreflang"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height", "border", "align",
                      "hspace", "vspace", "usemap", "ismap", "longdesc", "decoding"}),
    "source": frozenset({"src", "srcset", "sizes", "type", "media", "width", "height"}),
    "video": frozenset({"src", "poster", "controls", "width", "height", "loop", "muted"}),
    "audio": frozenset({"src", "controls", "loop", "muted"}),
    "track": frozenset({"src", "kind", "srclang", "label", "default"}),
    "map": frozenset({"name"}),
    "canvas": frozenset({"width", "height"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width", "height", "align",
                        "bgcolor", "background", "summary", "frame", "rules", "bordercolor"}),
    "caption": _ALIGN,
    "col": frozenset({"span", "width", "align", "valign", "char", "charoff", "bgcolor"}),
    "colgroup": frozenset({"span", "width", "align", "valign", "char", "charoff", "bgcolor"}),
    "tbody": _CELL, "thead": _CELL, "tfoot": _CELL, "tr": _CELL,
    "td": _CELL | {"colspan", "rowspan", "headers", "scope", "abbr", "axis", "nowrap",
                   "bordercolor"},
    "th": _CELL | {"colspan", "rowspan", "headers", "scope", "abbr", "axis", "nowrap",
                   "bordercolor"},
    "body": frozenset({"bgcolor", "background", "text", "link", "vlink", "alink",
                       "leftmargin", "topmargin", "marginwidth", "marginheight"}),
    "font": frozenset({"color", "face", "size"}),
    "basefont": frozenset({"color", "face", "size"}),
    "hr": frozenset({"size", "width", "noshade", "align", "color"}),
    "div": _ALIGN, "p": _ALIGN, "h1": _ALIGN, "h2": _ALIGN, "h3": _ALIGN, "h4": _ALIGN,
    "h5": _ALIGN, "h6": _ALIGN, "legend": _ALIGN,
    "ul": frozenset({"type", "compact"}), "dir": frozenset({"compact"}),
    "ol": frozenset({"type", "start", "reversed", "compact"}),
    "li": frozenset({"type", "value"}),
    "blockquote": frozenset({"cite"}), "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}), "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}), "data": frozenset({"value"}),
    "meta": frozenset({"name", "property", "content"}),
    "link": frozenset({"rel", "href", "type", "media", "sizes"}),
    "style": frozenset({"media", "type"}),
    "input": frozenset({"type", "name", "value", "placeholder", "size", "maxlength", "checked",
                        "disabled", "readonly", "alt", "width", "height", "src", "min", "max",
                        "step", "multiple"}),
    "button": frozenset({"type", "name", "value", "disabled"}),
    "select": frozenset({"name", "size", "multiple", "disabled"}),
    "option": frozenset({"value", "selected", "disabled", "label"}),
    "optgroup": frozenset({"label", "disabled"}),
    "textarea": frozenset({"name", "rows", "cols", "placeholder", "disabled", "readonly",
                           "wrap"}),
    "label": frozenset({"for"}), "fieldset": frozenset({"disabled", "name"}),
    "output": frozenset({"for", "name"}),
    "meter": frozenset({"value", "min", "max", "low", "high", "optimum"}),
    "progress": frozenset({"value", "max"}),
    "details": frozenset({"open"}),
    "marquee": frozenset({"behavior", "direction", "loop", "scrollamount", "scrolldelay",
                          "width", "height", "bgcolor"}),
}
# How each URL-valued attribute is resolved: a link to navigate, or a file to embed.
LINK_ATTRS = frozenset({"cite", "longdesc"})
FILE_ATTRS = frozenset({"src", "poster", "background"})
SRCSET_ATTRS = frozenset({"srcset"})
TARGETS = frozenset({"_blank", "_self", "_parent", "_top"})
# <link rel> values kept: the page's stylesheets and icons, and the archive's own
# machine-readable links (successor-version, original) from the view's head.
LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon", "alternate",
                       "successor-version", "original"})
_META_NAMES_DROPPED = frozenset({"referrer", "viewport-fit"})

# -- the SVG allowlist: drawing only -----------------------------------------
SVG_KEEP = frozenset("""
svg g defs symbol use path rect circle ellipse line polyline polygon text tspan textPath
clipPath mask pattern marker linearGradient radialGradient stop image a switch title desc
filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
feSpecularLighting feSpotLight feTile feTurbulence
""".split())
# HTML integration points: what is inside them is HTML, so only their text stays.
SVG_TEXT_ONLY = frozenset({"title", "desc"})
SVG_ATTRS = frozenset("""
id class style lang role xml:lang xml:space x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width
height d points transform viewBox preserveAspectRatio fill fill-opacity fill-rule stroke
stroke-width stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-
dashoffset stroke-opacity opacity font-family font-size font-weight font-style font-variant
text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
text-decoration dx dy rotate textLength lengthAdjust offset stop-color stop-opacity
gradientUnits gradientTransform spreadMethod patternUnits patternContentUnits
patternTransform clipPathUnits clip-path clip-rule mask maskUnits maskContentUnits marker-
start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient filter
filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values type
tableValues slope intercept amplitude exponent flood-color flood-opacity lighting-color
color display visibility overflow version pathLength vector-effect shape-rendering image-
rendering text-rendering color-interpolation color-interpolation-filters scale
xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles radius order
kernelMatrix divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha
surfaceScale diffuseConstant specularConstant specularExponent azimuth elevation pointsAtX
pointsAtY pointsAtZ limitingConeAngle startOffset method spacing side writing-mode unicode-
bidi direction focusable xmlns xmlns:xlink href xlink:href xlink:title
""".split())
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"

_JS_URL = re.compile(r"^[\s\x00-\x20]*(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|vbscript)\s*:",
                     re.IGNORECASE)
_SCHEME = re.compile(r"^[\s\x00-\x20]*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOCTYPE = re.compile(r"\A\ufeff?(?:\s|<!--.*?-->|<\?[^>]*>)*<!doctype(?=[\s>])([^>]*)>",
                      re.IGNORECASE | re.DOTALL)
_DOCTYPE_SAFE = re.compile(r"^[\w\s\"'/:.,+()!#;=&%@-]*$")
# The elements after whose start tag the parser drops one newline.
_FIRST_NEWLINE_CSS = "pre, textarea, listing"


def safe_url(value: str, want: str) -> bool:
    """A URL that may stand in the view: relative, http(s), data: images. Never a
    mailto:/tel: link: an address from the archived page may reach a person today."""
    if _JS_URL.match(value):
        return False
    m = _SCHEME.match(value)
    if m is None:
        return True
    scheme = m.group(1).lower()
    if scheme in ("http", "https"):
        return True
    if want == "link":
        return False
    return scheme == "data" and value.strip()[5:].lower().startswith(DATA_OK)


def _contact(value: str) -> tuple[str, str] | None:
    """(scheme, address) of a mailto:/tel:/sms:/callto: URL; None for any other."""
    m = _SCHEME.match(value)
    if m is None or m.group(1).lower() not in CONTACT_SCHEMES:
        return None
    return contact_address(_CONTROL.sub("", value).strip())


def _mark_contact(node: LexborNode, scheme: str, address: str) -> None:
    """After a contact link (its href gone): the address as text, and what it is."""
    shown = "" if address and address in node.text(deep=True) else f"{html.escape(address)} "
    marker = html.escape(contact_marker(scheme))
    piece = _parse(f'<span class="akarkiv-contact" lang="nb"> [{shown}{marker}]</span>',
                   raw=False).body
    if piece is not None and piece.child is not None:
        node.insert_after(piece.child)


def _srcset(value: str, rewrite: Rewriter | None) -> str | None:
    out = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if not parts:
            continue
        local = rewrite(parts[0], "file") if rewrite else parts[0]
        if local and safe_url(local, "file"):
            out.append(" ".join([local, *parts[1:]]))
    return ", ".join(out) or None


def _next_after(node: LexborNode, top: int) -> LexborNode | None:
    """The node after ``node`` and everything in it, not leaving the subtree ``top``."""
    cur: LexborNode | None = node
    while cur is not None and cur.mem_id != top:
        sib = cur.next
        if sib is not None:
            return sib
        cur = cur.parent
    return None


class _Cleaner:
    """One walk over a parsed page; ``rewrite`` None checks a view already made."""

    def __init__(self, rewrite: Rewriter | None) -> None:
        self.rewrite = rewrite

    # -- URLs ---------------------------------------------------------------
    def url(self, value: str, want: str) -> str | None:
        if self.rewrite is not None:
            if not value.strip().startswith("#"):
                value = self.rewrite(value, want) or ""
            if not value:
                return None
        return value if safe_url(value, want) else None

    def css(self, text: str) -> str:
        return rewrite_css(text, lambda ref: self.url(ref, "file"))

    # -- elements -------------------------------------------------------------
    def walk(self, top: LexborNode, svg: bool = False) -> None:
        """Clean everything below ``top`` (``svg``: by the SVG allowlist)."""
        top_id = top.mem_id
        node = top.first_child
        while node is not None:
            tag = node.tag or ""
            if tag == "-text":
                node = _next_after(node, top_id)
                continue
            if tag.startswith("-"):  # comments (IE conditionals too), doctypes
                nxt = _next_after(node, top_id)
                node.decompose()
                node = nxt
                continue
            action = self.svg_element(node, tag) if svg else self.element(node, tag)
            if action == "keep":
                nxt = node.first_child or _next_after(node, top_id)
            elif action == "skip":  # kept, and its content already dealt with
                nxt = _next_after(node, top_id)
            elif action == "unwrap":  # its content stays; an empty one simply goes
                first = node.first_child
                nxt = first or _next_after(node, top_id)
                if first is None:
                    node.decompose()
                else:
                    node.unwrap()
            elif action == "div":  # a <form>: the same box, nothing to submit
                nxt = _as_div(node)
            elif action == "text":
                nxt = _next_after(node, top_id)
                text = node.text(deep=True)
                if text:
                    node.replace_with(text)
                else:
                    node.decompose()
            else:
                nxt = _next_after(node, top_id)
                node.decompose()
            node = nxt

    def element(self, node: LexborNode, tag: str) -> str:
        if tag in DROP:
            return "text" if tag == "math" else "drop"  # a formula is kept as its text
        if tag == "svg":
            self.svg_attrs(node, tag)
            self.walk(node, svg=True)
            return "skip"
        if tag == "form":
            return "div"
        if tag not in KEEP:
            return "unwrap"  # custom elements, Word's <o:p>: their content stays
        if tag == "meta":
            if not self.meta_kept(node.attributes):
                return "drop"
            if node.attributes.get("charset") or node.attributes.get("http-equiv"):
                return "keep"  # the view's own first lines, exactly as written
        elif tag == "link":
            rels = set((node.attributes.get("rel") or "").lower().split())
            if not rels or not rels <= LINK_RELS or not node.attributes.get("href"):
                return "drop"
        self.attrs(node, tag)
        if tag == "link" and not node.attributes.get("href"):
            return "drop"
        if tag == "style":
            text = node.text(deep=True)
            clean = self.css(text)
            for child in list(node.iter(include_text=True)):
                child.decompose()
            if clean:
                node.insert_child(clean)
            return "skip"
        return "keep"

    @staticmethod
    def meta_kept(attrs: dict[str, str | None]) -> bool:
        """Descriptive metadata only; charset, CSP and referrer exactly as the view sets them
        (a page's own meta refresh, cookies, charset or policies never stay)."""
        equiv, charset = attrs.get("http-equiv"), attrs.get("charset")
        name = (attrs.get("name") or "").lower()
        if charset is not None:
            return len(attrs) == 1 and charset == "utf-8"
        if equiv is not None:
            return len(attrs) == 2 and equiv == "Content-Security-Policy" and \
                attrs.get("content") == CSP
        if name == "referrer":
            return len(attrs) == 2 and attrs.get("content") == "no-referrer"
        return "content" in attrs and name not in _META_NAMES_DROPPED

    def attrs(self, node: LexborNode, tag: str) -> None:
        attributes = node.attributes
        if not attributes:
            return  # most elements of a page: nothing to look at
        allowed = ATTRS.get(tag, frozenset())
        external = False
        contact: tuple[str, str] | None = None
        changes: list[tuple[str, str | None]] = []
        for name, value in attributes.items():
            if name in _PLAIN:
                continue  # class, id, lang...: kept as they are
            keep = name in GLOBAL_ATTRS or name in allowed or (
                _PREFIXED.match(name) is not None and (
                    not name.startswith(_OURS) or self.rewrite is None))
            value = value or ""
            new: str | None = value
            if not keep:
                new = None
            elif name == "style":
                new = self.css(value)
            elif name == "href" and tag in ("a", "area") and _contact(value):
                new = None  # never live; the address stays as text, marked
                contact = _contact(value)
            elif name == "href":
                new = self.url(value, "link" if tag in ("a", "area") else "file")
                external = new is not None and tag in ("a", "area") and \
                    new.startswith(("http:", "https:"))
            elif name in FILE_ATTRS:
                new = self.url(value, "file")
            elif name in LINK_ATTRS:
                new = self.url(value, "link")
            elif name in SRCSET_ATTRS:
                new = _srcset(value, self.rewrite)
            elif name == "target" and value.lower() not in TARGETS:
                new = None
            elif name == "rel":
                new = value if tag == "link" else None
            if new != value:
                changes.append((name, new))
        if not changes and not external:
            return
        if contact is not None and tag == "a" and self.rewrite is not None:
            _mark_contact(node, *contact)
        attrs = node.attrs
        for name, new in changes:
            if new is None:
                del attrs[name]
            else:
                attrs[name] = new
        if external:  # leaves the archive: say so (in this order, whatever was there)
            for name in ("data-leaves-archive", "rel", "title"):
                if name in attrs:
                    del attrs[name]
            attrs["data-leaves-archive"] = ""
            attrs["rel"] = "noopener noreferrer"
            attrs["title"] = "Forlater arkivet / Leaves the archive"

    # -- inline SVG -------------------------------------------------------------
    def svg_element(self, node: LexborNode, tag: str) -> str:
        if tag not in SVG_KEEP:
            return "drop"  # script, style, foreignObject, animation, feImage, HTML
        self.svg_attrs(node, tag)
        if tag in SVG_TEXT_ONLY:
            for child in list(node.iter(include_text=True)):
                if not child.is_text_node:
                    child.decompose()
            return "skip"
        return "keep"

    def svg_attrs(self, node: LexborNode, tag: str) -> None:
        attrs = node.attrs
        for name, value in list(node.attributes.items()):
            value = value or ""
            new = _svg_value(name, tag, value, self.url)
            if new is None:
                del attrs[name]
            elif new != value:
                attrs[name] = new


def _svg_value(name: str, tag: str, value: str, url: Callable[[str, str], str | None] | None
               ) -> str | None:
    """An SVG attribute as kept, or None: the one rule for inline SVG and SVG files.

    ``url`` resolves the link of an ``<a>`` and the picture of an ``<image>``;
    without it (a file opened on its own) only references inside the file stay.
    """
    lname = name.lower()
    if name not in SVG_ATTRS and not _PREFIXED.match(lname) or lname.startswith(_OURS):
        return None
    if lname in ("href", "xlink:href"):
        if value.strip().startswith("#"):  # <use>, <textPath>, gradients: within the file
            return value
        if url is not None and tag in ("a", "image"):
            return url(value, "link" if tag == "a" else "file")
        return None
    if _JS_URL.match(value):
        return None
    if lname == "style" or "(" in value:  # fill="url(#g)", clip-path...
        return rewrite_css(value, _fragment_only)
    return value


_DIV = LexborHTMLParser("<div></div>").css_first("div")


def _as_div(node: LexborNode) -> LexborNode:
    """A ``<div>`` in place of ``node``, with its attributes and content (to be cleaned)."""
    assert _DIV is not None  # parsed from a literal that holds one
    node.insert_before(_DIV)
    div = node.prev
    assert div is not None and div.tag == "div"
    attrs = div.attrs
    for name, value in node.attributes.items():
        attrs[name] = value or ""
    for child in list(node.iter(include_text=True)):
        div.insert_child(child, move=True)
    node.decompose()
    return div


def _fragment_only(ref: str) -> str | None:
    return ref if ref.startswith("#") else None


def _attr_text(node: LexborNode) -> str:
    """The attributes of a kept element as the HTML serialiser writes them."""
    out = []
    for name, value in node.attributes.items():
        v = (value or "").replace("&", "&amp;").replace('"', "&quot;").replace("\xa0", "&nbsp;")
        out.append(f' {name}="{v.replace("<", "&lt;").replace(">", "&gt;")}"')
    return "".join(out)


def _doctype(text: str) -> str:
    """The page's own doctype, so the browser renders (and parses) in the page's mode."""
    m = _DOCTYPE.match(text)
    if m is None:
        return ""  # no doctype: quirks mode, as the page was shown
    inner = " ".join(m.group(1).split())
    if not _DOCTYPE_SAFE.match(inner):
        return "<!DOCTYPE html>"
    return f"<!DOCTYPE {inner}>" if inner else "<!DOCTYPE>"


def _absolute(base: str, ref: str) -> str:
    try:
        return urljoin(base, ref.strip())
    except ValueError:
        return ref


def _parse(text: str, raw: bool = True) -> LexborHTMLParser:
    """The tree a browser with script on builds (``<noscript>`` is then raw text)."""
    if raw:  # C0 controls and non-characters of a capture: no page needs them
        text = _CONTROL.sub("\ufffd", text or "")
    return LexborHTMLParser(text, scripting=True)


@dataclass(frozen=True, slots=True)
class _View:
    """A cleaned page in the pieces the view is assembled from."""

    doctype: str
    html: str  # the start tag
    head: str
    body_tag: str
    body: str

    def text(self, banner_html: str = "", head_html: str = "") -> str:
        doctype = self.doctype + "\n" if self.doctype else ""
        return (f"{doctype}{self.html}<head>{self.head}{head_html}</head>"
                f"{self.body_tag}{banner_html}{self.body}</body></html>")


def _keep_first_newlines(doc: LexborHTMLParser) -> None:
    """The parser drops one newline after ``<pre>``, ``<textarea>`` and ``<listing>``, and
    the serialiser does not write it back: double it, so the text parses back the same."""
    for node in doc.css(_FIRST_NEWLINE_CSS):
        first = node.first_child
        if first is not None and first.is_text_node:
            text = first.text_content or ""
            if text.startswith("\n"):
                first.replace_with("\n" + text)


def _pieces(doc: LexborHTMLParser, text: str) -> _View:
    root, head, body = doc.root, doc.head, doc.body
    if root is None:
        return _View(_doctype(text), "<html>", "", "<body>", "")
    return _View(_doctype(text), f"<html{_attr_text(root)}>",
                 (head.inner_html or "") if head is not None else "",
                 f"<body{_attr_text(body)}>" if body is not None else "<body>",
                 (body.inner_html or "") if body is not None else "")


def _clean(text: str, rewrite: Rewriter | None, doc: LexborHTMLParser | None = None) -> _View:
    """Parse (unless given ``doc``) and clean a page; the pieces of the result."""
    doc = doc or _parse(text)
    if doc.root is not None:
        cleaner = _Cleaner(rewrite)
        cleaner.attrs(doc.root, "html")
        cleaner.walk(doc.root)
        _keep_first_newlines(doc)
    return _pieces(doc, text)


# The view's own first lines in <head>; the allowlist keeps exactly these.
HEAD_FIRST = ('<meta charset="utf-8">'
              f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
              '<meta name="referrer" content="no-referrer">')
# A view whose text does not parse back to the tree it was written from is
# cleaned again from the tree the browser will build; one that has not settled
# after this many rounds is not shown (none is known).
SETTLE_ROUNDS = 3

def make_inert(text: str, page_url: str, rewrite: Rewriter, banner_html: str,
               head_html: str = "") -> str:
    """Sanitise an archived page and inject the banner; returns a UTF-8 HTML document.

    ``rewrite(ref, want)`` is called with each URL reference relative to the
    page (after ``<base href>`` is applied) and returns the local URL, or None
    to drop it. ``head_html`` is appended to ``<head>`` (banner stylesheet,
    machine-readable links). Raises ValueError for a page whose view does not
    settle, or that may nest more than MAX_DEPTH elements (the caller leaves the
    view out).
    """
    if too_deep(text):
        raise ValueError(f"nested more than {MAX_DEPTH} elements deep")
    doc = _parse(text)
    base = doc.css_first("base[href]")
    base_url = _absolute(page_url, base.attributes.get("href") or "") if base else page_url

    def rebased(ref: str, want: str) -> str | None:
        if base_url == page_url:
            return rewrite(ref, want)
        return rewrite(_absolute(base_url, ref), want)

    view = _clean(text, rebased, doc)
    view = _View(view.doctype, view.html, HEAD_FIRST + view.head, view.body_tag, view.body)
    for _ in range(SETTLE_ROUNDS):
        written = view.text()
        again = _parse(written, raw=False)  # the tree the browser builds from the view
        _keep_first_newlines(again)
        if _pieces(again, written) == view:
            return view.text(banner_html, head_html)
        view = _clean(written, None, again)
    raise ValueError("the cleaned page does not parse back to the same tree")


def inert_check(view: str) -> str:
    """A view (made without banner) parsed again and cleaned with nothing to resolve.

    Equal to ``view`` when the tree a browser builds from it is the tree the
    sanitiser wrote and holds nothing the allowlist would remove: the
    round-trip test of every hostile page.
    """
    return _clean(view, None).text()


# -- standalone SVG files -----------------------------------------------------
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True, remove_pis=True)
EMPTY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def inert_svg(data: bytes) -> bytes:
    """An archived SVG file as a picture only: the SVG allowlist, nothing outside it.

    An SVG opened on its own is a document that can run script, and a meta CSP
    cannot be put into it. Elements outside the SVG namespace (XHTML smuggled
    in with a prefix), script, handlers, ``foreignObject``, animation, style
    sheets and every reference outside the file go; what cannot be parsed is
    replaced by an empty SVG rather than copied as it is. Links to SVG files
    open an archive page that shows them through ``<img>``, where no SVG
    script could run in any case; the file as captured stays in the WARC.
    """
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None or not isinstance(root.tag, str) or root.tag != f"{{{_SVG_NS}}}svg":
        return EMPTY_SVG
    _clean_svg_tree(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _svg_attr_name(name: str) -> str | None:
    """``{ns}local`` as the allowlist spells it; None for a namespace we do not keep."""
    if name.startswith("{"):
        ns, local = name[1:].split("}", 1)
        if ns == _XLINK_NS:
            return f"xlink:{local}"
        if ns == "http://www.w3.org/XML/1998/namespace":
            return f"xml:{local}"
        return None
    return name


def _clean_svg_tree(root: etree._Element) -> None:
    for el in list(root.iter()):
        parent = el.getparent()
        if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{_SVG_NS}}}"):
            if parent is not None:
                parent.remove(el)
            continue
        local = el.tag.split("}", 1)[1]
        if local not in SVG_KEEP:
            if parent is not None:
                parent.remove(el)
            continue
        if local in SVG_TEXT_ONLY:
            for child in list(el):
                el.remove(child)
        for name in list(el.attrib):
            value = el.attrib[name]
            spelled = _svg_attr_name(name)
            kept = _svg_value(spelled, local, value, None) if spelled is not None else None
            if kept is None:
                del el.attrib[name]
            elif kept != value:
                el.attrib[name] = kept
    # namespace declarations the file no longer uses go too (xmlns:h for XHTML)
    etree.cleanup_namespaces(root)
