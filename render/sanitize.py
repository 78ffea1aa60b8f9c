"""The original view: an archived HTML page as captured, made inert.

What runs or phones home is removed: scripts (SVG's too), event handlers,
``javascript:`` URLs, iframes and other embeds, forms, meta refresh, ``<base>``,
``ping`` and preloading hints. Every URL left is rewritten into the archive
(or emptied), and a Content-Security-Policy meta tag that allows no script at
all is put first in ``<head>``, so anything the sanitiser misses still cannot
run or fetch from the web. The archive's banner is injected at the top of
``<body>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from .css import rewrite_css

# Resolve a URL reference as written in the page: (ref, want) -> local URL or
# None; ``want`` is "link" for navigation, "file" for embedded resources.
Rewriter = Callable[[str, str], "str | None"]

# 'self' and file: both: 'self' is what a server gives; from file:// it is the
# file: scheme that lets the archive's own copies load.
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
       "worker-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; "
       "style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data:; "
       "font-src 'self' file: data:; media-src 'self' file:")

REMOVE_TAGS = frozenset({
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "base", "portal", "fencedframe", "template", "foreignobject", "handler",
    "listener", "param", "keygen",
})
# Void in browsers but given children by libxml2's HTML parser: remove the tag only.
_VOID_REMOVE = frozenset({"embed", "param", "keygen", "base"})
# Attributes that start a request or run code whatever their value.
DROP_ATTRS = frozenset({"srcdoc", "formaction", "action", "ping", "manifest", "http-equiv",
                        "dynsrc", "lowsrc", "codebase", "archive", "data", "integrity",
                        "nonce", "attributionsrc"})
LINK_ATTRS = {"href": ("a", "area"), "cite": None, "longdesc": None}
RESOURCE_ATTRS = ("src", "poster", "background", "xlink:href")
KEEP_LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon"})
_ANIMATE = frozenset({"animate", "set", "animatetransform", "animatemotion"})
_JS_URL = re.compile(r"^[\s\x00-\x20]*(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|vbscript)\s*:",
                     re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""",
                           re.IGNORECASE)


