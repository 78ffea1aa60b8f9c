"""The archive's exports in the site's ``data/``, and a CSV written from the summaries when
the archive has none (so the data page always offers a spreadsheet)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from .paths import inside
from .store import BuildStore

# The site's own folder of downloads (site/data/): the renderer's layout inside the
# site, not the archive folder's DIR/data/ (archive/folder.py).
SITE_DATA = "data"

CSV_COLUMNS = ["id", "url", "captured_at", "status", "language", "title", "template",
               "published", "site_page"]


def write_data(data: Path, out: Path, store: BuildStore) -> None:
    """Put the exports and the schema in the site; write a CSV from the summaries if none exists.

    Each file is a hard link where the file system allows it: the records file
    grows with the archive (5 GB at 100 000 pages), and the site's copy then
    costs neither the time nor the disk. Nothing writes into a data file in
    place (extract and export write a new file and rename it), so the site
    keeps the exports it was built from.
    """
    target = out / SITE_DATA
    target.mkdir(exist_ok=True)
    for src in sorted(data.iterdir()):
        if src.is_file() and src.suffix in (".jsonl", ".csv", ".json"):
            _link_or_copy(src, inside(out, f"{SITE_DATA}/{src.name}"))
    if not any(target.glob("*.csv")):
        write_csv(inside(out, f"{SITE_DATA}/pages.csv"), store)


def write_csv(path: Path, store: BuildStore) -> None:
    """The CSV fallback: one row per capture, from the summaries in the build store."""
    from archive.export import csv_safe  # the one rule for every CSV the project writes

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for s in store.iter_captures():
            writer.writerow([csv_safe(v) for v in (
                s.id, s.url, s.captured_at, s.status, s.language, s.title,
                s.template, s.published or "", s.page)])


def _link_or_copy(src: Path, dest: Path) -> None:
    """A hard link to ``src`` at ``dest``; a copy across file systems or where links fail."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)
