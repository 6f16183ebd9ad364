"""The example school's synthetic roster and evidence import without a rejected row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from proficio import load_school
from proficio.evidence import load
from proficio.scoring import score_students

ROOT = Path(__file__).resolve().parents[1]


def test_riverbend_example_imports_cleanly_and_scores_every_target():
    school = load_school(ROOT / "content")
    imported = load(
        ROOT / "examples/riverbend/roster.csv",
        [ROOT / "examples/riverbend/evidence.csv"],
        school,
        as_of=date(2026, 6, 30),
    )
    report = imported.report
    assert not report.issues, report.issues[:3]
    assert report.used == report.rows > 4000
    targets = sum(1 for _ in school.iter_targets())
    results = list(score_students(school, imported.students, imported.evidence))
    assert len(results) == len(imported.students) == 48
    for r in results:
        assert sum(len(lv.targets) for s in r.subjects for lv in s.levels) == targets
        assert sum(
            t.evidence_count for s in r.subjects for lv in s.levels for t in lv.targets
        ) == len(imported.evidence.for_student(r.student.id))
