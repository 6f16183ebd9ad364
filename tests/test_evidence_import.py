"""Broken and quirky exports: every row is used or reported at its line with its reason."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from proficio import load_school
from proficio.errors import ProficioError
from proficio.evidence import load, load_mapping, write_issues
from proficio.evidence.mapping import Mapping

FIXTURE = Path(__file__).parent / "fixtures" / "scoring-school"
AS_OF = date(2026, 6, 30)
HEADER = "student_id,target,score,date,assessment,type\n"
GOOD = "S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test\n"


@pytest.fixture(scope="module")
def school():
    return load_school(FIXTURE)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("student_id,given_name,family_name\nS1,Ana,Ruiz\nS2,Bo,Li\n", encoding="utf-8")
    return path


def run(tmp_path, roster, school, data: bytes, **kw):
    path = tmp_path / "evidence.csv"
    path.write_bytes(data)
    imported = load(roster, [path], school, as_of=AS_OF, **kw)
    report = imported.report
    assert report.used + sum(report.rejected.values()) == report.rows
    assert report.used == len(imported.evidence)
    return imported


BROKEN = [
    (
        "unknown target",
        GOOD + "S1,MA.L1.A.9,3,2026-01-05,Quiz 1,test\n",
        3,
        "unknown-target",
        "did you mean 'MA.L1.A.",
    ),
    (
        "score not on scale",
        GOOD + "S1,MA.L1.A.1,3.2,2026-01-06,Quiz 2,test\n",
        3,
        "score-not-on-scale",
        "its points: 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4",
    ),
    (
        "whole-point scale",
        GOOD + "S1,SH.L1.X.1,4.5,2026-01-06,Weld,test\n",
        3,
        "score-not-on-scale",
        "its points: 1, 2, 3, 4, 5",
    ),
    (
        "score not a number",
        GOOD + "S1,MA.L1.A.1,three,2026-01-06,Quiz 2,test\n",
        3,
        "bad-score",
        "'three' is not a number",
    ),
    (
        "unknown student",
        GOOD + "S9,MA.L1.A.1,3,2026-01-06,Quiz 2,test\n",
        3,
        "unknown-student",
        "'S9' is not in the roster",
    ),
    (
        "bad date",
        GOOD + "S1,MA.L1.A.1,3,2026-02-30,Quiz 2,test\n",
        3,
        "bad-date",
        "not a real date",
    ),
    (
        "local date without format",
        GOOD + "S1,MA.L1.A.1,3,06/01/2026,Quiz 2,test\n",
        3,
        "bad-date",
        "date_format",
    ),
    (
        "future date",
        GOOD + "S1,MA.L1.A.1,3,2026-07-01,Quiz 2,test\n",
        3,
        "future-date",
        "after 2026-06-30",
    ),
    (
        "missing score",
        GOOD + "S1,MA.L1.A.1,,2026-01-06,Quiz 2,test\n",
        3,
        "missing-field",
        "no score",
    ),
    (
        "missing student",
        GOOD + ",MA.L1.A.1,3,2026-01-06,Quiz 2,test\n",
        3,
        "missing-field",
        "no student_id",
    ),
    ("exact duplicate", GOOD + GOOD, 3, "duplicate", "as line 2: counted once"),
    (
        "conflict",
        GOOD + "S1,MA.L1.A.1,2,2026-01-05,Quiz 1,test\n",
        2,
        "conflict",
        "score 3 conflicts with line 3 (score 2)",
    ),
    ("truncated last line", GOOD + "S1,MA.L1.A.1,3", 3, "short-row", "cut off"),
    (
        "truncated in a quote",
        GOOD + 'S1,MA.L1.A.1,3,2026-01-06,"Quiz 2',
        3,
        "short-row",
        "5 fields",
    ),
    (
        "extra fields",
        GOOD + "S1,MA.L1.A.1,3,2026-01-06,Quiz 2,test,oops,more\n",
        3,
        "extra-fields",
        "quote",
    ),
]


@pytest.mark.parametrize("name,body,line,reason,needle", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_rows_are_reported_at_their_line(
    tmp_path, roster, school, name, body, line, reason, needle
):
    imported = run(tmp_path, roster, school, (HEADER + body).encode())
    issues = [i for i in imported.report.issues if i.reason == reason]
    assert issues, imported.report.issues
    assert issues[0].line == line
    assert needle in issues[0].message
    assert issues[0].source.endswith("evidence.csv")
    assert imported.report.rows == body.count("\n") + (0 if body.endswith("\n") else 1)


def test_conflict_rejects_both_rows(tmp_path, roster, school):
    imported = run(
        tmp_path,
        roster,
        school,
        (HEADER + GOOD + "S1,MA.L1.A.1,2,2026-01-05,Quiz 1,test\n").encode(),
    )
    assert [(i.line, i.reason) for i in imported.report.issues] == [
        (2, "conflict"),
        (3, "conflict"),
    ]
    assert imported.report.used == 0


def test_utf8_bom(tmp_path, roster, school):
    imported = run(tmp_path, roster, school, b"\xef\xbb\xbf" + (HEADER + GOOD).encode())
    assert imported.report.used == 1
    assert imported.report.evidence_files[0].encoding_note == "UTF-8 with byte-order mark"


def test_windows_1252_is_detected_and_said(tmp_path, roster, school):
    body = HEADER + "S1,MA.L1.A.1,3,2026-01-05,Évaluation – unité 1,test\n"
    imported = run(tmp_path, roster, school, body.encode("cp1252"))
    assert imported.report.used == 1
    assert next(iter(imported.evidence)).assessment == "Évaluation – unité 1"
    note = imported.report.evidence_files[0].encoding_note
    assert note.startswith("Windows-1252 (detected") and "line 2" in note


def test_encoding_given_that_does_not_fit_fails_the_file(tmp_path, roster, school):
    body = HEADER + "S1,MA.L1.A.1,3,2026-01-05,Évaluation,test\n"
    imported = run(tmp_path, roster, school, body.encode("cp1252"), encoding="utf-8")
    assert [(i.line, i.reason) for i in imported.report.issues] == [(2, "bad-file")]
    assert "--encoding windows-1252" in imported.report.issues[0].message


def test_semicolons_and_decimal_commas(tmp_path, roster, school):
    body = "student_id;target;score;date;assessment;type\nS1;MA.L1.A.1;2,5;2026-01-05;Quiz 1;test\n"
    imported = run(tmp_path, roster, school, body.encode())
    assert imported.report.evidence_files[0].separator == ";"
    assert next(iter(imported.evidence)).score == Decimal("2.5")


def test_tabs_any_column_order_and_optional_columns(tmp_path, roster, school):
    body = "date\tscore\ttarget\tstudent_id\ttype\tassessment\tcomment\tscorer\n2026-01-05\t3\tMA.L1.A.1\tS1\ttest\tQuiz\tgood\tMs Lee\n"
    imported = run(tmp_path, roster, school, body.encode())
    e = next(iter(imported.evidence))
    assert (e.student_id, e.target, e.score, e.comment, e.scorer) == (
        "S1",
        "MA.L1.A.1",
        Decimal(3),
        "good",
        "Ms Lee",
    )


def test_blank_and_empty_spreadsheet_rows_are_not_rows(tmp_path, roster, school):
    imported = run(tmp_path, roster, school, (HEADER + GOOD + "\n,,,,,\n   \n").encode())
    assert imported.report.rows == 1 and imported.report.used == 1


def test_empty_file(tmp_path, roster, school):
    imported = run(tmp_path, roster, school, b"")
    assert [(i.line, i.reason) for i in imported.report.issues] == [(1, "bad-file")]
    assert "empty" in imported.report.issues[0].message
    assert imported.report.rows == 0


def test_header_typo_names_the_column_and_rejects_every_row(tmp_path, roster, school):
    body = (
        "studnet_id,target,score,date,assessment,type\n" + GOOD + GOOD.replace("Quiz 1", "Quiz 2")
    )
    imported = run(tmp_path, roster, school, body.encode())
    [issue] = imported.report.issues
    assert (issue.line, issue.reason) == (1, "bad-file")
    assert "'studnet_id'" in issue.message and "did you mean 'student_id'" in issue.message
    assert imported.report.rows == 2 and imported.report.rejected["bad-file"] == 2


def test_missing_required_column(tmp_path, roster, school):
    imported = run(tmp_path, roster, school, b"student_id,target,date\nS1,MA.L1.A.1,2026-01-05\n")
    assert "no 'score' column" in imported.report.issues[0].message


def test_multi_line_quoted_field_keeps_line_numbers(tmp_path, roster, school):
    body = (
        HEADER.replace("type", "type,comment")
        + 'S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,"two\nlines"\nS9,MA.L1.A.1,3,2026-01-05,Quiz 1,test,x\n'
    )
    imported = run(tmp_path, roster, school, body.encode())
    assert [(i.line, i.reason) for i in imported.report.issues] == [(4, "unknown-student")]


def test_mapping_file_for_a_gradebook(tmp_path, roster, school):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "evidence:\n"
        "  columns: {student_id: Student ID, target: Standard, score: Score, date: Date Assessed,"
        " assessment: Assignment, type: Category}\n"
        "  date_format: '%d/%m/%Y'\n",
        encoding="utf-8",
    )
    body = "Student ID;Standard;Score;Date Assessed;Assignment;Category\nS1;MA.L1.A.1;3,5;06/01/2026;Quiz;test\nS1;MA.L1.A.1;3;2026-01-07;Quiz 2;test\n"
    imported = run(tmp_path, roster, school, body.encode(), mapping=load_mapping(mapping))
    assert [(e.date, e.score) for e in imported.evidence] == [
        (date(2026, 1, 6), Decimal("3.5")),
        (date(2026, 1, 7), Decimal("3")),
    ]


def test_bad_mapping_files_are_refused(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("evidence:\n  columns: {studentid: ID}\n", encoding="utf-8")
    with pytest.raises(ProficioError, match="'studentid' is not a Proficio column"):
        load_mapping(path)
    path.write_text("evidance: {}\n", encoding="utf-8")
    with pytest.raises(ProficioError, match="unknown section 'evidance'"):
        load_mapping(path)
    path.write_text("evidence:\n  columns:\n    student_id: ID\n\tdate: Day\n", encoding="utf-8")
    with pytest.raises(ProficioError, match=r"m\.yaml:4:1: YAML syntax error: .* not tabs"):
        load_mapping(path)
    path.write_text("roster:\n  columns: {given_name: First}\n  columns: {}\n", encoding="utf-8")
    with pytest.raises(ProficioError, match=r"m\.yaml:3:3: .*columns"):
        load_mapping(path)


def test_a_mapping_file_keeps_headers_as_written(tmp_path):
    """YAML 1.1 would read a header "No" as false and an objective ID that looks like a date as
    a date; the content's reader keeps both as text. An empty file is the native layout."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "evidence:\n  columns: {comment: No}\noneroster:\n  learning_objectives: {2024-01-01: MA.L1.PV.1}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.evidence_columns["comment"] == "No"
    assert mapping.learning_objectives == {"2024-01-01": "MA.L1.PV.1"}
    path.write_text("", encoding="utf-8")
    assert load_mapping(path) == Mapping()


