"""Real gradebook exports in: each shipped preset on a file with its vendor's exact header row,
several scores from one assessment, wide exports, the crosswalk, text scores, and first errors
that say what to do.

Fixtures (``tests/fixtures/gradebooks/``): a school with one 0-4 scale (labels in English and
Spanish) whose targets are scored by the mean, so each score below is a hand computation;
``canvas-outcome-results.csv`` with the 32 columns of Canvas's Outcome Results report (quiz
questions one row each); ``canvas-mastery.csv`` with the Learning Mastery Gradebook export's
columns; ``oneroster/`` with every OneRoster 1.2 file's full header. Every import here
accounts for every row: rows read = used + reported, file by file.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio import load_school
from proficio.cli import main
from proficio.content.identifiers import target_uuid
from proficio.content.model import School
from proficio.errors import ProficioError
from proficio.evidence import ImportReport, load, load_crosswalk, load_mapping
from proficio.evidence.mapping import PRESET_DIR, presets
from proficio.gradebook import Gradebook, open_gradebook
from proficio.scoring.explain import explain_target
from proficio.support.files import display_path

HERE = Path(__file__).parent / "fixtures" / "gradebooks"
SCHOOL = HERE / "school"
ROSTER = HERE / "roster.csv"
OUTCOMES = HERE / "canvas-outcome-results.csv"
MASTERY = HERE / "canvas-mastery.csv"
ONEROSTER = HERE / "oneroster"
CROSSWALK = HERE / "crosswalk.csv"
AS_OF = date(2026, 6, 30)

CANVAS_HEADER = (
    "student name,student id,student sis id,assessment title,assessment id,assessment type,"
    "submission date,submission score,learning outcome name,learning outcome id,attempt,"
    "outcome score,assessment question,assessment question id,course name,course id,"
    "course sis id,section name,section id,section sis id,assignment url,"
    "learning outcome friendly name,learning outcome points possible,"
    "learning outcome mastery score,learning outcome mastered,learning outcome rating,"
    "learning outcome rating points,learning outcome group title,learning outcome group id,"
    "account id,account name,enrollment state"
)
"""The header of Canvas's Outcome Results report, as canvas-lms writes it (HEADERS in
account_reports/improved_outcome_reports/outcome_results_report.rb)."""


@pytest.fixture(scope="module")
def school() -> School:
    return load_school(SCHOOL)


def accounted(report: ImportReport) -> None:
    """Rows read = used + reported, for every file and in total; the scores are what the used
    rows make (fewer only when rows of one assessment were combined)."""
    by_source: dict[str, int] = {}
    for f in report.files:
        assert f.rows == f.used + sum(f.rejected.values()), f
        by_source[f.source] = by_source.get(f.source, 0) + f.rows - f.used
    for source, not_used in by_source.items():
        reported = [i for i in report.issues if i.source == source and i.reason != "bad-field"]
        if not any(i.reason == "bad-file" for i in reported):
            assert len(reported) == not_used, (source, reported)
    assert report.rows == report.used + sum(report.rejected.values())


def scored(book: Gradebook) -> dict[tuple[str, str], tuple[Decimal, list[tuple[str, str, int]]]]:
    """(student, target) -> (current score, [(score, kind, rows) of each piece of evidence])."""
    found = {}
    for result in book.results():
        for subject in result.subjects:
            for level in subject.levels:
                for t in level.targets:
                    if t.score is not None:
                        found[(result.student.id, t.code)] = (
                            t.score,
                            [(str(e.score), e.kind, e.rows) for e in t.evidence],
                        )
    return found


def issues(book: Gradebook) -> list[tuple[str, int, str, str]]:
    return [(Path(i.source).name, i.line, i.reason, i.message) for i in book.report.issues]


def test_the_fixture_has_the_vendors_exact_header() -> None:
    with OUTCOMES.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert ",".join(header) == CANVAS_HEADER and len(header) == 32
    with MASTERY.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[:3] == ["Student name", "Student ID", "Student SIS ID"]
    assert all(h.endswith((" result", " mastery points")) for h in header[3:])
    assert presets() == ["canvas-mastery", "canvas-outcomes", "oneroster"]


def test_every_preset_names_its_source() -> None:
    """Each shipped preset documents the vendor's column list it was written to."""
    text = (PRESET_DIR / "canvas-outcomes.yaml").read_text(encoding="utf-8")
    for column in CANVAS_HEADER.split(","):
        assert column in text, column
    assert "outcome_results_report.rb" in text and "quiz_outcome_result_builder.rb" in text
    text = (PRESET_DIR / "canvas-mastery.yaml").read_text(encoding="utf-8")
    assert "lib/api/v1/outcome_results.rb" in text and "<outcome path> mastery points" in text
    text = (PRESET_DIR / "oneroster.yaml").read_text(encoding="utf-8")
    assert "resultLearningObjectiveIds.csv" in text and "not found" in text


