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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .content.diagnostics import Diagnostic
    from .content.loader import load, load_school
    from .errors import ContentError, ProficioError, UsageError
    from .evidence.records import Evidence, Student
    from .gradebook import Gradebook, open_gradebook
    from .scoring import METHODS, calculate, explain, explain_target, explanation, score_students

_WHERE = {
    "Diagnostic": ".content.diagnostics",
    "load": ".content.loader",
    "load_school": ".content.loader",
    "ContentError": ".errors",
    "ProficioError": ".errors",
    "UsageError": ".errors",
    "Evidence": ".evidence.records",
    "Student": ".evidence.records",
    "Gradebook": ".gradebook",
    "open_gradebook": ".gradebook",
    "METHODS": ".scoring",
    "calculate": ".scoring",
    "explain": ".scoring",
    "explain_target": ".scoring",
    "explanation": ".scoring",
    "score_students": ".scoring",
}


def __getattr__(name: str) -> Any:
    """Load the facade's names on first use, so that ``import proficio`` (which the command
    line does before anything else) takes microseconds and a Ctrl-C at once still gets the
    command's one-line message instead of a traceback from deep inside an import."""
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "explanation",
    "load",
    "load_school",
    "open_gradebook",
    "score_students",
]
