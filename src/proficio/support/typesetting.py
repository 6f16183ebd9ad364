"""What every Typst document Proficio makes shares: the font folders, the PDF standards, and
keeping a long-lived compiler's memory flat.

Transcripts (``transcripts/render.py``) and the site's family summaries (``site/summary.py``)
both typeset with Typst; this is the neutral part they share, so neither stage imports the other.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ProficioError

if TYPE_CHECKING:
    import typst

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)
"""fonts-noto-core (Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, ...) and fonts-noto-cjk."""

PDF_STANDARDS: list[typst.PDFStandard] = ["a-2a", "ua-1"]  # the alias is in typst's stub only
"""Every PDF is archival (PDF/A-2a) and accessible (PDF/UA-1: tagged, with its language)."""


def font_dirs() -> list[Path]:
    """The font folders to use: ``PROFICIO_FONT_DIRS`` (``:``-separated) or Debian's Noto dirs."""
    configured = os.environ.get("PROFICIO_FONT_DIRS")
    candidates = [Path(p) for p in configured.split(os.pathsep) if p] if configured else FONT_DIRS
    found = [p for p in candidates if p.is_dir()]
    if not found:
        raise ProficioError(
            "No fonts for the PDFs (transcripts, family summaries): none of "
            + ", ".join(str(p) for p in candidates)
            + " exists. Install them with: sudo apt-get install fonts-noto-core fonts-noto-cjk "
            "(or run scripts/install.sh)."
        )
    return found


MEMO_AGE = 10
"""typst-py clears Typst's memoized results (layouts, evaluated markup) that none of the last 10
compiles used: it calls ``comemo::evict(10)`` after each compile. Between two documents that
share nothing but the template, that keeps ten documents' layouts alive: at 400 targets a worker
grows from 200 to 700 MiB."""

EMPTY = Path(__file__).with_name("empty.typ")

_empty: dict[int, typst.Compiler] = {}


def forget_layouts() -> None:
    """Age Typst's memoized results by ``MEMO_AGE - 1`` compiles, so that only the last
    document's stay in memory: compile an empty page that many times (about 0.04 ms each, its
    own result always a cache hit). A bulk run calls this after every document; what is dropped
    is the layout of documents already written, which the next student's never reuses. Measured
    at 400 targets over 200 documents: a worker's memory stays at 260 MiB instead of 700, at
    the same speed (the smaller cache is if anything a little faster to search)."""
    import typst

    compiler = _empty.get(os.getpid())  # a forked child gets its own
    if compiler is None:
        compiler = _empty[os.getpid()] = typst.Compiler(
            str(EMPTY), root=str(EMPTY.parent), font_paths=[], ignore_system_fonts=True
        )
    for _ in range(MEMO_AGE - 1):
        compiler.compile(pdf_tags=False)


def page_count(pdf: bytes) -> int:
    """Pages of a Typst PDF (its single page tree), falling back to parsing with pypdf."""
    m = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    if m:
        return int(m.group(1))
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
