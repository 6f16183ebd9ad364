"""Fabricated inputs for the interop tests: scored results built by hand for the CLR tests (the
scoring engine is tested on its own), and CASE CFPackages of a given shape for the import tests
(:func:`cf_package`), so each shape a real framework can take is tested on a few items."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from proficio.content.model import School
from proficio.evidence.records import Evidence, Student
from proficio.scoring.results import LevelResult, StudentResult, SubjectResult, TargetResult


def fabricate(school: School, student: Student, scores: dict[str, Decimal]) -> StudentResult:
    """``scores`` maps target codes to current scores; levels are complete when all their targets
    are proficient (the default rule), dated by their last evidence."""
    subjects = []
    for subject in school.subjects:
        levels = []
        for level in subject.levels:
            targets = []
            for target in level.targets:
                score = scores.get(target.code)
                scale = school.scale_of(target)
                evidence = []
                if score is not None:
                    evidence = [
                        Evidence(
                            student.id, target.code, score, date(2026, 3, 2), "Quiz", "test", line=1
                        ),
                        Evidence(
                            student.id,
                            target.code,
                            score,
                            date(2026, 4, 20),
                            "Project",
                            "project",
                            line=2,
                        ),
                    ]
                proficient = score is not None and score >= scale.threshold
                targets.append(
                    TargetResult(
                        target.code,
                        score,
                        proficient,
                        target.calculation,
                        evidence,
                        date(2026, 4, 20) if proficient else None,
                    )
                )
            complete = all(t.proficient for t in targets)
            levels.append(
                LevelResult(
                    level.number,
                    level.completion,
                    complete,
                    date(2026, 4, 20) if complete else None,
                    targets,
                )
            )
        current = next((lv.number for lv in levels if not lv.complete), None)
        subjects.append(SubjectResult(subject.code, subject.slug, levels, current))
    return StudentResult(student, subjects)


# -- CASE packages of a given shape ------------------------------------------------------------

DOCUMENT = None
"""The parent of an item at the top of the framework: the CFDocument."""
NO_PARENT = "no isChildOf"
"""An orphan: the item has no isChildOf association at all."""


@dataclass(frozen=True)
class CF:
    """One CFItem: ``key`` is its identifier (``urn:fab:<key>``, the same in every package, so two
    packages that list the same key share the item), ``parent`` a key, :data:`DOCUMENT`,
    :data:`NO_PARENT`, another package's key (a parent outside the package), or a tuple of keys
    (an item with several parents)."""

    key: str
    type: str | None
    code: str | None
    full: str
    parent: str | tuple[str, ...] | None = DOCUMENT
    short: str | None = None


def identifier(key: str) -> str:
    return f"urn:fab:{key}"


def cf_package(
    items: list[CF], *, doc: str = "doc-1", title: str = "Fabricated framework"
) -> dict[str, Any]:
    """A CFPackage of ``items`` in the given order (sequenceNumber = position under the parent)."""
    doc_uri = f"https://example.org/case/{doc}"

    def node(key: str | None) -> dict[str, str]:
        if key is None:
            return {"identifier": doc, "uri": doc_uri, "title": title}
        return {"identifier": identifier(key), "uri": f"https://example.org/case/{key}"}

    cf_items, associations = [], []
    positions: dict[str | None, int] = {}
    for item in items:
        data: dict[str, Any] = {**node(item.key), "fullStatement": item.full}
        if item.type:
            data["CFItemType"] = item.type
        if item.code:
            data["humanCodingScheme"] = item.code
        if item.short:
            data["abbreviatedStatement"] = item.short
        cf_items.append(data)
        if item.parent == NO_PARENT:
            continue
        parents = item.parent if isinstance(item.parent, tuple) else (item.parent,)
        for parent in parents:
            positions[parent] = positions.get(parent, 0) + 1
            associations.append(
                {
                    "identifier": f"{doc}-assoc-{len(associations)}",
                    "associationType": "isChildOf",
                    "originNodeURI": node(item.key),
                    "destinationNodeURI": node(parent),
                    "sequenceNumber": positions[parent],
                }
            )
    return {
        "CFDocument": {"identifier": doc, "uri": doc_uri, "title": title, "language": "en"},
        "CFItems": cf_items,
        "CFAssociations": associations,
    }


def write_package(folder: Path, name: str, items: list[CF], **kwargs: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(cf_package(items, **kwargs), indent=1), encoding="utf-8")
    return path
