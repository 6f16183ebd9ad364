"""The synthetic data generator: deterministic, valid content, diverse rosters, plausible evidence."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio import load
from proficio.content.model import School
from proficio.dev import synthetic

LANGUAGES = ("en", "es", "vi", "zh")
TARGETS = 200


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    dest = tmp_path_factory.mktemp("school") / "content"
    synthetic.write_school(dest, targets=TARGETS, languages=LANGUAGES, seed=3)
    return dest, load(dest)


@pytest.fixture(scope="module")
def school(generated: tuple[Path, object]) -> School:
    result = generated[1]
    assert result.school is not None
    return result.school


def all_texts(school: School):
    yield "school name", school.name
    yield "school description", school.description
    for scale in school.scales.values():
        yield f"scale {scale.id}", scale.title
        yield f"scale {scale.id} description", scale.description
        for p in scale.points:
            yield f"scale {scale.id} {p.value} label", p.label
            yield f"scale {scale.id} {p.value} descriptor", p.descriptor
    for subject in school.subjects:
        yield subject.code, subject.title
        yield f"{subject.code} description", subject.description
        for level in subject.levels:
            yield level.code, level.title
            yield f"{level.code} description", level.description
            for topic in level.topics:
                yield topic.code, topic.title
                for target in topic.targets:
                    yield target.code, target.title
                    for point, text in target.rubric.items():
                        yield f"{target.code} rubric {point}", text


# -- school -----------------------------------------------------------------------------------


def test_same_seed_writes_identical_school(tmp_path: Path) -> None:
    for name in ("a", "b"):
        synthetic.write_school(tmp_path / name, targets=60, languages=LANGUAGES, seed=5)
    synthetic.write_school(tmp_path / "c", targets=60, languages=LANGUAGES, seed=6)
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")
    assert tree_bytes(tmp_path / "a") != tree_bytes(tmp_path / "c")


def test_school_validates_with_requested_targets_and_languages(generated, school: School) -> None:
    result = generated[1]
    assert [str(d) for d in result.errors] == []
    assert [str(d) for d in result.warnings] == []  # a missing translation would be a warning
    assert school.languages == list(LANGUAGES)
    assert sum(1 for _ in school.iter_targets()) == TARGETS
    for where, text in all_texts(school):
        assert set(text) == set(LANGUAGES), where
        assert all(text.values()), where
    titles = next(t.title for *_, t in school.iter_targets())
    assert len(set(titles.values())) == len(LANGUAGES)  # each language its own words
    assert all(s.slug not in LANGUAGES for s in school.subjects)


def test_school_has_both_scales_and_rubrics(school: School) -> None:
    marzano, cte = school.scales["marzano-4"], school.scales["cte-5"]
    assert [synthetic.score_text(v) for v in sorted(marzano.allowed)] == [
        "0",
        "0.5",
        "1",
        "1.5",
        "2",
        "2.5",
        "3",
        "3.5",
        "4",
    ]
    assert float(marzano.threshold) == 3.0
    assert [int(v) for v in sorted(cte.allowed)] == [1, 2, 3, 4, 5] and int(cte.threshold) == 4
    assert {t.scale_id for *_, t in school.iter_targets()} == {"marzano-4", "cte-5"}
    for *_, target in school.iter_targets():
        scale = school.scale_of(target)
        assert len(target.rubric) == 3
        assert scale.threshold in target.rubric
        for text in target.rubric.values():
            assert 20 <= len(text["en"].split()) <= 40


@pytest.mark.parametrize("targets", [1, 7, 40, 300, 1234, 5000])
def test_school_shape_is_exact(targets: int) -> None:
    import random

    shape = synthetic.school_shape(targets, random.Random(targets))
    assert sum(n for subject in shape for level in subject for n in level) == targets
    if targets >= 40:
        for subject in shape:
            for level in subject:
                assert 3 <= len(level) <= 4
                assert all(3 <= n <= 5 for n in level)


def test_write_school_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        synthetic.write_school(tmp_path, targets=10)


# -- roster -----------------------------------------------------------------------------------

SCRIPTS = {
    "latin-accented": [(0x00C0, 0x024F), (0x1E00, 0x1EFF)],
    "arabic": [(0x0600, 0x06FF)],
    "han": [(0x4E00, 0x9FFF)],
    "hangul": [(0xAC00, 0xD7AF)],
    "devanagari": [(0x0900, 0x097F)],
    "greek": [(0x0370, 0x03FF)],
    "cyrillic": [(0x0400, 0x04FF)],
    "hebrew": [(0x0590, 0x05FF)],
}


def scripts_of(text: str) -> set[str]:
    return {
        name
        for ch in text
        for name, ranges in SCRIPTS.items()
        if any(lo <= ord(ch) <= hi for lo, hi in ranges)
    }


def test_roster(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    synthetic.write_roster(a, 300, seed=9, languages=("en", "es", "vi"))
    synthetic.write_roster(b, 300, seed=9, languages=("en", "es", "vi"))
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().startswith(
        b"student_id,given_name,family_name,preferred_name,graduation_year,birth_date,language,"
        b"name_order,latin_name\n"
    )
    _, rows = read_csv(a)
    assert len(rows) == 300
    assert len({r["student_id"] for r in rows}) == 300
    assert all(r["student_id"].startswith("S") and len(r["student_id"]) == 7 for r in rows)
    found = set().union(*(scripts_of(r["given_name"] + r["family_name"]) for r in rows))
    assert len(found) >= 5, found
    assert any(
        "\u1ea0" <= ch <= "\u1ef9" for r in rows for ch in r["family_name"] + r["given_name"]
    )
    assert 0 < sum(1 for r in rows if r["preferred_name"]) < 150
    assert {r["language"] for r in rows} == {"en", "es", "vi"}
    assert sum(r["language"] == "en" for r in rows) > 150  # mostly the first language
    for r in rows:
        grad, born = int(r["graduation_year"]), date.fromisoformat(r["birth_date"])
        assert 2027 <= grad <= 2031
        assert 17 <= grad - born.year <= 20


def test_roster_is_prefix_stable() -> None:
    small = list(synthetic.roster_rows(20, seed=1))
    assert small == list(synthetic.roster_rows(50, seed=1))[:20]


# -- evidence ---------------------------------------------------------------------------------


def check_evidence(path: Path, school: School, student_ids: set[str]) -> list[dict[str, str]]:
    header, rows = read_csv(path)
    assert header == list(synthetic.EVIDENCE_HEADER)
    targets = {t.code: t for *_, t in school.iter_targets()}
    start, end = date(2025, 8, 25), date(2026, 6, 12)
    last: dict[tuple[str, str], str] = {}
    for row in rows:
        assert row["student_id"] in student_ids
        target = targets[row["target"]]
        assert Decimal(row["score"]) in school.scale_of(target).allowed, row
        assert re.fullmatch(r"\d+(\.5)?", row["score"]), row  # 3 and 3.5, never 3.0
        assert start <= date.fromisoformat(row["date"]) <= end
        assert row["type"] in synthetic.EVIDENCE_TYPES
        assert row["assessment"] and row["scorer"]
        key = (row["student_id"], row["target"])
        assert row["date"] > last.get(key, ""), row  # one score per target and day, in order
        last[key] = row["date"]
    return rows


def test_evidence_rows_are_valid_and_realistic(tmp_path: Path, school: School) -> None:
    roster = synthetic.write_roster(tmp_path / "roster.csv", 30, seed=4)
    count = synthetic.write_evidence(tmp_path / "evidence.csv", school, roster, seed=4)
    again = synthetic.write_evidence(tmp_path / "again.csv", school, roster, seed=4)
    assert count == again
    assert (tmp_path / "evidence.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    ids = {r["student_id"] for r in read_csv(roster)[1]}
    rows = check_evidence(tmp_path / "evidence.csv", school, ids)
    assert len(rows) == count and {r["student_id"] for r in rows} == ids

    by_pair: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_pair[(r["student_id"], r["target"])].append(r)
    attempts = [len(v) for v in by_pair.values()]
    assert max(attempts) >= 3 and sum(a >= 2 for a in attempts) > len(attempts) / 4
    targets = {t.code: t for *_, t in school.iter_targets()}
    final_ok = [
        float(v[-1]["score"]) >= float(school.scale_of(targets[k[1]]).threshold)
        for k, v in by_pair.items()
    ]
    assert 0.5 < sum(final_ok) / len(final_ok) < 0.98  # many proficient, some not yet
    rising = sum(
        float(v[-1]["score"]) >= float(v[0]["score"]) for v in by_pair.values() if len(v) > 1
    )
    assert rising > 0.9 * sum(1 for v in by_pair.values() if len(v) > 1)
    assert any(r["comment"] for r in rows) and sum(bool(r["comment"]) for r in rows) < len(rows) / 4


def test_evidence_sizes_can_be_fixed(tmp_path: Path, school: School) -> None:
    rows = list(synthetic.roster_rows(12, seed=2))
    path = tmp_path / "e.csv"
    assert synthetic.write_evidence(path, school, rows, rows_per_student=25, seed=2) == 12 * 25
    check_evidence(path, school, {r["student_id"] for r in rows})
    synthetic.write_evidence(path, school, rows, targets_per_student=10, seed=2)
    pairs = {(r["student_id"], r["target"]) for r in read_csv(path)[1]}
    assert len(pairs) == 12 * 10


def test_cli_writes_school_and_students(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(
        synthetic.main,
        [
            "school",
            "--targets",
            "30",
            "--languages",
            "en,es",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert out.exit_code == 0, out.output
    out = runner.invoke(
        synthetic.main,
        [
            "students",
            "--content",
            str(tmp_path / "c"),
            "--students",
            "5",
            "--rows",
            "10",
            "--out",
            str(tmp_path / "d"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "50 evidence rows" in out.output
    assert len(read_csv(tmp_path / "d" / "roster.csv")[1]) == 5


def test_cli_refuses_to_write_student_data_into_content(tmp_path: Path) -> None:
    synthetic.write_school(tmp_path / "c", targets=10, seed=1)
    out = CliRunner().invoke(
        synthetic.main,
        ["students", "--content", str(tmp_path / "c"), "--out", str(tmp_path / "c" / "private")],
    )
    assert out.exit_code != 0 and "inside the content folder" in out.output
    assert not (tmp_path / "c" / "private").exists()
