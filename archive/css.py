"""URL references in CSS (stylesheets, ``<style>``, ``style=""``): found, and rewritten.

One reading of CSS for every stage: the crawler follows the references
:func:`css_urls` finds, the renderer rewrites the same ones (:func:`rewrite_css`)
and the link check reads them back (:func:`css_references`); a reference the
crawler missed would be one the offline site cannot show. It lives in
``archive/`` because the crawler and the renderer may both import it.

The CSS is read by a tokenizer that follows CSS Syntax Level 3 (tinycss2), the
same rules a browser applies: escapes are decoded into the tokens' values
before anything is decided (``u\\72 l(x)`` is a ``url`` token, as the browser
sees it), and the output is serialised from tokens again. Every URL reference
(``url()``, ``@import``, the strings inside ``image-set()`` and its kin) is
passed to a resolver; what the archive does not hold becomes an empty
``data:`` URL (an image or font that simply is not there) and an ``@import``
of it is dropped. Script hooks of old browsers (``expression()``,
``behavior``, ``-moz-binding``) are dropped whatever they say.

The result is also safe as the text of a ``<style>`` element: ``</`` never
appears in it (it is written ``<\\/``, which CSS reads as the same two
characters), so no escape or string can close the element and start markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_url

Resolver = Callable[[str], "str | None"]  # raw URL reference -> local URL, or None

EMPTY = "data:,"
# Functions whose string arguments are image URLs, as url() is (CSS Images 4).
_IMAGE_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "cross-fade",
                              "-webkit-cross-fade"})
# Old script hooks: IE's expression() and behavior, Gecko's XBL binding.
_SCRIPT_FUNCTIONS = frozenset({"expression"})
_SCRIPT_PROPERTIES = frozenset({"behavior", "-moz-binding"})
# Only text holding one of these can carry a URL, an escape, an at-rule or
# markup; anything else comes out as it went in (most style="" values).
_NEEDS_TOKENS = ("\\", "(", "@", "<")


def rewrite_css(text: str, resolve: Resolver) -> str:
    """Return ``text`` with every URL reference resolved or emptied, safe inside ``<style>``."""
    if not any(c in text for c in _NEEDS_TOKENS):
        return text
    # Comments are kept: they separate tokens (``u/**/rl(x)`` is not a url), and
    # tinycss2's serialiser keeps apart the tokens that would otherwise merge.
    tokens = tinycss2.parse_component_value_list(text, skip_comments=False)
    return tinycss2.serialize(_rewrite(tokens, resolve)).replace("</", "<\\/")


def css_references(text: str) -> list[str]:
    """Every URL reference of ``text`` as written (escapes decoded), in order; ``data:`` too.

    Fragment-only references (``url(#g)``, an SVG paint server) name no file and are left out.
    """
    found: list[str] = []
    if any(c in text for c in _NEEDS_TOKENS):

        def record(ref: str) -> None:
            found.append(ref)

        _rewrite(tinycss2.parse_component_value_list(text, skip_comments=False), record)
    return found


def css_urls(text: str) -> list[str]:
    """The references of ``text`` a crawl fetches: every one but ``data:`` URLs, unresolved."""
    return [ref for ref in css_references(text) if not ref.lower().startswith("data:")]


def _resolve(ref: str, resolve: Resolver) -> str | None:
    ref = ref.strip()
    if ref.startswith("#"):  # an SVG fragment reference, local by nature
        return ref
    return resolve(ref) if ref else None


def _url(tok: ast.Node, local: str | None) -> ast.URLToken:
    value = local or EMPTY
    return ast.URLToken(tok.source_line, tok.source_column, value,
                        f"url({serialize_url(value)})")


def _import_target(prelude: list[ast.Node]) -> tuple[str | None, int]:
    """The URL an ``@import`` names and the index of the token that names it."""
    for i, tok in enumerate(prelude):
        if tok.type in ("whitespace", "comment"):
            continue
        if tok.type in ("string", "url"):
            return tok.value, i
        if tok.type == "function" and tok.lower_name == "url":
            args = [a for a in tok.arguments if a.type not in ("whitespace", "comment")]
            if len(args) == 1 and args[0].type == "string":
                return args[0].value, i
        return None, i
    return None, -1


def _is_end(tok: ast.Node, ends: str) -> bool:
    return tok.type == "literal" and tok.value in ends


def _rewrite(tokens: Iterable[ast.Node], resolve: Resolver,
             image_strings: bool = False) -> list[ast.Node]:
    """The tokens with URLs resolved and script hooks dropped (blocks rebuilt, not edited)."""
    seq = list(tokens)
    out: list[ast.Node] = []
    i = 0
    while i < len(seq):
        tok = seq[i]
        kind = tok.type
        if kind == "at-keyword" and tok.lower_value == "import":
            end = i + 1
            while end < len(seq) and not _is_end(seq[end], ";"):
                end += 1
            prelude = seq[i + 1:end]
            ref, at = _import_target(prelude)
            local = _resolve(ref, resolve) if ref is not None else None
            if local is not None:  # an @import of nothing is dropped, with its semicolon
                out += [tok, ast.WhitespaceToken(tok.source_line, tok.source_column, " "),
                        _url(tok, local), *_rewrite(prelude[at + 1:], resolve),
                        ast.LiteralToken(tok.source_line, tok.source_column, ";")]
            i = end + 1
            continue
        if kind == "ident" and tok.lower_value in _SCRIPT_PROPERTIES:
            while i < len(seq) and not _is_end(seq[i], ";}"):
                i += 1  # the declaration goes, up to its end
            continue
        if kind == "url" or (kind == "string" and image_strings):
            out.append(_url(tok, _resolve(tok.value, resolve)))
        elif kind == "function":
            name = tok.lower_name
            if name == "url":
                strings = [a for a in tok.arguments if a.type == "string"]
                out.append(_url(tok, _resolve(strings[0].value, resolve) if strings else None))
            elif name in _SCRIPT_FUNCTIONS:
                out.append(ast.IdentToken(tok.source_line, tok.source_column, "none"))
            else:
                out.append(ast.FunctionBlock(
                    tok.source_line, tok.source_column, tok.name,
                    _rewrite(tok.arguments, resolve, name in _IMAGE_FUNCTIONS)))
        elif kind in _BLOCKS:
            out.append(_BLOCKS[kind](tok.source_line, tok.source_column,
                                     _rewrite(tok.content, resolve)))
        elif kind != "error":  # a bad string or url: the browser drops it too
            out.append(tok)
        i += 1
    return out


_BLOCKS = {"() block": ast.ParenthesesBlock, "[] block": ast.SquareBracketsBlock,
           "{} block": ast.CurlyBracketsBlock}
