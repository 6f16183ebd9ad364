"""A student's scored result as a 1EdTech CLR 2.0 ClrCredential (with Open Badges 3.0 inside).

One ClrCredential per student. Its ClrSubject lists the school's subjects and levels as
achievements, one AchievementCredential per scored learning target (its Achievement aligned to
the CASE item ``export-case`` writes, a ResultDescription with one RubricCriterionLevel per score
point of the scale, the level reached as ``achievedLevel`` and the score as a string ``value``),
one per level completed or in progress (a ``status`` result) and one per subject (its current
level), with ``isChildOf`` associations target -> level -> subject. Targets without a score yet
are not listed: a CLR records what was assessed. Identifiers are UUID5s of the school, the
student and the issue date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ..content import identifiers
from ..content.model import CaseRef, Level, School, Subject, Target, localize
from ..errors import ProficioError
from ..evidence.records import Student
from ..scoring.results import LevelResult, StudentResult, SubjectResult, TargetResult
from ..support.bidi import isolate
from ..support.numbers import decimal_text
from . import case

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"


def _urn(value: uuid.UUID | str) -> str:
    return f"urn:uuid:{value}"


def _datetime(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def issue_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Defs:
    """The school's achievements, built once and shared by every student's credential."""

    achievements: list[dict[str, Any]]
    """Subjects and levels (a target's Achievement travels inside its credential)."""
    associations: list[dict[str, Any]]
    by_target: dict[str, dict[str, Any]]
    by_level: dict[tuple[str, int], dict[str, Any]]
    by_subject: dict[str, dict[str, Any]]
    level_rd: dict[tuple[str, int], str]
    subject_rd: dict[str, str]
    target_rd: dict[str, tuple[str, str]]
    """code -> (rubric level RD id, score RD id)."""
    level_ids: dict[tuple[str, Decimal], str]
    """(target code, score point) -> RubricCriterionLevel id."""
    target_association: dict[str, dict[str, Any]]
    """code -> the target's isChildOf association to its level."""


class ClrBuilder:
    """Builds ClrCredentials for one school; the achievement definitions are made once."""

    def __init__(
        self,
        school: School,
        *,
        language: str | None = None,
        base_uri: str | None = None,
    ) -> None:
        self.school = school
        self.language = language or school.default_language
        self.base_uri = base_uri
        self.ns = identifiers.school_namespace(school)
        self.targets = {t.code: t for *_, t in school.iter_targets()}
        # Each target's Achievement is the same in every student's record: serialised once and
        # spliced in by ``serialize`` (the marker carries a per-run secret, so no student-supplied
        # text can pose as one).
        self._marker = f"@@proficio-{secrets.token_hex(12)}:"
        self._marker_re = re.compile('"' + re.escape(self._marker) + r'([A-Za-z0-9._-]+)@@"')
        self._achievement_json: dict[str, str] = {}
        self.issuer = self._issuer()
        self.defs = self._definitions()

    def text(self, value: dict[str, str]) -> str:
        return localize(value, self.language, self.school.default_language)[0]

    def _issuer(self) -> dict[str, Any]:
        school = self.school
        profile: dict[str, Any] = {
            "id": school.website or _urn(self.ns),
            "type": ["Profile"],
            "name": self.text(school.name),
        }
        if school.website:
            profile["url"] = school.website
        if school.email:
            profile["email"] = school.email
        if school.phone:
            profile["phone"] = school.phone
        if school.description:
            profile["description"] = self.text(school.description)
        return profile

    # -- definitions -----------------------------------------------------------------------

    def _alignment(
        self,
        name: str,
        identifier: str,
        ref: CaseRef | None,
        kind: str,
        code: str | None,
        framework: str | None,
    ) -> dict[str, Any]:
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetType": "CFItem" if kind == "CFItems" else "CFRubricCriterionLevel",
            "targetName": name,
            "targetUrl": case.node_uri(self.school, identifier, kind, ref, self.base_uri),
        }
        if framework:
            alignment["targetFramework"] = framework
        if code:
            alignment["targetCode"] = code
        return alignment

    def _definitions(self) -> _Defs:
        school = self.school
        achievements: list[dict[str, Any]] = []
        associations: list[dict[str, Any]] = []
        defs = _Defs(achievements, associations, {}, {}, {}, {}, {}, {}, {}, {})
        for subject in school.subjects:
            framework = self.text(subject.title)
            sid = identifiers.subject_item_uuid(school, subject)
            subject_rd = _urn(uuid.uuid5(self.ns, f"rd/subject/{sid}"))
            defs.subject_rd[subject.code] = subject_rd
            achievement = {
                "id": _urn(sid),
                "type": ["Achievement"],
                "achievementType": "ext:Subject",
                "name": framework,
                "description": self.text(subject.description) or framework,
                "criteria": {
                    "narrative": f"{framework} is divided into {len(subject.levels)} levels; a student "
                    "completes a level by showing proficiency on its learning targets."
                },
                "humanCode": subject.code,
                "alignment": [
                    self._alignment(framework, sid, None, "CFItems", subject.code, framework)
                ],
                "resultDescription": [
                    {
                        "id": subject_rd,
                        "type": ["ResultDescription"],
                        "name": "Current level",
                        "resultType": "ext:CurrentLevel",
                        "allowedValue": [self._level_name(lv) for lv in subject.levels]
                        + ["All levels completed"],
                    }
                ],
                "inLanguage": self.language,
            }
            achievements.append(achievement)
            defs.by_subject[subject.code] = achievement
            for level in subject.levels:
                self._level(subject, level, framework, defs)
        return defs

    def _level_name(self, level: Level) -> str:
        return self.text(level.title) or f"Level {level.number}"

    def _level(self, subject: Subject, level: Level, framework: str, defs: _Defs) -> None:
        school = self.school
        lid = identifiers.level_uuid(school, subject, level)
        name = self._level_name(level)
        rd = _urn(uuid.uuid5(self.ns, f"rd/level/{lid}"))
        defs.level_rd[(subject.code, level.number)] = rd
        rule = level.completion
        criterion = {
            "all": "every learning target of the level is proficient",
            "percent": f"at least {rule.percent}% of the level's learning targets are proficient",
            "all_topics": f"in every measurement topic, at least {rule.percent}% of the targets are proficient",
        }[rule.rule]
        achievement: dict[str, Any] = {
            "id": _urn(lid),
            "type": ["Achievement"],
            "achievementType": "ext:Level",
            "name": f"{framework}: {name}",
            "description": self.text(level.description) or f"{name} of {framework}.",
            "criteria": {"narrative": f"The level is complete when {criterion}."},
            "alignment": [self._alignment(name, lid, level.case, "CFItems", level.code, framework)],
            "resultDescription": [
                {
                    "id": rd,
                    "type": ["ResultDescription"],
                    "name": "Level status",
                    "resultType": "Status",
                }
            ],
            "inLanguage": self.language,
        }
        if level.code:
            achievement["humanCode"] = level.code
        defs.achievements.append(achievement)
        defs.by_level[(subject.code, level.number)] = achievement
        self._associate(
            achievement["id"], _urn(identifiers.subject_item_uuid(school, subject)), defs
        )
        for topic in level.topics:
            for target in topic.targets:
                self._target(target, achievement["id"], framework, defs)

    def _associate(self, child: str, parent: str, defs: _Defs) -> None:
        defs.associations.append(
            {
                "type": "Association",
                "associationType": "isChildOf",
                "sourceId": child,
                "targetId": parent,
            }
        )

    def _target(self, target: Target, level_id: str, framework: str, defs: _Defs) -> None:
        school = self.school
        tid = identifiers.target_uuid(school, target)
        scale = school.scale_of(target)
        title = self.text(target.title)
        level_rd = _urn(uuid.uuid5(self.ns, f"rd/rubric/{tid}"))
        score_rd = _urn(uuid.uuid5(self.ns, f"rd/score/{tid}"))
        levels = []
        threshold_id = None
        for point in reversed(scale.points):  # allowedValue and levels are ordered low to high
            lid = identifiers.criterion_level_uuid(school, target, point.value)
            label = self.text(point.label)
            own = target.rubric.get(point.value)
            rubric_level: dict[str, Any] = {
                "id": _urn(lid),
                "type": ["RubricCriterionLevel"],
                "name": label,
                "points": decimal_text(point.value),
            }
            description = self.text(own) if own else self.text(point.descriptor)
            if description:
                rubric_level["description"] = description
            levels.append(rubric_level)
            defs.level_ids[(target.code, point.value)] = rubric_level["id"]
            if point.value == scale.threshold:
                threshold_id = rubric_level["id"]
        scale_title = self.text(scale.title)
        threshold = scale.point(scale.threshold)
        assert threshold is not None  # the loader refuses a threshold that is not a point
        achievement = {
            "id": _urn(tid),
            "type": ["Achievement"],
            "achievementType": "Competency",
            "name": title,
            "description": self.text(target.description) or title,
            "criteria": {
                "narrative": f"Proficient when the current score reaches {decimal_text(scale.threshold)} "
                f"({self.text(threshold.label)}) on the {scale_title}."
            },
            "humanCode": target.code,
            "alignment": [
                self._alignment(title, tid, target.case, "CFItems", target.code, framework)
            ],
            "resultDescription": [
                {
                    "id": level_rd,
                    "type": ["ResultDescription"],
                    "name": f"Level on the {scale_title}",
                    "resultType": "RubricCriterionLevel",
                    "rubricCriterionLevel": levels,
                    "requiredLevel": threshold_id,
                },
                {
                    "id": score_rd,
                    "type": ["ResultDescription"],
                    "name": "Current score",
                    "resultType": "RubricScore",
                    "valueMin": decimal_text(scale.minimum),
                    "valueMax": decimal_text(scale.maximum),
                    "requiredValue": decimal_text(scale.threshold),
                },
            ],
            "inLanguage": self.language,
        }
        defs.by_target[target.code] = achievement
        defs.target_rd[target.code] = (level_rd, score_rd)
        defs.target_association[target.code] = {
            "type": "Association",
            "associationType": "isChildOf",
            "sourceId": achievement["id"],
            "targetId": level_id,
        }

    # -- credentials -----------------------------------------------------------------------

    def build(self, result: StudentResult, issued: datetime) -> dict[str, Any]:
        """The student's ClrCredential (unsigned), as a plain dict."""
        return self._build(result, issued, markers=False)

    def serialize(
        self, result: StudentResult, issued: datetime, claims: Any = None
    ) -> tuple[str, dict[str, Any]]:
        """Compact JSON of ``build(result, issued)`` (plus ``claims(credential)`` merged at the
        end, for a JWT payload), made faster by reusing each target's serialised Achievement.
        Returns the JSON and the credential with markers in place of target Achievements."""
        credential = self._build(result, issued, markers=True)
        data = {**credential, **claims(credential)} if claims else credential
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return self._marker_re.sub(lambda m: self._achievement(m.group(1)), text), credential

    def _achievement(self, code: str) -> str:
        cached = self._achievement_json.get(code)
        if cached is None:
            cached = json.dumps(
                self.defs.by_target[code], ensure_ascii=False, separators=(",", ":")
            )
            self._achievement_json[code] = cached
        return cached

    def _build(self, result: StudentResult, issued: datetime, *, markers: bool) -> dict[str, Any]:
        student = result.student
        when = issue_time(issued)
        base = f"clr/{student.id}/{when}"
        identity = [
            {
                "type": "IdentityObject",
                "identityType": "sisSourcedId",
                "hashed": False,
                "identityHash": student.id,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": student.full_name,
            },
        ]
        credentials: list[dict[str, Any]] = []
        associations = list(self.defs.associations)
        subjects = {s.code: s for s in self.school.subjects}
        for subject_result in result.subjects:
            subject = subjects.get(subject_result.code)
            if subject is None:
                continue
            credentials.append(
                self._subject_credential(subject, subject_result, identity, base, when)
            )
            levels = {lv.number: lv for lv in subject.levels}
            for level_result in subject_result.levels:
                level = levels.get(level_result.number)
                if level is None:
                    continue
                if level_result.complete or level_result.number == subject_result.current_level:
                    credentials.append(
                        self._level_credential(subject, level, level_result, identity, base, when)
                    )
                for target_result in level_result.targets:
                    if target_result.score is not None:
                        credentials.append(
                            self._target_credential(target_result, identity, base, when, markers)
                        )
                        associations.append(self.defs.target_association[target_result.code])
        school_name = self.text(self.school.name)
        return {
            "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
            "id": _urn(uuid.uuid5(self.ns, base)),
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": self.issuer,
            # Wallets show these sentences: the name is isolated (FSI...PDI), so a control in it
            # cannot reverse the words around it; identityHash above keeps the roster's text.
            "name": f"Comprehensive Learner Record: {isolate(student.full_name)}",
            "description": f"Learning targets, levels and subjects {isolate(student.full_name)} has been scored "
            f"on at {school_name}, with the current score and proficiency level of each.",
            "validFrom": when,
            "awardedDate": when,
            "partial": False,
            "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
            "credentialSubject": {
                "type": ["ClrSubject"],
                "identifier": identity,
                "achievement": self.defs.achievements,
                "verifiableCredential": credentials,
                "association": associations,
            },
        }

    def _credential(
        self, key: str, name: str, subject: dict[str, Any], base: str, when: str
    ) -> dict[str, Any]:
        return {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": _urn(uuid.uuid5(self.ns, f"{base}/{key}")),
            "type": ["VerifiableCredential", "AchievementCredential"],
            "issuer": self.issuer,
            "name": name,
            "validFrom": when,
            "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
            "credentialSubject": subject,
        }

    def _target_credential(
        self,
        target: TargetResult,
        identity: list[dict[str, Any]],
        base: str,
        when: str,
        markers: bool,
    ) -> dict[str, Any]:
        achievement = self.defs.by_target[target.code]
        level_rd, score_rd = self.defs.target_rd[target.code]
        scale = self.school.scale_of(self.targets[target.code])
        assert target.score is not None
        point = scale.label_for(target.score)
        dates = [e.date for e in target.evidence]
        subject: dict[str, Any] = {
            "type": ["AchievementSubject"],
            "identifier": identity,
            "achievement": f"{self._marker}{target.code}@@" if markers else achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": level_rd,
                    "achievedLevel": self.defs.level_ids[(target.code, point.value)],
                },
                {
                    "type": ["Result"],
                    "resultDescription": score_rd,
                    "value": decimal_text(target.score),
                },
            ],
        }
        method = target.method.method.replace("_", " ")
        narrative = (
            f"Current score {decimal_text(target.score)} ({self.text(point.label)}) by {method}"
        )
        if dates:
            subject["activityStartDate"] = _datetime(min(dates))
            subject["activityEndDate"] = _datetime(max(dates))
            narrative += f", from {len(dates)} score{'s' if len(dates) != 1 else ''} between {min(dates)} and {max(dates)}"
        if target.proficient_since:
            narrative += f"; proficient since {target.proficient_since}"
        subject["narrative"] = narrative + "."
        return self._credential(
            f"target/{target.code}", f"{target.code}: {achievement['name']}", subject, base, when
        )

    def _level_credential(
        self,
        subject: Subject,
        level: Level,
        result: LevelResult,
        identity: list[dict[str, Any]],
        base: str,
        when: str,
    ) -> dict[str, Any]:
        achievement = self.defs.by_level[(subject.code, level.number)]
        status = "Completed" if result.complete else "InProgress"
        body: dict[str, Any] = {
            "type": ["AchievementSubject"],
            "identifier": identity,
            "achievement": achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": self.defs.level_rd[(subject.code, level.number)],
                    "status": status,
                }
            ],
        }
        proficient = sum(1 for t in result.targets if t.proficient)
        narrative = f"{proficient} of {len(result.targets)} learning targets proficient"
        if result.complete and result.completed_on:
            body["activityEndDate"] = _datetime(result.completed_on)
            narrative = f"Completed on {result.completed_on}: " + narrative
        body["narrative"] = narrative + "."
        return self._credential(
            f"level/{subject.code}/{level.number}", achievement["name"], body, base, when
        )

    def _subject_credential(
        self,
        subject: Subject,
        result: SubjectResult,
        identity: list[dict[str, Any]],
        base: str,
        when: str,
    ) -> dict[str, Any]:
        achievement = self.defs.by_subject[subject.code]
        levels = {lv.number: lv for lv in subject.levels}
        if result.current_level is None:
            value, status = "All levels completed", "Completed"
        else:
            value, status = self._level_name(levels[result.current_level]), "InProgress"
        completed = [lv for lv in result.levels if lv.complete]
        body = {
            "type": ["AchievementSubject"],
            "identifier": identity,
            "achievement": achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": self.defs.subject_rd[subject.code],
                    "value": value,
                    "status": status,
                }
            ],
            "narrative": f"{len(completed)} of {len(result.levels)} levels completed; current level: {value}.",
        }
        return self._credential(f"subject/{subject.code}", achievement["name"], body, base, when)


