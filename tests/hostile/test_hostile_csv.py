"""Hostile CSV and zip inputs: nothing is lost, every row read is used or reported.

Each case runs twice through ``proficio score`` (without and with ``--strict``) and once through
the library (``proficio.evidence.load``). It pins the issues (file, line, reason, exact message),
the counts of every evidence and roster file (rows read = used + rejected), the summary line,
the exit codes and what is left on disk: the issues report always, the scores only on exit 0.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio import load_school, open_gradebook
from proficio.cli import main
from proficio.content.model import School
from proficio.errors import ProficioError
from proficio.evidence import load, load_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHOOL = FIXTURES / "scoring-school"
AS_OF = date(2026, 6, 30)

H = "student_id,target,score,date,assessment,type\n"
HC = "student_id,target,score,date,assessment,type,comment\n"
R = "student_id,given_name,family_name\nS1,Ana,Ruiz\nS2,Bo,Li\n"
RH = "student_id,given_name,family_name\n"


def g(day: int, student: str = "S1", sep: str = ",") -> str:
    """One good evidence row (a distinct assessment per day, so none is a duplicate)."""
    return sep.join([student, "MA.L1.A.1", "3", f"2026-01-{day:02d}", f"Quiz {day}", "test"]) + "\n"


def many(n: int) -> str:
    """``n`` good rows, about 40 bytes each (4,000 of them are past csv's 128 KiB field limit)."""
    return "".join(
        f"S1,MA.L1.A.1,3,2026-{1 + i % 6:02d}-{1 + i % 28:02d},Quiz {i},test\n" for i in range(n)
    )


def swallowed(at: int, column: int, like: int, rows: int, start: int | None = None) -> str:
    start = at if start is None else start
    return (
        f"the quoted field that opens on line {at} (column {column}) runs on over {like} "
        f"line{'s' if like != 1 else ''} that look like rows (the first is line {at + 1}): its "
        "closing quote is most likely missing, so those rows went into that one field. Close "
        f"the quote on line {at} (or remove it) and run again; the rest of the file ({rows:,} "
        f"row{'s' if rows != 1 else ''} from line {start} on) was not read."
    )


def too_long(line: int, rows: int) -> str:
    return (
        f"the row that starts on line {line} has a field longer than 131,072 characters: a quote "
        "there is most likely not closed, so the lines after it went into that one field. Fix "
        f"line {line} and run again; the rest of the file ({rows:,} rows from line {line} on) was "
        "not read."
    )


def twice(name: str, first: int, second: int, line: int, rows: int) -> str:
    return (
        f"the header (line {line}) has the column '{name}' twice, as column {first} and column "
        f"{second}: Proficio cannot tell which one to read. Rename or remove one of them. None "
        f"of its rows were used ({rows} row{'s' if rows != 1 else ''})."
    )


SHORT_ROSTER = (
    "the row has 2 fields but the header has 3: the file may be cut off here, or a field with a "
    "line break lacks quotes"
)
LONG_ROSTER = (
    "the row has 4 fields but the header has 3: quote any field that contains the separator"
)
NOT_IN_ROSTER = "student 'S1' is not in the roster: add them to the roster or correct the ID"


def hidden(column: str, what: str) -> str:
    return f"{column} holds an invisible control character {what}: remove it in the export"


# A small OneRoster 1.2 bulk export: two students, one line item on one target, two results.
ONEROSTER = {
    "manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n"
    "file.users,bulk\nfile.lineItems,bulk\nfile.results,bulk\n",
    "users.csv": "sourcedId,status,dateLastModified,username,givenName,familyName,identifier\n"
    "u-1,active,2026-01-02,aruiz,Ana,Ruiz,S1\nu-2,active,2026-01-02,bli,Bo,Li,S2\n",
    "lineItems.csv": "sourcedId,status,dateLastModified,title,categorySourcedId\n"
    "li-1,active,2026-01-02,Quiz 1,\n",
    "lineItemLearningObjectiveIds.csv": "sourcedId,status,dateLastModified,lineItemSourcedId,"
    "source,learningObjectiveId\nlilo-1,active,2026-01-02,li-1,unknown,MA.L1.A.1\n",
    "results.csv": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,"
    "scoreStatus,score,scoreDate,comment\n"
    "r-1,active,2026-01-05,li-1,u-1,fully graded,3,2026-01-05,\n"
    "r-2,active,2026-01-05,li-1,u-2,fully graded,2,2026-01-05,\n",
}


def export(
    tmp: Path, changes: dict[str, str] | None = None, *, extra: dict[str, str] | None = None
) -> Path:
    """The small export as a zip (``changes`` replace files, ``extra`` adds members)."""
    path = tmp / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in {**ONEROSTER, **(changes or {})}.items():
            zf.writestr(name, text)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return path


def truncated(tmp: Path) -> Path:
    path = export(tmp)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def bad_crc(tmp: Path) -> Path:
    """The export with one byte of results.csv's data flipped (stored, so it still unpacks)."""
    path = tmp / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, text in ONEROSTER.items():
            zf.writestr(name, text)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("results.csv")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 40] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def folder_twice(tmp: Path) -> Path:
    folder = tmp / "export"
    folder.mkdir()
    for name, text in ONEROSTER.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "Results.csv").write_text(ONEROSTER["results.csv"], encoding="utf-8")
    return folder


