"""Proficio: competency frameworks as validated YAML, a public curriculum site, and transcripts."""

from .content.diagnostics import ContentError, Diagnostic
from .content.loader import load, load_school

__version__ = "0.1.0"

__all__ = ["ContentError", "Diagnostic", "__version__", "load", "load_school"]
