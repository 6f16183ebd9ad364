"""Export a school's frameworks as 1EdTech CASE 1.1 CFPackages, one per subject.

Identifiers are stable: a node imported from CASE keeps its CASE identifier and URI (so a
gradebook tagged with the state's framework still lines up), every other node gets a UUID5
derived from the school and the node's code, so re-exports never churn (the scheme is
``content.identifiers``, shared with CLR alignments and OneRoster learning objectives).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..content.identifiers import (
    ITEM_TYPES,
    PROFICIO_NAMESPACE,
    criterion_level_uuid,
    criterion_uuid,
    derived,
    document_uuid,
    item_type_uuid,
    level_uuid,
    rubric_uuid,
    subject_item_uuid,
    target_uuid,
    topic_uuid,
)
from ..content.model import CaseRef, School, Subject, Target, Topic, localize
from ..errors import ProficioError
from ..support import clock
from ..support.numbers import json_number
from . import validation


def change_time(school: School) -> datetime:
    """``lastChangeDateTime`` for the whole export: ``SOURCE_DATE_EPOCH`` when set (reproducible
    builds), else when the content last changed (the newest content file)."""
    pinned = clock.pinned()
    if pinned is not None:
        return pinned
    newest = max((p.stat().st_mtime for p in school.files if p.exists()), default=0)
    return datetime.fromtimestamp(int(newest), tz=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass
class _Ctx:
    school: School
    language: str
    base_uri: str | None
    changed: str

    def text(self, value: dict[str, str]) -> str:
        return localize(value, self.language, self.school.default_language)[0]

    def uri(self, identifier: str, kind: str) -> str:
        if self.base_uri:
            return f"{self.base_uri}{kind}/{identifier}"
        return f"urn:uuid:{identifier}"


def node_uri(
    school: School,
    identifier: str,
    kind: str,
    ref: CaseRef | None = None,
    base_uri: str | None = None,
) -> str:
    """The CASE URI of a node, as ``export-case`` writes it (kind: CFItems, CFRubricCriterionLevels ...)."""
    if ref is not None and ref.uri:
        return ref.uri
    base = base_uri if base_uri is not None else default_base_uri(school)
    return f"{base}{kind}/{identifier}" if base else f"urn:uuid:{identifier}"


def default_base_uri(school: School) -> str | None:
    """Where the school publishes its frameworks: ``<website>/case/`` (else ``urn:uuid:`` ids)."""
    return f"{school.website.rstrip('/')}/case/" if school.website else None


def export_subject(
    school: School,
    subject: Subject,
    *,
    language: str | None = None,
    base_uri: str | None = None,
    changed: datetime | None = None,
) -> dict[str, Any]:
    """One subject as a CASE 1.1 CFPackage (a plain dict, ready for ``json.dumps``)."""
    ctx = _Ctx(
        school,
        language or school.default_language,
        base_uri if base_uri is not None else default_base_uri(school),
        iso(changed or change_time(school)),
    )
    return _Package(ctx, subject).build()


class _Package:
    def __init__(self, ctx: _Ctx, subject: Subject) -> None:
        self.ctx = ctx
        self.subject = subject
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []
        self.rubrics: list[dict[str, Any]] = []
        school = ctx.school
        self.doc_id = document_uuid(school, subject)
        self.doc_uri = (
            subject.case.uri
            if subject.case and subject.case.uri
            else ctx.uri(self.doc_id, "CFDocuments")
        )

    def link(self, identifier: str, uri: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": identifier, "uri": uri}

    def item_type(self, tier: str) -> dict[str, str]:
        title, _ = ITEM_TYPES[tier]
        identifier = item_type_uuid(tier)
        return self.link(identifier, self.ctx.uri(identifier, "CFItemTypes"), title)

    def add_item(
        self,
        tier: str,
        identifier: str,
        uri: str | None,
        *,
        full: str,
        code: str | None,
        abbreviated: str | None = None,
        notes: str | None = None,
        enumeration: str | None = None,
    ) -> dict[str, str]:
        uri = uri or self.ctx.uri(identifier, "CFItems")
        item: dict[str, Any] = {
            "identifier": identifier,
            "uri": uri,
            "fullStatement": full,
        }
        if code:
            item["humanCodingScheme"] = code
        if abbreviated:
            item["abbreviatedStatement"] = abbreviated
        if enumeration:
            item["listEnumeration"] = enumeration
        if notes:
            item["notes"] = notes
        item["CFItemType"] = ITEM_TYPES[tier][0]
        item["CFItemTypeURI"] = self.item_type(tier)
        item["language"] = self.ctx.language
        item["lastChangeDateTime"] = self.ctx.changed
        self.items.append(item)
        return self.link(identifier, uri, code or abbreviated or full[:60])

    def child_of(self, child: dict[str, str], parent: dict[str, str], sequence: int) -> None:
        identifier = str(
            uuid.uuid5(
                PROFICIO_NAMESPACE, f"isChildOf/{child['identifier']}/{parent['identifier']}"
            )
        )
        self.associations.append(
            {
                "identifier": identifier,
                "uri": self.ctx.uri(identifier, "CFAssociations"),
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "originNodeURI": child,
                "destinationNodeURI": parent,
                "lastChangeDateTime": self.ctx.changed,
            }
        )

    def build(self) -> dict[str, Any]:
        ctx, subject, school = self.ctx, self.subject, self.ctx.school
        t = ctx.text
        title = t(subject.title)
        document = self.link(self.doc_id, self.doc_uri, title)
        subject_node = self.add_item(
            "subject",
            subject_item_uuid(school, subject),
            None,
            full=t(subject.description) or title,
            abbreviated=title,
            code=subject.code,
        )
        self.child_of(subject_node, document, 1)
        for level in subject.levels:
            level_title = t(level.title) or f"Level {level.number}"
            level_node = self.add_item(
                "level",
                level_uuid(school, subject, level),
                level.case.uri if level.case else None,
                full=t(level.description) or level_title,
                abbreviated=level_title,
                code=level.code,
                enumeration=str(level.number),
            )
            self.child_of(level_node, subject_node, level.number)
            for ti, topic in enumerate(level.topics, 1):
                topic_title = t(topic.title)
                topic_node = self.add_item(
                    "topic",
                    topic_uuid(school, topic),
                    topic.case.uri if topic.case else None,
                    full=t(topic.description) or topic_title,
                    abbreviated=topic_title,
                    code=topic.code,
                )
                self.child_of(topic_node, level_node, ti)
                criteria = []
                for gi, target in enumerate(topic.targets, 1):
                    target_node = self.add_item(
                        "target",
                        target_uuid(school, target),
                        target.case.uri if target.case else None,
                        full=t(target.title),
                        abbreviated=t(target.short_title) or None,
                        notes=t(target.description) or None,
                        code=target.code,
                    )
                    self.child_of(target_node, topic_node, gi)
                    criteria.append(self.criterion(topic, target, target_node, gi))
                rubric_id = rubric_uuid(school, topic)
                for c in criteria:
                    c["rubricId"] = rubric_id
                self.rubrics.append(
                    {
                        "identifier": rubric_id,
                        "uri": ctx.uri(rubric_id, "CFRubrics"),
                        "title": f"{topic.code}: {topic_title}",
                        "description": (
                            f"Proficiency rubric of measurement topic {topic.code}: one criterion "
                            "per learning target, one level per score point of its scale."
                        ),
                        "lastChangeDateTime": ctx.changed,
                        "CFRubricCriteria": criteria,
                    }
                )
        return {
            "CFDocument": self.document(title),
            "CFItems": self.items,
            "CFAssociations": self.associations,
            "CFDefinitions": self.definitions(),
            "CFRubrics": self.rubrics,
        }

    def criterion(
        self, topic: Topic, target: Target, target_node: dict[str, str], position: int
    ) -> dict[str, Any]:
        ctx, school = self.ctx, self.ctx.school
        scale = school.scale_of(target)
        identifier = criterion_uuid(school, target)
        levels = []
        for pi, point in enumerate(reversed(scale.points), 1):  # lowest first, as columns read
            own = target.rubric.get(point.value)
            level_id = criterion_level_uuid(school, target, point.value)
            level: dict[str, Any] = {
                "identifier": level_id,
                "uri": ctx.uri(level_id, "CFRubricCriterionLevels"),
                "quality": ctx.text(point.label),
                "score": json_number(point.value),
                "position": pi,
                "rubricCriterionId": identifier,
                "lastChangeDateTime": ctx.changed,
            }
            description = ctx.text(own) if own else ctx.text(point.descriptor)
            if description:
                level["description"] = description
            levels.append(level)
        return {
            "identifier": identifier,
            "uri": ctx.uri(identifier, "CFRubricCriteria"),
            "category": topic.code,
            "description": ctx.text(target.title),
            "CFItemURI": target_node,
            "position": position,
            "lastChangeDateTime": ctx.changed,
            "CFRubricCriterionLevels": levels,
        }

    def document(self, title: str) -> dict[str, Any]:
        ctx, school, subject = self.ctx, self.ctx.school, self.subject
        publisher = school.text(school.name, ctx.language)
        doc: dict[str, Any] = {
            "identifier": self.doc_id,
            "uri": self.doc_uri,
            "creator": publisher,
            "publisher": publisher,
            "title": title,
            "lastChangeDateTime": ctx.changed,
            "caseVersion": "1.1",
            "language": ctx.language,
            "subject": [title],
            "subjectURI": [self.subject_def_link()],
            "adoptionStatus": "Adopted",
        }
        if subject.description:
            doc["description"] = ctx.text(subject.description)
        if school.website:
            doc["officialSourceURL"] = school.website
        return doc

    def subject_def_id(self) -> str:
        return derived(self.ctx.school, f"cf-subject/{self.subject.code}")

    def subject_def_link(self) -> dict[str, str]:
        identifier = self.subject_def_id()
        return self.link(
            identifier, self.ctx.uri(identifier, "CFSubjects"), self.ctx.text(self.subject.title)
        )

    def definitions(self) -> dict[str, Any]:
        ctx = self.ctx
        item_types = []
        for tier, (title, hierarchy) in ITEM_TYPES.items():
            identifier = item_type_uuid(tier)
            item_types.append(
                {
                    "identifier": identifier,
                    "uri": ctx.uri(identifier, "CFItemTypes"),
                    "title": title,
                    "description": _TIER_DESCRIPTIONS[tier],
                    "hierarchyCode": hierarchy,
                    "typeCode": title.replace(" ", ""),
                    "lastChangeDateTime": ctx.changed,
                }
            )
        link = self.subject_def_link()
        return {
            "CFItemTypes": item_types,
            "CFSubjects": [
                {
                    "identifier": link["identifier"],
                    "uri": link["uri"],
                    "title": link["title"],
                    "hierarchyCode": self.subject.code,
                    "lastChangeDateTime": ctx.changed,
                }
            ],
        }


_TIER_DESCRIPTIONS = {
    "subject": "A subject of the school, such as Mathematics.",
    "level": "An ordered level of a subject; a student moves on after showing proficiency on every target of it.",
    "topic": "A measurement topic: a cluster of related learning targets.",
    "target": "A learning target: one thing a student can know or do, scored on a proficiency scale.",
}


def export_school(
    school: School,
    out: Path,
    *,
    language: str | None = None,
    base_uri: str | None = None,
    changed: datetime | None = None,
) -> list[tuple[Path, dict[str, Any]]]:
    """Write one validated ``<subject>.json`` CFPackage per subject into ``out``."""
    from ..support.files import write_json

    if language and language not in school.languages:
        raise ProficioError(
            f"language '{language}' is not offered by the school (offered: {', '.join(school.languages)})."
        )
    packages = []
    for subject in school.subjects:
        package = export_subject(
            school, subject, language=language, base_uri=base_uri, changed=changed
        )
        problems = validation.errors(package, validation.CASE_PACKAGE)
        if problems:
            raise ProficioError(
                f"the CASE package for {subject.code} does not validate against the official "
                f"CASE 1.1 schema (first problems: {'; '.join(problems[:3])}). Nothing was written."
            )
        packages.append((out / f"{subject.slug}.json", package))
    for path, package in packages:
        write_json(path, package, private=False)
    return packages


def fingerprint(package: dict[str, Any]) -> str:
    """A short hash of a package (used in messages to show whether an export changed)."""
    from ..support.files import dump_json

    return hashlib.sha256(dump_json(package).encode()).hexdigest()[:12]
