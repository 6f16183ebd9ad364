"""CASE import of fabricated packages, one per shape a real framework takes (issue #16): a tier
to drop that has children, orphans, repeated standards, nothing placeable by default, short
titles, bare level codes, and a second package sharing items with the first.

Every case runs the command twice: a dry run with ``--report`` (nothing written, the report file
has exactly one row per item read, each with its outcome and the code written) and, when the
package can be imported, the import itself (the content validates; no level is invented)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

import proficio
from proficio.cli import main
from proficio.interop import case

from .fabricate import CF, NO_PARENT, identifier, write_package

ENV = {"SOURCE_DATE_EPOCH": "1782777600"}

GRADES = [
    CF("g3", "Grade", "3", "3", short="3"),
    CF("oa", "Conceptual Category", "OA", "Operations and Algebraic Thinking", "g3"),
    CF("oa-a", "Cluster", "3.OA.A", "Represent and solve problems", "oa"),
    CF("s1", "Standard", "3.OA.A.1", "Interpret products of whole numbers", "oa-a"),
    CF("s2", "Standard", "3.OA.A.2", "Interpret whole-number quotients", "oa-a"),
    CF("g4", "Grade", "4", "Grade 4"),
    CF("nbt", "Conceptual Category", "NBT", "Number and Operations in Base Ten", "g4"),
    CF("nbt-a", "Cluster", "4.NBT.A", "Generalize place value understanding", "nbt"),
    CF("s3", "Standard", "4.NBT.A.1", "Recognize that a digit is ten times ...", "nbt-a"),
]
"""Two grades, each with a tier (Conceptual Category) no default maps, clusters and standards."""

PLACED_GRADES = {
    "g3": ("level", "3"),
    "oa-a": ("topic", "3.OA.A"),
    "s1": ("target", "3.OA.A.1"),
    "s2": ("target", "3.OA.A.2"),
    "g4": ("level", "4"),
    "nbt-a": ("topic", "4.NBT.A"),
    "s3": ("target", "4.NBT.A.1"),
}
NOT_PLACED = ("not placed", "")
CC_LEFT_OUT = {"oa": NOT_PLACED, "nbt": NOT_PLACED}

ORPHAN_GRADE = [
    CF("g5", "Grade", "5", "Grade 5", NO_PARENT),
    CF("c5", "Cluster", "5.NF.A", "Use equivalent fractions", "g5"),
    CF("s5", "Standard", "5.NF.A.1", "Add and subtract fractions", "c5"),
    CF("o1", "Standard", "3.OA.A.9", "Identify arithmetic patterns", NO_PARENT),
]
"""A grade whose isChildOf to the document is missing, and a stray standard."""

DOMAINS = [
    CF("g5", "Grade", "5", "Grade 5"),
    CF("d", "Domain", "5.NF", "Number and Operations - Fractions", "g5"),
    CF("c1", "Cluster", "5.NF.A", "Use equivalent fractions", "d"),
    CF("f1", "Standard", "5.NF.A.1", "Add and subtract fractions", "c1"),
    CF("c2", "Cluster", "5.NF.B", "Apply multiplication to fractions", "d"),
    CF("f2", "Standard", "5.NF.B.3", "Interpret a fraction as division", "c2"),
]
"""Two topic tiers in a row (Domain > Cluster): only the inner one can hold the targets."""

REPEATS = [
    CF("g3", "Grade", "3", "Grade 3"),
    CF("ta", "Target", "M.G3.TA", "Problem solving A", "g3"),
    CF("tb", "Target", "M.G3.TB", "Problem solving B", "g3"),
    CF("r1", "Standard", "3.OA.A.3", "Use multiplication and division within 100", "ta"),
    CF("r2", "Standard", "3.OA.A.3", "Use multiplication and division within 100", "tb"),
]
"""The same standard listed under two targets as two CFItems (same code, same statement)."""

NOTHING = [
    CF("tm", "Task Model", None, "Task Model 1"),
    CF("e1", "Example", None, "Example 1", "tm"),
    CF("e2", "Example", None, "Example 2", "tm"),
    CF("st", "Stem", None, "Appropriate stems", "tm"),
]
"""An item specification: no type a default maps, so nothing is placed without --map-types."""


@dataclass
class Shape:
    items: list[CF]
    args: tuple[str, ...] = ()
    code: int = 0
    counts: str = ""
    """The final line's counts, exactly."""
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Every item's outcome and the code written (the report's columns)."""
    words: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


SHAPES: dict[str, Shape] = {
    "a tier no default maps, with children (the hint offers flatten, says what skip loses)": Shape(
        GRADES,
        counts="9 items read, 7 placed (2 levels, 2 topics, 3 targets), 2 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT},
        words=(
            'not placed: Conceptual Category OA "Operations and Algebraic Thinking" '
            "[urn:fab:oa]: CFItemType 'Conceptual Category' has no Proficio tier: the item is "
            "left out; the 3 items under it are still placed by their own types (3 of them "
            "placed). Map it with --map-types 'Conceptual Category=flatten' to leave it out "
            "knowingly (the same result), 'Conceptual Category=target' (or level/topic) to keep "
            "it, or 'Conceptual Category=skip' to leave out the 2 items of this type together "
            "with the 5 items under them (5 of them placed now).",
            "Conceptual Category 2: 2 not placed [role: no tier]",
        ),
        absent=("added: the framework has no level",),
    ),
    "a leaf of a type whose other items have children: skip's loss still named": Shape(
        [*GRADES, CF("cc", "Conceptual Category", "MD", "Measurement and Data", "g4")],
        counts="10 items read, 7 placed (2 levels, 2 topics, 3 targets), 3 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT, "cc": NOT_PLACED},
        words=(
            'not placed: Conceptual Category MD "Measurement and Data" [urn:fab:cc]: CFItemType '
            "'Conceptual Category' has no Proficio tier. Map it with --map-types 'Conceptual "
            "Category=target' (or level/topic/rubric), or 'Conceptual Category=flatten' to leave "
            "it out knowingly ('Conceptual Category=skip' would also leave out the 5 items under "
            "the other items of this type, 5 of them placed now).",
        ),
    ),
    "flatten: the tier is dropped, its children kept": Shape(
        GRADES,
        ("--map-types", "Conceptual Category=flatten"),
        counts="9 items read, 7 placed (2 levels, 2 topics, 3 targets), 2 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT},
        words=(
            'not placed: Conceptual Category NBT "Number and Operations in Base Ten" [urn:fab:nbt]: '
            "mapped to flatten (--map-types): its own tier is left out, and the 2 items under it "
            'are placed as if they hung from Grade 4 "Grade 4" [urn:fab:g4].',
            "Conceptual Category 2: 2 not placed [role: flatten (--map-types)]",
        ),
        absent=("has no Proficio tier",),
    ),
    "skip, as the old hint advised: everything under it goes, and the error says so": Shape(
        GRADES,
        ("--map-types", "Conceptual Category=skip"),
        code=1,
        outcomes={
            k: NOT_PLACED for k in ("g3", "oa", "oa-a", "s1", "s2", "g4", "nbt", "nbt-a", "s3")
        },
        words=(
            "(nothing placed: no learning target found; see the item types below)",
            "its CFItemType is mapped to skip (--map-types), with the 3 items under it "
            "('Conceptual Category=flatten' would leave out only this tier and keep them).",
            "Error: no learning targets found in shape.json: none of its 9 items could be placed "
            "as a learning target. Its item types: Standard 3, Cluster 2, Conceptual Category 2, "
            "Grade 2.",
            "The skip mapping of Conceptual Category left out the 5 items under them: map "
            "'Conceptual Category=flatten' instead to keep them.",
        ),
    ),
    "two topic tiers in a row: the outer one is reported with the flatten hint": Shape(
        DOMAINS,
        counts="6 items read, 5 placed (1 levels, 2 topics, 2 targets), 1 not placed",
        outcomes={
            "g5": ("level", "5"),
            "d": NOT_PLACED,
            "c1": ("topic", "5.NF.A"),
            "f1": ("target", "5.NF.A.1"),
            "c2": ("topic", "5.NF.B"),
            "f2": ("target", "5.NF.B.3"),
        },
        words=(
            "no learning targets under it (a measurement topic needs at least one learning "
            "target); the 4 items placed under it are kept. Map 'Domain=flatten' to leave this "
            "tier out knowingly.",
        ),
    ),
    "two topic tiers in a row, the outer one flattened": Shape(
        DOMAINS,
        ("--map-types", "Domain=flatten"),
        counts="6 items read, 5 placed (1 levels, 2 topics, 2 targets), 1 not placed",
        outcomes={
            "g5": ("level", "5"),
            "d": NOT_PLACED,
            "c1": ("topic", "5.NF.A"),
            "f1": ("target", "5.NF.A.1"),
            "c2": ("topic", "5.NF.B"),
            "f2": ("target", "5.NF.B.3"),
        },
        words=("mapped to flatten (--map-types): its own tier is left out, and the 4 items",),
    ),
    "an orphan (no isChildOf) is reported, never put in an invented level": Shape(
        [*GRADES, CF("o1", "Standard", "3.OA.A.9", "Identify arithmetic patterns", NO_PARENT)],
        ("--map-types", "Conceptual Category=flatten"),
        counts="10 items read, 7 placed (2 levels, 2 topics, 3 targets), 3 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT, "o1": NOT_PLACED},
        words=(
            'not placed: Standard 3.OA.A.9 "Identify arithmetic patterns" [urn:fab:o1]: it has '
            "no isChildOf association, so it is outside the framework's tree; Proficio does not "
            "invent a level for it. Place it with --orphans by-code (under the item whose code "
            "begins its own) or --orphans under:CODE, or fix the package's isChildOf "
            "associations.",
            "note: 1 item outside the framework's tree (no isChildOf to an item of the "
            "package): 1 reported with the items under them.",
        ),
        absent=("level 3", "added: the framework has no level"),
    ),
    "orphans placed by their codes (--orphans by-code)": Shape(
        [
            *GRADES,
            CF("o1", "Standard", "3.OA.A.9", "Identify arithmetic patterns", NO_PARENT),
            CF("o2", "Standard", "3.OA.A.9a", "Explain the patterns", NO_PARENT),
            CF("o3", "Standard", "7.EE.1", "No item's code begins this one", NO_PARENT),
        ],
        ("--map-types", "Conceptual Category=flatten", "--orphans", "by-code"),
        counts="12 items read, 9 placed (2 levels, 2 topics, 5 targets), 3 not placed",
        outcomes={
            **PLACED_GRADES,
            **CC_LEFT_OUT,
            "o1": ("target", "3.OA.A.9"),
            "o2": ("target", "3.OA.A.9a"),
            "o3": NOT_PLACED,
        },
        words=(
            "3 items outside the framework's tree (no isChildOf to an item of the package): 2 "
            "hung by --orphans by-code (3.OA.A.9 under 3.OA.A, 3.OA.A.9a under 3.OA.A.9); 1 "
            "reported with the items under them.",
            "it has no isChildOf association, so no item's code begins its code;",
            "      target 3.OA.A.9a",
        ),
    ),
    "a grade without its link to the document: reported with the hint --orphans top": Shape(
        [*GRADES, *ORPHAN_GRADE],
        ("--map-types", "Conceptual Category=flatten"),
        counts="13 items read, 7 placed (2 levels, 2 topics, 3 targets), 6 not placed",
        outcomes={
            **PLACED_GRADES,
            **CC_LEFT_OUT,
            **dict.fromkeys(("g5", "c5", "s5", "o1"), NOT_PLACED),
        },
        words=(
            "Place it with --orphans top (it has 2 items under it: perhaps a top item whose "
            "link to the CFDocument is missing), --orphans by-code",
            'it sits under Grade 5 "Grade 5" [urn:fab:g5], which is outside the framework\'s tree',
        ),
    ),
    "--orphans top: the grade is a level of the framework, the stray standard still reported": Shape(
        [*GRADES, *ORPHAN_GRADE],
        ("--map-types", "Conceptual Category=flatten", "--orphans", "top"),
        counts="13 items read, 10 placed (3 levels, 3 topics, 4 targets), 3 not placed",
        outcomes={
            **PLACED_GRADES,
            **CC_LEFT_OUT,
            "g5": ("level", "5"),
            "c5": ("topic", "5.NF.A"),
            "s5": ("target", "5.NF.A.1"),
            "o1": NOT_PLACED,
        },
        words=(
            'level 3 "Grade 5"',
            "it is not under any of the framework's levels (Grade 3, Grade 4, Grade 5), and "
            "Proficio does not add a level of its own after them",
        ),
        absent=("level 4", "added: the framework has no level"),
    ),
    "orphans placed under a named item (--orphans under:CODE)": Shape(
        [*GRADES, CF("o1", "Standard", "X.1", "An unfiled standard", NO_PARENT)],
        ("--map-types", "Conceptual Category=flatten", "--orphans", "under:4.NBT.A"),
        counts="10 items read, 8 placed (2 levels, 2 topics, 4 targets), 2 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT, "o1": ("target", "X.1")},
        words=("1 hung by --orphans under:4.NBT.A (X.1 under 4.NBT.A)",),
    ),
    "an orphan whose parent is in another document": Shape(
        [*GRADES, CF("o1", "Standard", "3.OA.A.8", "Solve two-step problems", "elsewhere")],
        ("--map-types", "Conceptual Category=flatten"),
        counts="10 items read, 7 placed (2 levels, 2 topics, 3 targets), 3 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT, "o1": NOT_PLACED},
        words=(
            "its isChildOf parent urn:fab:elsewhere is neither the CFDocument nor a CFItem of "
            "this package, so it is outside the framework's tree;",
        ),
    ),
    "a standard at the top of a graded framework: reported, no level after the real ones": Shape(
        [*GRADES, CF("top", "Standard", "S.1", "A standard outside every grade")],
        ("--map-types", "Conceptual Category=flatten"),
        counts="10 items read, 7 placed (2 levels, 2 topics, 3 targets), 3 not placed",
        outcomes={**PLACED_GRADES, **CC_LEFT_OUT, "top": NOT_PLACED},
        words=(
            "it is not under any of the framework's levels (Grade 3, Grade 4), and Proficio "
            "does not add a level of its own after them",
        ),
        absent=("level 3", "added: the framework has no level"),
    ),
    "a repeated standard is placed once, its code kept": Shape(
        REPEATS,
        ("--map-types", "Target=topic"),
        counts="5 items read, 3 placed (1 levels, 1 topics, 1 targets), 2 not placed",
        outcomes={
            "g3": ("level", "3"),
            "ta": ("topic", "M.G3.TA"),
            "tb": NOT_PLACED,
            "r1": ("target", "3.OA.A.3"),
            "r2": NOT_PLACED,
        },
        words=(
            'the same standard as Standard 3.OA.A.3 "Use multiplication and division within '
            '100" [urn:fab:r1] (same code and statement), which is placed under M.G3.TA: '
            "placed once. --repeats each places it under every parent",
            "1 standard is listed again under another parent",
            "no learning targets under it (a measurement topic needs at least one learning "
            "target): the 1 standard under it repeats a standard placed elsewhere (--repeats "
            "each places them here too).",
        ),
        absent=("renamed",),
    ),
    "a repeated standard under each parent (--repeats each), readably renamed": Shape(
        REPEATS,
        ("--map-types", "Target=topic", "--repeats", "each"),
        counts="5 items read, 5 placed (1 levels, 2 topics, 2 targets), 0 not placed; 1 code "
        "renamed (3.OA.A.3 -> M.G3.TB.3.OA.A.3)",
        outcomes={
            "g3": ("level", "3"),
            "ta": ("topic", "M.G3.TA"),
            "tb": ("topic", "M.G3.TB"),
            "r1": ("target", "3.OA.A.3"),
            "r2": ("target", "M.G3.TB.3.OA.A.3"),
        },
    ),
    "the same code with another statement: renamed readably, never a hash": Shape(
        [
            *REPEATS[:4],
            CF("r2", "Standard", "3.OA.A.3", "A different standard with the same code", "tb"),
        ],
        ("--map-types", "Target=topic"),
        counts="5 items read, 5 placed (1 levels, 2 topics, 2 targets), 0 not placed; 1 code "
        "renamed (3.OA.A.3 -> M.G3.TB.3.OA.A.3)",
        outcomes={
            "g3": ("level", "3"),
            "ta": ("topic", "M.G3.TA"),
            "tb": ("topic", "M.G3.TB"),
            "r1": ("target", "3.OA.A.3"),
            "r2": ("target", "M.G3.TB.3.OA.A.3"),
        },
        words=(
            'renamed: 3.OA.A.3 -> M.G3.TB.3.OA.A.3 (Standard 3.OA.A.3 "A different standard '
            'with the same code" [urn:fab:r2]): 3.OA.A.3 is already the code of learning target '
            "3.OA.A.3 (Standard [urn:fab:r1] of this package)",
        ),
    ),
    "one item under two parents: placed once, the other parent named": Shape(
        [*REPEATS[:4], CF("m", "Standard", "3.MD.1", "Tell and write time", ("ta", "tb"))],
        ("--map-types", "Target=topic"),
        counts="5 items read, 4 placed (1 levels, 1 topics, 2 targets), 1 not placed",
        outcomes={
            "g3": ("level", "3"),
            "ta": ("topic", "M.G3.TA"),
            "tb": NOT_PLACED,
            "r1": ("target", "3.OA.A.3"),
            "m": ("target", "3.MD.1"),
        },
        words=(
            "note: 1 item is the child of more than one parent: each is placed once, under its "
            "first parent: 3.MD.1 (also under M.G3.TB)",
        ),
    ),
    "nothing placeable by default: the tree, the package's own types, the report": Shape(
        NOTHING,
        code=1,
        outcomes={k: NOT_PLACED for k in ("tm", "e1", "e2", "st")},
        words=(
            'subject SH "Fabricated framework" -> fabricated-framework/',
            "(nothing placed: no learning target found; see the item types below)",
            "item types in the package (items: what became of them):",
            "Example 2: 2 not placed [role: no tier]",
            "Task Model 1: 1 not placed [role: no tier]",
            "Error: no learning targets found in shape.json: none of its 4 items could be "
            "placed as a learning target. Its item types: Example 2, Stem 1, Task Model 1. Say "
            "which type holds the learning targets with --map-types, e.g. 'Example=target'. The "
            "tree, the types and every item's reason are above.",
        ),
        absent=("Standard=target", "Traceback"),
    ),
    "the package's own type mapped as its hint says": Shape(
        NOTHING,
        ("--map-types", "Task Model=topic,Example=target,Stem=skip"),
        counts="4 items read, 3 placed (1 levels, 1 topics, 2 targets), 1 not placed",
        outcomes={
            "tm": ("topic", ""),
            "e1": ("target", ""),
            "e2": ("target", ""),
            "st": NOT_PLACED,
        },
        words=('level 1 "Level 1"  (added: the framework has no level here)',),
    ),
    "bare level codes get readable titles": Shape(
        [
            CF("k", "Grade", "K", "K"),
            CF("sk", "Standard", "K.CC.1", "Count to 100 by ones and by tens", "k"),
            CF("g1", "Grade Level", "1", "Students in grade 1 extend counting", short="1"),
            CF("s1", "Standard", "1.OA.1", "Use addition and subtraction within 20", "g1"),
            CF("hs", "Grade", "HS", "HS"),
            CF("sh", "Standard", "A-SSE.1", "Interpret expressions", "hs"),
        ],
        counts="6 items read, 6 placed (3 levels, 3 topics, 3 targets), 0 not placed",
        outcomes={
            "k": ("level", "K"),
            "sk": ("target", "K.CC.1"),
            "g1": ("level", "1"),
            "s1": ("target", "1.OA.1"),
            "hs": ("level", "HS"),
            "sh": ("target", "A-SSE.1"),
        },
        words=(
            'level 1 "Kindergarten"',
            'level 2 "Students in grade 1 extend counting"',
            'level 3 "High School"',
            "note: level title 'High School' made from the bare code 'HS'",
        ),
        absent=('level 1 "K"', 'level 3 "HS"'),
    ),
    "--orphans with a rule that does not exist": Shape(
        GRADES,
        ("--orphans", "invent"),
        code=2,
        words=("--orphans 'invent' is not a rule: use report (the default: list them), top",),
    ),
    "--orphans under an item the package does not have": Shape(
        [*GRADES, CF("o1", "Standard", "X.1", "An unfiled standard", NO_PARENT)],
        ("--orphans", "under:NOPE"),
        code=2,
        words=(
            "--orphans under:NOPE: no item in the package's tree has the code or identifier 'NOPE'",
        ),
    ),
}


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


def report_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("name", list(SHAPES))
def test_import_shape(name: str, tmp_path: Path) -> None:
    shape = SHAPES[name]
    package = write_package(tmp_path, "shape.json", shape.items)
    content = tmp_path / "content"
    report = tmp_path / "report.csv"
    base = ["import-case", str(package), "--subject", "SH", "--content", str(content)]
    code, output = run([*base, *shape.args, "--dry-run"])  # every item not placed listed
    flat = " ".join(output.split())
    assert code == shape.code, output
    for words in shape.words:
        assert " ".join(words.split()) in flat, output
    for words in shape.absent:
        assert words not in output, output
    assert "Traceback" not in output
    assert not content.exists()
    code, output = run([*base, *shape.args, "--dry-run", "--report", str(report)])
    flat = " ".join(output.split())
    assert code == shape.code, output
    assert "not placed: " not in output  # they are in the report file instead
    assert not content.exists()
    if shape.code == 2:
        assert not report.exists()
        return
    # the report: one row per item read, each with its outcome and the code written
    rows = report_rows(report)
    assert sorted(r["identifier"] for r in rows) == sorted(identifier(i.key) for i in shape.items)
    got = {r["identifier"].removeprefix("urn:fab:"): (r["outcome"], r["written as"]) for r in rows}
    if any(not code for _, code in shape.outcomes.values()):  # codes derived: compare outcomes
        got = {k: (v[0], "" if not shape.outcomes[k][1] else v[1]) for k, v in got.items()}
    assert got == shape.outcomes
    assert all(r["reason"] for r in rows if r["outcome"] == "not placed")
    if shape.code:
        return
    assert f"{shape.counts}; every item is listed in {report}. Dry run: nothing written." in flat
    # the import itself: the same counts, the content validates, no level invented
    code, output = run([*base, *shape.args])
    assert code == 0, output
    assert shape.counts in " ".join(output.split())
    school = proficio.load(content)
    assert school.errors == [], school.errors
    levels = [o for o, _ in shape.outcomes.values()].count("level")
    subject = school.school.subjects[0]
    assert len(subject.levels) == max(levels, 1)
    assert all(lv.case is not None for lv in subject.levels) or levels == 0


def test_nothing_placeable_writes_the_report_and_nothing_else(tmp_path: Path) -> None:
    """Not a dry run: still exit 1, the report written (every item with its reason), no file in
    the content folder."""
    package = write_package(tmp_path, "spec.json", NOTHING)
    content = tmp_path / "content"
    report = tmp_path / "out" / "report.csv"
    report.parent.mkdir()
    args = ["import-case", str(package), "--subject", "SP", "--content", str(content)]
    code, output = run([*args, "--report", str(report)])
    assert code == 1, output
    assert "Say which type holds the learning targets with --map-types, e.g. 'Example=target'" in (
        " ".join(output.split())
    )
    rows = report_rows(report)
    assert [r["outcome"] for r in rows] == ["not placed"] * 4
    assert (
        "'Task Model=skip' to leave it out together with the 3 items under it" in rows[0]["reason"]
    )
    assert not content.exists()


def test_short_titles_are_kept_and_exported(tmp_path: Path) -> None:
    """Twelve targets with an abbreviatedStatement (Webb's DOK labels): each keeps it as
    ``short_title``, the site's model has it, and export-case gives it back."""
    items = [CF("g", "Grade", "6", "Grade 6"), CF("d", "Domain", "6.RP", "Ratios", "g")]
    items += [
        CF(f"t{n}", "Standard", f"6.RP.{n}", f"Statement {n}", "d", short=f"DOK {1 + n % 4}")
        for n in range(1, 13)
    ]
    package = write_package(tmp_path, "dok.json", items)
    content = tmp_path / "content"
    code, output = run(["import-case", str(package), "--subject", "RP", "--content", str(content)])
    assert code == 0, output
    assert "14 items read, 14 placed (1 levels, 1 topics, 12 targets), 0 not placed" in output
    school = proficio.load_school(content)
    targets = [t for *_, t in school.iter_targets()]
    assert [school.text(t.short_title, "en") for t in targets] == [
        f"DOK {1 + n % 4}" for n in range(1, 13)
    ]
    exported = case.export_subject(school, school.subjects[0])
    by_code = {i.get("humanCodingScheme"): i for i in exported["CFItems"]}
    assert [by_code[f"6.RP.{n}"]["abbreviatedStatement"] for n in range(1, 13)] == [
        f"DOK {1 + n % 4}" for n in range(1, 13)
    ]
    # and back again: a re-import of the export keeps them too
    again = tmp_path / "again.json"
    again.write_text(json.dumps(exported), encoding="utf-8")
    plan_targets = [
        t
        for lv in proficio.interop.case_import.plan_import(
            again, tmp_path / "c2", subject_code="RP"
        ).levels
        for tp in lv["topics"]
        for t in tp["targets"]
    ]
    assert [t["short_title"] for t in plan_targets] == [f"DOK {1 + n % 4}" for n in range(1, 13)]


SHARED_A = [
    CF("g3", "Grade", "3", "Grade 3"),
    CF("d", "Domain", "3.OA", "Operations and Algebraic Thinking", "g3"),
    CF("s1", "Standard", "3.OA.1", "Interpret products", "d"),
    CF("s2", "Standard", "3.OA.2", "Interpret quotients", "d"),
]
SHARED_B = [
    CF("g3b", "Grade", "G3", "Grade 3 (claim 2)"),
    CF("d", "Domain", "3.OA", "Operations and Algebraic Thinking", "g3b"),
    CF("s1", "Standard", "3.OA.1", "Interpret products", "d"),
    CF("s2", "Standard", "3.OA.2", "Interpret quotients", "d"),
    CF("s3", "Standard", "3.OA.3", "Use multiplication within 100", "d"),
    CF("d2", "Domain", "3.NF", "Fractions", "g3b"),
    CF("s4", "Standard", "3.NF.1", "Understand a fraction", "d2"),
]


@pytest.mark.parametrize(
    ("second", "counts", "outcomes"),
    [
        (
            SHARED_B,
            "7 items read, 5 placed (1 levels, 2 topics, 2 targets), 0 not placed, 2 already in "
            "the school (matched by CASE identifier); 1 code renamed (3.OA -> MB.3.OA)",
            {
                "g3b": ("level", "G3"),
                "d": ("topic", "MB.3.OA"),
                "s1": ("already in the school", "3.OA.1"),
                "s2": ("already in the school", "3.OA.2"),
                "s3": ("target", "3.OA.3"),
                "d2": ("topic", "3.NF"),
                "s4": ("target", "3.NF.1"),
            },
        ),
        (
            [*SHARED_B[:4], SHARED_B[5], SHARED_B[6]],  # nothing new under the shared domain
            "6 items read, 3 placed (1 levels, 1 topics, 1 targets), 0 not placed, 3 already in "
            "the school (matched by CASE identifier)",
            {
                "g3b": ("level", "G3"),
                "d": ("already in the school", "3.OA"),
                "s1": ("already in the school", "3.OA.1"),
                "s2": ("already in the school", "3.OA.2"),
                "d2": ("topic", "3.NF"),
                "s4": ("target", "3.NF.1"),
            },
        ),
    ],
    ids=["new targets beside shared ones", "a shared domain with nothing new"],
)
def test_second_package_matches_shared_items_by_identifier(
    second: list[CF], counts: str, outcomes: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    first = write_package(tmp_path, "a.json", SHARED_A, doc="doc-a", title="Math A")
    code, output = run(["import-case", str(first), "--subject", "MA", "--content", str(content)])
    assert code == 0, output
    b = write_package(tmp_path, "b.json", second, doc="doc-b", title="Math B")
    report = tmp_path / "b.csv"
    args = ["import-case", str(b), "--subject", "MB", "--content", str(content)]
    code, output = run([*args, "--report", str(report)])
    assert code == 0, output
    assert counts in " ".join(output.split())
    got = {
        r["identifier"].removeprefix("urn:fab:"): (r["outcome"], r["written as"])
        for r in report_rows(report)
    }
    assert got == outcomes
    school = proficio.load(content)
    assert school.errors == []
    ma, mb = school.school.subjects
    assert [t.code for t in ma.levels[0].targets] == ["3.OA.1", "3.OA.2"]  # A untouched
    assert [t.code for t in mb.levels[0].targets] == [
        c for kind, c in outcomes.values() if kind == "target"
    ]
    # importing B again changes nothing, and still matches
    before = {p: p.read_bytes() for p in sorted(content.rglob("*.yaml"))}
    code, output = run(args)
    assert code == 0 and counts in " ".join(output.split()), output
    assert {p: p.read_bytes() for p in sorted(content.rglob("*.yaml"))} == before


def test_report_cells_never_run_as_spreadsheet_formulas(tmp_path: Path) -> None:
    """Package text is whatever its publisher wrote: a statement that a spreadsheet would run
    as a formula is written as text (a leading apostrophe), like the evidence issues report."""
    items = [
        CF("g", "Grade", "3", "Grade 3"),
        CF("x", "Example", None, '=HYPERLINK("https://evil.example","click")', "g"),
        CF("s", "Standard", "3.OA.1", "-   a Markdown list item", "g"),
    ]
    package = write_package(tmp_path, "f.json", items)
    report = tmp_path / "r.csv"
    args = ["import-case", str(package), "--subject", "FX", "--content", str(tmp_path / "c")]
    code, output = run([*args, "--dry-run", "--report", str(report)])
    assert code == 0, output
    rows = {r["identifier"]: r for r in report_rows(report)}
    assert rows[identifier("x")]["statement"] == '\'=HYPERLINK("https://evil.example","click")'
    assert rows[identifier("s")]["statement"] == "'-   a Markdown list item"
    assert rows[identifier("s")]["written as"] == "3.OA.1"
