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
    name_order: str = "given-family"
    """How the name is written: ``"given-family"`` (Ana Lima) or ``"family-given"`` (高一鸣,
    Nguyễn Văn An, 김민준): the roster's ``name_order`` column."""
    latin_name: str | None = None
    """The name in Latin letters as the student's legal documents write it ("GAO Yiming"), so
    a college can match a transcript to an application: the roster's ``latin_name`` column."""

    @property
    def full_name(self) -> str:
        """The name in its own order. Family name first, two parts in a script that writes
        them without a space (Han, kana, hangul) are joined without one: 高 + 一鸣 is 高一鸣;
        given name first, the parts keep a space (さくら 山田), as a Latin-script page sets it."""
        if self.name_order != FAMILY_FIRST:
            return " ".join(p for p in (self.given_name, self.family_name) if p)
        parts = [p for p in (self.family_name, self.given_name) if p]
        if len(parts) == 2 and _unspaced(parts[0][-1]) and _unspaced(parts[1][0]):
            return "".join(parts)
        return " ".join(parts)


NAME_ORDERS = ("given-family", "family-given")
FAMILY_FIRST = "family-given"


def _unspaced(ch: str) -> bool:
    """A letter of a script that writes a name's parts without a space between them."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FFFF
        or 0x3040 <= cp <= 0x30FF
        or 0xAC00 <= cp <= 0xD7AF
    )


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
