"""Scored results built by hand for the CLR tests (the scoring engine is tested on its own)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from proficio.content.model import School
from proficio.evidence.records import Evidence, Student
from proficio.scoring.results import LevelResult, StudentResult, SubjectResult, TargetResult


def fabricate(school: School, student: Student, scores: dict[str, Decimal]) -> StudentResult:
    """``scores`` maps target codes to current scores; levels are complete when all their targets
    are proficient (the default rule), dated by their last evidence."""
    subjects = []
    for subject in school.subjects:
        levels = []
        for level in subject.levels:
            targets = []
            for target in level.targets:
                score = scores.get(target.code)
                scale = school.scale_of(target)
                evidence = []
                if score is not None:
                    evidence = [
                        Evidence(
                            student.id, target.code, score, date(2026, 3, 2), "Quiz", "test", line=1
                        ),
                        Evidence(
                            student.id,
                            target.code,
                            score,
                            date(2026, 4, 20),
                            "Project",
                            "project",
                            line=2,
                        ),
                    ]
                proficient = score is not None and score >= scale.threshold
                targets.append(
                    TargetResult(
                        target.code,
                        score,
                        proficient,
                        target.calculation,
                        evidence,
                        date(2026, 4, 20) if proficient else None,
                    )
                )
            complete = all(t.proficient for t in targets)
            levels.append(
                LevelResult(
                    level.number,
                    level.completion,
                    complete,
                    date(2026, 4, 20) if complete else None,
                    targets,
                )
            )
        current = next((lv.number for lv in levels if not lv.complete), None)
        subjects.append(SubjectResult(subject.code, subject.slug, levels, current))
    return StudentResult(student, subjects)
