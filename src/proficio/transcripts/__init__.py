"""Official transcripts and family progress reports as archival, accessible PDFs, in bulk.

``document`` turns a scored student into JSON, ``render`` lays it out with Typst (PDF/A-2a +
PDF/UA-1), ``bulk`` runs many students across processes and writes files and a manifest,
``manifest`` checks what CI shards produced, ``cli`` is the ``proficio transcripts`` command.
"""

from .document import KINDS, Options
from .render import Rendered, Renderer

__all__ = ["KINDS", "Options", "Rendered", "Renderer"]
