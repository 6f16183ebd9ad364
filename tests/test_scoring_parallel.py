"""Scoring on two processes gives exactly the one-process result: every field, the same order,
the same errors, and byte-identical score files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from proficio import load_school, open_gradebook
from proficio.content.model import School
from proficio.evidence.records import Evidence, Student
from proficio.gradebook import Gradebook
from proficio.scoring import Scorer, StudentResult
from proficio.scoring.parallel import map_parts, split
from proficio.scoring.score_files import NAMES, write_roster_scores, write_scores
from proficio.support.forking import can_fork

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "riverbend"

forks = pytest.mark.skipif(not can_fork(), reason="needs fork and a second core")


@pytest.fixture(scope="module")
def school() -> School:
    return load_school(ROOT / "content")


@pytest.fixture(scope="module")
def book(school: School) -> Gradebook:
    return open_gradebook(
        school, EXAMPLE / "roster.csv", EXAMPLE / "evidence.csv", as_of=date(2026, 6, 30)
    )


def scored(results: Iterator[StudentResult]) -> tuple[int, list[StudentResult]]:
    return os.getpid(), list(results)


def test_small_rosters_one_core_and_jobs_1_stay_in_one_process(book: Gradebook) -> None:
    assert split(book.students, 2) == [book.students]  # below FORK_MINIMUM
    assert split(book.students, 1, minimum=1) == [book.students]
    parts = split(book.students, 2, minimum=1)
    assert [s for part in parts for s in part] == book.students
    assert len(parts) == (2 if can_fork() else 1)


@forks
def test_two_processes_give_every_field_of_the_one_process_results(book: Gradebook) -> None:
    serial = list(book.results())
    parts = book.map_results(scored, jobs=2, minimum=1)
    assert len(parts) == 2
    assert parts[0][0] == os.getpid() and parts[1][0] != os.getpid()  # really forked
    parallel = [r for _, results in parts for r in results]
    assert [r.student.id for r in parallel] == [s.id for s in book.students]
    # Dataclass equality compares every field, down to each Evidence of each target.
    assert parallel == serial
    assert any(
        t.evidence for r in parallel for s in r.subjects for lv in s.levels for t in lv.targets
    )
    assert any(lv.complete for r in parallel for s in r.subjects for lv in s.levels)


@forks
def test_a_child_that_fails_is_redone_here_with_the_same_result(book: Gradebook) -> None:
    parent = os.getpid()

    def fails_in_the_child(results: Iterator[StudentResult]) -> list[StudentResult]:
        if os.getpid() != parent:
            raise RuntimeError("the child ran out of memory")
        return list(results)

    parts = book.map_results(fails_in_the_child, jobs=2, minimum=1)
    assert [r for part in parts for r in part] == list(book.results())


def _evidence(student: str, target: str, score: str, day: int) -> Evidence:
    return Evidence(student, target, Decimal(score), date(2026, 1, day), "quiz", "test")


@forks
def test_an_error_is_the_one_a_serial_run_raises(school: School) -> None:
    scorer = Scorer(school)
    code = next(iter(school.iter_targets()))[3].code
    students = [Student(f"S{i}", "Ana", "Lima") for i in range(10)]
    evidence = {s.id: [_evidence(s.id, code, "3", 1)] for s in students}
    evidence["S7"] = [_evidence("S7", code, "3", 1), _evidence("S3", code, "2", 2)]
    evidence["S8"] = [_evidence("S8", "NO.SUCH.CODE", "3", 1)]

    def work(part: list[Student]) -> list[StudentResult]:
        return [scorer.score(s, evidence[s.id]) for s in part]

    with pytest.raises(ValueError) as serial:
        work(students)
    with pytest.raises(ValueError) as parallel:
        map_parts(work, students, 2, minimum=1)
    assert str(parallel.value) == str(serial.value) == "evidence of student 'S3' given for 'S7'"
    evidence["S2"] = [_evidence("S2", "NO.SUCH.CODE", "3", 1)]  # now also in the first part
    with pytest.raises(ValueError, match=r"unknown target code 'NO\.SUCH\.CODE'"):
        map_parts(work, students, 2, minimum=1)
    del evidence["S2"], evidence["S7"], evidence["S8"]
    evidence.update({s: [_evidence(s, code, "3", 1)] for s in ("S2", "S7", "S8")})
    assert [r for part in map_parts(work, students, 2, minimum=1) for r in part] == work(students)


@forks
def test_score_files_are_byte_identical_on_two_processes(book: Gradebook, tmp_path: Path) -> None:
    for jobs in (1, 2):
        count, paths = write_roster_scores(
            book.school,
            book.students,
            book.results,
            tmp_path / str(jobs),
            book.as_of,
            jobs=jobs,
            minimum=1,
        )
        assert count == len(book.students)
        assert [p.name for p in paths] == list(NAMES)
        assert all(p.stat().st_mode & 0o077 == 0 for p in paths)
    (tmp_path / "stream" / "scores").mkdir(parents=True)
    (tmp_path / "stream" / "scores" / "scores.json").write_text("{}")  # an earlier release's
    write_scores(book.school, book.results(), tmp_path / "stream", book.as_of)  # results given
    assert sorted(p.name for p in (tmp_path / "stream" / "scores").iterdir()) == sorted(NAMES)
    for name in NAMES:
        one = (tmp_path / "1" / "scores" / name).read_bytes()
        assert one == (tmp_path / "2" / "scores" / name).read_bytes(), name
        assert one == (tmp_path / "stream" / "scores" / name).read_bytes(), name
        assert one.count(b"\n") > len(book.students)
    # Only the three files: the child's temporary parts are gone.
    assert sorted(p.name for p in (tmp_path / "2" / "scores").iterdir()) == sorted(NAMES)
