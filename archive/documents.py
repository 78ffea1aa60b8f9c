"""What counts as a document: a file the site linked for download (strategy PDFs, office files).

One list for every stage: the crawler fetches a link to one as a requisite of its
page, the extractor lists it among a page's documents and files the capture in
``documents.jsonl``. Two lists had drifted apart on ``.xml``; it is not a
document here: the site's XML was its sitemap and feeds, data for machines that
no page offered as a file to read, and no XML media type was ever in
``DOCUMENT_TYPES``, so a listed ``.xml`` link never had a capture in
``documents.jsonl`` to match it.
"""

from __future__ import annotations

# File name extensions, lower case, with their dot.
DOCUMENT_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
    ".rtf", ".txt", ".csv", ".zip",
)
# Media types (prefixes) of captures filed as documents.
DOCUMENT_TYPES = (
    "application/pdf", "application/msword", "application/vnd.", "application/zip",
    "application/rtf", "text/csv",
)


def document_extension(path: str) -> str:
    """The document extension (``pdf``, no dot) a URL path's last segment ends with, else ``""``."""
    name = path.rsplit("/", 1)[-1].lower()
    if "." not in name:
        return ""
    ext = "." + name.rsplit(".", 1)[-1]
    return ext[1:] if ext in DOCUMENT_EXTENSIONS else ""


def is_document_path(path: str) -> bool:
    """True when a URL path names a document by its extension."""
    return path.lower().endswith(DOCUMENT_EXTENSIONS)


def is_document_type(mime: str) -> bool:
    """True for the media type (parameters removed, lower case) of a document."""
    return mime.startswith(DOCUMENT_TYPES)
