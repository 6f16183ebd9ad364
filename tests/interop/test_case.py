"""CASE import and export against real packages, the official 1.1 schema, and round trips."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import proficio
from proficio.cli import main
from proficio.errors import ProficioError
from proficio.interop import case, validation
from proficio.interop.case_import import parse_mapping, plan_import, write_plan
from proficio.support.numbers import json_number

ROOT = Path(__file__).parents[2]
PACKAGES = ROOT / "tests" / "fixtures" / "case"
EXAMPLE = ROOT / "content"
MINI = ROOT / "tests" / "fixtures" / "mini-school"

# package -> (items read, placed, reported, levels, topics, targets) with the default mapping.
EXPECTED = {
    "opensalt_sample_what_standards_could_be.json": (16, 16, 0, 1, 2, 14),
    "opensalt_test_Ordering.json": (28, 26, 2, 1, 1, 24),
    "opensalt_test_SmartLevelFramework.json": (14, 14, 0, 1, 2, 12),
    "sbac_ela_g3_claim1_target1_cfpackage.json": (38, 2, 36, 1, 1, 2),
    "sbac_hs_math_c1_th_cfpackage.json": (86, 2, 84, 1, 1, 2),
    "sbac_math_grades3-5_claim2_cfpackage.json": (305, 15, 290, 1, 3, 12),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def counts(plan) -> tuple[int, ...]:
    r = plan.report
    topics = sum(len(lv["topics"]) for lv in plan.levels)
    targets = sum(len(t["targets"]) for lv in plan.levels for t in lv["topics"])
    return (r.read, len(r.placed), r.reported, len(plan.levels), topics, targets)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_real_package(name: str, tmp_path: Path) -> None:
    content = tmp_path / "content"
    runner = CliRunner()
    dry = runner.invoke(
        main,
        [
            "import-case",
            str(PACKAGES / name),
            "--subject",
            "IM",
            "--content",
            str(content),
            "--dry-run",
        ],
    )
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing written." in dry.output
    assert not content.exists()
    read, placed, reported, *_ = EXPECTED[name]
    assert f"{read} items read, {placed} placed" in dry.output
    # every item not placed is listed with its reason, none silently dropped
    assert dry.output.count("not placed: ") == reported

    plan = plan_import(PACKAGES / name, content, subject_code="IM")
    assert counts(plan) == EXPECTED[name]
    assert len(plan.report.placed) + plan.report.reported == plan.report.read
    write_plan(plan)
    result = proficio.load(content)
    assert result.errors == []
    school = result.school
    package = json.loads((PACKAGES / name).read_text())
    ids = {i["identifier"] for i in package["CFItems"]}
    subject = school.subjects[0]
    assert subject.case.identifier == package["CFDocument"]["identifier"]
    for level in subject.levels:
        assert level.case is None or level.case.identifier in ids
        for topic in level.topics:
            assert topic.case is None or topic.case.identifier in ids
            for target in topic.targets:
                assert target.case is not None and target.case.identifier in ids
    # only the tiers Proficio added (listed by the plan) lack provenance
    added = {f"level {lv.number}" for lv in subject.levels if lv.case is None} | {
        f"topic {t.code}" for lv in subject.levels for t in lv.topics if t.case is None
    }
    assert added == set(plan.added)

    before = snapshot(content)
    again = runner.invoke(
        main, ["import-case", str(PACKAGES / name), "--subject", "IM", "--content", str(content)]
    )
    assert again.exit_code == 0, again.output
    assert snapshot(content) == before  # idempotent: byte-identical files


def test_real_quirks_are_tolerated_and_reported(tmp_path: Path) -> None:
    # OpenSALT: string sequenceNumbers, nulls, CFDocumentURI on every node; order from numbers.
    plan = plan_import(
        PACKAGES / "opensalt_sample_what_standards_could_be.json", tmp_path, subject_code="RP"
    )
    topics = [t["code"] for t in plan.levels[0]["topics"]]
    assert topics == ["CCSS.Math.Content.6.RP.A", "CCSS.Math.Content.7.RP.A"]
    targets = [t["code"] for t in plan.levels[0]["topics"][0]["targets"]]
    assert targets[:4] == [
        "CCSS.Math.Content.6.RP.A.1",
        "CCSS.Math.Content.6.RP.A.2",
        "CCSS.Math.Content.6.RP.A.3",
        "CCSS.Math.Content.6.RP.A.3a",
    ]
    assert any("16 exactMatchOf associations not used" in n for n in plan.report.notes)
    # SBAC ELA carries two CFItems with the same identifier: the second is reported
    ela = plan_import(
        PACKAGES / "sbac_ela_g3_claim1_target1_cfpackage.json", tmp_path, subject_code="ELA"
    )
    assert any("duplicate identifier" in reason for _, reason in ela.report.unplaced)
    # SmartLevel has no codes: stable codes are derived from the identifiers
    smart = plan_import(
        PACKAGES / "opensalt_test_SmartLevelFramework.json", tmp_path, subject_code="SL"
    )
    codes = [t["code"] for lv in smart.levels for tp in lv["topics"] for t in tp["targets"]]
    assert all(c.startswith("SL.") for c in codes) and len(set(codes)) == len(codes)
    again = plan_import(
        PACKAGES / "opensalt_test_SmartLevelFramework.json", tmp_path, subject_code="SL"
    )
    assert [t["code"] for lv in again.levels for tp in lv["topics"] for t in tp["targets"]] == codes


def test_type_mapping_and_rubric_items(tmp_path: Path) -> None:
    plan = plan_import(
        PACKAGES / "sbac_ela_g3_claim1_target1_cfpackage.json",
        tmp_path / "content",
        subject_code="ELA",
        mapping=parse_mapping(
            ["Target=topic,Task Model=target", "Rubric=rubric,Section Heading=skip"]
        ),
    )
    topics = {t["code"]: t for lv in plan.levels for t in lv["topics"]}
    assert [t["code"] for t in topics["E.G3.C1RL.T1"]["targets"]] == ["E.G3.C1RL.T1.RL.3.1"]
    with_rubric = [t for tp in topics.values() for t in tp["targets"] if "rubric" in t]
    assert len(with_rubric) == 3
    assert with_rubric[0]["rubric"] == {1: "Correct response", 0: "Incorrect response"}
    reasons = dict(plan.report.unplaced)
    assert any("mapped to skip" in r for r in reasons.values())
    write_plan(plan)
    school = proficio.load_school(tmp_path / "content")
    target = next(t for *_, t in school.iter_targets() if t.rubric)
    assert {str(k) for k in target.rubric} == {"1", "0"}


def test_import_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ProficioError, match="not a JSON file"):
        plan_import(bad, tmp_path / "c", subject_code="X")
    bad.write_text('{"CFItems": []}')
    with pytest.raises(ProficioError, match="no CFDocument"):
        plan_import(bad, tmp_path / "c", subject_code="X")
    with pytest.raises(ProficioError, match="TYPE=ROLE"):
        parse_mapping(["Cluster=chapter"])
    with pytest.raises(ProficioError, match="unknown scale 'nope'"):
        plan_import(
            PACKAGES / "opensalt_test_Ordering.json",
            tmp_path / "c",
            subject_code="A",
            scale_id="nope",
        )
    # a subject folder that did not come from this framework is never overwritten silently
    content = tmp_path / "mini"
    shutil.copytree(MINI, content)
    plan = plan_import(
        PACKAGES / "opensalt_test_Ordering.json", content, subject_code="ACT", slug="math"
    )
    with pytest.raises(ProficioError, match="--replace"):
        write_plan(plan)
    assert proficio.load(content).errors == []
    # codes already used by another subject are not reused
    other = tmp_path / "other"
    shutil.copytree(MINI, other)
    with pytest.raises(ProficioError, match="already used"):
        plan_import(PACKAGES / "opensalt_test_Ordering.json", other, subject_code="MA")


def test_import_into_existing_school_uses_its_scale(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    plan = plan_import(
        PACKAGES / "opensalt_test_SmartLevelFramework.json", content, subject_code="SL"
    )
    assert plan.scale is None and plan.school is None
    write_plan(plan)
    school = proficio.load_school(content)
    assert [s.code for s in school.subjects] == ["MA", "SL"]
    assert school.subjects[1].scale_id == "four"


# -- export ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> proficio.content.model.School:
    return proficio.load_school(EXAMPLE)


def test_export_example_school_validates(example, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    result = CliRunner().invoke(
        main, ["export-case", "--content", str(EXAMPLE), "--out", str(tmp_path / "a")]
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "a").glob("*.json"))
    assert [f.stem for f in files] == sorted(s.slug for s in example.subjects)
    for f in files:
        package = json.loads(f.read_text())
        assert validation.errors(package, validation.CASE_PACKAGE) == []
        assert package["CFDocument"]["lastChangeDateTime"] == "2026-01-01T00:00:00+00:00"
        types = {t["title"]: t["hierarchyCode"] for t in package["CFDefinitions"]["CFItemTypes"]}
        assert types == {
            "Subject": "1",
            "Level": "2",
            "Measurement Topic": "3",
            "Learning Target": "4",
        }
        items = {i["identifier"]: i for i in package["CFItems"]}
        # the tree: every item is the child of exactly one node, with a sequence number
        child = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
        assert sorted(a["originNodeURI"]["identifier"] for a in child) == sorted(items)
        assert all(isinstance(a["sequenceNumber"], int) for a in child)
        # rubrics: one criterion per target, one level per score point
        subject = next(s for s in example.subjects if s.slug == f.stem)
        targets = [t for lv in subject.levels for tp in lv.topics for t in tp.targets]
        criteria = [c for r in package["CFRubrics"] for c in r["CFRubricCriteria"]]
        assert len(criteria) == len(targets)
        for target, criterion in zip(targets, criteria, strict=True):
            assert criterion["CFItemURI"]["identifier"] == case.target_uuid(example, target)
            scale = example.scale_of(target)
            assert [lv["score"] for lv in criterion["CFRubricCriterionLevels"]] == [
                json_number(p.value) for p in reversed(scale.points)
            ]
    # stable identifiers: a second export is byte-identical
    CliRunner().invoke(
        main, ["export-case", "--content", str(EXAMPLE), "--out", str(tmp_path / "b")]
    )
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_target_uuid_matches_export_and_provenance(example) -> None:
    subject = example.subjects[0]
    package = case.export_subject(example, subject)
    target = subject.levels[0].topics[0].targets[0]
    uid = case.target_uuid(example, target)
    assert uid == case.target_uuid(example, target.code) == case.target_uuid(package, target.code)
    assert any(
        i["identifier"] == uid and i["humanCodingScheme"] == target.code for i in package["CFItems"]
    )
    with pytest.raises(KeyError):
        case.target_uuid(package, "NO.SUCH.CODE")


def test_export_refuses_a_language_the_school_does_not_offer(example, tmp_path: Path) -> None:
    with pytest.raises(ProficioError, match="not offered"):
        case.export_school(example, tmp_path, language="fr")
    assert not any(tmp_path.iterdir())


def _fresh_school(tmp_path: Path, school) -> Path:
    content = tmp_path / "content"
    (content / "scales").mkdir(parents=True)
    for scale in (EXAMPLE / "scales").iterdir():
        shutil.copy(scale, content / "scales" / scale.name)
    (content / "school.yaml").write_text(
        yaml.safe_dump({"name": "Round trip", "languages": school.languages})
    )
    return content


def test_round_trip_export_then_import(example, tmp_path: Path) -> None:
    out = tmp_path / "case"
    case.export_school(example, out)
    content = _fresh_school(tmp_path, example)
    for subject in example.subjects:
        plan = plan_import(
            out / f"{subject.slug}.json",
            content,
            subject_code=subject.code,
            slug=subject.slug,
            scale_id=subject.scale_id,
        )
        assert plan.report.reported == 0 and plan.added == []
        write_plan(plan)
    back = proficio.load_school(content)
    lang = example.default_language

    def model(school) -> list:
        t = lambda v: school.text(v, lang) if v else ""  # noqa: E731
        return [
            (
                s.code,
                s.slug,
                t(s.title),
                t(s.description),
                s.scale_id,
                [
                    (
                        lv.number,
                        lv.code,
                        t(lv.title),
                        t(lv.description),
                        [
                            (
                                tp.code,
                                t(tp.title),
                                t(tp.description),
                                [
                                    (
                                        g.code,
                                        t(g.title),
                                        t(g.description),
                                        {k: t(v) for k, v in g.rubric.items()},
                                    )
                                    for g in tp.targets
                                ],
                            )
                            for tp in lv.topics
                        ],
                    )
                    for lv in s.levels
                ],
            )
            for s in school.subjects
        ]

    # subject order, calculation methods and completion rules are not CASE data: compared
    # here is everything CASE carries (in the default language)
    assert sorted(model(back)) == sorted(model(example))
    # the imported nodes carry the exported identifiers, so a second export keeps them
    for subject in back.subjects:
        again = case.export_subject(back, subject)
        first = json.loads((out / f"{subject.slug}.json").read_text())
        assert sorted(i["identifier"] for i in again["CFItems"]) == sorted(
            i["identifier"] for i in first["CFItems"]
        )
        assert again["CFDocument"]["identifier"] == first["CFDocument"]["identifier"]


def test_report_file_lists_every_item_not_placed(tmp_path: Path) -> None:
    report = tmp_path / "not-placed.csv"
    result = CliRunner().invoke(
        main,
        [
            "import-case",
            str(PACKAGES / "sbac_math_grades3-5_claim2_cfpackage.json"),
            "--subject",
            "M35",
            "--content",
            str(tmp_path / "content"),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "305 items read, 15 placed" in result.output and "290 not placed" in result.output
    header, *rows = csv.reader(io.StringIO(report.read_text(encoding="utf-8")))
    assert header == [
        "index",
        "identifier",
        "type",
        "code",
        "statement",
        "outcome",
        "written as",
        "reason",
    ]
    # one row per item read, each item once: rows = placed + not placed
    assert len(rows) == 305 and sorted(int(r[0]) for r in rows) == list(range(305))
    outcomes = Counter(r[5] for r in rows)
    assert outcomes == {"not placed": 290, "topic": 3, "target": 12}
    assert all(r[7] for r in rows if r[5] == "not placed")  # every one with its reason
    assert "not placed: " not in result.output
    assert proficio.load(tmp_path / "content").errors == []


def test_depth_mapping_for_packages_without_types(tmp_path: Path) -> None:
    plan = plan_import(
        PACKAGES / "opensalt_test_Ordering.json",
        tmp_path / "content",
        subject_code="ACT",
        mapping=parse_mapping(["depth:1=level,depth:2=topic"]),
    )
    assert [t["code"] for lv in plan.levels for t in lv["topics"]] == ["H.A.MATH.GM.PF"]
    assert counts(plan) == (28, 26, 2, 1, 1, 24)
    headings = [label for label, reason in plan.report.unplaced if "heading" in reason]
    assert len(headings) == 2
    with pytest.raises(ProficioError, match="--slug"):
        plan_import(
            PACKAGES / "opensalt_test_Ordering.json", tmp_path, subject_code="A", slug="../x"
        )


def test_reimport_keeps_what_the_school_added(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    package = PACKAGES / "opensalt_test_SmartLevelFramework.json"
    write_plan(plan_import(package, content, subject_code="SL", slug="smart"))
    level_file = content / "subjects" / "smart" / "level-1.yaml"
    subject_file = content / "subjects" / "smart" / "subject.yaml"
    data = yaml.safe_load(level_file.read_text())
    first = data["topics"][0]["targets"][0]
    first["title"] = {"en": first["title"], "es": "Elemento 1.1"}
    first["calculation"] = {"method": "latest"}
    first["rubric"] = {3: {"en": "Does it.", "es": "Lo hace."}}
    data["topics"][0]["title"] = {"en": data["topics"][0]["title"], "es": "Elemento 1"}
    level_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    subject = yaml.safe_load(subject_file.read_text())
    subject["order"] = 7
    subject_file.write_text(yaml.safe_dump(subject, allow_unicode=True, sort_keys=False))
    assert proficio.load(content).errors == []

    write_plan(plan_import(package, content, subject_code="SL", slug="smart"))
    school = proficio.load_school(content)
    smart = next(s for s in school.subjects if s.slug == "smart")
    target = smart.levels[0].topics[0].targets[0]
    assert target.title == {"en": "Item 1.1", "es": "Elemento 1.1"}
    assert target.calculation.method == "latest"
    assert school.text(target.rubric[Decimal(3)], "es") == "Lo hace."
    assert smart.levels[0].topics[0].title["es"] == "Elemento 1"
    assert smart.order == 7
    before = snapshot(content)
    write_plan(plan_import(package, content, subject_code="SL", slug="smart"))
    assert snapshot(content) == before


# package -> targets that keep their abbreviatedStatement as short_title
SHORT_TITLES = {
    "opensalt_sample_what_standards_could_be.json": 0,
    "opensalt_test_Ordering.json": 0,
    "opensalt_test_SmartLevelFramework.json": 0,
    "sbac_ela_g3_claim1_target1_cfpackage.json": 1,
    "sbac_hs_math_c1_th_cfpackage.json": 1,
    "sbac_math_grades3-5_claim2_cfpackage.json": 12,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_package_report_has_every_item_and_safe_hints(name: str, tmp_path: Path) -> None:
    """The report file has one row per item read (placed + not placed, nothing else); a hint
    that offers skip for an item with items under it says how many it would lose and offers
    flatten; short statements are kept."""
    report = tmp_path / "report.csv"
    args = ["import-case", str(PACKAGES / name), "--subject", "IM", "--content", str(tmp_path)]
    result = CliRunner().invoke(main, [*args, "--dry-run", "--report", str(report)])
    assert result.exit_code == 0, result.output
    read, placed, reported, _, _, targets = EXPECTED[name]
    assert "item types in the package (items: what became of them):" in result.output
    _, *rows = csv.reader(io.StringIO(report.read_text(encoding="utf-8")))
    assert len(rows) == read
    outcomes = Counter(r[5] for r in rows)
    assert outcomes["not placed"] == reported
    assert sum(outcomes[t] for t in ("subject", "level", "topic", "target", "rubric")) == placed
    assert outcomes["target"] == targets
    package = json.loads((PACKAGES / name).read_text(encoding="utf-8"))
    kind: dict[str, str | None] = {}
    for item in package["CFItems"]:  # the first of a duplicated identifier is the one used
        kind.setdefault(item["identifier"], item.get("CFItemType"))
    children: dict[str, list[str]] = {}
    for a in package["CFAssociations"]:
        if a["associationType"] == "isChildOf":
            children.setdefault(a["destinationNodeURI"]["identifier"], []).append(
                a["originNodeURI"]["identifier"]
            )

    def below(identifier: str) -> list[str]:
        found, stack = [], list(children.get(identifier, []))
        while stack:
            found.append(stack.pop())
            stack.extend(children.get(found[-1], []))
        return found

    for row in rows:
        other = [i for i in below(row[1]) if kind.get(i) != row[2]]
        if "=skip'" in row[7] and other:  # skip would leave out items of other types
            assert "flatten" in row[7] and "items under" in row[7], row
    plan = plan_import(PACKAGES / name, tmp_path / "c", subject_code="IM")
    shorts = [t for lv in plan.levels for tp in lv["topics"] for t in tp["targets"]]
    assert sum("short_title" in t for t in shorts) == SHORT_TITLES[name]