# --- Canvas Outcome Results --------------------------------------------------------------------
#
# Ana (S1): the fractions quiz has three question rows on M.G3.NF.1 (Canvas rates the quiz 3:
# 3 of 4 points) and two on "Compare fractions" (rated 4); the poster is rated 4 on M.G3.NF.1.
# Bo (S2): three question rows on M.G3.NF.1 (rated 1), the poster rated 2, a multiplication
# task rated 3 on "3.OA.A.3". Line 13: a student without an SIS id; line 14: an outcome that
# hides its points (no rating points).
#
# same_assessment: mean makes each quiz one score:
#   S1 M.G3.NF.1 = mean(3, 4) = 3.5        S1 M.G3.NF.2 = 4 (through the crosswalk)
#   S2 M.G3.NF.1 = mean(1, 2) = 1.5        S2 M.G3.C1OA.TA.3.OA.A.3 = 3 (through the crosswalk)

CANVAS_REJECTED = [
    ("canvas-outcome-results.csv", 13, "missing-field", "no student_id: fill it in"),
    ("canvas-outcome-results.csv", 14, "missing-field", "no score: fill it in"),
]
NO_CROSSWALK = [
    (
        "canvas-outcome-results.csv",
        5,
        "unknown-target",
        "target code 'Compare fractions' is not in the school's content: check the code against "
        "the curriculum site",
    ),
    (
        "canvas-outcome-results.csv",
        6,
        "unknown-target",
        "target code 'Compare fractions' is not in the school's content: check the code against "
        "the curriculum site",
    ),
    (
        "canvas-outcome-results.csv",
        12,
        "unknown-target",
        # the whole code: not 'M.G3.C1OA.TA', which only shares its first characters
        "target code '3.OA.A.3' is not in the school's content: did you mean "
        "'M.G3.C1OA.TA.3.OA.A.3'?",
    ),
]

CANVAS_CASES = [
    pytest.param(
        CROSSWALK,
        CANVAS_REJECTED,
        (13, 11),
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "mean", 3), ("4", "", 1)]),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "mean", 2)]),
            ("S2", "M.G3.C1OA.TA.3.OA.A.3"): (Decimal("3"), [("3", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.5"), [("1", "mean", 3), ("2", "", 1)]),
        },
        "13 evidence rows read from 1 file, 11 used (8 of them combined into 3 scores: the mean "
        "of each assessment's rows, by same_assessment: mean), 2 rejected (2 missing field); "
        "roster: 2 students.",
        id="with the crosswalk",
    ),
    pytest.param(
        None,
        sorted(CANVAS_REJECTED + NO_CROSSWALK, key=lambda i: i[1]),
        (13, 8),
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "mean", 3), ("4", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.5"), [("1", "mean", 3), ("2", "", 1)]),
        },
        "13 evidence rows read from 1 file, 8 used (6 of them combined into 2 scores: the mean "
        "of each assessment's rows, by same_assessment: mean), 5 rejected (3 unknown target "
        "code, 2 missing field); roster: 2 students.",
        id="without a crosswalk",
    ),
]


@pytest.mark.parametrize("crosswalk,expected,counts,scores,summary", CANVAS_CASES)
def test_canvas_outcome_results(school, crosswalk, expected, counts, scores, summary):
    book = open_gradebook(
        school, ROSTER, OUTCOMES, mapping="canvas-outcomes", as_of=AS_OF, crosswalk=crosswalk
    )
    accounted(book.report)
    assert issues(book) == expected
    [f] = book.report.evidence_files
    assert (f.rows, f.used) == counts
    assert scored(book) == scores
    assert book.report.scores == len(book.evidence) == sum(len(e) for _, e in scores.values())
    assert book.report.summary() == summary
    assert book.notes()[1] == (
        f"  {display(OUTCOMES)}: UTF-8, comma-separated; read with preset canvas-outcomes"
    )


# The same file under each policy (a copy of the preset with another same_assessment):
#   each:     S1 M.G3.NF.1 has 3, 3, 3 (quiz) and 4 (poster): mean 13/4 = 3.25; S2: 1, 1, 1, 2 -> 1.25
#   max:      like mean here (a quiz's rows carry one rating): 3.5 and 1.5
#   conflict: the repeated rows are exact duplicates, counted once (and reported): 3.5 and 1.5
POLICIES = [
    pytest.param(
        "each",
        (13, 11),
        [],
        {
            ("S1", "M.G3.NF.1"): (
                Decimal("3.25"),
                [("3", "", 1), ("3", "", 1), ("3", "", 1), ("4", "", 1)],
            ),
            ("S2", "M.G3.NF.1"): (
                Decimal("1.25"),
                [("1", "", 1), ("1", "", 1), ("1", "", 1), ("2", "", 1)],
            ),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "", 1), ("4", "", 1)]),
        },
        id="each",
    ),
    pytest.param(
        "max",
        (13, 11),
        [],
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "max", 3), ("4", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.5"), [("1", "max", 3), ("2", "", 1)]),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "max", 2)]),
        },
        id="max",
    ),
    pytest.param(
        "conflict",
        (13, 6),
        [
            (
                3,
                "duplicate",
                "same student, target, assessment, date and score as line 2: counted once",
            ),
            (
                4,
                "duplicate",
                "same student, target, assessment, date and score as line 2: counted once",
            ),
            (
                6,
                "duplicate",
                "same student, target, assessment, date and score as line 5: counted once",
            ),
            (
                9,
                "duplicate",
                "same student, target, assessment, date and score as line 8: counted once",
            ),
            (
                10,
                "duplicate",
                "same student, target, assessment, date and score as line 8: counted once",
            ),
        ],
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "", 1), ("4", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.5"), [("1", "", 1), ("2", "", 1)]),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "", 1)]),
        },
        id="conflict",
    ),
]


