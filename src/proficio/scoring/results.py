"""Scored results: a student's standing on every target, level and subject.

This is the contract between the evidence/scoring engine (which produces these objects) and the
outputs that consume them (transcript and progress-report PDFs, CLR credentials, the scored CSV
and JSON). Nothing here is ever read by the public site build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..content.model import Calculation, CompletionRule
from ..evidence.records import Evidence, Student


@dataclass(frozen=True)
class TargetResult:
    """A student's current standing on one learning target.

    Frozen, and to be treated as read-only with its ``evidence`` list: the result of a target
    without evidence is one object shared by every student (see ``standing.Scorer``)."""

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
