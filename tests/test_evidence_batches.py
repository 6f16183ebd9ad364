"""The evidence CSV is read in batches judged column by column (``FastLane``): whatever the batch
size, and wherever a batch starts or ends, the import is the same as one row at a time."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from proficio import load_school
from proficio.evidence import load, native

FIXTURE = Path(__file__).parent / "fixtures" / "scoring-school"
AS_OF = date(2026, 6, 30)
HEADER = "student_id,target,score,date,assessment,type,scorer,comment\r\n"

ROWS = [
    "S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,Ms Ruiz,",
    "S2,MA.L1.A.1,2.5,2026-01-06,Quiz 1,test,,",
    " S1 ,MA.L1.A.1,3,2026-01-07,Quiz 2,test,,",  # padded ID: read by the checker
    "S1, MA.L1.A.1 ,3,2026-01-08,Quiz 3, test ,,",  # padded code and type
    "S9,MA.L1.A.1,3,2026-01-05,Quiz 1,test,,",  # not on the roster
    "S1,MA.L1.A.9,3,2026-01-05,Quiz 1,test,,",  # no such target
    "S1,MA.L1.A.1,3.2,2026-01-05,Quiz 4,test,,",  # not a point
    "S1,MA.L1.A.1,٣,2026-01-05,Quiz 5,test,,",  # Arabic-Indic digit
    "S1,MA.L1.A.1,3,2027-01-05,Quiz 6,test,,",  # after the run's date
    "S1,MA.L1.A.1,3,2026-02-30,Quiz 7,test,,",  # no such date
    "S1,MA.L1.A.1,,2026-01-05,Quiz 8,test,,",  # no score
    'S2,MA.L1.A.1,3,2026-01-09,Quiz 9,test,Mr Li,"Two lines:\nfirst, then second"',
    'S2,MA.L1.A.1,3,2026-01-10,Quiz 10,test,,"said ""yes"""',
    ",,,,,,,",  # a spreadsheet's empty row: not a row
    "",  # a blank line: not a row
    "S1,MA.L1.A.1,3,2026-01-05",  # cut short
    "S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,,",  # a duplicate of the first row
    "S2,MA.L1.A.1,4,2026-01-06,Quiz 1,test,,",  # conflicts with the second row
    "S1,MA.L1.A.1,3,2026-01-11,Quiz 11,test,,,",  # a blank extra field: used
    "S1,MA.L1.A.1,3,2026-01-12,Quiz 12,test,,,x",  # a filled extra field: reported
    "S2,MA.L1.A.1,  3.5 ,2026-01-13,Quiz 13,test,  ,  spaced comment  ",
]


def _import(tmp_path: Path, text: str, batch: int, monkeypatch: pytest.MonkeyPatch):
    school = load_school(FIXTURE)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,given_name,family_name\nS1,Ana,Ruiz\nS2,Bo,Li\n", "utf-8")
    path = tmp_path / "evidence.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(native, "_BATCH", batch)
    imported = load(roster, [path], school, as_of=AS_OF)
    report = imported.report
    assert report.used + sum(report.rejected.values()) == report.rows
    assert report.used == len(imported.evidence)
    evidence = {sid: imported.evidence.for_student(sid) for sid in ("S1", "S2")}
    issues = [(i.line, i.reason, i.message, i.row) for i in report.issues]
    return evidence, issues, report.rows, report.used


def test_every_batch_size_reads_the_same(tmp_path, monkeypatch):
    text = HEADER + "\r\n".join(ROWS) + "\r\n"
    one = _import(tmp_path, text, 1, monkeypatch)
    evidence, issues, rows, used = one
    assert rows == 19 and used == 7
    assert [(e.line, e.assessment, e.scorer) for e in evidence["S1"]] == [
        (2, "Quiz 1", "Ms Ruiz"),
        (4, "Quiz 2", None),  # padded ID
        (5, "Quiz 3", None),  # padded code and type
        (21, "Quiz 11", None),
    ]
    assert all(e.target == "MA.L1.A.1" and e.type == "test" for e in evidence["S1"])
    assert [e.line for e in evidence["S2"]] == [13, 15, 23]
    assert [e.comment for e in evidence["S2"]] == [
        "Two lines:\nfirst, then second",
        'said "yes"',
        "spaced comment",
    ]
    assert evidence["S2"][2].scorer is None and str(evidence["S2"][2].score) == "3.5"
    assert [(line, reason) for line, reason, _, _ in issues] == [
        (6, "unknown-student"),
        (7, "unknown-target"),
        (8, "score-not-on-scale"),
        (9, "bad-score"),
        (10, "future-date"),
        (11, "bad-date"),
        (12, "missing-field"),
        (18, "short-row"),
        (22, "extra-fields"),
        (19, "duplicate"),
        (3, "conflict"),
        (20, "conflict"),
    ]
    for batch in (2, 3, 5, 7, 1024):
        assert _import(tmp_path, text, batch, monkeypatch) == one, batch


def test_shuffled_rows_in_any_batches(tmp_path, monkeypatch):
    """Many rows in a random order, cut into batches of several sizes: the same import."""
    rng = random.Random(18)
    rows = [r for r in ROWS if r and "\n" not in r] * 20
    rng.shuffle(rows)
    text = HEADER + "\n".join(rows) + "\n"
    one = _import(tmp_path, text, 1, monkeypatch)
    assert one[3] > 0
    for batch in (4, 64, 1024):
        assert _import(tmp_path, text, batch, monkeypatch) == one, batch


def test_a_byte_after_megabytes_of_ascii_still_decides_the_encoding(tmp_path, monkeypatch):
    """Megabytes of plain ASCII are checked without decoding them; the first non-UTF-8 byte
    after them still makes the file Windows-1252, named at its line."""
    good = "S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,,\n"
    many = (1 << 21) // len(good) + 1
    text = HEADER.replace("\r\n", "\n") + good * many
    path = tmp_path / "evidence.csv"
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,given_name,family_name\nS1,Ana,Ruiz\n", "utf-8")
    path.write_bytes(
        text.encode("ascii") + "S1,MA.L1.A.1,3,2026-01-06,Café,test,,\n".encode("cp1252")
    )
    imported = load(roster, [path], load_school(FIXTURE), as_of=AS_OF)
    stats = imported.report.files[-1]
    assert stats.encoding == "cp1252"
    assert f"line {many + 2} is not UTF-8" in stats.encoding_note
    assert imported.evidence.for_student("S1")[-1].assessment == "Café"
    assert imported.report.used == 2  # the same row many times is counted once
    assert imported.report.rejected["duplicate"] == many - 1


def test_a_whitespace_only_scorer_is_no_scorer_on_every_path():
    """The column lane and ``RowChecker.add`` (which the OneRoster reader calls with the raw
    cell) read a scorer of spaces alike: none, not an empty name."""
    from proficio.evidence.checker import RowChecker
    from proficio.evidence.records import Student
    from proficio.evidence.report import ImportReport
    from proficio.evidence.textfile import DateReader

    report = ImportReport()
    checker = RowChecker(
        load_school(FIXTURE), {"S1": Student("S1", "Ana", "Ruiz")}, report, AS_OF, DateReader(None)
    )
    stats = report.add_file("results.csv", "evidence")
    row = ("S1", "MA.L1.A.1", "3", "2026-01-05", "Quiz 1", "test", "   ", "")
    assert checker.add(stats, 2, row, *row)
    assert checker.evidence.for_student("S1")[0].scorer is None
