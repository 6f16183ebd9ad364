"""OneRoster 1.2 CSV bulk exports import to the same scores as the same evidence in native CSV."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from proficio import load_school
from proficio.evidence import load, load_mapping
from proficio.scoring import score_students

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "oneroster-1.2"
NATIVE = FIXTURES / "oneroster-1.2-native.csv"
ROSTER = FIXTURES / "oneroster-roster.csv"
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def school():
    return load_school(FIXTURES / "scoring-school")


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(FIXTURES / "oneroster-mapping.yaml")


def scores(school, imported):
    return {
        (r.student.id, t.code): (
            t.score,
            t.proficient,
            t.proficient_since,
            [(e.date, e.score, e.assessment, e.type) for e in t.evidence],
        )
        for r in score_students(school, imported.students, imported.evidence)
        for s in r.subjects
        for lv in s.levels
        for t in lv.targets
    }


@pytest.fixture
def zipped(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(EXPORT.glob("*.csv")):
            zf.write(f, f"oneroster/{f.name}")
    return path


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_oneroster_scores_equal_native_csv(school, mapping, zipped, kind):
    native = load(ROSTER, [NATIVE], school, as_of=AS_OF)
    assert native.report.used == 5 and not native.report.issues
    source = EXPORT if kind == "folder" else zipped
    oneroster = load(ROSTER, [source], school, mapping=mapping, as_of=AS_OF)
    assert scores(school, oneroster) == scores(school, native)
    assert len(oneroster.evidence) == 5


def test_oneroster_rows_not_used_are_reported_with_reasons(school, mapping):
    imported = load(ROSTER, [EXPORT], school, mapping=mapping, as_of=AS_OF)
    report = imported.report
    found = sorted((Path(i.source).name, i.line, i.reason) for i in report.issues)
    assert found == [
        ("resultLearningObjectiveIds.csv", 6, "unknown-reference"),
        ("resultLearningObjectiveIds.csv", 7, "no-learning-objective"),
        ("results.csv", 5, "no-learning-objective"),
        ("results.csv", 6, "no-learning-objective"),
        ("results.csv", 7, "not-graded"),
        ("results.csv", 8, "deleted"),
    ]
    by_line = {(Path(i.source).name, i.line): i.message for i in report.issues}
    assert "not guessed" in by_line[("results.csv", 5)]
    assert "no learning objective" in by_line[("results.csv", 6)]
    assert report.used + sum(report.rejected.values()) == report.rows == 8 + 6


def test_without_the_mapping_a_uuid_objective_is_reported_not_guessed(school):
    imported = load(ROSTER, [EXPORT], school, as_of=AS_OF)
    messages = [
        i.message
        for i in imported.report.issues
        if i.line == 4 and i.source.endswith("results.csv")
    ]
    assert messages and "7f1d2c9e" in messages[0]


def test_users_csv_as_the_roster(school, mapping):
    imported = load([EXPORT], [EXPORT], school, mapping=mapping, as_of=AS_OF)
    assert [(s.id, s.given_name, s.preferred_name) for s in imported.students] == [
        ("S1", "Ana", "Anita"),
        ("S2", "Bo", None),
    ]
    native = load(ROSTER, [NATIVE], school, as_of=AS_OF)
    assert scores(school, imported) == scores(school, native)


def test_a_delta_export_is_refused(school, tmp_path):
    folder = tmp_path / "delta"
    folder.mkdir()
    for f in EXPORT.glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        if f.name == "manifest.csv":
            text = text.replace("file.results,bulk", "file.results,delta")
        (folder / f.name).write_text(text, encoding="utf-8")
    imported = load(ROSTER, [folder], school, as_of=AS_OF)
    [issue] = imported.report.file_errors
    assert "delta" in issue.message and "bulk" in issue.message
