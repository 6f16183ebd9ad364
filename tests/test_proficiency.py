"""Targets, levels and current level computed from evidence on a small school with three rules.

tests/fixtures/scoring-school: Mathematics (0-4 half points, threshold 3, decaying average 65;
MA.L1.A.2 overrides with ``highest``) with Level 1 (rule ``all``, topics A and B) and Level 2
(``percent`` 50); Shop (1-5, threshold 4, ``n_mastery`` N=2 from the scale) with one level
(``all_topics`` 50: half of each topic's targets).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from proficio import load_school
from proficio.evidence.records import Evidence, Student
from proficio.scoring import Scorer, score_student, score_students

FIXTURE = Path(__file__).parent / "fixtures" / "scoring-school"
ANA = Student("S1", "Ana", "Ruiz")


@pytest.fixture(scope="module")
def school():
    return load_school(FIXTURE)


def ev(target: str, score: str, day: str, line: int = 0, assessment: str = "a") -> Evidence:
    return Evidence(
        "S1", target, Decimal(score), date.fromisoformat(day), assessment, "test", line=line
    )


def targets(result):
    return {t.code: t for s in result.subjects for lv in s.levels for t in lv.targets}


def levels(result, subject):
    return next(s for s in result.subjects if s.code == subject)


def test_every_target_of_every_level_has_a_result(school):
    result = score_student(school, ANA, [])
    assert [s.code for s in result.subjects] == ["MA", "SH"]
    found = targets(result)
    assert len(found) == 9
    assert all(t.score is None and not t.proficient and t.evidence == [] for t in found.values())
    assert levels(result, "MA").current_level == 1


def test_method_precedence_and_evidence_order(school):
    rows = [
        ev("MA.L1.A.2", "4", "2026-01-02", 2),
        ev("MA.L1.A.2", "2", "2026-01-05", 3),
        ev("MA.L1.A.1", "2", "2026-01-01", 1),
        ev("MA.L1.A.1", "3", "2026-01-02", 4),
        ev("MA.L1.A.1", "4", "2026-01-03", 5),
    ]
    found = targets(score_student(school, ANA, rows))
    assert found["MA.L1.A.1"].score == Decimal("3.53")  # decaying average from the school
    assert found["MA.L1.A.1"].method.method == "decaying_average"
    assert [e.line for e in found["MA.L1.A.1"].evidence] == [1, 4, 5]
    assert found["MA.L1.A.2"].score == Decimal("4")  # highest, set on the target
    assert found["MA.L1.A.2"].proficient


def test_equal_dates_keep_the_export_row_order(school):
    first = ev("MA.L1.B.1", "2", "2026-02-01", 10, "quiz")
    second = ev("MA.L1.B.1", "4", "2026-02-01", 11, "project")
    a = targets(score_student(school, ANA, [first, second]))["MA.L1.B.1"]
    b = targets(score_student(school, ANA, [second, first]))["MA.L1.B.1"]
    assert a.score == Decimal("3.30")  # 0.35 x 2 + 0.65 x 4
    assert b.score == Decimal("2.70")  # 0.35 x 4 + 0.65 x 2
    assert [e.line for e in a.evidence] == [10, 11]


def test_level_completion_date_is_the_evidence_that_made_the_rule_hold(school):
    rows = [
        ev("MA.L1.A.1", "3", "2026-01-10"),
        ev("MA.L1.A.2", "3", "2026-01-12"),
        ev("MA.L1.B.1", "2", "2026-01-15"),
        ev("MA.L1.B.1", "4", "2026-02-01", assessment="b"),  # 0.35x2 + 0.65x4 = 3.3: rule holds
    ]
    result = score_student(school, ANA, rows)
    math = levels(result, "MA")
    level1 = math.levels[0]
    assert level1.complete and level1.completed_on == date(2026, 2, 1)
    assert math.current_level == 2
    assert targets(result)["MA.L1.B.1"].proficient_since == date(2026, 2, 1)


def test_rule_broken_and_held_again_dates_from_the_unbroken_run(school):
    rows = [
        ev("MA.L1.A.1", "3", "2026-01-10"),
        ev("MA.L1.A.2", "3", "2026-01-10", assessment="x"),
        ev("MA.L1.B.1", "3", "2026-01-11"),  # complete on 01-11
        ev("MA.L1.A.1", "2", "2026-01-20"),  # 0.35x3 + 0.65x2 = 2.35: broken
        ev("MA.L1.A.1", "4", "2026-03-01"),  # 0.35x2.35 + 0.65x4 = 3.42: holds again
    ]
    level1 = levels(score_student(school, ANA, rows), "MA").levels[0]
    assert level1.complete and level1.completed_on == date(2026, 3, 1)


def test_percent_rule_and_evidence_above_the_current_level(school):
    rows = [ev("MA.L2.C.1", "4", "2026-03-03")]  # 1 of 2 targets = 50 %
    math = levels(score_student(school, ANA, rows), "MA")
    assert not math.levels[0].complete
    assert math.levels[1].complete and math.levels[1].completed_on == date(2026, 3, 3)
    assert math.current_level == 1  # the lowest incomplete level, though level 2 is complete


def test_all_topics_rule_needs_a_share_of_every_topic(school):
    # n_mastery N=2 at threshold 4 on the 1-5 scale; 50 % of each topic.
    rows = [
        ev("SH.L1.X.1", "4", "2026-01-01"),
        ev("SH.L1.X.1", "5", "2026-01-02", assessment="b"),
        ev("SH.L1.X.2", "5", "2026-01-03"),
    ]
    shop = levels(score_student(school, ANA, rows), "SH")
    found = {t.code: t for t in shop.levels[0].targets}
    assert found["SH.L1.X.1"].score == Decimal("4.5")
    assert found["SH.L1.X.2"].score is None  # one score at or above 4: not yet N=2
    assert not shop.levels[0].complete  # topic Y has nothing
    rows += [ev("SH.L1.Y.2", "4", "2026-02-01"), ev("SH.L1.Y.2", "4", "2026-02-09", assessment="b")]
    shop = levels(score_student(school, ANA, rows), "SH")
    assert shop.levels[0].complete and shop.levels[0].completed_on == date(2026, 2, 9)
    assert shop.current_level is None  # every level complete


def test_score_students_checks_students_and_codes(school):
    bob = Student("S2", "Bob", "Li")
    results = list(score_students(Scorer(school), [ANA, bob], [ev("MA.L1.A.1", "3", "2026-01-01")]))
    assert [r.student.id for r in results] == ["S1", "S2"]
    with pytest.raises(ValueError, match="not in the roster"):
        score_students(school, [bob], [ev("MA.L1.A.1", "3", "2026-01-01")])
    with pytest.raises(ValueError, match="unknown target"):
        score_student(school, ANA, [ev("XX.1", "3", "2026-01-01")])


def test_explain_target_redoes_the_score_shown(school):
    from proficio.scoring import explain_target

    rows = [
        ev("MA.L1.A.1", "2", "2026-01-01"),
        ev("MA.L1.A.1", "3", "2026-01-02", assessment="b"),
        ev("MA.L1.A.1", "4", "2026-01-03", assessment="c"),
    ]
    result = targets(score_student(school, ANA, rows))["MA.L1.A.1"]
    line = explain_target(result, school.scales["marzano"], "en")
    # a scale with half points writes its scores with one decimal (3.0), as its rubric does
    assert line == "2.0 → 0.35 × 2.0 + 0.65 × 3.0 = 2.65 → 0.35 × 2.65 + 0.65 × 4.0 = 3.5275 ≈ 3.53"
    assert line.endswith(str(result.score.normalize()))
    shop = [ev("SH.L1.X.1", "4", "2026-01-01"), ev("SH.L1.X.1", "3", "2026-01-02", assessment="b")]
    result = targets(score_student(school, ANA, shop))["SH.L1.X.1"]
    assert explain_target(result, school.scales["five"], "es").endswith("sin puntaje todavía")