@pytest.mark.parametrize("policy,counts,extra,scores", POLICIES)
def test_several_scores_from_one_assessment(school, tmp_path, policy, counts, extra, scores):
    text = (PRESET_DIR / "canvas-outcomes.yaml").read_text(encoding="utf-8")
    mapping = tmp_path / "my-canvas.yaml"
    mapping.write_text(text.replace("same_assessment: mean", f"same_assessment: {policy}"))
    book = open_gradebook(
        school, ROSTER, OUTCOMES, mapping=mapping, as_of=AS_OF, crosswalk=CROSSWALK
    )
    accounted(book.report)
    assert sorted((line, reason, message) for _, line, reason, message in issues(book)) == sorted(
        [(line, reason, message) for _, line, reason, message in CANVAS_REJECTED] + extra
    )
    [f] = book.report.evidence_files
    assert (f.rows, f.used) == counts
    found = scored(book)
    for key, value in scores.items():
        assert found[key] == value, key
    assert book.report.scores == len(book.evidence)
    assert book.notes()[1].endswith(f"read with {display(mapping)}")


def display(path: Path) -> str:
    return display_path(path)


def test_a_genuine_conflict_in_a_plain_csv_is_still_reported(school, tmp_path):
    """Without a mapping (same_assessment: conflict) the same row twice with different scores
    is not averaged: neither row is used."""
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        "student_id,target,score,date,assessment\n"
        "S1,M.G3.NF.1,3,2026-02-03,Fractions quiz\n"
        "S1,M.G3.NF.1,1,2026-02-03,Fractions quiz\n"
        "S1,M.G3.NF.1,4,2026-02-10,Fraction poster\n",
        encoding="utf-8",
    )
    book = open_gradebook(school, ROSTER, evidence, as_of=AS_OF)
    accounted(book.report)
    assert [(line, reason) for _, line, reason, _ in issues(book)] == [
        (2, "conflict"),
        (3, "conflict"),
    ]
    assert issues(book)[0][3].startswith("score 3 conflicts with line 3 (score 1): same student")
    assert scored(book) == {("S1", "M.G3.NF.1"): (Decimal("4"), [("4", "", 1)])}


# --- Canvas Learning Mastery Gradebook (wide) ---------------------------------------------------
#
# Rollups, dated by the run (--as-of) or the mapping's date: S1 3.5 on M.G3.NF.1 and 4 on
# "Compare fractions"; S2 1.67 (not a point: a rollup) on M.G3.NF.1 and 3 on "3.OA.A.3"; the
# student whose SIS ID is N/A has one score (reported). Five score cells, five rows.

