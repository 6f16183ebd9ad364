"""The stable identifiers of a school's frameworks: one scheme for CASE, CLR and OneRoster.

A node imported from CASE keeps its CASE identifier; every other node gets a UUID5 derived from
the school and the node's code, so exports never churn and a gradebook tagged with these
identifiers (OneRoster ``learningObjectiveId``) finds its target. It lives with the content
because it is a property of the content that every later stage reads: the evidence import
(OneRoster) as much as the CASE and CLR exports.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from ..support.numbers import decimal_text
from .model import Level, School, Subject, Target, Topic

PROFICIO_NAMESPACE = uuid.UUID("5b0d3c1e-7f2a-5c8e-9a41-2f6c1d0e8b37")
"""Fixed namespace of every identifier Proficio derives (never change it: UUIDs would churn)."""

ITEM_TYPES = {
    "subject": ("Subject", "1"),
    "level": ("Level", "2"),
    "topic": ("Measurement Topic", "3"),
    "target": ("Learning Target", "4"),
}
"""Proficio tier -> (CFItemType title, hierarchyCode)."""


def school_namespace(school: School) -> uuid.UUID:
    """One namespace per school (by official code, else site address, else name): two schools
    using the same target codes still get different UUIDs."""
    key = school.school_code or school.website or school.text(school.name, school.default_language)
    return uuid.uuid5(PROFICIO_NAMESPACE, f"school:{key}")


def derived(school: School, name: str) -> str:
    """A UUID5 of ``name`` in the school's namespace: stable for as long as the school is."""
    return str(uuid.uuid5(school_namespace(school), name))


def document_uuid(school: School, subject: Subject) -> str:
    return subject.case.identifier if subject.case else derived(school, f"document/{subject.code}")


def subject_item_uuid(school: School, subject: Subject) -> str:
    """The CFItem standing for the subject under its CFDocument (derived from the document's
    identifier, so it is stable for imported frameworks too)."""
    return str(uuid.uuid5(PROFICIO_NAMESPACE, f"subject-item/{document_uuid(school, subject)}"))


def level_uuid(school: School, subject: Subject, level: Level) -> str:
    if level.case:
        return level.case.identifier
    return derived(school, f"level/{subject.code}/{level.number}")


def topic_uuid(school: School, topic: Topic) -> str:
    return topic.case.identifier if topic.case else derived(school, f"topic/{topic.code}")


def target_uuid(
    school_or_doc: School | dict[str, Any] | Iterable[dict[str, Any]], target: Target | str
) -> str:
    """The CASE identifier of a learning target, as ``export-case`` writes it.

    ``school_or_doc`` is the loaded :class:`School`, or an exported CFPackage (or several), in
    which case the target (or its code) is looked up by ``humanCodingScheme``. OneRoster
    ``learningObjectiveId`` values that reference a target use this identifier.
    """
    if isinstance(school_or_doc, School):
        if isinstance(target, str):
            found = next((t for *_, t in school_or_doc.iter_targets() if t.code == target), None)
            if found is None:
                raise KeyError(f"no learning target with code {target!r}")
            target = found
        return (
            target.case.identifier
            if target.case
            else derived(school_or_doc, f"target/{target.code}")
        )
    code = target if isinstance(target, str) else target.code
    packages = [school_or_doc] if isinstance(school_or_doc, dict) else list(school_or_doc)
    for package in packages:
        for item in package.get("CFItems") or []:
            if item.get("humanCodingScheme") == code:
                return cast(str, item["identifier"])  # a CASE identifier is a JSON string
    raise KeyError(f"no CFItem with humanCodingScheme {code!r} in the package")


def case_identifiers(school: School) -> dict[str, str]:
    """Every target's CASE identifier (lower case) -> its code: how OneRoster learning
    objectives that carry CASE UUIDs find their target."""
    return {target_uuid(school, t).lower(): t.code for *_, t in school.iter_targets()}


def rubric_uuid(school: School, topic: Topic) -> str:
    return derived(school, f"rubric/{topic.code}")


def criterion_uuid(school: School, target: Target) -> str:
    return derived(school, f"criterion/{target_uuid(school, target)}")


def criterion_level_uuid(school: School, target: Target, value: Decimal) -> str:
    return derived(school, f"criterion-level/{target_uuid(school, target)}/{decimal_text(value)}")


def item_type_uuid(tier: str) -> str:
    return str(uuid.uuid5(PROFICIO_NAMESPACE, f"item-type/{ITEM_TYPES[tier][0]}"))
