"""Scored students built directly from the records contract, for the transcript tests.

The transcript code consumes ``StudentResult`` objects; building them here (instead of running
the evidence engine) lets each test say exactly what a student has done.
"""

from __future__ import annotations

import random
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from proficio.content.loader import load_school
from proficio.content.model import School
from proficio.evidence.records import Evidence, Student
from proficio.scoring import calculate
from proficio.scoring.results import LevelResult, StudentResult, SubjectResult, TargetResult
from proficio.transcripts import Options, Renderer
from proficio.transcripts.fonts import Coverage, font_dirs

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
ISSUED = date(2026, 6, 12)

_school: School | None = None


def school() -> School:
    global _school
    if _school is None:
        _school = load_school(CONTENT)
    return _school


def result(
    student: Student,
    *,
    current: dict[str, int] | None = None,
    seed: int = 0,
    explicit: dict[str, list[str]] | None = None,
) -> StudentResult:
    """A plausible scored record: levels below ``current[subject code]`` complete (every target
    proficient), the current level partly scored, higher levels untouched. ``explicit`` fixes
    the scores (oldest first) of chosen targets. Current scores come from the real scoring
    engine (``proficio.scoring.calculate``)."""
    sch = school()
    rng = random.Random(f"{student.id}:{seed}")
    current = current or {}
    explicit = explicit or {}
    subjects = []
    for subject in sch.subjects:
        cur = current.get(subject.code, 2)
        levels = []
        for level in subject.levels:
            scale = sch.scales[subject.scale_id]
            targets = []
            for target in level.targets:
                allowed = sorted(scale.allowed)
                passing = [v for v in allowed if v >= scale.threshold]
                if target.code in explicit:
                    values = [Decimal(v) for v in explicit[target.code]]
                elif level.number < cur:
                    values = [scale.threshold, rng.choice(passing)]
                elif level.number == cur and rng.random() < 0.7:
                    values = [rng.choice(allowed[1:]) for _ in range(rng.randint(1, 4))]
                else:
                    values = []
                start = date(2025, 9, 1) + timedelta(days=30 * (level.number - 1))
                evidence = [
                    Evidence(
                        student.id,
                        target.code,
                        v,
                        start + timedelta(days=7 * i),
                        f"Task {i + 1}",
                        "test",
                    )
                    for i, v in enumerate(values)
                ]
                score = calculate(
                    target.calculation.method, values, scale=scale, **target.calculation.params
                )
                targets.append(
                    TargetResult(
                        target.code,
                        score,
                        score is not None and score >= scale.threshold,
                        target.calculation,
                        evidence,
                    )
                )
            complete = all(t.proficient for t in targets)
            done_on = (
                max((t.last_date for t in targets if t.last_date), default=None)
                if complete
                else None
            )
            levels.append(LevelResult(level.number, level.completion, complete, done_on, targets))
        current_level = next((lv.number for lv in levels if not lv.complete), None)
        subjects.append(SubjectResult(subject.code, subject.slug, levels, current_level))
    return StudentResult(student, subjects)


def simple_explain(method: str, scores: list[Decimal], lang: str = "en", **params: object) -> str:
    """Stand-in for ``proficio.scoring.explain`` where a test does not look at the arithmetic."""
    return f"{method}: " + ", ".join(str(s) for s in scores)


def roster(n: int, prefix: str = "S") -> list[Student]:
    names = [
        ("Ana", "Núñez"),
        ("محمد", "علي"),
        ("小明", "王"),
        ("Olga", "Петрова"),
        ("Mai", "Trần"),
    ]
    return [
        Student(f"{prefix}-{i:04d}", *names[i % len(names)], language=("es", "vi", None)[i % 3])
        for i in range(n)
    ]


def scorer(students: list[Student]):
    """The ``score`` callable of :func:`proficio.transcripts.cli.issue`, built from :func:`result`."""
    return (result(s, current={"MA": 2, "ELA": 1, "SC": 1, "WLD": 1}) for s in students)


if __name__ == "__main__":  # used by the kill test: python transcript_helpers.py OUT N JOBS
    import sys

    from proficio.transcripts.document import Options
    from proficio.transcripts.run import issue

    out, n, jobs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    issue(school(), roster(n), scorer, Options(issued=ISSUED), out, jobs=jobs)


def renderer(
    sch: School | None = None, kind: str = "transcript", language: str | None = None
) -> Renderer:
    """A Renderer for the test school (or ``sch``) with the installed fonts and the plain
    explanations: what most PDF tests render with. The caller closes it."""
    dirs = font_dirs()
    options = Options(kind=kind, issued=ISSUED, language=language)
    return Renderer(sch or school(), options, dirs, Coverage.of_dirs(dirs), explain=simple_explain)


def pdftotext(pdf: bytes, folder: Path, *options: str) -> str:
    """``pdf``'s text as poppler's pdftotext reads it (``options`` e.g. ``-layout``), through a
    file in ``folder``."""
    path = folder / "t.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode()
