"""open_gradebook: the one way evidence is opened, with the one rule for writing nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from proficio import ProficioError, load_school, open_gradebook, score_students
from proficio.content.model import School

ROOT = Path(__file__).resolve().parents[1]
ROSTER = ROOT / "examples" / "riverbend" / "roster.csv"
EVIDENCE = ROOT / "examples" / "riverbend" / "evidence.csv"


@pytest.fixture(scope="module")
def school() -> School:
    return load_school(ROOT / "content")


def with_bad_row(tmp_path: Path) -> Path:
    path = tmp_path / "evidence.csv"
    shutil.copy(EVIDENCE, path)
    with path.open("a", encoding="utf-8") as f:
        f.write("S000001,NO.SUCH.TARGET,3,2025-09-17,Quiz,test,,\n")
    return path


def test_results_are_the_scored_roster_and_a_script_gets_no_file(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    book = open_gradebook(school, ROSTER, EVIDENCE)
    results = list(book.results())
    expected = list(score_students(school, book.students, book.evidence))
    assert [r.student.id for r in results] == [r.student.id for r in expected]
    assert results == expected
    assert book.report.rows == book.report.used == 4541
    assert not (tmp_path / "build").exists()
    assert book.notes()[-1].startswith("4,541 evidence rows read from 1 file, 4,541 used")


def test_the_issues_report_is_written_where_asked_even_when_strict_stops(
    school: School, tmp_path: Path
) -> None:
    evidence = with_bad_row(tmp_path)
    issues = tmp_path / "reports" / "issues.csv"
    with pytest.raises(ProficioError, match=r"No scores written \(--strict\)") as caught:
        open_gradebook(school, ROSTER, evidence, issues=issues, strict=True, nothing="scores")
    assert caught.value.exit_code == 1
    assert "1 rejected" in caught.value.details[-1]
    rows = list(csv.reader(issues.open(encoding="utf-8")))
    assert rows[0] == ["file", "line", "reason", "message", "row"]
    assert [r[1:3] for r in rows[1:]] == [["4543", "unknown-target"]]
    book = open_gradebook(school, ROSTER, evidence, issues=issues)  # without --strict: used
    assert book.report.rows == book.report.used + 1


def test_an_unreadable_file_stops_before_anything_is_written(
    school: School, tmp_path: Path
) -> None:
    issues = tmp_path / "issues.csv"
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(ProficioError, match="No documents written: 1 file could not be read"):
        open_gradebook(school, ROSTER, missing, issues=issues, nothing="documents")
    assert issues.is_file()
    assert oct(issues.stat().st_mode & 0o777) == "0o600"
