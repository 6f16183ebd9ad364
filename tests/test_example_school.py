"""The example school is what a newcomer sees first: it must be complete and valid."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from proficio import load
from proficio.content.model import School

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def school() -> School:
    result = load(ROOT / "content")
    assert [str(d) for d in result.errors] == []
    assert result.school is not None
    return result.school


def test_shape(school: School) -> None:
    assert len(school.subjects) >= 4
    titles = {school.text(s.title, "en") for s in school.subjects}
    assert {"Mathematics", "English Language Arts", "Science"} <= titles
    for subject in school.subjects:
        assert len(subject.levels) >= 3, subject.code
        assert [lv.number for lv in subject.levels] == list(range(1, len(subject.levels) + 1))
        for level in subject.levels:
            assert 2 <= len(level.topics) <= 4, (subject.code, level.number)
            for topic in level.topics:
                assert 2 <= len(topic.targets) <= 5, topic.code
    assert sum(1 for _ in school.iter_targets()) >= 120
    assert len(school.scales) >= 2


def test_cte_subject_on_a_one_to_five_scale(school: School) -> None:
    cte = [s for s in school.subjects if school.scales[s.scale_id].maximum == 5]
    assert cte, "a CTE certification on a 1-5 scale"
    scale = school.scales[cte[0].scale_id]
    assert (scale.minimum, scale.maximum) == (1, 5)


def test_rubrics_have_target_specific_descriptors(school: School) -> None:
    for _subject, _level, _topic, target in school.iter_targets():
        scale = school.scale_of(target)
        top = [
            p.value
            for p in scale.points
            if p.value >= scale.threshold - 1 and p.value == p.value.to_integral()
        ]
        wanted = sorted(top, reverse=True)[:3]
        assert all(v in target.rubric for v in wanted), (target.code, wanted, list(target.rubric))
        for text in target.rubric.values():
            assert {"en", "es"} <= set(text), target.code


def test_languages(school: School) -> None:
    assert school.languages[:2] == ["en", "es"] and len(school.languages) >= 3
    result = load(ROOT / "content")
    missing = {d.message.split("'")[1] for d in result.warnings if d.code == "missing-translation"}
    assert missing == {school.languages[2]}, "en and es complete, the third language partial"
    third = school.languages[2]
    translated = sum(1 for *_, t in school.iter_targets() if third in t.title)
    assert translated > 0


def _scripts(name: str) -> set[str]:
    return {unicodedata.name(ch, "?").split()[0] for ch in name if ch.isalpha()}


def test_private_example_data_is_outside_content() -> None:
    roster = ROOT / "examples" / "riverbend" / "roster.csv"
    evidence = ROOT / "examples" / "riverbend" / "evidence.csv"
    with roster.open(encoding="utf-8") as f:
        students = list(csv.DictReader(f))
    assert len(students) >= 40
    scripts = set().union(*(_scripts(s["given_name"] + s["family_name"]) for s in students))
    assert {"LATIN", "ARABIC", "CJK"} <= scripts
    names = "".join(s["given_name"] + s["family_name"] for s in students)
    assert set(names) & set("ăâđơưạảấầậắặẹẽếềệịọốồộớờợụủứừựỹĐ"), "Vietnamese diacritics"
    assert set(names) & set("åøæÅØÆ"), "Nordic letters"
    assert set(names) & set("ñáéíóúÑ"), "Spanish letters"
    assert evidence.stat().st_size > 0
    assert not list((ROOT / "content").rglob("*.csv"))