def test_roster_problems(tmp_path, school):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,given_name,family_name,graduation_year,birth_date,language\n"
        "S1,Ana,Ruiz,2029,2012-03-04,es\nS1,Ana,Again,,,\n,No,Id,,,\nS2,Bo,Li,20x9,not a date,fr\n",
        encoding="utf-8",
    )
    imported = run(tmp_path, roster, school, (HEADER + GOOD).encode())
    found = [(i.line, i.reason) for i in imported.report.issues]
    assert found == [
        (3, "duplicate-student"),
        (4, "missing-field"),
        (5, "bad-field"),
        (5, "bad-field"),
        (5, "bad-field"),
    ]
    ana, bo = imported.students
    assert (ana.graduation_year, ana.birth_date, ana.language) == (2029, date(2012, 3, 4), "es")
    assert (bo.graduation_year, bo.birth_date, bo.language) == (None, None, None)


def test_issues_csv_neutralises_formulas_and_is_written_atomically(tmp_path, roster, school):
    body = (
        HEADER
        + '"=HYPERLINK(""http://x"")",MA.L1.A.1,3,2026-01-05,+SUM(A1),test\n'
        + "@S1,MA.L1.A.1,3,2026-01-05,-x,test\n"
    )
    imported = run(tmp_path, roster, school, body.encode())
    out = tmp_path / "reports" / "evidence-issues.csv"
    write_issues(imported.report, out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["evidence-issues.csv"]
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "line", "reason", "message", "row"]
    assert [r[1] for r in rows[1:]] == ["2", "3"]
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), row
    assert rows[1][4] == '"=HYPERLINK(""http://x"")",MA.L1.A.1,3,2026-01-05,+SUM(A1),test'
    assert rows[2][4] == "'@S1,MA.L1.A.1,3,2026-01-05,-x,test"