MASTERY_CASES = [
    pytest.param(
        CROSSWALK,
        None,
        [
            (
                "canvas-mastery.csv",
                4,
                "unknown-student",
                "column 'Math 3 > Fractions > M.G3.NF.1 result' (column 4): student 'N/A' is not "
                "in the roster: add them to the roster or correct the ID",
            )
        ],
        (5, 4),
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3.5", "rollup", 1)]),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "rollup", 1)]),
            ("S2", "M.G3.C1OA.TA.3.OA.A.3"): (Decimal("3"), [("3", "rollup", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.67"), [("1.67", "rollup", 1)]),
        },
        AS_OF,
        "scores dated 2026-06-30, the run's date (--as-of): the export has no dates",
        id="with the crosswalk, dated by --as-of",
    ),
    pytest.param(
        None,
        "2026-06-12",
        [
            (
                "canvas-mastery.csv",
                2,
                "unknown-target",
                "column 'Math 3 > Fractions > Compare fractions result' (column 6): outcome "
                "'Math 3 > Fractions > Compare fractions': target code 'Compare fractions' is not "
                "in the school's content: check the code against the curriculum site; or map the "
                "outcome to a target in a crosswalk (--crosswalk)",
            ),
            (
                "canvas-mastery.csv",
                3,
                "unknown-target",
                "column 'Math 3 > Operations > 3.OA.A.3 result' (column 8): outcome 'Math 3 > "
                "Operations > 3.OA.A.3': target code '3.OA.A.3' is not in the school's content: "
                "did you mean 'M.G3.C1OA.TA.3.OA.A.3'?; or map the outcome to a target in a "
                "crosswalk (--crosswalk)",
            ),
            (
                "canvas-mastery.csv",
                4,
                "unknown-student",
                "column 'Math 3 > Fractions > M.G3.NF.1 result' (column 4): student 'N/A' is not "
                "in the roster: add them to the roster or correct the ID",
            ),
        ],
        (5, 2),
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3.5", "rollup", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("1.67"), [("1.67", "rollup", 1)]),
        },
        date(2026, 6, 12),
        "scores dated 2026-06-12, the mapping's date: the export has no dates",
        id="without a crosswalk, dated by the mapping",
    ),
]


@pytest.mark.parametrize("crosswalk,day,expected,counts,scores,dated,note", MASTERY_CASES)
def test_canvas_mastery_export(
    school, tmp_path, crosswalk, day, expected, counts, scores, dated, note
):
    mapping: Path | str = "canvas-mastery"
    if day is not None:
        mapping = tmp_path / "mastery.yaml"
        text = (PRESET_DIR / "canvas-mastery.yaml").read_text(encoding="utf-8")
        mapping.write_text(text.replace("# date: 2026-06-12", f"date: {day}"), encoding="utf-8")
    book = open_gradebook(
        school, ROSTER, MASTERY, mapping=mapping, as_of=AS_OF, crosswalk=crosswalk
    )
    accounted(book.report)
    assert issues(book) == expected
    [f] = book.report.evidence_files
    assert (f.rows, f.used) == counts
    assert scored(book) == scores
    assert {e.date for e in book.evidence} == {dated}
    assert {e.assessment for e in book.evidence} == {"Learning Mastery Gradebook"}
    assert note in f.notes


def test_a_rollup_is_explained_as_one(school):
    book = open_gradebook(
        school, ROSTER, MASTERY, mapping="canvas-mastery", as_of=AS_OF, crosswalk=CROSSWALK
    )
    bo = next(r for r in book.results() if r.student.id == "S2")
    target = next(
        t for s in bo.subjects for lv in s.levels for t in lv.targets if t.code == "M.G3.NF.1"
    )
    scale = school.scale_of(next(t for *_, t in school.iter_targets() if t.code == "M.G3.NF.1"))
    assert explain_target(target, scale) == "one score: 1.67 (score from the gradebook's rollup)"
    assert explain_target(target, scale, "es").endswith(
        "(calificación tomada del resultado acumulado del libro de calificaciones)"
    )


def test_a_rollup_outside_the_scale_is_reported(school, tmp_path):
    evidence = tmp_path / "mastery.csv"
    evidence.write_text(
        "Student name,Student ID,Student SIS ID,Fractions > M.G3.NF.1 result,"
        "Fractions > M.G3.NF.1 mastery points\n"
        '"Ruiz, Ana",101,S1,4.5,3\n"Li, Bo",102,S2,Proficient,3\n"Cut, Off",103\n',
        encoding="utf-8",
    )
    book = open_gradebook(school, ROSTER, evidence, mapping="canvas-mastery", as_of=AS_OF)
    accounted(book.report)
    assert issues(book) == [
        (
            "mastery.csv",
            2,
            "score-not-on-scale",
            "column 'Fractions > M.G3.NF.1 result' (column 4): score 4.5 is outside scale "
            "'mastery' used by M.G3.NF.1 (0 to 4)",
        ),
        (
            "mastery.csv",
            4,
            "short-row",
            "the row has 2 fields but the header has 5: the file may be cut off here, or a field "
            "with a line break lacks quotes",
        ),
    ]
    [f] = book.report.evidence_files
    assert (f.rows, f.used) == (3, 1)
    assert scored(book) == {("S2", "M.G3.NF.1"): (Decimal("3"), [("3", "rollup", 1)])}


# --- OneRoster 1.2 -----------------------------------------------------------------------------
#
# results.csv: r-1 (S1, quiz: per-objective scores 3 on M.G3.NF.1 by CASE UUID, 4 on
# lo-district-77), r-2 (S1, poster 4 on M.G3.NF.1, its line item's one objective), r-3 (S2,
# textScore "Proficient" = 3 on the target whose urn:uuid is its objective), r-4 (u-3, whose
# identifier is empty: reported), r-5 (S2, quiz: textScore " en desarrollo " = 2 on M.G3.NF.1,
# 3 on lo-district-77). lo-district-77 is M.G3.NF.2 only through the crosswalk.
#   S1 M.G3.NF.1 = mean(3, 4) = 3.5   S1 M.G3.NF.2 = 4
#   S2 M.G3.NF.1 = 2                  S2 M.G3.NF.2 = 3     S2 M.G3.C1OA.TA.3.OA.A.3 = 3

EMPTY_ID = (
    "users.csv",
    4,
    "missing-field",
    "identifier is empty: it is the school's student ID, which every roster, score and "
    "document is keyed by; fill it in in the SIS (or set oneroster: student_id: sourcedId in "
    "the mapping to key students by sourcedId)",
)
EMPTY_ID_RESULT = (
    "results.csv",
    5,
    "unknown-student",
    "studentSourcedId 'u-3' is on users.csv line 4, whose identifier (the school's student ID) "
    "is empty: fill it in in the SIS",
)
DISTRICT = (
    "learning objective 'lo-district-77' is not a target code; map it to one under oneroster: "
    "learning_objectives: in the mapping file or in a crosswalk (--crosswalk)"
)

ONEROSTER_CASES = [
    pytest.param(
        CROSSWALK,
        [EMPTY_ID, EMPTY_ID_RESULT],
        {"results.csv": (5, 4), "resultLearningObjectiveIds.csv": (4, 4)},
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "", 1), ("4", "", 1)]),
            ("S1", "M.G3.NF.2"): (Decimal("4"), [("4", "", 1)]),
            ("S2", "M.G3.C1OA.TA.3.OA.A.3"): (Decimal("3"), [("3", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("2"), [("2", "", 1)]),
            ("S2", "M.G3.NF.2"): (Decimal("3"), [("3", "", 1)]),
        },
        id="with the crosswalk",
    ),
    pytest.param(
        None,
        [
            EMPTY_ID,
            ("resultLearningObjectiveIds.csv", 3, "no-learning-objective", DISTRICT),
            EMPTY_ID_RESULT,
            ("resultLearningObjectiveIds.csv", 5, "no-learning-objective", DISTRICT),
        ],
        {"results.csv": (5, 4), "resultLearningObjectiveIds.csv": (4, 2)},
        {
            ("S1", "M.G3.NF.1"): (Decimal("3.5"), [("3", "", 1), ("4", "", 1)]),
            ("S2", "M.G3.C1OA.TA.3.OA.A.3"): (Decimal("3"), [("3", "", 1)]),
            ("S2", "M.G3.NF.1"): (Decimal("2"), [("2", "", 1)]),
        },
        id="without a crosswalk",
    ),
]


