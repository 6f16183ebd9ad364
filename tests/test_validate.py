"""Validation points at the right file, line and column with a message that says what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio import load
from proficio.cli import main
from proficio.content.yamlfile import MAX_FILE_BYTES

FIXTURE = Path(__file__).parent / "fixtures" / "mini-school"
LEVEL1 = "subjects/math/level-1.yaml"


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(tmp_path)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(root: Path) -> list[str]:
    return [str(d) for d in load(root).errors]


def test_fixture_is_valid(school: Path) -> None:
    result = load(school)
    assert result.diagnostics == []
    assert result.school is not None
    assert [t.code for *_, t in result.school.iter_targets()] == [
        "MA.L1.WN.1",
        "MA.L1.WN.2",
        "MA.L2.FR.1",
    ]


# Each case: (file, old text, new text, exact expected error line).
CASES = {
    "duplicate key": (
        LEVEL1,
        "        title: {en: I can subtract",
        "        code: MA.L1.WN.9\n        title: {en: I can subtract",
        "content/subjects/math/level-1.yaml:13:9: duplicate key 'code' (first given on line 12). "
        "YAML would silently keep only the last one: remove or rename one of them.",
    ),
    "duplicate code across files": (
        "subjects/math/level-2.yaml",
        "code: MA.L2.FR.1",
        "code: MA.L1.WN.1",
        "content/subjects/math/level-2.yaml:7:15: code 'MA.L1.WN.1' of this learning target is "
        "already used by a learning target at content/subjects/math/level-1.yaml:7:15. Codes "
        "must be unique across the school: rename one.",
    ),
    "codes that differ only in punctuation": (
        "subjects/math/level-2.yaml",
        "code: MA.L2.FR.1",
        "code: ma-l1-wn-1",
        "content/subjects/math/level-2.yaml:7:15: code 'ma-l1-wn-1' of this learning target is "
        "already used by a learning target at content/subjects/math/level-1.yaml:7:15. Codes "
        "must be unique across the school: rename one.",
    ),
    "unknown scale": (
        "subjects/math/subject.yaml",
        "scale: four",
        "scale: fuor",
        "content/subjects/math/subject.yaml:3:8: unknown scale 'fuor' (scales defined in "
        "content/scales: four). Use one of them or add content/scales/fuor.yaml.",
    ),
    "rubric point not on scale": (
        LEVEL1,
        "          2: {en: Adds with",
        "          2.5: {en: Adds with",
        "content/subjects/math/level-1.yaml:11:11: rubric score 2.5 is not a point of scale "
        '"four" (its points: 1, 2, 3, 4). Use one of those points or change the scale.',
    ),
    "threshold not a point": (
        "scales/four.yaml",
        "threshold: 3",
        "threshold: 3.5",
        'content/scales/four.yaml:3:12: threshold 3.5 is not a point of scale "four" (its '
        "points: 1, 2, 3, 4). Use one of those points.",
    ),
    "points out of order": (
        "scales/four.yaml",
        "  - value: 2\n",
        "  - value: 5\n",
        "content/scales/four.yaml:9:12: score point 5 comes after 3: list the points from the "
        "highest to the lowest, each once.",
    ),
    "wrong type": (
        LEVEL1,
        "level: 1",
        "level: one",
        "content/subjects/math/level-1.yaml:1:8: 'level' should be a whole number, not the text "
        "'one'.",
    ),
    "text of the wrong type": (
        "subjects/math/subject.yaml",
        "title: {en: Mathematics, es: Matemáticas}",
        "title: 3",
        "content/subjects/math/subject.yaml:2:8: 'title' should be text, or a map of language "
        "code to text such as {en: ..., es: ...}, not the number 3.",
    ),
    "unknown field (typo)": (
        LEVEL1,
        "  - code: MA.L1.WN\n    title:",
        "  - code: MA.L1.WN\n    titel:",
        "content/subjects/math/level-1.yaml:5:5: unknown field 'titel' in 'topics'. Did you mean "
        "'title'?",
    ),
    "missing field": (
        "subjects/math/subject.yaml",
        "scale: four\n",
        "",
        "content/subjects/math/subject.yaml:1:1: missing required field 'scale'. Add it.",
    ),
    "language not offered": (
        "subjects/math/subject.yaml",
        "es: Matemáticas}",
        "es: Matemáticas, fr: Mathématiques}",
        "content/subjects/math/subject.yaml:2:43: language 'fr' is not offered by the school "
        "(languages in school.yaml: en, es). Add it there or remove this text.",
    ),
    "tab indentation": (
        "subjects/math/subject.yaml",
        "scale: four",
        "scale:\n\tfour",
        "content/subjects/math/subject.yaml:4:1: YAML syntax error: found character that cannot "
        "start any token (while scanning for the next token). YAML indentation must use "
        "spaces, not tabs: replace the tab with spaces.",
    ),
    "bad calculation parameter": (
        "subjects/math/subject.yaml",
        "scale: four",
        "scale: four\ncalculation: {method: decaying_average, weight: 120}",
        "content/subjects/math/subject.yaml:4:49: 'weight' of calculation method "
        "'decaying_average' is 120; allowed: 50-99.",
    ),
    "level gap": (
        "subjects/math/level-2.yaml",
        "level: 2",
        "level: 3",
        "content/subjects/math/level-2.yaml:1:8: this file is named level-2.yaml but says level: "
        "3. Make them agree (rename the file or fix the number).",
    ),
    "unquoted comma in flow map": (
        LEVEL1,
        "{en: Adds correctly., es:",
        "{en: Adds, correctly., es:",
        "content/subjects/math/level-1.yaml:10:25: 'correctly.' is empty. Give it a value (a text "
        "with a comma inside {...} must be put in quotes).",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_broken_input_points_at_the_line(school: Path, case: str) -> None:
    rel, old, new, expected = CASES[case]
    edit(school, rel, old, new)
    assert expected in errors(school)


def test_level_gap_names_the_missing_level(school: Path) -> None:
    (school / "subjects/math/level-2.yaml").rename(school / "subjects/math/level-3.yaml")
    edit(school, "subjects/math/level-3.yaml", "level: 2", "level: 3")
    assert errors(school) == [
        "content/subjects/math/level-3.yaml:1:8: level 2 of MA is missing (levels found: 1, 3). "
        "Levels are numbered 1, 2, 3, ... without gaps: add level-2.yaml or renumber."
    ]


def test_non_utf8_file(school: Path) -> None:
    path = school / "subjects/math/subject.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert errors(school) == [
        "content/subjects/math/subject.yaml:2:35: the file is not UTF-8 (byte 0xE1 cannot be "
        "read). Save it as UTF-8 in your editor (in Excel or Notepad: 'Save as' > 'UTF-8')."
    ]


def test_alias_bomb(school: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    (school / "subjects/math/level-2.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert errors(school) == [
        "content/subjects/math/level-2.yaml:4:16: more than 20 YAML aliases (*name). Content "
        "files should not need them; write the values out instead."
    ]


def test_unsafe_tag_is_refused(school: Path) -> None:
    edit(
        school, "subjects/math/subject.yaml", "scale: four", "scale: !!python/object:os.system four"
    )
    assert errors(school) == [
        "content/subjects/math/subject.yaml:3:8: YAML value not allowed: could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:python/object:os.system'. Content files hold "
        "plain text, numbers and lists only; remove the '!!' tag."
    ]


def test_empty_file(school: Path) -> None:
    (school / "subjects/math/level-2.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert errors(school) == [
        "content/subjects/math/level-2.yaml:1:1: the file is empty. Fill it in, or delete it."
    ]


def test_oversized_file(school: Path) -> None:
    path = school / "subjects/math/level-2.yaml"
    path.write_text(path.read_text() + "#" * MAX_FILE_BYTES, encoding="utf-8")
    (message,) = errors(school)
    assert message.startswith("content/subjects/math/level-2.yaml: file is ")
    assert "over the 2,097,152-byte limit" in message


def test_all_errors_reported_sorted(school: Path) -> None:
    edit(school, "subjects/math/subject.yaml", "scale: four", "scale: fuor")
    edit(school, LEVEL1, "level: 1", "level: one")
    edit(school, "scales/four.yaml", "threshold: 3", "threshold: 3.5")
    found = load(school).errors
    assert [(d.file, d.line) for d in found] == [
        ("content/scales/four.yaml", 3),
        ("content/subjects/math/level-1.yaml", 1),
        ("content/subjects/math/subject.yaml", 3),
    ]


def test_no_is_a_language_not_false(school: Path) -> None:
    edit(school, "school.yaml", "languages: [en, es]", "languages: [en, es, no]")
    result = load(school)
    assert result.errors == []
    assert result.school is not None and result.school.languages == ["en", "es", "no"]
    assert any("not translated to 'no'" in str(w) for w in result.warnings)


def test_missing_translation_is_a_warning_unless_strict(school: Path) -> None:
    edit(school, "subjects/math/subject.yaml", ", es: Matemáticas", "")
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "content"])
    assert ok.exit_code == 0, ok.output
    assert (
        "content/subjects/math/subject.yaml:2:8: warning: 1 text not translated to 'es' (the "
        "first is here); readers of 'es' see the 'en' text instead." in ok.output
    )
    strict = runner.invoke(main, ["validate", "content", "--strict"])
    assert strict.exit_code == 1


def test_cli_exit_status_and_json(school: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["validate", "content", "--format", "json"])
    assert good.exit_code == 0
    assert json.loads(good.output)["summary"]["targets"] == 3

    edit(school, "subjects/math/subject.yaml", "scale: four", "scale: fuor")
    edit(school, LEVEL1, "level: 1", "level: one")
    text = runner.invoke(main, ["validate", "content"])
    assert text.exit_code == 1
    data_run = runner.invoke(main, ["validate", "content", "--format", "json"])
    assert data_run.exit_code == 1
    data = json.loads(data_run.output)
    assert data["summary"]["ok"] is False
    shown = [f"{d['file']}:{d['line']}:{d['column']}: {d['message']}" for d in data["diagnostics"]]
    assert shown == [line for line in text.output.splitlines() if line.startswith("content/")]
    assert len(shown) == 2


def test_new_scaffolds_a_valid_school(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["new", str(tmp_path / "s")])
    assert out.exit_code == 0, out.output
    result = load(tmp_path / "s")
    assert result.diagnostics == []
    assert result.school is not None and result.school.languages == ["en", "es"]
    first = (tmp_path / "s/content/subjects/mathematics/level-1.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/level.schema.json"
    assert (tmp_path / "s/schemas/level.schema.json").is_file()
    again = runner.invoke(main, ["new", str(tmp_path / "s")])
    assert again.exit_code != 0 and "already exists" in again.output


def test_a_large_school_loads_the_same_in_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large schools load half their subjects in a forked process: the model and every
    diagnostic (with its file and line) must be what one process gives."""
    from proficio.content import loader
    from proficio.support.forking import can_fork

    root = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parents[1] / "content", root)
    monkeypatch.chdir(tmp_path)
    for subject in ("mathematics", "science", "welding", "english-language-arts"):
        edit(root, f"subjects/{subject}/level-2.yaml", "level: 2", "level: 3")
    monkeypatch.setattr(loader, "PARALLEL_MIN_BYTES", 10**12)
    serial = load(root)
    monkeypatch.setattr(loader, "PARALLEL_MIN_BYTES", 0)
    folders = [(p, [(p / "subject.yaml", "subject")]) for p in sorted(root.glob("subjects/*"))]
    mine, theirs = loader._share(folders)
    assert can_fork() and mine and theirs
    parallel = load(root)
    assert {d.file.split("/")[2] for d in serial.errors} == {
        p.name for p in root.glob("subjects/*")
    }
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.school == serial.school
    assert parallel.school.files == serial.school.files
