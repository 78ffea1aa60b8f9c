"""The renderer's CSS rewriting: ``archive/css.py``, where the crawler reads the same references.

Kept as a module of its own so the sanitiser and the builder name what they use
(``from .css import rewrite_css``); the rules are in ``archive/css.py``.
"""

from archive.css import EMPTY, Resolver, rewrite_css

__all__ = ["EMPTY", "Resolver", "rewrite_css"]