MANIFEST = "manifest.clr"
"""The export's manifest (JSON) in its folder. Every record's name ends in ``.json`` or ``.jwt``,
so this one meets no student's record, nor a ``*.json`` of the records."""


@dataclass
class ClrExportSummary:
    files: list[Any]
    students: int
    credentials: int
    validated: int
    """How many records were checked against the official schemas during the run."""
    bytes: int
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(student ID, reason) of the students who got no record (their ID cannot be a file name)."""
    kept: int = 0
    """Of ``students``, how many kept the earlier export's record (inputs unchanged, file
    intact): not scored, not written."""
    incremental: bool = False
    removed: list[str] = field(default_factory=list)
    """Records of students no longer on the roster, which the earlier manifest listed."""

    @property
    def written(self) -> int:
        return self.students - self.kept


def clr_digest(
    school: School,
    issued: datetime,
    key: Any,
    language: str | None,
    base_uri: str | None,
    as_of: date | None,
) -> str:
    """The run-wide part of every record's inputs hash (:mod:`proficio.reissue`): the school,
    the issue time, the language, the base URI, the evidence cut-off and the signing key (its
    public half: a record signed with another key is made again)."""
    from cryptography.hazmat.primitives import serialization

    from .. import reissue

    signer = None
    if key is not None:
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signer = hashlib.sha256(public).hexdigest()
    return reissue.run_digest(
        "clr",
        {
            "school": reissue.school_digest(school),
            "issued": issue_time(issued),
            "language": language,
            "base_uri": base_uri,
            "as_of": as_of,
            "signer": signer,
            "engines": reissue.package_versions("joserfc") if key is not None else {},
        },
    )


def export_clrs(
    school: School,
    results: Any,
    out: Any,
    *,
    issued: datetime,
    key: Any = None,
    language: str | None = None,
    base_uri: str | None = None,
    validate: str = "first",
    roster: Any = None,
    students: Sequence[Student] | None = None,
    score: Callable[[list[Student]], Iterable[StudentResult]] | None = None,
    evidence: Callable[[str], bytes] | None = None,
    as_of: date | None = None,
    force: bool = False,
) -> ClrExportSummary:
    """Write one ClrCredential per student into ``out``: ``<id>.json``, or ``<id>.jwt`` (a
    signed VC-JWT) when an Ed25519 ``key`` is given, and a manifest (:data:`MANIFEST`) listing
    each record's SHA-256. ``validate`` is ``all``, ``first`` (the first record written: every
    record has the same structure) or ``none``.

    Files are named as transcripts are (:mod:`proficio.transcripts.filenames`), over the IDs of
    the whole ``roster`` (default: those of ``results``): a student whose ID cannot be a file
    name (empty, too long, the same as another ignoring case) is in ``failed`` and everyone
    else's record is written. One export at a time writes into ``out``; a folder that cannot be
    written is a :class:`~proficio.errors.ProficioError` naming it.

    Given ``students``, ``score`` (instead of ``results``) and each student's ``evidence``
    digest, the export is incremental (:mod:`proficio.reissue`, as transcripts are): a student
    whose inputs are those the earlier manifest records, and whose record is intact, keeps it
    unscored; ``force`` writes everyone. ``as_of`` (the evidence cut-off) is part of the inputs.
    Records the earlier manifest listed for students no longer on the roster are removed."""
    from pathlib import Path

    from .. import reissue
    from ..support.files import cannot_write, folder_lock
    from ..transcripts.filenames import assign_files

    out = Path(out)
    if students is not None:
        if score is None:
            raise TypeError("export_clrs: students needs score")
        roster = [s.id for s in students] if roster is None else roster
    elif roster is None:
        results = list(results)
        roster = [r.student.id for r in results]
    names, unsafe = assign_files(roster, ".jwt" if key is not None else ".json")
    inputs = None
    if students is not None and evidence is not None:
        run = clr_digest(school, issued, key, language, base_uri, as_of)
        inputs = reissue.Inputs(run, evidence, force)
    with folder_lock(out):
        path = out / MANIFEST
        earlier = reissue.previous(path)
        listed = earlier.files
        mine = [s for s in students if s.id in names] if students is not None else []
        decision = reissue.plan(mine, names, out, earlier, inputs)
        if students is not None and score is not None:
            results = score(decision.render) if decision.render else []
        try:
            summary, entries = _write_clrs(
                school, results, out, names, issued, key, language, base_uri, validate
            )
            for sid, entry in decision.keep.items():
                entries[sid] = entry
                summary.credentials += int(entry.get("credentials") or 0)
                summary.bytes += int(entry.get("bytes") or 0)
                summary.files.append(out / entry["file"])
            summary.students = len(entries)
            summary.kept = len(decision.keep)
            summary.failed = sorted(unsafe.items())
            if entries or path.exists():  # nothing made and nothing before: no folder left
                _write_manifest(path, summary, entries, decision.hashes, roster, issued, key)
            # Only students no longer on the roster (or records of the other kind, .jwt/.json).
            current = {e["file"] for e in entries.values()} | set(names.values())
            summary.removed = reissue.prune(out, listed, current)
        except OSError as exc:
            raise cannot_write(out, exc) from None
    summary.incremental = inputs is not None and not inputs.force
    return summary


def _write_manifest(
    path: Any,
    summary: ClrExportSummary,
    entries: dict[str, dict[str, Any]],
    hashes: dict[str, str],
    roster: Any,
    issued: datetime,
    key: Any,
) -> None:
    """The export's manifest: sorted and free of timings, so an incremental export writes the
    bytes a full one would."""
    from .. import __version__
    from ..support.files import write_text
    from ..transcripts.bulk import roster_digest

    data = {
        "format": 2,
        "generator": f"proficio {__version__}",
        "kind": "clr",
        "issued": issue_time(issued),
        "signed": key is not None,
        "roster": {"students": len(roster), "sha256": roster_digest(roster)},
        "documents": [
            {**{k: v for k, v in entries[sid].items() if k != "inputs"}, "inputs": hashes.get(sid)}
            for sid in sorted(entries)
        ],
        "failed": [{"student_id": sid, "reason": why} for sid, why in summary.failed],
    }
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n", private=True)


def _write_clrs(
    school: School,
    results: Any,
    out: Any,
    names: dict[str, str],
    issued: datetime,
    key: Any,
    language: str | None,
    base_uri: str | None,
    validate: str,
) -> tuple[ClrExportSummary, dict[str, dict[str, Any]]]:
    from ..support.files import write_bytes
    from . import signing

    builder = ClrBuilder(school, language=language, base_uri=base_uri)
    files: list[Any] = []
    entries: dict[str, dict[str, Any]] = {}
    credentials = validated = size = 0
    for result in results:
        name = names.get(result.student.id)
        if name is None:
            continue  # reported: no file name
        if key is not None:
            payload, shape = builder.serialize(result, issued, signing.claims)
            text = signing.sign_payload(payload, key) + "\n"
        else:
            payload, shape = builder.serialize(result, issued)
            text = payload + "\n"
        path = out / name
        if validate == "all" or (validate == "first" and not files):
            credential = builder.build(result, issued)
            problems = signing.check_schema(credential)
            if problems:
                raise ProficioError(
                    f"the record of student {result.student.id!r} does not validate against the "
                    f"official CLR 2.0 / OB 3.0 schemas: {'; '.join(problems[:3])}"
                )
            validated += 1
        data = text.encode("utf-8")
        write_bytes(path, data, private=True)
        files.append(path)
        count = len(shape["credentialSubject"]["verifiableCredential"])
        credentials += count
        size += len(data)
        entries[result.student.id] = {
            "student_id": result.student.id,
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "credentials": count,
        }
    return ClrExportSummary(files, len(files), credentials, validated, size), entries
