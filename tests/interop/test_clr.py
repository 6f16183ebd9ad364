"""CLR 2.0 export: validates against the official schemas, carries the scored values, signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import proficio
from proficio.cli import main
from proficio.errors import ProficioError
from proficio.evidence.records import Student
from proficio.interop import case, signing, validation
from proficio.interop.clr import ClrBuilder, export_clrs
from proficio.transcripts.filenames import safe_stem

from .fabricate import fabricate

ROOT = Path(__file__).parents[2]
ISSUED = datetime(2026, 6, 12, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def school():
    return proficio.load_school(ROOT / "content")


@pytest.fixture(scope="module")
def students(school):
    """Three students at different points: none scored, some levels done, mixed scores."""
    codes = [t.code for *_, t in school.iter_targets()]
    ahead = {
        c: Decimal(v) for c, v in zip(codes[:40], ["3", "3.5", "4", "3.25", "2.5"] * 8, strict=True)
    }
    done_first = {t.code: Decimal("3") for t in school.subjects[0].levels[0].targets}
    return [
        fabricate(school, Student("S-100", "Ana", "García"), {}),
        fabricate(school, Student("S-101", "Bảo", "Nguyễn"), done_first),
        fabricate(school, Student("S-102", "Chris", "O'Neil <script>"), ahead),
    ]


def nested(credential):
    return credential["credentialSubject"]["verifiableCredential"]


def test_every_record_validates_against_clr_and_ob_schemas(school, students) -> None:
    builder = ClrBuilder(school)
    for result in students:
        credential = builder.build(result, ISSUED)
        assert validation.errors(credential, validation.CLR_CREDENTIAL) == []
        for vc in nested(credential):
            assert validation.errors(vc, validation.OB_ACHIEVEMENT_CREDENTIAL) == []
        assert credential["@context"][1].startswith("https://purl.imsglobal.org/spec/clr/v2p0/")


def test_values_match_the_scored_result(school, students) -> None:
    builder = ClrBuilder(school)
    result = students[2]
    credential = builder.build(result, ISSUED)
    by_code = {
        vc["credentialSubject"]["achievement"].get("humanCode"): vc
        for vc in nested(credential)
        if vc["credentialSubject"]["achievement"]["achievementType"] == "Competency"
    }
    scored = [
        t for s in result.subjects for lv in s.levels for t in lv.targets if t.score is not None
    ]
    assert sorted(by_code) == sorted(t.code for t in scored)
    targets = {t.code: t for *_, t in school.iter_targets()}
    for t in scored:
        vc = by_code[t.code]
        achievement = vc["credentialSubject"]["achievement"]
        level_rd, score_rd = achievement["resultDescription"]
        results = {r["resultDescription"]: r for r in vc["credentialSubject"]["result"]}
        assert Decimal(results[score_rd["id"]]["value"]) == t.score
        assert isinstance(results[score_rd["id"]]["value"], str)
        # achievedLevel is the scale level the score reaches, defined in the same credential
        levels = {lv["id"]: lv for lv in level_rd["rubricCriterionLevel"]}
        reached = levels[results[level_rd["id"]]["achievedLevel"]]
        scale = school.scale_of(targets[t.code])
        point = scale.label_for(t.score)
        assert Decimal(reached["points"]) == point.value
        assert reached["name"] == school.text(point.label, "en")
        assert len(levels) == len(scale.points)  # one rubric level per score point
        assert levels[level_rd["requiredLevel"]]["points"] == format(
            scale.threshold.normalize(), "f"
        )
        # CASE alignment: the same identifier export-case writes for the target
        alignment = achievement["alignment"][0]
        assert alignment["targetType"] == "CFItem"
        assert alignment["targetCode"] == t.code
        assert alignment["targetUrl"].endswith(case.target_uuid(school, targets[t.code]))
    # level completions are results with a status
    done = students[1]
    statuses = [
        vc["credentialSubject"]["result"][0]["status"]
        for vc in nested(builder.build(done, ISSUED))
        if vc["credentialSubject"]["achievement"]["achievementType"] == "ext:Level"
    ]
    assert statuses.count("Completed") == 1
    assert statuses.count("InProgress") == len(school.subjects)  # the current level of each


def test_hierarchy_is_linked_by_isChildOf(school, students) -> None:
    credential = ClrBuilder(school).build(students[2], ISSUED)
    subject = credential["credentialSubject"]
    known = {a["id"] for a in subject["achievement"]} | {
        vc["credentialSubject"]["achievement"]["id"] for vc in subject["verifiableCredential"]
    }
    assert subject["association"]
    for assoc in subject["association"]:
        assert assoc["associationType"] == "isChildOf"
        assert assoc["sourceId"] in known and assoc["targetId"] in known


def test_student_without_scores_still_gets_a_valid_record(school, students) -> None:
    credential = ClrBuilder(school).build(students[0], ISSUED)
    kinds = [vc["credentialSubject"]["achievement"]["achievementType"] for vc in nested(credential)]
    assert "Competency" not in kinds
    assert kinds.count("ext:Subject") == len(school.subjects)
    assert signing.check_schema(credential) == []


def test_export_is_deterministic_and_safe_for_any_id(school, students, tmp_path: Path) -> None:
    summary = export_clrs(school, students, tmp_path / "a", issued=ISSUED, validate="all")
    assert summary.students == 3 and summary.validated == 3
    export_clrs(school, students, tmp_path / "b", issued=ISSUED)
    for a in sorted((tmp_path / "a").iterdir()):
        assert a.read_bytes() == (tmp_path / "b" / a.name).read_bytes()
    # Named as transcripts are (one rule): a path cannot escape, IDs differing in case are refused.
    assert safe_stem("../../etc/passwd") == "%2E.%2F..%2Fetc%2Fpasswd"
    assert safe_stem("S-100") == "S-100"
    twins = [students[0], fabricate(school, Student("s-100", "X", "Y"), {})]
    summary = export_clrs(school, twins, tmp_path / "c", issued=ISSUED)
    assert summary.students == 0 and [sid for sid, _ in summary.failed] == ["S-100", "s-100"]
    assert "filesystems that ignore case" in summary.failed[0][1]
    assert not (tmp_path / "c").exists()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    key = Ed25519PrivateKey.generate()
    (folder / "school.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "school.pub.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    other = Ed25519PrivateKey.generate().public_key()
    (folder / "other.pub.pem").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return folder


def test_signed_record_verifies_and_tampering_fails(school, students, keys, tmp_path: Path) -> None:
    key = signing.load_private_key(keys / "school.pem")
    export_clrs(school, students[2:], tmp_path, issued=ISSUED, key=key)
    token_file = tmp_path / "S-102.jwt"
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", str(token_file), "--key", str(keys / "school.pub.pem")])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.output.lower()

    token = token_file.read_text().strip()
    credential = signing.verify(token, signing.load_public_key(keys / "school.pub.pem"))
    assert credential == ClrBuilder(school).build(students[2], ISSUED)

    # change one score by one character inside the signed payload
    header, payload, signature = token.split(".")
    data = json.loads(signing._unb64(payload))
    vc = next(
        v
        for v in nested(data)
        if v["credentialSubject"]["achievement"]["achievementType"] == "Competency"
    )
    value = next(r for r in vc["credentialSubject"]["result"] if "value" in r)
    value["value"] = "4" if value["value"] != "4" else "3"
    forged = ".".join(
        [
            header,
            signing._b64(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()),
            signature,
        ]
    )
    bad = tmp_path / "forged.jwt"
    bad.write_text(forged)
    result = runner.invoke(main, ["verify", str(bad), "--key", str(keys / "school.pub.pem")])
    assert result.exit_code == 1
    assert "signature does not match" in result.output

    # a one-character change anywhere in the token fails too
    i = len(header) + 10
    flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(ProficioError):
        signing.verify(flipped, signing.load_public_key(keys / "school.pub.pem"))
    # and the wrong key is refused
    wrong = runner.invoke(main, ["verify", str(token_file), "--key", str(keys / "other.pub.pem")])
    assert wrong.exit_code == 1
    assert "different key" in wrong.output


def test_unsigned_json_verifies_schema_only(school, students, tmp_path: Path) -> None:
    export_clrs(school, students[:1], tmp_path, issued=ISSUED)
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "S-100.json")])
    assert result.exit_code == 0, result.output
    assert "not signed" in result.output
    assert "NOT AUTHENTICATED" in result.output


def test_fast_serialisation_equals_the_built_record(school, students) -> None:
    builder = ClrBuilder(school)
    for result in students:
        text, _ = builder.serialize(result, ISSUED)
        assert json.loads(text) == builder.build(result, ISSUED)
    # a student-supplied string shaped like the splice marker stays plain data
    sneaky = fabricate(
        school,
        Student("S-9", "@@proficio-0000:MA.L1.PV.1@@", builder._marker + "MA.L1.PV.1@@"),
        {},
    )
    text, _ = builder.serialize(sneaky, ISSUED)
    assert json.loads(text) == builder.build(sneaky, ISSUED)


def test_export_clr_for_every_example_student(school, keys, tmp_path: Path) -> None:
    """The whole pipeline on the example school: roster + evidence -> scored -> CLR files that
    validate, with the scored values in them."""
    from proficio.evidence import load
    from proficio.scoring import score_students

    roster = ROOT / "examples" / "riverbend" / "roster.csv"
    evidence = ROOT / "examples" / "riverbend" / "evidence.csv"
    out = tmp_path / "clr"
    args = ["export-clr", "--content", str(ROOT / "content"), "--roster", str(roster)]
    args += ["--evidence", str(evidence), "--issued", "2026-06-12T15:00:00Z", "--validate", "none"]
    issues = tmp_path / "reports" / "evidence-issues.csv"
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--issues", str(issues)])
    assert result.exit_code == 0, result.output
    imported = load(roster, evidence, school)
    scored = {r.student.id: r for r in score_students(school, imported.students, imported.evidence)}
    files = sorted(out.glob("*.json"))
    assert [f.stem for f in files] == sorted(safe_stem(i) for i in scored)
    assert (tmp_path / "reports" / "evidence-issues.csv").is_file()
    for f in files:
        credential = json.loads(f.read_text())
        assert signing.check_schema(credential) == []
        values = {}
        for vc in nested(credential):
            achievement = vc["credentialSubject"]["achievement"]
            if achievement["achievementType"] == "Competency":
                score_rd = achievement["resultDescription"][1]["id"]
                [value] = [
                    r["value"]
                    for r in vc["credentialSubject"]["result"]
                    if r["resultDescription"] == score_rd
                ]
                values[achievement["humanCode"]] = Decimal(value)
        student = credential["credentialSubject"]["identifier"][0]["identityHash"]
        expected = {
            t.code: t.score
            for s in scored[student].subjects
            for lv in s.levels
            for t in lv.targets
            if t.score is not None
        }
        assert values == expected
    # signed through the command line, verified through the command line
    signed = tmp_path / "signed"
    result = CliRunner().invoke(
        main, [*args, "--out", str(signed), "--sign-key", str(keys / "school.pem")]
    )
    assert result.exit_code == 0, result.output
    first = sorted(signed.glob("*.jwt"))[0]
    ok = CliRunner().invoke(main, ["verify", str(first), "--key", str(keys / "school.pub.pem")])
    assert ok.exit_code == 0, ok.output
