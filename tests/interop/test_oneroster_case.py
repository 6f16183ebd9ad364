"""OneRoster 1.2 results that name targets by the CASE UUIDs of our own CASE export (or of the
framework a subject was imported from) reach those targets, through the evidence importer."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import proficio
from proficio.evidence import load
from proficio.interop.case import export_school
from proficio.interop.case_import import plan_import, write_plan
from proficio.scoring import score_students

ROOT = Path(__file__).parents[2]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_oneroster_results_by_exported_case_uuids(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini-school", content)
    package = ROOT / "tests" / "fixtures" / "case" / "opensalt_test_SmartLevelFramework.json"
    write_plan(plan_import(package, content, subject_code="SL", slug="smart"))
    school = proficio.load_school(content)
    out = tmp_path / "case"
    export_school(school, out)
    # the UUIDs a gradebook would have: read from the exported packages, by code
    uuids = {
        item["humanCodingScheme"]: item["identifier"]
        for f in sorted(out.glob("*.json"))
        for item in json.loads(f.read_text())["CFItems"]
        if item["CFItemType"] == "Learning Target"
    }
    original = json.loads(package.read_text())
    smart_target = school.subjects[1].levels[0].topics[0].targets[0]
    # an imported target keeps the identifier of the state's framework
    assert uuids[smart_target.code] == smart_target.case.identifier
    assert smart_target.case.identifier in {i["identifier"] for i in original["CFItems"]}

    bundle = tmp_path / "oneroster"
    bundle.mkdir()
    _write(
        bundle / "manifest.csv",
        ["propertyName", "value"],
        [
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.2"],
            ["file.users", "bulk"],
            ["file.lineItems", "bulk"],
            ["file.results", "bulk"],
            ["file.lineItemLearningObjectiveIds", "bulk"],
            ["file.resultLearningObjectiveIds", "bulk"],
        ],
    )
    # header order differs from the spec, with vendor ext_ columns: matched by name
    _write(
        bundle / "users.csv",
        ["givenName", "sourcedId", "status", "ext_sis_flag", "familyName", "role", "username"],
        [["Ana", "u1", "active", "x", "García", "student", "ana"]],
    )
    _write(
        bundle / "lineItems.csv",
        ["sourcedId", "title", "status", "ext_color", "assignDate", "dueDate", "categorySourcedId"],
        [
            ["li-add", "Adding quiz", "active", "red", "2026-01-05", "2026-01-05", ""],
            ["li-test", "Unit test", "active", "blue", "2026-02-02", "2026-02-02", ""],
            ["li-smart", "Smart check", "active", "", "2026-02-09", "2026-02-09", ""],
        ],
    )
    _write(
        bundle / "lineItemLearningObjectiveIds.csv",
        ["sourcedId", "status", "lineItemSourcedId", "source", "learningObjectiveId"],
        [
            ["o1", "active", "li-add", "case", uuids["MA.L1.WN.1"]],
            ["o2", "active", "li-test", "case", uuids["MA.L1.WN.1"]],
            ["o3", "active", "li-test", "case", uuids["MA.L1.WN.2"]],
            ["o4", "active", "li-smart", "case", uuids[smart_target.code].upper()],
        ],
    )
    _write(
        bundle / "results.csv",
        [
            "sourcedId",
            "status",
            "lineItemSourcedId",
            "studentSourcedId",
            "scoreStatus",
            "score",
            "scoreDate",
            "comment",
            "ext_vendor",
        ],
        [
            ["r1", "active", "li-add", "u1", "fully graded", "3", "2026-01-05", "", "v"],
            ["r2", "active", "li-test", "u1", "fully graded", "", "2026-02-02", "", "v"],
            ["r3", "active", "li-smart", "u1", "fully graded", "4", "2026-02-09", "", "v"],
        ],
    )
    # per-objective scores of the two-objective test, one of them as urn:uuid:
    _write(
        bundle / "resultLearningObjectiveIds.csv",
        ["sourcedId", "status", "resultSourcedId", "source", "learningObjectiveId", "score"],
        [
            ["ro1", "active", "r2", "case", uuids["MA.L1.WN.1"], "4"],
            ["ro2", "active", "r2", "case", f"urn:uuid:{uuids['MA.L1.WN.2']}", "2"],
        ],
    )
    imported = load(bundle, bundle, school, as_of=date(2026, 6, 1))
    assert not imported.report.has_rejections, [str(i) for i in imported.report.issues]
    rows = sorted((e.target, e.score, e.date) for e in imported.evidence)
    assert rows == [
        ("MA.L1.WN.1", Decimal("3"), date(2026, 1, 5)),
        ("MA.L1.WN.1", Decimal("4"), date(2026, 2, 2)),
        ("MA.L1.WN.2", Decimal("2"), date(2026, 2, 2)),
        (smart_target.code, Decimal("4"), date(2026, 2, 9)),
    ]
    [result] = score_students(school, imported.students, imported.evidence)
    scores = {t.code: t.score for s in result.subjects for lv in s.levels for t in lv.targets}
    assert scores["MA.L1.WN.2"] == Decimal("2")
    assert scores[smart_target.code] == Decimal("4")
    assert scores["MA.L2.FR.1"] is None