def decode(payload: bytes, charset: str | None) -> str:
    """Bytes of a captured page -> text, trusting the record, then the page's own meta."""
    for candidate in (charset, _sniff(payload), "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("windows-1252", errors="replace")


def _sniff(payload: bytes) -> str | None:
    m = _META_CHARSET.search(payload[:4096])
    return m.group(1).decode("ascii") if m else None


def _srcset(value: str, rewrite: Rewriter) -> str | None:
    out = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if not parts:
            continue
        local = rewrite(parts[0], "file")
        if local:
            out.append(" ".join([local, *parts[1:]]))
    return ", ".join(out) or None


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# Attributes whose value is a URL or CSS to rewrite; any other attribute is kept as
# it is once it has passed the checks for handlers and javascript: values.
_URL_ATTRS = frozenset({"style", "href", "cite", "longdesc", "srcset", "imagesrcset",
                        *RESOURCE_ATTRS})


def _clean_element(el: etree._Element, rewrite: Rewriter) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    attrib = el.attrib  # one live view, not a new proxy per attribute
    try:
        names = el.keys()
    except ValueError:  # attribute names no parser should have made (binary "HTML")
        attrib.clear()
        names = []
    for name in names:
        lname = name.lower()
        try:
            value = attrib[name]
        except ValueError:  # an attribute lxml cannot hand back: drop it
            attrib.pop(name, None)
            continue
        except KeyError:  # a name like "{x}y" reads as a namespace: keep only plain names
            kept = [(n, v) for n, v in el.items() if "{" not in n]
            attrib.clear()
            for n, v in kept:
                el.set(n, v)
            _clean_element(el, rewrite)
            return
        # a javascript: URL needs a colon; most values have none, so skip the regex
        if lname.startswith("on") or lname in DROP_ATTRS or (":" in value
                                                             and _JS_URL.match(value)):
            del attrib[name]
        elif lname not in _URL_ATTRS:
            continue
        elif lname == "style":
            attrib[name] = rewrite_css(value, lambda ref: rewrite(ref, "file"))
        elif lname == "href" and tag in ("a", "area"):
            local = rewrite(value, "link")
            if local is None:
                del attrib[name]
                continue
            attrib[name] = local
            if local.startswith(("http:", "https:")):  # leaves the archive: say so
                el.set("data-leaves-archive", "")
                el.set("rel", "noopener noreferrer")
                el.set("title", "Forlater arkivet / Leaves the archive")
        elif lname in ("href", "cite", "longdesc") or lname in RESOURCE_ATTRS:
            local = rewrite(value, "link" if lname in ("cite", "longdesc") else "file")
            if local is None:
                del attrib[name]
            else:
                attrib[name] = local
        else:  # srcset, imagesrcset
            local = _srcset(value, rewrite)
            if local is None:
                del attrib[name]
            else:
                attrib[name] = local


def _drop(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it."""
    if el.getparent() is None:
        return
    if hasattr(el, "drop_tree"):
        el.drop_tree()
    else:
        el.getparent().remove(el)


def _should_drop(el: etree._Element) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in REMOVE_TAGS:
        return True
    if tag == "meta":
        return el.get("http-equiv") is not None or el.get("charset") is not None
    if tag == "link":
        rels = set((el.get("rel") or "").lower().split())
        return not rels or not rels <= KEEP_LINK_RELS
    return tag in _ANIMATE  # SVG animation can set href to javascript:


# Tags the walk must handle even without attributes: dropped ones, <link> (one
# without href is dropped) and <style> (its text is rewritten).
_TAGS_TO_SEE = REMOVE_TAGS | _ANIMATE | {"link", "style"}


def make_inert(text: str, page_url: str, rewrite: Rewriter, banner_html: str,
               head_html: str = "") -> str:
    """Sanitise an archived page and inject the banner; returns a UTF-8 HTML document.

    ``rewrite(ref, want)`` is called with each URL reference relative to the
    page (after ``<base href>`` is applied) and returns the local URL, or None
    to drop it. ``head_html`` is appended to ``<head>`` (banner stylesheet,
    machine-readable links).
    """
    # NUL and other control characters are not allowed in an lxml tree
    text = _CONTROL.sub("\ufffd", text or "")
    doc = lxml.html.document_fromstring(text or "<html></html>")
    base = doc.find(".//base[@href]")
    base_url = _absolute(page_url, base.get("href", "")) if base is not None else page_url

    def rebased(ref: str, want: str) -> str | None:
        if ref.strip().startswith("#"):  # within the page: nothing to resolve
            return ref.strip()
        if base_url == page_url:
            return rewrite(ref, want)
        return rewrite(_absolute(base_url, ref), want)

    # Listed first: what is inside a dropped element is still visited, so its
    # links are resolved (and recorded as missing) as for any other element.
    for el in list(doc.iter()):
        tag = el.tag
        if not isinstance(tag, str):  # comments (IE conditionals too), PIs, entities
            _drop(el)
            continue
        tag = tag.lower()
        if tag not in _TAGS_TO_SEE and not el.attrib:
            continue  # most of a page (<p>, <li>): nothing to drop, clean or rewrite
        if _should_drop(el):
            if tag in _VOID_REMOVE and el.getparent() is not None:
                el.drop_tag()
            else:
                _drop(el)
            continue
        _clean_element(el, rebased)
        if tag == "style" and el.text:
            el.text = rewrite_css(el.text, lambda ref: rebased(ref, "file"))
        if tag == "link" and el.get("href") is None:
            _drop(el)

    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    first = [etree.Element("meta", charset="utf-8"),
             etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
             etree.Element("meta", name="referrer", content="no-referrer")]
    for i, el in enumerate(first):
        head.insert(i, el)
    for el in lxml.html.fragments_fromstring(head_html) if head_html.strip() else []:
        if isinstance(el, str):
            continue
        head.append(el)
    body = doc.find("body")
    if body is None:
        body = etree.SubElement(doc, "body")
    banner = lxml.html.fragment_fromstring(banner_html, create_parent="div")
    body.insert(0, banner)
    banner.drop_tag()
    # The doctype joined here, not passed to tostring(): lxml writes the very same
    # "<!DOCTYPE html>\n" first either way, but is twice as slow with doctype=.
    return "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")


def _absolute(base: str, ref: str) -> str:
    try:
        return urljoin(base, ref.strip())
    except ValueError:
        return ref


_SVG_DROP = frozenset({"script", "foreignobject", "iframe", "object", "embed", "handler",
                       "listener"}) | _ANIMATE
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True, remove_pis=True)


def inert_svg(data: bytes) -> bytes:
    """An archived SVG file without script, handlers or outside references.

    An SVG opened on its own is a document that can run script, and a meta
    CSP cannot be put into it; what cannot be parsed is replaced by an empty
    SVG rather than copied as it is.
    """
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None or not isinstance(root.tag, str):
        return b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname.lower()
        if local in _SVG_DROP and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            lname = etree.QName(name).localname.lower()
            value = el.attrib[name].strip()
            if lname.startswith("on") or _JS_URL.match(value):
                del el.attrib[name]
            elif lname == "href" and not value.startswith("#"):
                del el.attrib[name]  # only references inside the file stay
            elif lname == "style" or "url(" in value:
                el.attrib[name] = rewrite_css(
                    value, lambda ref: ref if ref.startswith("#") else None)
    for style in root.iter("{http://www.w3.org/2000/svg}style", "style"):
        if style.text:
            style.text = rewrite_css(style.text, lambda ref: ref if ref.startswith("#") else None)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
