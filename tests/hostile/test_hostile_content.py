"""Hostile content: every number, YAML hazard and odd file ends in one FILE:LINE:COLUMN message
with a fix and exit status 1, never a traceback, a hang or memory growing without end.

Each case edits a copy of the mini school and runs ``python -m proficio validate`` in a child
process with a memory limit and a timeout (a guard only: the cases that used to hang or crash
the interpreter must not take the test run with them). A few run ``proficio build`` and plain
``mkdocs build`` too, which load the content through the same loader.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import proficio.content.loader
from proficio import load
from proficio.content.parameters import CALCULATION_PARAMS, COMPLETION_PARAMS
from proficio.content.schemas import schemas_dir

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mini-school"
SRC = Path(proficio.content.loader.__file__).resolve().parents[2]
L1 = "subjects/math/level-1.yaml"
L2 = "subjects/math/level-2.yaml"
SCALE = "scales/four.yaml"
SUBJECT = "subjects/math/subject.yaml"
MEMORY_LIMIT = 2 * 1024**3
"""Address space of a child run: the loader used to allocate without end on a large level."""
TIMEOUT = 300
"""Seconds before a child run counts as hung (a guard, not a speed test)."""

Setup = Callable[[Path], None]


def edit(rel: str, old: str, new: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return setup


def write(rel: str, data: bytes) -> Setup:
    def setup(root: Path) -> None:
        (root / rel).write_bytes(data)

    return setup


def raw_edit(rel: str, old: bytes, new: bytes) -> Setup:
    def setup(root: Path) -> None:
        path = root / rel
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, 1))

    return setup


def replace_with(rel: str, make: Callable[[Path], None]) -> Setup:
    def setup(root: Path) -> None:
        (root / rel).unlink()
        make(root / rel)

    return setup


def alias_bomb(root: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghij"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + 'abcdefghij'[i]] * 9)}]")
    (root / L2).write_text("\n".join(lines) + "\n", encoding="utf-8")


def alias_fan_out(root: Path) -> None:
    """18 aliases, under the alias limit, that double a 30,000-item list nine times."""
    lines = ["a: &a [" + ", ".join(["x"] * 30000) + "]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [*{prev}, *{prev}]")
    (root / L2).write_text("\n".join(lines) + "\n", encoding="utf-8")


def level_gap(root: Path) -> None:
    (root / L2).rename(root / "subjects/math/level-1000.yaml")
    edit("subjects/math/level-1000.yaml", "level: 2", "level: 1000")(root)


def link_outside(rel: str) -> Setup:
    def setup(root: Path) -> None:
        secret = root.parent / "secret.txt"
        secret.write_text("TOPSECRET hunter2: do not show\n", encoding="utf-8")
        (root / rel).unlink()
        (root / rel).symlink_to(secret)

    return setup


def subject_linked_outside(root: Path) -> None:
    (root / "subjects/math").rename(root.parent / "math")
    (root / "subjects/math").symlink_to(root.parent / "math")


def link_loop(root: Path) -> None:
    (root / L2).unlink()
    (root / L2).symlink_to("level-9.yaml")
    (root / "subjects/math/level-9.yaml").symlink_to("level-2.yaml")


def many_points(root: Path) -> None:
    points = "".join(f"  - {{value: {v}, label: P{v}}}\n" for v in range(101, -1, -1))
    (root / SCALE).write_text(
        f"id: four\ntitle: Many\nthreshold: 3\npoints:\n{points}", encoding="utf-8"
    )


def many_languages(root: Path) -> None:
    codes = ", ".join(f"q{a}{b}" for a in "abc" for b in "abcdefghijklmnopqr")
    edit("school.yaml", "languages: [en, es]", f"languages: [en, es, {codes}]")(root)


CALC = "scale: four\ncalculation: "
M = "content/subjects/math/"

# Each case: how to spoil the mini school, and the exact error lines `validate` prints.
CASES: dict[str, tuple[Setup, list[str]]] = {
    # -- numbers ----------------------------------------------------------------------------
    "level 10**20": (
        edit(L2, "level: 2", "level: 100000000000000000000"),
        [
            f"{M}level-2.yaml:1:8: 'level' is 100000000000000000000, above 1000. Use a whole "
            "number from 1 to 1000."
        ],
    ),
    "level 1001": (
        edit(L2, "level: 2", "level: 1001"),
        [f"{M}level-2.yaml:1:8: 'level' is 1001, above 1000. Use a whole number from 1 to 1000."],
    ),
    "level -1": (
        edit(L2, "level: 2", "level: -1"),
        [f"{M}level-2.yaml:1:8: 'level' is -1, below 1. Use a whole number from 1 to 1000."],
    ),
    "level 1.5": (
        edit(L2, "level: 2", "level: 1.5"),
        [f"{M}level-2.yaml:1:8: 'level' should be a whole number, not the number 1.5."],
    ),
    "level true": (
        edit(L2, "level: 2", "level: true"),
        [f"{M}level-2.yaml:1:8: 'level' should be a whole number, not true (yes/no)."],
    ),
    "level .inf": (
        edit(L2, "level: 2", "level: .inf"),
        [f"{M}level-2.yaml:1:8: 'level' should be a whole number, not the number inf."],
    ),
    "level 0x2 (YAML 1.1 hex is text)": (
        edit(L2, "level: 2", "level: 0x2"),
        [f"{M}level-2.yaml:1:8: 'level' should be a whole number, not the text '0x2'."],
    ),
    "level with 5000 digits": (
        edit(L2, "level: 2", "level: " + "9" * 5000),
        [
            f"{M}level-2.yaml:1:8: this number has more than 30 digits; no setting in a content "
            "file needs one that long. Fix the number (or put text in quotes)."
        ],
    ),
    "levels 1 and 1000": (
        level_gap,
        [
            f"{M}level-1000.yaml:1:8: level 2 of MA is missing (levels found: 1, 1000). Levels "
            "are numbered 1, 2, 3, ... without gaps: add level-2.yaml or renumber."
        ],
    ),
    "point .inf": (
        edit(SCALE, "  - value: 4\n", "  - value: .inf\n"),
        ["content/scales/four.yaml:5:12: 'value' is inf, above 1000. Use a number from 0 to 1000."],
    ),
    "point -.inf": (
        edit(SCALE, "  - value: 1\n", "  - value: -.inf\n"),
        ["content/scales/four.yaml:11:12: 'value' is -inf, below 0. Use a number from 0 to 1000."],
    ),
    "point .nan": (
        edit(SCALE, "  - value: 1\n", "  - value: .nan\n"),
        ["content/scales/four.yaml:11:12: 'value' should be a number, not the text '.nan'."],
    ),
    "point 10**20": (
        edit(SCALE, "  - value: 4\n", "  - value: 100000000000000000000\n"),
        [
            "content/scales/four.yaml:5:12: 'value' is 100000000000000000000, above 1000. Use a "
            "number from 0 to 1000."
        ],
    ),
    "point -5": (
        edit(SCALE, "  - value: 1\n", "  - value: -5\n"),
        ["content/scales/four.yaml:11:12: 'value' is -5, below 0. Use a number from 0 to 1000."],
    ),
    "point with 3 decimals": (
        edit(SCALE, "  - value: 1\n", "  - value: 0.125\n"),
        [
            "content/scales/four.yaml:11:12: score 0.125 has more than 2 decimal places; "
            "current scores are rounded to hundredths, so it could never be reached. Round it "
            "(e.g. to 0.12)."
        ],
    ),
    "point 1e-300": (
        edit(SCALE, "  - value: 1\n", "  - value: 1.0e-300\n"),
        [
            "content/scales/four.yaml:11:12: score 1e-300 has more than 2 decimal places; "
            "current scores are rounded to hundredths, so it could never be reached. Round it "
            "(e.g. to 0)."
        ],
    ),
    "threshold .inf": (
        edit(SCALE, "threshold: 3", "threshold: .inf"),
        [
            "content/scales/four.yaml:3:12: 'threshold' is inf, above 1000. Use a number from 0 "
            "to 1000."
        ],
    ),
    "allowed .inf": (
        edit(SCALE, "threshold: 3", "threshold: 3\nallowed: [4, 3, .inf]"),
        [
            "content/scales/four.yaml:4:17: 'allowed' is inf, above 1000. Use a number from 0 "
            "to 1000."
        ],
    ),
    "102 points": (
        many_points,
        [
            "content/scales/four.yaml:5:3: 'points' has 102 entries; at most 101 are allowed. "
            "Remove some."
        ],
    ),
    "weight 10**20": (
        edit(SUBJECT, "scale: four", CALC + "{method: decaying_average, weight: 10000000000}"),
        [
            f"{M}subject.yaml:4:49: 'weight' of calculation method 'decaying_average' is "
            "10000000000; allowed: 50-99."
        ],
    ),
    "weight yes/no": (
        edit(SUBJECT, "scale: four", CALC + "{method: weighted_average, weight: true}"),
        [f"{M}subject.yaml:4:49: 'weight' should be a whole number, not true (yes/no)."],
    ),
    "n .inf": (
        edit(SUBJECT, "scale: four", CALC + "{method: n_mastery, n: .inf}"),
        [f"{M}subject.yaml:4:37: 'n' should be a whole number, not the number inf."],
    ),
    "n 0": (
        edit(SUBJECT, "scale: four", CALC + "{method: n_mastery, n: 0}"),
        [f"{M}subject.yaml:4:37: 'n' of calculation method 'n_mastery' is 0; allowed: 1-10."],
    ),
    "percent 10**20": (
        edit(
            SUBJECT,
            "scale: four",
            "scale: four\ncompletion: {rule: percent, percent: 100000000000000000000}",
        ),
        [
            f"{M}subject.yaml:4:38: 'percent' of completion rule 'percent' is "
            "100000000000000000000; allowed: 1-100."
        ],
    ),
    "order 10**20": (
        edit(SUBJECT, "scale: four", "scale: four\norder: 100000000000000000000"),
        [
            f"{M}subject.yaml:4:8: 'order' is 100000000000000000000, above 9999. Use a whole "
            "number from -9999 to 9999."
        ],
    ),
    "order .inf": (
        edit(SUBJECT, "scale: four", "scale: four\norder: .inf"),
        [f"{M}subject.yaml:4:8: 'order' should be a whole number, not the number inf."],
    ),
    "rubric point with 500 digits": (
        edit(L1, "          2: {en: Adds with", "          " + "9" * 500 + ": {en: Adds with"),
        [
            f"{M}level-1.yaml:10:11: 'rubric' '9999999999999999999999999999999999999...' is not "
            "a score point such as 4, 3.5 or 3.0."
        ],
    ),
    "56 languages": (
        many_languages,
        [
            "content/school.yaml:4:12: 'languages' has 56 entries; at most 50 are allowed. Remove some."
        ],
    ),
    # -- YAML -------------------------------------------------------------------------------
    "NUL byte": (
        edit(SUBJECT, "scale: four", "scale: fo\x00ur"),
        [
            f"{M}subject.yaml:3:10: the file contains a NUL character (U+0000), which no text "
            "file holds. If the file was saved as UTF-16, save it as UTF-8 in your editor (in "
            "Notepad: 'Save as' > 'UTF-8'); otherwise delete the character."
        ],
    ),
    "UTF-16 without a byte-order mark": (
        lambda root: (root / L2).write_bytes("level: 2\n".encode("utf-16-le")),
        [
            f"{M}level-2.yaml:1:2: the file contains a NUL character (U+0000), which no text "
            "file holds. If the file was saved as UTF-16, save it as UTF-8 in your editor (in "
            "Notepad: 'Save as' > 'UTF-8'); otherwise delete the character."
        ],
    ),
    "C0 control character": (
        edit(SUBJECT, "scale: four", "scale: fo\x07ur"),
        [
            f"{M}subject.yaml:3:10: the file contains the invisible control character U+0007 "
            "(often pasted from a PDF or a word processor). Delete it; retype the text around it "
            "if you cannot see it."
        ],
    ),
    "C1 control character": (
        edit(SUBJECT, "es: Matemáticas}", "es: Matemá\x9bticas}"),
        [
            f"{M}subject.yaml:2:36: the file contains the invisible control character U+009B "
            "(often pasted from a PDF or a word processor). Delete it; retype the text around it "
            "if you cannot see it."
        ],
    ),
    "next-line character U+0085": (
        edit(SUBJECT, "scale: four", "scale: fo\x85ur"),
        [
            f"{M}subject.yaml:3:10: the file contains the invisible control character U+0085 "
            "(often pasted from a PDF or a word processor). Delete it; retype the text around it "
            "if you cannot see it."
        ],
    ),
    "U+FFFE": (
        edit(SUBJECT, "scale: four", "scale: fo\ufffeur"),
        [
            f"{M}subject.yaml:3:10: the file contains U+FFFE, which is not a character (a sign "
            "of text saved as UTF-16 and read back wrongly). Delete it."
        ],
    ),
    "U+FFFF": (
        edit(SUBJECT, "scale: four", "scale: fo\uffffur"),
        [
            f"{M}subject.yaml:3:10: the file contains U+FFFF, which is not a character (a sign "
            "of text saved as UTF-16 and read back wrongly). Delete it."
        ],
    ),
    "escaped NUL": (
        edit(SUBJECT, "{en: Mathematics,", '{en: "Math\\0ematics",'),
        [
            f"{M}subject.yaml:2:13: this text has a \\ escape that stands for a NUL character "
            "(U+0000), which no text file holds. Delete the escape."
        ],
    ),
    "escaped control character": (
        edit(SUBJECT, "{en: Mathematics,", '{en: "Math\\x07ematics",'),
        [
            f"{M}subject.yaml:2:13: this text has a \\ escape that stands for the invisible "
            "control character U+0007. Delete the escape."
        ],
    ),
    "escaped lone surrogate": (
        edit(SUBJECT, "{en: Mathematics,", '{en: "Math\\ud800ematics",'),
        [
            f"{M}subject.yaml:2:20: YAML syntax error: found invalid Unicode character escape "
            "code (while parsing a quoted scalar). In double quotes a \\ escape must stand for a "
            "character (such as \\u00e9 for é): fix it, or put the text in single quotes to keep "
            "the backslash as it is."
        ],
    ),
    "escaped NUL in an image path": (
        edit("school.yaml", "languages:", 'logo: "assets/a\\0.png"\nlanguages:'),
        [
            "content/school.yaml:4:7: this text has a \\ escape that stands for a NUL character "
            "(U+0000), which no text file holds. Delete the escape."
        ],
    ),
    "invalid UTF-8": (
        raw_edit(SUBJECT, b"scale: four", b"scale: four\n# \xc3\x28 bad"),
        [
            f"{M}subject.yaml:4:3: the file is not UTF-8 (byte 0xC3 cannot be read). Save it as "
            "UTF-8 in your editor (in Excel or Notepad: 'Save as' > 'UTF-8')."
        ],
    ),
    "UTF-16 with a byte-order mark": (
        lambda root: (root / SUBJECT).write_bytes(
            (root / SUBJECT).read_text(encoding="utf-8").encode("utf-16")
        ),
        [
            f"{M}subject.yaml:1:1: the file is saved as UTF-16, not UTF-8. Save it as UTF-8 in "
            "your editor (in Excel or Notepad: 'Save as' > 'UTF-8')."
        ],
    ),
    "recursive alias": (
        write(L2, b"a: &x [*x]\n"),
        [
            f"{M}level-2.yaml:1:8: the alias *x is used inside the value it names (&x), so that "
            "value would contain itself without end. Write the values out instead of the alias."
        ],
    ),
    "recursive alias in a map": (
        write(L2, b"level: 2\ntopics: &x [{code: A, title: A, targets: *x}]\n"),
        [
            f"{M}level-2.yaml:2:42: the alias *x is used inside the value it names (&x), so "
            "that value would contain itself without end. Write the values out instead of the "
            "alias."
        ],
    ),
    "recursive merge key": (
        write(L2, b"a: &x {<<: *x}\n"),
        [
            f"{M}level-2.yaml:1:12: the alias *x is used inside the value it names (&x), so "
            "that value would contain itself without end. Write the values out instead of the "
            "alias."
        ],
    ),
    "billion laughs": (
        alias_bomb,
        [
            f"{M}level-2.yaml:4:16: more than 20 YAML aliases (*name). Content files should not "
            "need them; write the values out instead."
        ],
    ),
    "aliases under the limit that fan out": (
        alias_fan_out,
        [
            f"{M}level-2.yaml:1:59972: the file expands to more than 200,000 values (YAML "
            "aliases repeating other aliases?). Write the content out without aliases."
        ],
    ),
    "100,000 nested brackets": (
        write(L2, b"level: 2\ntopics: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        [
            f"{M}level-2.yaml:2:58: values are nested more than 50 levels deep here (lists "
            "inside lists, or brackets [ { opened and never closed?). Close the brackets or "
            "flatten the content."
        ],
    ),
    "50,000 nested block lists": (
        write(L2, b"level: 2\ntopics:\n" + b"- " * 50_000 + b"x\n"),
        [
            f"{M}level-2.yaml:3:99: values are nested more than 50 levels deep here (lists "
            "inside lists, or brackets [ { opened and never closed?). Close the brackets or "
            "flatten the content."
        ],
    ),
    "60 nested maps": (
        write(L2, b"level: 2\ntopics: " + b"{a: " * 60 + b"b" + b"}" * 60 + b"\n"),
        [
            f"{M}level-2.yaml:2:205: values are nested more than 50 levels deep here (lists "
            "inside lists, or brackets [ { opened and never closed?). Close the brackets or "
            "flatten the content."
        ],
    ),
    "duplicate key": (
        edit(SUBJECT, "scale: four", "scale: four\nscale: four"),
        [
            f"{M}subject.yaml:4:1: duplicate key 'scale' (first given on line 3). YAML would "
            "silently keep only the last one: remove or rename one of them."
        ],
    ),
    "tab indentation": (
        edit(SUBJECT, "scale: four", "scale:\n\tfour"),
        [
            f"{M}subject.yaml:4:1: YAML syntax error: found character that cannot start any "
            "token (while scanning for the next token). YAML indentation must use spaces, not "
            "tabs: replace the tab with spaces."
        ],
    ),
    "3 MiB file": (
        write(L2, b"#" * (3 * 1024 * 1024)),
        [
            f"{M}level-2.yaml: file is 3,145,728 bytes, over the 2,097,152-byte limit for one "
            "content file. Split it (one file per level)."
        ],
    ),
    # -- files ------------------------------------------------------------------------------
    "subject folder without subject.yaml": (
        lambda root: (root / SUBJECT).unlink(),
        [
            f"{M}subject.yaml: the subject file is missing: each folder in subjects/ is one "
            "subject. Create subject.yaml in it (code, title, scale), or remove the folder (see "
            "`proficio new` for a template)."
        ],
    ),
    "dangling symbolic link": (
        replace_with(L2, lambda p: p.symlink_to("nowhere.yaml")),
        [
            f"{M}level-2.yaml: this is a symbolic link to 'nowhere.yaml', which leads to no "
            "file. Point the link at the file, or replace the link with the file itself."
        ],
    ),
    "loop of symbolic links": (
        link_loop,
        [
            f"{M}level-2.yaml: this is a symbolic link to 'level-9.yaml', which leads to no "
            "file. Point the link at the file, or replace the link with the file itself.",
            f"{M}level-9.yaml: this is a symbolic link to 'level-2.yaml', which leads to no "
            "file. Point the link at the file, or replace the link with the file itself.",
        ],
    ),
    "level file linked out of the content folder": (
        link_outside(L2),
        [
            f"{M}level-2.yaml: this is a symbolic link to a file outside the content folder "
            "(content), where links may not lead. Copy the file into the folder instead of "
            "linking to it."
        ],
    ),
    "school.yaml linked out of the content folder": (
        link_outside("school.yaml"),
        [
            "content/school.yaml: this is a symbolic link to a file outside the content folder "
            "(content), where links may not lead. Copy the file into the folder instead of "
            "linking to it."
        ],
    ),
    "subject folder linked out of the content folder": (
        subject_linked_outside,
        [
            f"{M}level-1.yaml: this file is in a folder that is a symbolic link to a place outside "
            "the content folder (content), where links may not lead. Copy the folder into the "
            "content folder instead of linking to it.",
            f"{M}level-2.yaml: this file is in a folder that is a symbolic link to a place outside "
            "the content folder (content), where links may not lead. Copy the folder into the "
            "content folder instead of linking to it.",
            f"{M}subject.yaml: this file is in a folder that is a symbolic link to a place outside "
            "the content folder (content), where links may not lead. Copy the folder into the "
            "content folder instead of linking to it.",
        ],
    ),
    "folder named level-2.yaml": (
        replace_with(L2, Path.mkdir),
        [
            f"{M}level-2.yaml: this is a folder, but a YAML file is expected under this name. "
            "Rename or remove the folder."
        ],
    ),
    "folder named school.yaml": (
        replace_with("school.yaml", Path.mkdir),
        [
            "content/school.yaml: this is a folder, but a YAML file is expected under this "
            "name. Rename or remove the folder."
        ],
    ),
    "named pipe level-2.yaml": (
        replace_with(L2, os.mkfifo),
        [
            f"{M}level-2.yaml: this is not a regular file (a named pipe, socket or device). "
            "Replace it with a YAML file."
        ],
    ),
}


def limited() -> None:
    """Run in the child before it starts: cap its memory so a runaway allocation fails fast."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        "SOURCE_DATE_EPOCH": "1782777600",
        "NO_MKDOCS_2_WARNING": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
        preexec_fn=limited,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the mini school in content/ and an mkdocs.yml for it."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Mini\ndocs_dir: docs\nsite_dir: build/site\ntheme: {name: material}\n"
        "plugins:\n  - proficio: {content: content}\n",
        encoding="utf-8",
    )
    return tmp_path


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("content/")]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_validate_names_the_place_and_the_fix(project: Path, case: str) -> None:
    setup, expected = CASES[case]
    setup(project / "content")
    done = run(project, "proficio", "validate", "content")
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, done.stdout
    assert error_lines(done.stdout) == expected
    summary = done.stdout.splitlines()[-1]
    assert re.search(rf": {len(expected)} errors, 0 warnings \(", summary), summary
    assert "TOPSECRET" not in done.stdout + done.stderr