@pytest.mark.parametrize("crosswalk,expected,counts,scores", ONEROSTER_CASES)
def test_oneroster_export(school, crosswalk, expected, counts, scores):
    uuids = {t.code: target_uuid(school, t) for *_, t in school.iter_targets()}
    objectives = (ONEROSTER / "lineItemLearningObjectiveIds.csv").read_text(encoding="utf-8")
    assert uuids["M.G3.NF.1"] in objectives and uuids["M.G3.C1OA.TA.3.OA.A.3"] in objectives
    book = open_gradebook(
        school, ONEROSTER, ONEROSTER, mapping="oneroster", as_of=AS_OF, crosswalk=crosswalk
    )
    accounted(book.report)
    assert issues(book) == expected
    assert [s.id for s in book.students] == ["S1", "S2"]
    counted = {Path(f.source).name: (f.rows, f.used) for f in book.report.evidence_files}
    assert counted == counts
    assert scored(book) == scores


def test_a_users_csv_without_identifier_keys_by_sourced_id_and_says_so(school, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(ONEROSTER, export)
    users = export / "users.csv"
    with users.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    at = rows[0].index("identifier")
    with users.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([r[:at] + r[at + 1 :] for r in rows])
    book = open_gradebook(school, export, export, as_of=AS_OF, crosswalk=CROSSWALK)
    accounted(book.report)
    assert [s.id for s in book.students] == ["u-1", "u-2", "u-3"]
    assert issues(book) == []
    note = (
        "users.csv has no identifier column: students are keyed by sourcedId (set oneroster: "
        "student_id: in the mapping to read another column)"
    )
    assert any(line.endswith(note) for line in book.notes())
    assert book.report.used == 9


# --- Text scores --------------------------------------------------------------------------------

TEXT_SCORES = [
    ("Proficient", None, Decimal("3"), None),
    ("  proficient ", None, Decimal("3"), None),
    ("EXCEEDS", None, Decimal("4"), None),
    ("Competente", None, Decimal("3"), None),
    ("en   desarrollo", None, Decimal("2"), None),
    ("Sin evidencia", None, Decimal("0"), None),
    ("Meets Mastery", {"Meets Mastery": 3}, Decimal("3"), None),
    ("meets mastery", {"Meets Mastery": 3}, Decimal("3"), None),
    (
        "Mastery+",
        {"Mastery+": 3.5},
        None,
        (
            "score-not-on-scale",
            "score 3.5 ('Mastery+') is not a point of scale 'mastery' used by M.G3.NF.1 (its "
            "points: 0, 1, 2, 3, 4)",
        ),
    ),
    (
        "Profcient",
        None,
        None,
        (
            "bad-score",
            "score 'Profcient' is not a number (write it like 3 or 3.5) or a label of scale "
            "'mastery': did you mean 'Proficient'?",
        ),
    ),
    (
        "three",
        None,
        None,
        ("bad-score", "score 'three' is not a number (write it like 3 or 3.5)"),
    ),
]


@pytest.mark.parametrize("text,labels,point,problem", TEXT_SCORES, ids=[t[0] for t in TEXT_SCORES])
def test_text_scores(school, tmp_path, text, labels, point, problem):
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        f"student_id,target,score,date\nS1,M.G3.NF.1,{text},2026-02-03\n", encoding="utf-8"
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "evidence:\n  labels:\n" + "".join(f"    {k}: {v}\n" for k, v in (labels or {}).items())
        if labels
        else "",
        encoding="utf-8",
    )
    book = open_gradebook(school, ROSTER, evidence, mapping=mapping, as_of=AS_OF)
    accounted(book.report)
    if point is None:
        assert [(line, reason, message) for _, line, reason, message in issues(book)] == [
            (2, *problem)
        ]
        assert scored(book) == {}
    else:
        assert issues(book) == []
        assert scored(book) == {("S1", "M.G3.NF.1"): (point, [(str(point), "", 1)])}


