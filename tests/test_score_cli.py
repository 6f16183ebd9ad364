"""``proficio score`` end to end: files written, their documented structure, summary, --strict."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "scoring-school"
ROSTER = "student_id,given_name,family_name,language\nS1,Ana,Ruiz,es\nS2,Bo,Li,\n"
EVIDENCE = (
    "student_id,target,score,date,assessment,type\n"
    "S1,MA.L1.A.1,2,2026-01-10,Quiz 1,test\n"
    "S1,MA.L1.A.1,3,2026-02-10,Quiz 2,test\n"
    "S1,MA.L1.A.1,4,2026-03-10,Quiz 3,test\n"
    "S1,MA.L1.A.2,3,2026-03-11,Quiz 3,test\n"
    "S1,MA.L1.B.1,3.5,2026-03-12,Project,project\n"
    "S2,MA.L1.A.1,2.5,2026-03-12,Quiz 3,test\n"
    "S3,MA.L1.A.1,3,2026-03-12,Quiz 3,test\n"
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "evidence.csv").write_text(EVIDENCE, encoding="utf-8")
    return tmp_path


def score(files, *extra, env=None):
    args = [
        "score",
        "--content",
        str(FIXTURE),
        "--roster",
        str(files / "roster.csv"),
        "--evidence",
        str(files / "evidence.csv"),
        "--out",
        str(files / "build"),
        "--issues",
        str(files / "build" / "reports" / "evidence-issues.csv"),
        *extra,
    ]
    return CliRunner().invoke(
        main, args, env=env or {"SOURCE_DATE_EPOCH": "1782777600"}
    )  # 2026-06-30


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(path):
    """The header record, then one record per student."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_score_writes_targets_subjects_json_and_issues(files):
    result = score(files, "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    assert (
        "7 evidence rows read from 1 file, 6 used, 1 rejected (1 unknown student); roster: 2 students."
        in result.output
    )
    targets = read_csv(files / "build" / "scores" / "targets.csv")
    assert len(targets) == 2 * 9
    a1 = next(r for r in targets if r["student_id"] == "S1" and r["target"] == "MA.L1.A.1")
    assert a1 == {
        "student_id": "S1",
        "subject": "MA",
        "level": "1",
        "target": "MA.L1.A.1",
        "score": "3.53",
        "label": "Proficient+",
        "proficient": "yes",
        "evidence_count": "3",
        "last_date": "2026-03-10",
        "proficient_since": "2026-03-10",
        "method": "decaying_average(weight=65)",
    }
    empty = next(r for r in targets if r["student_id"] == "S2" and r["target"] == "MA.L2.C.1")
    assert (empty["score"], empty["proficient"], empty["evidence_count"]) == ("", "no", "0")
    subjects = read_csv(files / "build" / "scores" / "subjects.csv")
    assert subjects[0] == {
        "student_id": "S1",
        "subject": "MA",
        "current_level": "2",
        "levels_completed": "1",
        "completed_levels": "1:2026-03-12",
    }
    head, ana, bo = read_jsonl(files / "build" / "scores" / "scores.jsonl")
    assert (head["format"], head["version"], head["as_of"]) == ("proficio-scores", 2, "2026-06-30")
    level = head["subjects"][0]["levels"][0]
    assert (level["number"], level["completion"]) == (1, {"rule": "all", "percent": None})
    assert level["targets"][0] == {
        "code": "MA.L1.A.1",
        "method": "decaying_average",
        "params": {"weight": 65},
    }
    assert head["target_fields"][:3] == ["score", "label", "proficient"]
    assert (ana["id"], ana["language"], ana["name_order"], ana["latin_name"]) == (
        "S1",
        "es",
        "given-family",
        None,
    )
    assert ana["subjects"]["MA"] == {"current_level": 2, "completed": {"1": "2026-03-12"}}
    assert ana["targets"]["MA.L1.A.1"] == [
        3.53,
        "Proficient+",
        True,
        3,
        "2026-03-10",
        "2026-03-10",
    ]
    # Only targets with evidence are listed; the others are the header's "unscored".
    assert "MA.L2.C.1" not in bo["targets"]
    assert head["unscored"] == [None, None, False, 0, None, None]
    issues = read_csv(files / "build" / "reports" / "evidence-issues.csv")
    assert [(i["line"], i["reason"]) for i in issues] == [("8", "unknown-student")]


def test_student_data_files_are_private_to_their_owner(files):
    assert score(files).exit_code == 0
    written = [p for p in (files / "build").rglob("*") if p.is_file()]
    assert len(written) == 4
    assert all(p.stat().st_mode & 0o077 == 0 for p in written)


def test_same_inputs_give_identical_files(files):
    assert score(files).exit_code == 0
    first = {p.name: p.read_bytes() for p in (files / "build").rglob("*") if p.is_file()}
    assert score(files).exit_code == 0
    second = {p.name: p.read_bytes() for p in (files / "build").rglob("*") if p.is_file()}
    assert first == second and len(first) == 4


def test_as_of_comes_from_source_date_epoch(files):
    result = score(files, env={"SOURCE_DATE_EPOCH": "1772323200"})  # 2026-03-01
    assert result.exit_code == 0
    assert "4 date in the future" in result.output
    head = read_jsonl(files / "build" / "scores" / "scores.jsonl")[0]
    assert head["as_of"] == "2026-03-01"


def test_strict_fails_and_writes_no_scores(files):
    result = score(files, "--strict")
    assert result.exit_code == 1
    assert "--strict" in result.output
    assert not (files / "build" / "scores").exists()
    assert (files / "build" / "reports" / "evidence-issues.csv").exists()


def test_a_file_that_cannot_be_read_fails_the_run(files):
    (files / "evidence.csv").write_text(
        "studnet_id,target,score,date,assessment,type\nS1,MA.L1.A.1,3,2026-01-01,q,t\n",
        encoding="utf-8",
    )
    result = score(files)
    assert result.exit_code == 1
    assert "did you mean 'student_id'" in result.output
    assert "No scores written" in result.output


def test_student_ids_cannot_inject_formulas_into_the_scored_csv(files):
    (files / "roster.csv").write_text(
        "student_id,given_name,family_name\n=1+1,Eve,X\n", encoding="utf-8"
    )
    (files / "evidence.csv").write_text(
        "student_id,target,score,date,assessment,type\n=1+1,MA.L1.A.1,3,2026-01-01,q,t\n",
        encoding="utf-8",
    )
    assert score(files).exit_code == 0
    rows = read_csv(files / "build" / "scores" / "targets.csv")
    assert {r["student_id"] for r in rows} == {"'=1+1"}
    assert read_jsonl(files / "build" / "scores" / "scores.jsonl")[1]["id"] == "=1+1"


def test_mapping_and_encoding_options(files):
    (files / "evidence.csv").write_bytes(
        "ID;Standard;Score;When;Task;Kind\nS1;MA.L1.A.1;3,5;12/01/2026;Évaluation;test\n".encode(
            "cp1252"
        )
    )
    (files / "mapping.yaml").write_text(
        "evidence:\n  columns: {student_id: ID, target: Standard, score: Score, date: When, assessment: Task, type: Kind}\n"
        "  date_format: '%d/%m/%Y'\n",
        encoding="utf-8",
    )
    result = score(files, "--mapping", str(files / "mapping.yaml"), "--encoding", "windows-1252")
    assert result.exit_code == 0, result.output
    assert "Windows-1252 (as asked), semicolon-separated" in result.output
    assert "1 evidence row read from 1 file, 1 used, 0 rejected" in result.output
    assert score(files, "--encoding", "klingon").exit_code == 2