# The cases that used to grow memory, crash the interpreter or echo a linked file, through the
# two other ways in: `proficio build` and plain `mkdocs build` (the plugin's loader).
BUILD_CASES = [
    "level 10**20",
    "point .inf",
    "NUL byte",
    "100,000 nested brackets",
    "level file linked out of the content folder",
    "named pipe level-2.yaml",
    "subject folder without subject.yaml",
]


@pytest.mark.parametrize("case", BUILD_CASES, ids=BUILD_CASES)
@pytest.mark.parametrize("command", ["proficio build", "mkdocs build"])
def test_build_and_mkdocs_stop_with_the_same_message(
    project: Path, case: str, command: str
) -> None:
    setup, expected = CASES[case]
    setup(project / "content")
    done = run(project, *command.split())
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == 1, output
    assert expected[0] in output
    assert "TOPSECRET" not in output
    assert not (project / "build" / "site").exists()


def test_scoring_refuses_an_infinite_point_before_it_scores(project: Path) -> None:
    """``.inf`` used to pass validation and then crash every scoring run (OverflowError)."""
    CASES["point .inf"][0](project / "content")
    (project / "roster.csv").write_text(
        "student_id,given_name,family_name,language\nS1,Ana,Ruiz,es\n", encoding="utf-8"
    )
    (project / "evidence.csv").write_text(
        "student_id,target,score,date,assessment,type\nS1,MA.L1.WN.1,3,2026-01-10,Quiz,test\n",
        encoding="utf-8",
    )
    done = run(
        project,
        "proficio",
        "score",
        "--content",
        "content",
        "--roster",
        "roster.csv",
        "--evidence",
        "evidence.csv",
        "--out",
        "build",
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1
    assert CASES["point .inf"][1][0] in done.stdout + done.stderr
    assert not (project / "build" / "scores").exists()


# Accepted on purpose: each loads with no diagnostic at all.
ACCEPTED: dict[str, Setup] = {
    "byte-order mark": lambda root: (root / SUBJECT).write_bytes(
        b"\xef\xbb\xbf" + (root / SUBJECT).read_bytes()
    ),
    "CRLF line ends": lambda root: (root / SUBJECT).write_bytes(
        (root / SUBJECT).read_bytes().replace(b"\n", b"\r\n")
    ),
    "symbolic link inside the content folder": lambda root: (
        (root / "shared").mkdir(),
        (root / L2).rename(root / "shared" / "level-2.yaml"),
        (root / L2).symlink_to(Path("../../shared/level-2.yaml")),
    ),
    "escaped tab and line break": edit(SUBJECT, "{en: Mathematics,", '{en: "Math\\tema\\ntics",'),
}


@pytest.mark.parametrize("case", list(ACCEPTED), ids=list(ACCEPTED))
def test_accepted_variants(project: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ACCEPTED[case](project / "content")
    monkeypatch.chdir(project)
    result = load(Path("content"))
    assert result.diagnostics == []
    assert result.school is not None
    assert [lv.number for lv in result.school.subjects[0].levels] == [1, 2]


def test_a_linked_level_is_named_by_its_link(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the content folder a link is followed; messages name the link, the file the user
    sees in the subject folder."""
    ACCEPTED["symbolic link inside the content folder"](project / "content")
    edit("shared/level-2.yaml", "level: 2", "level: two")(project / "content")
    monkeypatch.chdir(project)
    assert [str(d) for d in load(Path("content")).errors] == [
        f"{M}level-2.yaml:1:8: 'level' should be a whole number, not the text 'two'."
    ]


WHOLE_NUMBERS = {
    "level: 2.0": (edit(L2, "level: 2", "level: 2.0"), lambda s: s.subjects[0].levels[1].number, 2),
    "order: 010 is ten, not octal eight": (
        edit(SUBJECT, "scale: four", "scale: four\norder: 010"),
        lambda s: s.subjects[0].order,
        10,
    ),
    "weight: 65.0": (
        edit(SUBJECT, "scale: four", CALC + "{method: weighted_average, weight: 65.0}"),
        lambda s: s.subjects[0].calculation.weight,
        65,
    ),
    "percent: 50.0": (
        edit(SUBJECT, "scale: four", "scale: four\ncompletion: {rule: percent, percent: 50.0}"),
        lambda s: s.subjects[0].completion.percent,
        50,
    ),
}


@pytest.mark.parametrize("case", list(WHOLE_NUMBERS), ids=list(WHOLE_NUMBERS))
def test_whole_numbers_reach_the_model_as_integers(
    project: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON Schema counts 2.0 as an integer, so the loader makes it one: a level page is
    level-2, never level-2.0."""
    setup, get, expected = WHOLE_NUMBERS[case]
    setup(project / "content")
    monkeypatch.chdir(project)
    result = load(Path("content"))
    assert result.errors == []
    assert result.school is not None
    value = get(result.school)
    assert value == expected and type(value) is int


def test_schema_ranges_are_the_widest_of_the_parameter_table() -> None:
    """Editors read the schema's ranges; the loader tells each method's own (parameters.py)."""
    common = json.loads((schemas_dir() / "common.schema.json").read_text(encoding="utf-8"))["$defs"]
    for section, table in (("calculation", CALCULATION_PARAMS), ("completion", COMPLETION_PARAMS)):
        props = common[section]["properties"]
        for name in {p.name for params in table.values() for p in params}:
            params = [p for ps in table.values() for p in ps if p.name == name]
            assert (props[name]["minimum"], props[name]["maximum"]) == (
                min(p.low for p in params),
                max(p.high for p in params),
            ), name
