"""The optional ``case:`` provenance field: accepted on every tier, read into the model, checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import proficio
from proficio.content.model import CaseRef

MINI = Path(__file__).parents[1] / "fixtures" / "mini-school"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def test_case_provenance_is_read_on_every_tier(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    subject = root / "subjects" / "math" / "subject.yaml"
    subject.write_text(subject.read_text() + "case: {identifier: d-1, uri: 'https://x.test/d-1'}\n")
    level = root / "subjects" / "math" / "level-2.yaml"
    level.write_text(
        "level: 2\ncase: {identifier: l-2}\ntopics:\n"
        "  - code: MA.L2.FR\n    title: Fractions\n    case: {identifier: t-1}\n    targets:\n"
        "      - code: MA.L2.FR.1\n        title: Compare\n        case: {identifier: g-1, uri: 'urn:x'}\n"
    )
    result = proficio.load(root)
    assert result.errors == []
    math = result.school.subjects[0]
    assert math.case == CaseRef("d-1", "https://x.test/d-1")
    assert math.levels[0].case is None
    level2 = math.levels[1]
    assert level2.case == CaseRef("l-2")
    assert level2.topics[0].case == CaseRef("t-1")
    assert level2.topics[0].targets[0].case == CaseRef("g-1", "urn:x")


def test_case_provenance_needs_an_identifier(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    subject = root / "subjects" / "math" / "subject.yaml"
    subject.write_text(subject.read_text() + "case: {uri: 'https://x.test/d-1'}\n")
    errors = proficio.load(root).errors
    assert [e.code for e in errors] == ["missing-field"]
    assert "identifier" in errors[0].message
