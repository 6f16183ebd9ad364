"""Proficio: competency frameworks as validated YAML, a public curriculum site, transcripts.

The stages, each a package: ``content`` (YAML -> model), ``evidence`` (gradebook exports ->
checked evidence), ``scoring`` (evidence -> current scores and levels), then the outputs
``site``, ``transcripts`` and ``interop`` (CASE, CLR). ``gradebook`` ties a school, its evidence
and its scores together for the commands in ``cli``. What most callers need is here::

    import proficio

    school = proficio.load_school("content")
    book = proficio.open_gradebook(school, ["roster.csv"], ["evidence.csv"])
    for result in book.results():
        ...
"""

__version__ = "0.1.0"

from .content.diagnostics import Diagnostic
from .content.loader import load, load_school
from .errors import ContentError, ProficioError, UsageError
from .evidence.records import Evidence, Student
from .gradebook import Gradebook, open_gradebook
from .scoring import METHODS, calculate, explain, explain_target, score_students

__all__ = [
    "METHODS",
    "ContentError",
    "Diagnostic",
    "Evidence",
    "Gradebook",
    "ProficioError",
    "Student",
    "UsageError",
    "__version__",
    "calculate",
    "explain",
    "explain_target",
    "load",
    "load_school",
    "open_gradebook",
    "score_students",
]
