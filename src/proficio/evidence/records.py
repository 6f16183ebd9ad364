"""Students and their evidence: what an import produces from a roster and a gradebook export.

Every string here is student-supplied data. Nothing here is ever read by the public site build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Student:
    """One roster row. Every string here is student-supplied data: escape it for every output."""

    id: str
    given_name: str
    family_name: str
    preferred_name: str | None = None
    graduation_year: int | None = None
    birth_date: date | None = None
    language: str | None = None
    """The language the family reads reports in (falls back to the school's default)."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


@dataclass(frozen=True)
class Evidence:
    """One used evidence row: a score a student earned on one target on one date."""

    student_id: str
    target: str
    score: Decimal
    date: date
    assessment: str = ""
    type: str = ""
    scorer: str | None = None
    comment: str | None = None
    source: str = ""
    """The file it was read from (for explanations and reports)."""
    line: int = 0
    """Its line in that file; also the tie-break for scores on the same date."""
    kind: str = ""
    """Where the score comes from, for explanations: ``""`` one row's score; ``"rollup"`` the
    gradebook's own rollup (a cell of a wide export such as Canvas's Learning Mastery
    Gradebook: already a current score, not one assessment's); ``"mean"`` or ``"max"`` the
    rows of one assessment combined by the mapping's ``same_assessment`` (see ``rows``)."""
    rows: int = 1
    """How many rows of the export this score stands for (more than one only when combined)."""


_ROLLUP = {
    "en": (
        "score from the gradebook's rollup",
        "{n} of the {total} scores from the gradebook's rollup",
    ),
    "es": (
        "calificación tomada del resultado acumulado del libro de calificaciones",
        "{n} de las {total} calificaciones tomadas del resultado acumulado del libro de "
        "calificaciones",
    ),
}
"""How an explanation says that scores came from a gradebook's rollup (``Evidence.kind``)."""


def origin_note(evidence: Sequence[Evidence], lang: str = "en") -> str:
    """`` (score from the gradebook's rollup)`` when some of ``evidence`` is a gradebook's own
    rollup (a wide export), for the end of an explanation; ``""`` otherwise."""
    rollups = sum(1 for e in evidence if e.kind == "rollup")
    if not rollups:
        return ""
    one, some = _ROLLUP.get(lang, _ROLLUP["en"])
    total = len(evidence)
    return f" ({one if rollups == total else some.format(n=rollups, total=total)})"