# --- First errors -------------------------------------------------------------------------------


def _csv(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "evidence.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


FIRST_ERRORS = [
    pytest.param(
        lambda tmp: OUTCOMES,
        None,
        "this is Canvas's Outcome Results report (one row per outcome result; quizzes one row "
        "per aligned question): read it with --mapping canvas-outcomes. None of its rows were "
        "used (13 rows).",
        13,
        id="Canvas Outcome Results without a mapping",
    ),
    pytest.param(
        lambda tmp: MASTERY,
        None,
        "this is Canvas's Learning Mastery Gradebook export (one column per outcome, its rollup "
        "scores): read it with --mapping canvas-mastery. None of its rows were used (3 rows).",
        3,
        id="Canvas mastery export without a mapping",
    ),
    pytest.param(
        lambda tmp: MASTERY,
        "canvas-outcomes",
        "this is Canvas's Learning Mastery Gradebook export (one column per outcome, its rollup "
        "scores): read it with --mapping canvas-mastery. The mapping (preset canvas-outcomes) "
        "does not fit it: the header lacks the required columns 'learning outcome name', "
        "'learning outcome rating points' and 'submission date'; columns not read: 'Math 3 > "
        "Fractions > M.G3.NF.1 result', 'Math 3 > Fractions > M.G3.NF.1 mastery points', "
        "'Math 3 > Fractions > Compare fractions result', 'Math 3 > Fractions > Compare "
        "fractions mastery points', 'Math 3 > Operations > 3.OA.A.3 result' and 'Math 3 > "
        "Operations > 3.OA.A.3 mastery points'. Name the columns student sis id, learning "
        "outcome name, learning outcome rating points, submission date, or map yours in a "
        "mapping file (--mapping). None of its rows were used (3 rows).",
        3,
        id="the mastery export with the outcome results preset",
    ),
    pytest.param(
        lambda tmp: ONEROSTER / "results.csv",
        None,
        "this is OneRoster's results.csv on its own: give Proficio the whole OneRoster export "
        "(its folder or zip, with manifest.csv) as --evidence. None of its rows were used (5 "
        "rows).",
        5,
        id="OneRoster results.csv alone",
    ),
    pytest.param(
        lambda tmp: ONEROSTER / "users.csv",
        None,
        "this is OneRoster's users.csv, a roster: give it as --roster (and the export's results "
        "as --evidence). None of its rows were used (4 rows).",
        4,
        id="OneRoster users.csv as evidence",
    ),
    pytest.param(
        lambda tmp: _csv(
            tmp,
            "studnet_id,target,scor,Notes,Teacher",
            "S1,M.G3.NF.1,3,,",
            "S2,M.G3.NF.1,2,,",
        ),
        None,
        "column 'studnet_id' is not a column Proficio reads: did you mean 'student_id'?; column "
        "'scor' is not a column Proficio reads: did you mean 'score'?; the header has no 'date' "
        "column; columns not read: 'Notes' and 'Teacher'. Name the columns student_id, target, "
        "score, date, or map yours in a mapping file (--mapping). None of its rows were used "
        "(2 rows).",
        2,
        id="every typo, missing column and header not read",
    ),
    pytest.param(
        lambda tmp: _csv(tmp, "Student,Code,Notes", "S1,M.G3.NF.1,"),
        None,
        "column 'Student' is not a column Proficio reads: did you mean 'student_id'?; the "
        "header lacks the required columns 'target', 'score' and 'date'; columns not read: "
        "'Code' and 'Notes'. Name the columns student_id, target, score, date, or map yours in "
        "a mapping file (--mapping). None of its rows were used (1 row).",
        1,
        id="three required columns missing",
    ),
]


@pytest.mark.parametrize("make,mapping,message,rows", FIRST_ERRORS)
def test_first_errors_say_what_to_do(school, tmp_path, monkeypatch, make, mapping, message, rows):
    monkeypatch.chdir(tmp_path)
    evidence = make(tmp_path)
    imported = load(
        ROSTER,
        [evidence],
        school,
        mapping=load_mapping(mapping) if mapping else None,
        as_of=AS_OF,
    )
    accounted(imported.report)
    [issue] = imported.report.issues
    assert (issue.line, issue.reason, issue.message) == (1, "bad-file", message)
    assert imported.report.rows == imported.report.rejected["bad-file"] == rows


def test_columns_not_read_are_named_in_the_notes(school, tmp_path):
    evidence = _csv(
        tmp_path, "student_id,target,score,date,Teacher,Notes", "S1,M.G3.NF.1,3,2026-02-03,Lee,"
    )
    book = open_gradebook(school, ROSTER, evidence, as_of=AS_OF)
    assert book.notes()[1].endswith("UTF-8, comma-separated; columns not read: 'Teacher', 'Notes'")
    # a preset lists its export's other columns as known: none of Canvas's 26 is named
    book = open_gradebook(
        school, ROSTER, OUTCOMES, mapping="canvas-outcomes", as_of=AS_OF, crosswalk=CROSSWALK
    )
    assert "not read" not in book.notes()[1]


# --- The crosswalk ------------------------------------------------------------------------------


def test_a_yaml_crosswalk_reads_like_the_csv(school, tmp_path):
    yaml = tmp_path / "crosswalk.yaml"
    yaml.write_text(
        "Compare fractions: M.G3.NF.2\n'3.OA.A.3': M.G3.C1OA.TA.3.OA.A.3\n", encoding="utf-8"
    )
    by_csv = open_gradebook(
        school, ROSTER, OUTCOMES, mapping="canvas-outcomes", as_of=AS_OF, crosswalk=CROSSWALK
    )
    by_yaml = open_gradebook(
        school, ROSTER, OUTCOMES, mapping="canvas-outcomes", as_of=AS_OF, crosswalk=yaml
    )
    assert scored(by_yaml) == scored(by_csv)
    walk = load_crosswalk(yaml, school)
    assert walk.lookup("compare   FRACTIONS") == "M.G3.NF.2"
    assert walk.lookup("Compare fractions ") == "M.G3.NF.2"


def test_the_crosswalk_also_maps_a_plain_csv(school, tmp_path):
    evidence = _csv(
        tmp_path,
        "student_id,target,score,date",
        "S1,Compare fractions,3,2026-02-03",
        "S1,urn:uuid:"
        + target_uuid(school, _target(school, "M.G3.NF.1")).upper()
        + ",2,2026-02-04",
        "S1,Compare fractions,4,2026-02-05",
    )
    book = open_gradebook(school, ROSTER, evidence, as_of=AS_OF, crosswalk=CROSSWALK)
    accounted(book.report)
    assert issues(book) == []
    assert scored(book) == {
        ("S1", "M.G3.NF.1"): (Decimal("2"), [("2", "", 1)]),
        ("S1", "M.G3.NF.2"): (Decimal("3.5"), [("3", "", 1), ("4", "", 1)]),
    }


def _target(school: School, code: str):
    return next(t for *_, t in school.iter_targets() if t.code == code)


def test_a_crosswalk_that_does_not_fit_the_school_is_refused_whole(school, tmp_path):
    bad = tmp_path / "crosswalk.csv"
    bad.write_text(
        "outcome,target\n"
        "Compare fractions,M.G3.NF.2\n"
        "Compare fractions,M.G3.NF.1\n"
        "Name fractions,M.G3.NF.9\n"
        ",M.G3.NF.1\n",
        encoding="utf-8",
    )
    with pytest.raises(ProficioError) as caught:
        load_crosswalk(bad, school)
    shown = display(bad)
    assert caught.value.message == (
        f"The crosswalk {shown} has 3 problems: fix them and run again (no evidence was read)."
    )
    assert caught.value.details == [
        f"{shown}:3: 'Compare fractions' is already mapped to 'M.G3.NF.2' on line 2, here to "
        "'M.G3.NF.1': an outcome leads to one target. Keep one.",
        f"{shown}:4: 'M.G3.NF.9' (for 'Name fractions') is not a target code of the school: did "
        "you mean 'M.G3.NF.1' or 'M.G3.NF.2'?",
        f"{shown}:5: the outcome is empty: fill it in or remove the line.",
    ]


# --- The command line ---------------------------------------------------------------------------


def _score(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        main,
        [
            "score",
            "--content",
            str(SCHOOL),
            "--roster",
            str(ROSTER),
            "--out",
            str(tmp_path / "out"),
            "--issues",
            str(tmp_path / "issues.csv"),
            "--as-of",
            AS_OF.isoformat(),
            *args,
        ],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output.splitlines()


def test_the_cli_reads_a_preset_by_name(tmp_path):
    code, lines = _score(
        tmp_path,
        "--evidence", str(OUTCOMES), "--mapping", "canvas-outcomes", "--crosswalk", str(CROSSWALK),
    )  # fmt: skip
    assert code == 0, lines
    assert lines[-2].startswith("13 evidence rows read from 1 file, 11 used (8 of them combined")
    with (tmp_path / "out" / "scores" / "targets.csv").open(encoding="utf-8", newline="") as f:
        rows = {(r["student_id"], r["target"]): r for r in csv.DictReader(f)}
    assert [rows[("S1", "M.G3.NF.1")][k] for k in ("score", "evidence_count")] == ["3.50", "2"]
    assert [rows[("S2", "M.G3.NF.1")][k] for k in ("score", "evidence_count")] == ["1.50", "2"]
    with (tmp_path / "issues.csv").open(encoding="utf-8", newline="") as f:
        written = [(r["line"], r["reason"]) for r in csv.DictReader(f)]
    assert written == [("13", "missing-field"), ("14", "missing-field")]


def test_the_cli_without_a_mapping_names_the_preset(tmp_path):
    code, lines = _score(tmp_path, "--evidence", str(OUTCOMES))
    assert code == 1
    assert any(
        line.endswith(
            "this is Canvas's Outcome Results report (one row per outcome result; quizzes one "
            "row per aligned question): read it with --mapping canvas-outcomes. None of its rows "
            "were used (13 rows)."
        )
        for line in lines
    ), lines
    assert not (tmp_path / "out" / "scores").exists()


@pytest.mark.parametrize(
    "args,needle",
    [
        (
            ["--mapping", "canvas-grades"],
            "there is no file canvas-grades, and it is not a preset (canvas-mastery, "
            "canvas-outcomes, oneroster).",
        ),
        (["--crosswalk", "missing.csv"], "'missing.csv' does not exist"),
    ],
    ids=["unknown preset", "missing crosswalk"],
)
def test_the_cli_refuses_an_unknown_preset_or_crosswalk(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    code, lines = _score(tmp_path, "--evidence", str(OUTCOMES), *args)
    assert code == 2
    assert needle in "\n".join(lines)


def test_a_bad_crosswalk_stops_the_cli_before_anything_is_written(tmp_path):
    bad = tmp_path / "crosswalk.csv"
    bad.write_text("outcome,target\nCompare fractions,M.G3.NF.9\n", encoding="utf-8")
    code, lines = _score(
        tmp_path,
        "--evidence",
        str(OUTCOMES),
        "--mapping",
        "canvas-outcomes",
        "--crosswalk",
        str(bad),
    )
    assert code == 1
    assert lines[-1].startswith("Error: The crosswalk ") and lines[-1].endswith(
        "has 1 problem: fix it and run again (no evidence was read)."
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "evidence:\n  same_assessment: average\n",
            ":2:20: same_assessment must be one of conflict, each, mean, max, not 'average'.",
        ),
        (
            "evidence:\n  layout: wide\n  wide:\n    scores: result\n",
            ":4:13: 'scores' is the pattern of the headers that hold scores, with {outcome} once "
            "where the outcome is (like '{outcome} result').",
        ),
        (
            "evidence:\n  labels:\n    Proficient: lots\n",
            ":3:17: the point of label 'Proficient' must be a number, not 'lots'.",
        ),
        (
            "evidence:\n  wide:\n    scores: '{outcome}'\n",
            ":2:3: 'wide' settings need 'layout: wide'.",
        ),
    ],
    ids=["policy", "wide pattern", "label point", "wide without layout"],
)
def test_mapping_settings_are_checked_at_their_line(tmp_path, text, message):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProficioError) as caught:
        load_mapping(path)
    assert caught.value.message == display(path) + message


