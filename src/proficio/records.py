"""Students, their evidence and their scored results: the records behind every transcript.

This is the contract between the evidence/scoring engine (which produces these objects) and the
outputs that consume them (transcript and progress-report PDFs, CLR credentials, the scored CSV
and JSON). Nothing here is ever read by the public site build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .model import Calculation, CompletionRule


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


@dataclass
class TargetResult:
    """A student's current standing on one learning target."""

    code: str
    score: Decimal | None
    """The current score, rounded to 2 decimals; ``None`` means no score yet (never 0)."""
    proficient: bool
    method: Calculation
    evidence: list[Evidence] = field(default_factory=list)
    """The scores behind it, in the order the method used them (date, then export row order)."""
    proficient_since: date | None = None
    """Date of the evidence from which the target has been proficient without a break."""

    @property
    def evidence_count(self) -> int:
        return len(self.evidence)

    @property
    def last_date(self) -> date | None:
        return self.evidence[-1].date if self.evidence else None


@dataclass
class LevelResult:
    number: int
    completion: CompletionRule
    complete: bool
    completed_on: date | None
    """Date of the evidence that first made the completion rule hold."""
    targets: list[TargetResult]
    """Every target of the level, in content order, scored or not."""


@dataclass
class SubjectResult:
    code: str
    slug: str
    levels: list[LevelResult]
    """Every level of the subject, in order."""
    current_level: int | None
    """The lowest level not yet complete; ``None`` once every level is complete."""


@dataclass
class StudentResult:
    student: Student
    subjects: list[SubjectResult]
    """Every subject of the school, in content order."""