def test_fast_evidence_is_the_same_record():
    import dataclasses

    from proficio.evidence.checker import _FAST, new_evidence
    from proficio.evidence.records import Evidence

    args = (
        "S1",
        "MA.L1.A.1",
        Decimal("3"),
        date(2026, 1, 5),
        "Quiz",
        "test",
        None,
        "ok",
        "e.csv",
        2,
    )
    fast, slow = new_evidence(*args), Evidence(*args)
    assert _FAST
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.score = Decimal("4")  # type: ignore[misc]


def test_packed_evidence_gives_back_the_same_records_in_order():
    from proficio.evidence.checker import EvidenceSet
    from proficio.evidence.records import Evidence

    three, three_and_a_half = Decimal("3"), Decimal("3.5")
    rows = [
        Evidence(
            "S1", "MA.L1.A.1", three, date(2026, 1, 5), "Quiz", "test", None, None, "e.csv", 2
        ),
        Evidence(
            "S2", "MA.L1.A.2", three_and_a_half, date(2025, 9, 1), "", "", "Ms. K", "ok", "e.csv", 3
        ),
        Evidence(
            "S1",
            "MA.L1.A.2",
            three_and_a_half,
            date(2026, 2, 1),
            "Quiz",
            "test",
            "Ms. K",
            "b",
            "f.csv",
            9,
        ),
    ]
    packed = EvidenceSet()
    for e in rows:
        packed.add(
            e.student_id, e.target, e.score, e.date, e.assessment, e.type, e.scorer, e.comment,
            e.source, e.line,
        )  # fmt: skip
    assert packed.for_student("S1") == [rows[0], rows[2]]
    assert packed.for_student("S2") == [rows[1]]
    assert packed.for_student("S3") == []
    assert list(packed) == [rows[0], rows[2], rows[1]] and len(packed) == 3
    assert packed.for_student("S1")[1].score is three_and_a_half
    assert not packed.has_repeats("S1")
    packed.replace("S1", [rows[2]])
    assert list(packed.student_ids()) == ["S1", "S2"]
    assert packed.for_student("S1") == [rows[2]]