def test_a_label_two_points_share_is_refused_not_guessed(tmp_path):
    content = tmp_path / "school"
    shutil.copytree(SCHOOL, content)
    scale = content / "scales" / "mastery.yaml"
    scale.write_text(
        scale.read_text(encoding="utf-8").replace("es: Sin evidencia", "es: Beginning"),
        encoding="utf-8",
    )
    evidence = _csv(tmp_path, "student_id,target,score,date", "S1,M.G3.NF.1,beginning,2026-02-03")
    book = open_gradebook(load_school(content), ROSTER, evidence, as_of=AS_OF)
    accounted(book.report)
    assert issues(book) == [
        (
            "evidence.csv",
            2,
            "bad-score",
            "score 'beginning' is the label of 0 and 1 on scale 'mastery': write the number",
        )
    ]


def test_a_mapping_names_its_crosswalk_beside_it(school, tmp_path):
    folder = tmp_path / "settings"
    folder.mkdir()
    shutil.copy(CROSSWALK, folder / "outcomes.csv")
    text = (PRESET_DIR / "canvas-outcomes.yaml").read_text(encoding="utf-8")
    (folder / "canvas.yaml").write_text(text + "crosswalk: outcomes.csv\n", encoding="utf-8")
    mapping = load_mapping(folder / "canvas.yaml")
    assert mapping.crosswalk == folder / "outcomes.csv"
    book = open_gradebook(school, ROSTER, OUTCOMES, mapping=mapping, as_of=AS_OF)
    accounted(book.report)
    assert issues(book) == CANVAS_REJECTED
    assert book.report.used == 11
