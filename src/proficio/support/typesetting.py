"""What every Typst document Proficio makes shares: the font folders and the PDF standards.

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


def page_count(pdf: bytes) -> int:
    """Pages of a Typst PDF (its single page tree), falling back to parsing with pypdf."""
    m = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    if m:
        return int(m.group(1))
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