def utf16(tmp: Path, text: str) -> Path:
    path = tmp / "evidence.csv"
    path.write_bytes(text.encode("utf-16"))
    return path


def workbook(tmp: Path) -> Path:
    """What Excel saves by default: a zip of XML parts, not a CSV file."""
    path = tmp / "grades.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return path


def not_oneroster(tmp: Path) -> Path:
    path = tmp / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "hello\n")
    return path


Files = str | Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    name: str
    roster: Files
    evidence: Files
    issues: list[tuple[str, int, str, str]]
    """(file, line, reason, message), in the order the import found them."""
    counts: dict[str, tuple[int, int]]
    """file -> (rows read, rows used); rejected = read - used is checked per reason."""
    summary: str
    strict_code: int
    code: int = 0
    mapping: str | None = None
    notes: list[str] = field(default_factory=list)
    """Lines the command prints before the summary (the file notes) that must be there."""


FILE_FAILED = 1

COUNTED = ("evidence", "oneroster", "roster", "oneroster-roster")
"""The kinds of file whose rows are counted (OneRoster's lookup tables are not rows)."""

CASES = [
    # --- a quote that is never closed -------------------------------------------------------
    Case(
        "evidence: unclosed quote in the last column swallows the rows after it",
        R,
        H + g(1) + 'S1,MA.L1.A.1,3,2026-01-06,Quiz 2,"test\n' + g(7) + g(8) + g(9),
        [("evidence.csv", 3, "bad-file", swallowed(3, 6, 3, 4))],
        {"evidence.csv": (5, 1), "roster.csv": (2, 2)},
        "5 evidence rows read from 1 file, 1 used, 4 rejected (4 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: unclosed quote in a middle column (was one short row)",
        R,
        H + g(1) + 'S1,MA.L1.A.1,3,"2026-01-06,Quiz 2,test\n' + g(7) + g(8) + g(9),
        [("evidence.csv", 3, "bad-file", swallowed(3, 4, 3, 4))],
        {"evidence.csv": (5, 1), "roster.csv": (2, 2)},
        "5 evidence rows read from 1 file, 1 used, 4 rejected (4 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: unclosed quote past 128 KiB names its own line, not the one before",
        R,
        H + g(1) + g(2) + 'S1,MA.L1.A.1,3,2026-01-06,Quiz 3,"test\n' + many(4000),
        [("evidence.csv", 4, "bad-file", too_long(4, 4001))],
        {"evidence.csv": (4003, 2), "roster.csv": (2, 2)},
        "4,003 evidence rows read from 1 file, 2 used, 4,001 rejected (4,001 file could not be "
        "read); roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: unclosed quote in a middle column past 128 KiB",
        R,
        H + g(1) + 'S1,MA.L1.A.1,3,"2026-01-06,Quiz 2,test\n' + many(4000),
        [("evidence.csv", 3, "bad-file", too_long(3, 4001))],
        {"evidence.csv": (4002, 1), "roster.csv": (2, 2)},
        "4,002 evidence rows read from 1 file, 1 used, 4,001 rejected (4,001 file could not be "
        "read); roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: unclosed quote in the header swallows every row",
        R,
        'student_id,target,score,date,assessment,"type\n' + g(1) + g(2),
        [("evidence.csv", 1, "bad-file", swallowed(1, 6, 2, 2, start=2))],
        {"evidence.csv": (2, 0), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 0 used, 2 rejected (2 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: a comment on two lines that do not look like rows is kept",
        R,
        HC + 'S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,"Good work, Ana.\nSee me, please."\n'
        "S1,MA.L1.A.1,3,2026-01-06,Quiz 2,test,x\n",
        [],
        {"evidence.csv": (2, 2), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 2 used, 0 rejected; roster: 2 students.",
        0,
    ),
    Case(
        "evidence: CRLF lines and a comment with a CRLF inside keep their physical line numbers",
        R,
        (
            HC + 'S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,"two\nlines"\n'
            "S9,MA.L1.A.1,3,2026-01-06,Quiz 2,test,x\n"
        ).replace("\n", "\r\n"),
        [
            (
                "evidence.csv",
                4,
                "unknown-student",
                "student 'S9' is not in the roster: add them to the roster or correct the ID",
            )
        ],
        {"evidence.csv": (2, 1), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 1 used, 1 rejected (1 unknown student); roster: 2 "
        "students.",
        1,
    ),
    Case(
        "evidence: unclosed quote in a file with old Mac (CR) line ends",
        R,
        (H + g(1) + 'S1,MA.L1.A.1,3,2026-01-06,Quiz 2,"test\n' + g(7) + g(8)).replace("\n", "\r"),
        [("evidence.csv", 3, "bad-file", swallowed(3, 6, 2, 3))],
        {"evidence.csv": (4, 1), "roster.csv": (2, 2)},
        "4 evidence rows read from 1 file, 1 used, 3 rejected (3 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: unclosed quote in a UTF-16 file",
        R,
        lambda tmp: utf16(tmp, H + g(1) + 'S1,MA.L1.A.1,3,2026-01-06,Quiz 2,"test\n' + g(7)),
        [("evidence.csv", 3, "bad-file", swallowed(3, 6, 1, 2))],
        {"evidence.csv": (3, 1), "roster.csv": (2, 2)},
        "3 evidence rows read from 1 file, 1 used, 2 rejected (2 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "roster: unclosed quote in the last column",
        RH + 'S1,Ana,"Ruiz\nS2,Bo,Li\nS3,Cy,Do\n',
        H + g(1),
        [
            ("roster.csv", 2, "bad-file", swallowed(2, 3, 2, 3)),
            ("evidence.csv", 2, "unknown-student", NOT_IN_ROSTER),
        ],
        {"evidence.csv": (1, 0), "roster.csv": (3, 0)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 unknown student); roster: 0 "
        "students from 3 rows, 3 rejected (3 file could not be read).",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "roster: unclosed quote in a middle column",
        RH + 'S1,"Ana,Ruiz\nS2,Bo,Li\nS3,Cy,Do\n',
        H + g(1),
        [
            ("roster.csv", 2, "bad-file", swallowed(2, 2, 2, 3)),
            ("evidence.csv", 2, "unknown-student", NOT_IN_ROSTER),
        ],
        {"evidence.csv": (1, 0), "roster.csv": (3, 0)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 unknown student); roster: 0 "
        "students from 3 rows, 3 rejected (3 file could not be read).",
        FILE_FAILED,
        FILE_FAILED,
    ),
    # --- headers ------------------------------------------------------------------------------
    Case(
        "evidence: a column twice in the header (the first used to win)",
        R,
        H.replace("type", "type,score") + "S1,MA.L1.A.1,3,2026-01-05,Quiz 1,test,2\n",
        [("evidence.csv", 1, "bad-file", twice("score", 3, 7, 1, 1))],
        {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: a column twice in another case, on line 3 after sep= and a blank line",
        R,
        "sep=,\n\nstudent_id,Target,score,date,TARGET\nS1,MA.L1.A.1,3,2026-01-05,MA.L1.A.2\n",
        [("evidence.csv", 3, "bad-file", twice("Target", 2, 5, 3, 1))],
        {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: two columns mapped to the same header",
        R,
        "Student,Code,Score,Date,Name\nS1,MA.L1.A.1,3,2026-01-05,Quiz\n",
        [
            (
                "evidence.csv",
                1,
                "bad-file",
                "'assessment' and 'type' would both be read from the header's 'Name' (column 5, "
                "line 1): map them to different columns in the mapping file. None of its rows "
                "were used (1 row).",
            )
        ],
        {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
        mapping="evidence:\n  columns: {student_id: Student, target: Code, score: Score, "
        "date: Date, assessment: Name, type: Name}\n",
    ),
    Case(
        "roster: a column twice in the header",
        "student_id,given_name,family_name,given_name\nS1,Ana,Ruiz,Anna\n",
        H + g(1),
        [
            ("roster.csv", 1, "bad-file", twice("given_name", 2, 4, 1, 1)),
            ("evidence.csv", 2, "unknown-student", NOT_IN_ROSTER),
        ],
        {"evidence.csv": (1, 0), "roster.csv": (1, 0)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 unknown student); roster: 0 "
        "students from 1 row, 1 rejected (1 file could not be read).",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: Excel's sep=; first line names the separator and is not a row",
        R,
        "sep=;\n" + H.replace(",", ";") + g(1, sep=";") + g(2, sep=";"),
        [],
        {"evidence.csv": (2, 2), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 2 used, 0 rejected; roster: 2 students.",
        0,
        notes=[
            "  evidence.csv: UTF-8, semicolon-separated (named by its first line sep=;, which "
            "is not a row)"
        ],
    ),
    Case(
        "evidence: a quoted sep line naming tabs, after a byte-order mark",
        R,
        '\ufeff"sep=\t"\n' + H.replace(",", "\t") + g(1, sep="\t"),
        [],
        {"evidence.csv": (1, 1), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 2 students.",
        0,
        notes=[
            "  evidence.csv: UTF-8 with byte-order mark, tab-separated (named by its first "
            "line sep=\\t, which is not a row)"
        ],
    ),
    Case(
        "roster: Excel's sep=; first line",
        "sep=;\nstudent_id;given_name;family_name\nS1;Ana;Ruiz\n",
        H + g(1),
        [],
        {"evidence.csv": (1, 1), "roster.csv": (1, 1)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 1 student.",
        0,
    ),
    # --- roster rows of the wrong width --------------------------------------------------------
    Case(
        "roster: a short row is reported (it used to become a student without a family name)",
        R + "S3,Cy\n",
        H + g(1),
        [("roster.csv", 4, "short-row", SHORT_ROSTER)],
        {"evidence.csv": (1, 1), "roster.csv": (3, 2)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 2 students from 3 rows, "
        "1 rejected (1 row cut short).",
        1,
    ),
    Case(
        "roster: a long row is reported; blank extra fields are not",
        R + "S3,Cy,Do,extra\nS4,Di,Ez,,\n",
        H + g(1),
        [("roster.csv", 4, "extra-fields", LONG_ROSTER)],
        {"evidence.csv": (1, 1), "roster.csv": (4, 3)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 3 students from 4 rows, "
        "1 rejected (1 row with extra fields).",
        1,
    ),
    # --- digits that are not 0-9 -----------------------------------------------------------------
    *(
        Case(
            f"evidence: score {raw!r} ({why})",
            R,
            H + f"S1,MA.L1.A.1,{raw},2026-01-05,Quiz 1,test\n",
            [("evidence.csv", 2, "bad-score", message)],
            {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
            "1 evidence row read from 1 file, 0 used, 1 rejected (1 score not a number); "
            "roster: 2 students.",
            1,
        )
        for raw, why, message in [
            (
                "٣",
                "Arabic-Indic: was read as 3",
                "score '٣' is written with U+0663 (ARABIC-INDIC DIGIT THREE), not the digits 0-9 "
                "(write it as 3): write scores with 0-9",
            ),
            (
                "۳",
                "Extended Arabic-Indic: was read as 3",
                "score '۳' is written with U+06F3 (EXTENDED ARABIC-INDIC DIGIT THREE), not the "
                "digits 0-9 (write it as 3): write scores with 0-9",
            ),
            (
                "３",
                "full-width: was read as 3",
                "score '３' is written with U+FF13 (FULLWIDTH DIGIT THREE), not the digits 0-9 "
                "(write it as 3): write scores with 0-9",
            ),
            (
                '"٣,٥"',
                "Arabic-Indic with a decimal comma: was read as 3.5",
                "score '٣,٥' is written with U+0663 (ARABIC-INDIC DIGIT THREE), not the digits "
                "0-9 (write it as 3,5): write scores with 0-9",
            ),
            (
                "0٣",
                "two scripts in one number: no hint",
                "score '0٣' is written with U+0663 (ARABIC-INDIC DIGIT THREE), not the digits "
                "0-9: write scores with 0-9",
            ),
            (
                "0_3",
                "Decimal read it as 3",
                "score '0_3' is not a number (write it like 3 or 3.5)",
            ),
            (
                "0.3e1",
                "Decimal read it as 3",
                "score '0.3e1' is not a number (write it like 3 or 3.5)",
            ),
            (
                "sNaN",
                "was a traceback",
                "score 'sNaN' is not a number (write it like 3 or 3.5)",
            ),
        ]
    ),
    Case(
        "evidence: a date in Arabic-Indic digits",
        R,
        H + "S1,MA.L1.A.1,3,٢٠٢٦-٠١-٠٥,Quiz 1,test\n",
        [
            (
                "evidence.csv",
                2,
                "bad-date",
                "'٢٠٢٦-٠١-٠٥' is written with U+0662 (ARABIC-INDIC DIGIT TWO), not the digits "
                "0-9: write dates with 0-9",
            )
        ],
        {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 bad date); roster: 2 students.",
        1,
    ),
    Case(
        "roster: a graduation year in Arabic-Indic digits is left empty",
        "student_id,given_name,family_name,graduation_year\nS1,Ana,Ruiz,٢٠٢٩\n",
        H + g(1),
        [
            (
                "roster.csv",
                2,
                "bad-field",
                "graduation_year '٢٠٢٩' is written with U+0662 (ARABIC-INDIC DIGIT TWO), not the "
                "digits 0-9: left empty",
            )
        ],
        {"evidence.csv": (1, 1), "roster.csv": (1, 1)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 1 student.",
        0,
    ),
    Case(
        "roster: a graduation year in superscript digits (was a traceback)",
        "student_id,given_name,family_name,graduation_year\nS1,Ana,Ruiz,²⁰²⁹\n",
        H + g(1),
        [
            (
                "roster.csv",
                2,
                "bad-field",
                "graduation_year '²⁰²⁹' is written with U+00B2 (SUPERSCRIPT TWO), not the digits "
                "0-9: left empty",
            )
        ],
        {"evidence.csv": (1, 1), "roster.csv": (1, 1)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 1 student.",
        0,
    ),
    # --- invisible characters in IDs and names -------------------------------------------------------
    *(
        Case(
            f"roster: {column} holding {what}",
            RH + row + "S2,Bo,Li\n",
            H + g(1, "S2"),
            [("roster.csv", 2, "invisible-character", message)],
            {"evidence.csv": (1, 1), "roster.csv": (2, 1)},
            "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 1 student from 2 rows, "
            "1 rejected (1 invisible character in an ID or name).",
            1,
        )
        for column, what, row, message in [
            (
                "student_id",
                "RIGHT-TO-LEFT OVERRIDE",
                "S1\u202e,Ana,Ruiz\n",
                "student_id (column 1) holds an invisible control character U+202E "
                "(RIGHT-TO-LEFT OVERRIDE) as character 3: remove it in the export",
            ),
            (
                "given_name",
                "LEFT-TO-RIGHT ISOLATE",
                "S1,An\u2066a,Ruiz\n",
                "given_name (column 2) holds an invisible control character U+2066 "
                "(LEFT-TO-RIGHT ISOLATE) as character 3: remove it in the export",
            ),
            (
                "family_name",
                "LEFT-TO-RIGHT MARK",
                "S1,Ana,\u200eRuiz\n",
                "family_name (column 3) holds an invisible control character U+200E "
                "(LEFT-TO-RIGHT MARK) as character 1: remove it in the export",
            ),
            (
                "student_id",
                "a BEL control character",
                "S\x071,Ana,Ruiz\n",
                "student_id (column 1) holds an invisible control character U+0007 as "
                "character 2: remove it in the export",
            ),
            (
                "student_id",
                "the noncharacter U+FFFE",
                "S1\ufffe,Ana,Ruiz\n",
                "student_id (column 1) holds a noncharacter U+FFFE as character 3: remove it in "
                "the export",
            ),
        ]
    ),
    Case(
        "roster: ZWNJ (Persian) and ZWJ (Malayalam) in names are kept",
        RH + "S1,\u0645\u06cc\u200c\u0631\u0648\u0645,\u0d28\u0d3f\u0d7c\u0d2e\u0d32\u200d\n"
        "S2,Bo,Li\n",
        H + g(1),
        [],
        {"evidence.csv": (1, 1), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 1 used, 0 rejected; roster: 2 students.",
        0,
    ),
    Case(
        "evidence: student_id and target holding invisible characters",
        R,
        H + "S1\u202e,MA.L1.A.1,3,2026-01-05,Quiz 1,test\nS1,MA.L1.A.1\u200b,3,2026-01-06,Q,test\n",
        [
            (
                "evidence.csv",
                2,
                "invisible-character",
                hidden("student_id", "U+202E (RIGHT-TO-LEFT OVERRIDE) as character 3"),
            ),
            (
                "evidence.csv",
                3,
                "invisible-character",
                hidden("target", "U+200B (ZERO WIDTH SPACE) as character 10"),
            ),
        ],
        {"evidence.csv": (2, 0), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 0 used, 2 rejected (2 invisible character in an ID "
        "or name); roster: 2 students.",
        1,
    ),
    # --- OneRoster zips and folders ------------------------------------------------------------
    Case(
        "OneRoster: a second results.csv in a folder of the zip (was ignored)",
        R,
        lambda tmp: export(tmp, extra={"old/results.csv": ONEROSTER["results.csv"]}),
        [
            (
                "export.zip",
                0,
                "bad-file",
                "export.zip holds results.csv twice (results.csv and old/results.csv): a "
                "OneRoster export has one of each file, so Proficio cannot tell which to read. "
                "Keep one export in it.",
            )
        ],
        {"export.zip": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: results.csv and Results.csv in one folder",
        R,
        folder_twice,
        [
            (
                "export",
                0,
                "bad-file",
                "export holds results.csv twice (Results.csv and results.csv): a OneRoster "
                "export has one of each file, so Proficio cannot tell which to read. Keep one "
                "export in it.",
            )
        ],
        {"export": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: a truncated zip (was an encoding error)",
        R,
        truncated,
        [
            (
                "export.zip",
                0,
                "bad-file",
                "export.zip is not a complete zip file (truncated?): its list of files is "
                "missing. Copy or download the export again.",
            )
        ],
        {"export.zip": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: a member with a bad CRC (was a traceback)",
        R,
        bad_crc,
        [
            (
                "export.zip/results.csv",
                0,
                "bad-file",
                "the zip export.zip is damaged: its file results.csv fails the zip's CRC check "
                "(the data was changed or damaged). Copy or download the export again.",
            )
        ],
        {"export.zip/results.csv": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: a zip without OneRoster files (was read as a CSV)",
        R,
        not_oneroster,
        [
            (
                "export.zip/results.csv",
                0,
                "bad-file",
                "not a OneRoster bulk export: manifest.csv is missing.",
            )
        ],
        {"export.zip/results.csv": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: unclosed quote in results.csv",
        R,
        lambda tmp: export(
            tmp,
            {
                "results.csv": ONEROSTER["results.csv"].replace(
                    "u-1,fully graded,3,2026-01-05,", 'u-1,fully graded,3,2026-01-05,"'
                )
            },
        ),
        [("export.zip/results.csv", 2, "bad-file", swallowed(2, 9, 1, 2))],
        {"export.zip/results.csv": (2, 0), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 0 used, 2 rejected (2 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: a column twice in results.csv",
        R,
        lambda tmp: export(
            tmp,
            {"results.csv": ONEROSTER["results.csv"].replace(",comment\n", ",score\n", 1)},
        ),
        [
            (
                "export.zip/results.csv",
                1,
                "bad-file",
                "results.csv has the column 'score' twice, as column 7 and column 9 (line 1): "
                "Proficio cannot tell which one to read. Remove one of them. None of its rows "
                "were used (2 rows).",
            )
        ],
        {"export.zip/results.csv": (2, 0), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 0 used, 2 rejected (2 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "OneRoster: a short results row, and a users row cut short",
        R,
        lambda tmp: export(
            tmp,
            {
                "results.csv": ONEROSTER["results.csv"].replace(",2026-01-05,\nr-2", "\nr-2"),
                "users.csv": ONEROSTER["users.csv"].replace("Bo,Li,S2", "Bo"),
            },
        ),
        [
            (
                "export.zip/results.csv",
                2,
                "short-row",
                "the row has 7 fields but the header has 9: the file may be cut off here, or a "
                "field with a line break lacks quotes",
            ),
            (
                "export.zip/results.csv",
                3,
                "unknown-student",
                "studentSourcedId 'u-2' is on users.csv line 3, which has the wrong number of "
                "fields: fix that row",
            ),
        ],
        {"export.zip/results.csv": (2, 0), "roster.csv": (2, 2)},
        "2 evidence rows read from 1 file, 0 used, 2 rejected (1 row cut short, 1 unknown "
        "student); roster: 2 students.",
        1,
    ),
    Case(
        "OneRoster users.csv as the roster: a short row and a bidi control in a name",
        lambda tmp: export(
            tmp,
            {
                "users.csv": ONEROSTER["users.csv"]
                + "u-3,active,2026-01-02,cy\n"
                + "u-4,active,2026-01-02,di,Di\u202e,Ez,S4\n"
            },
        ),
        lambda tmp: tmp / "export.zip",
        [
            (
                "export.zip/users.csv",
                4,
                "short-row",
                "the row has 4 fields but the header has 7: the file may be cut off here, or a "
                "field with a line break lacks quotes",
            ),
            (
                "export.zip/users.csv",
                5,
                "invisible-character",
                "givenName (column 5) holds an invisible control character U+202E "
                "(RIGHT-TO-LEFT OVERRIDE) as character 3: remove it in the export",
            ),
        ],
        {"export.zip/results.csv": (2, 2), "export.zip/users.csv": (4, 2)},
        "2 evidence rows read from 1 file, 2 used, 0 rejected; roster: 2 students from 4 rows, "
        "2 rejected (1 row cut short, 1 invisible character in an ID or name).",
        1,
    ),
    Case(
        "evidence: an Excel workbook instead of a CSV (was an encoding error)",
        R,
        workbook,
        [
            (
                "grades.xlsx",
                0,
                "bad-file",
                "grades.xlsx is an Excel workbook, not a CSV file or a OneRoster export: in "
                "Excel, use Save As > CSV UTF-8 and give Proficio that file.",
            )
        ],
        {"grades.xlsx": (0, 0), "roster.csv": (2, 2)},
        "0 evidence rows read from 1 file, 0 used, 0 rejected; roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "evidence: a header name holding a zero-width space (was a typo 'student_id')",
        R,
        "student_id\u200b,target,score,date\nS1,MA.L1.A.1,3,2026-01-05\n",
        [
            (
                "evidence.csv",
                1,
                "bad-file",
                "column 1 of the header (line 1) holds an invisible control character U+200B "
                "(ZERO WIDTH SPACE) as character 11, so it is not 'student_id': remove that "
                "character in the export. None of its rows were used (1 row).",
            )
        ],
        {"evidence.csv": (1, 0), "roster.csv": (2, 2)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 file could not be read); "
        "roster: 2 students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
    Case(
        "roster given as a truncated zip",
        truncated,
        H + g(1),
        [
            (
                "export.zip",
                0,
                "bad-file",
                "export.zip is not a complete zip file (truncated?): its list of files is "
                "missing. Copy or download the export again.",
            ),
            ("evidence.csv", 2, "unknown-student", NOT_IN_ROSTER),
        ],
        {"export.zip": (0, 0), "evidence.csv": (1, 0)},
        "1 evidence row read from 1 file, 0 used, 1 rejected (1 unknown student); roster: 0 "
        "students.",
        FILE_FAILED,
        FILE_FAILED,
    ),
]


@pytest.fixture(scope="module")
def school() -> School:
    return load_school(SCHOOL)


def materialise(tmp: Path, spec: Files, name: str) -> Path:
    if callable(spec):
        return spec(tmp)
    path = tmp / name
    path.write_bytes(spec.encode("utf-8"))
    return path


def score(tmp: Path, roster: Path, evidence: Path, mapping: Path | None, strict: bool):
    args = [
        "score", "--content", str(SCHOOL), "--roster", str(roster), "--evidence", str(evidence),
        "--out", str(tmp / "out"), "--issues", "issues.csv", "--as-of", AS_OF.isoformat(),
    ]  # fmt: skip
    if mapping is not None:
        args += ["--mapping", str(mapping)]
    if strict:
        args.append("--strict")
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, school: School, case: Case
) -> None:
    monkeypatch.chdir(tmp_path)
    evidence = materialise(tmp_path, case.evidence, "evidence.csv")
    roster = materialise(tmp_path, case.roster, "roster.csv")
    mapping = None
    if case.mapping is not None:
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(case.mapping, encoding="utf-8")

    imported = load(
        roster,
        [evidence],
        school,
        as_of=AS_OF,
        mapping=load_mapping(mapping) if mapping else None,
    )
    report = imported.report
    assert [(i.source, i.line, i.reason, i.message) for i in report.issues] == case.issues
    counted = [f for f in report.files if f.kind in COUNTED]
    counts = {f.source: (f.rows, f.used) for f in counted if f.source in case.counts}
    assert counts == case.counts
    for f in report.files:  # rows read = used + rejected, file by file
        assert f.rows == f.used + sum(f.rejected.values()), f
    rejected = [i for i in report.issues if i.reason != "bad-field"]
    for f in counted:
        if f.source in case.counts and "bad-file" not in f.rejected:
            assert f.rows - f.used == sum(1 for i in rejected if i.source == f.source)
    assert report.used == len(imported.evidence)
    assert report.summary() == case.summary

    for strict in (False, True):
        code, lines = score(tmp_path, roster, evidence, mapping, strict)
        expected = case.strict_code if strict else case.code
        assert code == expected, lines
        assert case.summary in lines
        for note in case.notes:
            assert note in lines
        assert (tmp_path / "out" / "scores" / "targets.csv").exists() == (code == 0)
        if code and case.code:
            assert (
                lines[-1]
                == "Error: No scores written: 1 file could not be read. Details: issues.csv"
            )
            failed = [i for i in case.issues if i[2] == "bad-file"]
            assert [f"{s}:{n}: {m}" if n else f"{s}: {m}" for s, n, _, m in failed] == [
                line for line in lines if line.endswith(tuple(m for *_, m in failed))
            ]
        elif code:
            assert (
                lines[-1]
                == "Error: No scores written (--strict): rows were rejected. Details: issues.csv"
            )
        with (tmp_path / "issues.csv").open(encoding="utf-8", newline="") as f:
            written = list(csv.reader(f))
        assert written[0] == ["file", "line", "reason", "message", "row"]
        assert sorted((r[0], int(r[1]), r[2]) for r in written[1:]) == sorted(
            (s, n, r) for s, n, r, _ in case.issues
        )
        if (tmp_path / "out").exists():
            for p in sorted((tmp_path / "out").rglob("*")):
                p.unlink() if p.is_file() else None


def test_a_library_caller_gets_the_same_rule(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """open_gradebook raises ProficioError (exit 1) naming the true line of a swallowing quote."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text(R, encoding="utf-8")
    (tmp_path / "evidence.csv").write_text(
        H + g(1) + 'S1,MA.L1.A.1,3,2026-01-06,Quiz 2,"test\n' + g(7) + g(8), encoding="utf-8"
    )
    with pytest.raises(ProficioError) as caught:
        open_gradebook(school, tmp_path / "roster.csv", tmp_path / "evidence.csv", as_of=AS_OF)
    assert caught.value.exit_code == 1
    assert caught.value.message == "No output written: 1 file could not be read."
    assert caught.value.details[-1] == "evidence.csv:3: " + swallowed(3, 6, 2, 3)
