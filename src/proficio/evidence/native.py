"""Proficio's own evidence CSV, and the roster CSV beside it, with a school's column mapping.

Evidence: ``student_id,target,score,date,assessment,type`` plus optional ``scorer,comment``, in
any order. Roster: ``student_id,given_name,family_name`` plus optional ``preferred_name,
graduation_year,birth_date,language``. Headers are matched case-insensitively; a header that is
close to a missing column is reported as a typo instead of being ignored.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from ..support.files import display_path
from .checker import RowChecker
from .mapping import EVIDENCE_COLUMNS, EVIDENCE_REQUIRED, ROSTER_COLUMNS, ROSTER_REQUIRED, Mapping
from .records import Student
from .report import FileStats, ImportReport
from .textfile import BadFile, DateReader, Rows, choose_encoding, normalise_header, open_rows


def resolve_header(
    header: list[str], columns: tuple[str, ...], required: tuple[str, ...], names: dict[str, str]
) -> dict[str, int]:
    """Column name -> index in ``header``; BadFile for a missing required column or a typo."""
    cells = [normalise_header(c) for c in header]
    index: dict[str, int] = {}
    for name in columns:
        want = normalise_header(names.get(name, name))
        if want in cells:
            index[name] = cells.index(want)
    known = {normalise_header(names.get(n, n)) for n in columns}
    strangers = [c for c in cells if c and c not in known]
    for name in columns:
        if name in index:
            continue
        want = names.get(name, name)
        close = difflib.get_close_matches(normalise_header(want), strangers, n=1, cutoff=0.75)
        if close:
            raise BadFile(
                1,
                f"column '{header[cells.index(close[0])].strip()}' is not a column Proficio reads: "
                f"did you mean '{want}'? Fix the header (or map it in the mapping file).",
            )
        if name in required:
            raise BadFile(
                1,
                f"the header has no '{want}' column (it has: {', '.join(h.strip() for h in header)}). "
                f"Name the columns {', '.join(names.get(n, n) for n in required)}, or map them in the mapping file.",
            )
    return index


def _count_rest(rows: Iterable[list[str]]) -> int:
    return sum(1 for row in rows if row and any(c.strip() for c in row))


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: open(path, "rb")


def _start(
    path: Path,
    stats: FileStats,
    report: ImportReport,
    encoding: str | None,
    separator: str | None,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    names: dict[str, str],
) -> tuple[dict[str, int], int, Rows] | None:
    """Open a CSV and resolve its header; on failure report the file and return None."""
    opener = _opener(path)
    try:
        if not path.is_file():
            raise BadFile(0, f"there is no file {stats.source}")
        codec, note = choose_encoding(opener, encoding)
        stats.encoding, stats.encoding_note = codec, note
        wanted = {normalise_header(names.get(n, n)) for n in columns}
        header, rows, sep = open_rows(
            opener,
            codec,
            lambda cells: sum(normalise_header(c) in wanted for c in cells),
            separator,
        )
        stats.separator = sep
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message)
        return None
    except OSError as exc:
        report.fail_file(stats, 0, f"cannot read {stats.source}: {exc.strerror}")
        return None
    try:
        index = resolve_header(header, columns, required, names)
    except BadFile as exc:
        report.fail_file(
            stats,
            exc.line,
            exc.message + " None of its rows were used.",
            _count_rest(rows),
            tuple(header),
        )
        return None
    return index, len(header), rows


def read_evidence_csv(
    path: Path,
    checker: RowChecker,
    report: ImportReport,
    mapping: Mapping,
    encoding: str | None = None,
) -> FileStats:
    """Stream one native evidence CSV through ``checker``; every row is used or reported."""
    stats = report.add_file(display_path(path), "evidence")
    checker.register(stats)
    started = _start(
        path,
        stats,
        report,
        encoding or mapping.encoding,
        mapping.separator,
        EVIDENCE_COLUMNS,
        EVIDENCE_REQUIRED,
        mapping.evidence_columns,
    )
    if started is None:
        return stats
    index, width, rows = started
    i_sid, i_target, i_score, i_date = (index[c] for c in EVIDENCE_REQUIRED)
    optional = [index.get(c) for c in ("assessment", "type", "scorer", "comment")]
    i_assess, i_type, i_scorer, i_comment = optional
    add = checker.add
    reject = report.reject
    # The fast path accepts only rows whose every value an earlier row already had accepted by
    # ``checker.add`` (cached decisions); everything else goes through ``add`` itself.
    students = checker.students
    targets = checker.targets
    dates = checker.dates.cache
    as_of = checker.as_of
    keep = checker.evidence.add
    intern = checker.intern
    strings = checker.strings
    source = stats.source
    reader = rows.reader
    skipped = rows.skipped
    end = reader.line_num
    count = used = 0
    line = end + 1 + skipped
    try:
        for row in reader:
            line = end + 1 + skipped
            end = reader.line_num
            n = len(row)
            if n != width:
                if n == 0 or (n == 1 and not row[0].strip()):
                    continue
                if n < width:
                    count += 1
                    reject(
                        stats,
                        line,
                        "short-row",
                        f"the row has {n} fields but the header has {width}: the file may be cut off here, "
                        "or a field with a line break lacks quotes",
                        tuple(row),
                    )
                    continue
                if any(c.strip() for c in row[width:]):
                    count += 1
                    reject(
                        stats,
                        line,
                        "extra-fields",
                        f"the row has {n} fields but the header has {width}: quote any field that "
                        "contains the separator",
                        tuple(row),
                    )
                    continue
            count += 1
            raw = row[i_assess] if i_assess is not None else ""
            assessment = strings.get(raw) or intern(raw)
            raw = row[i_type] if i_type is not None else ""
            kind = strings.get(raw) or intern(raw)
            raw = row[i_scorer] if i_scorer is not None else ""
            scorer = (strings.get(raw) or intern(raw)) if raw else ""
            comment = row[i_comment].strip() if i_comment is not None else ""
            student = students.get(row[i_sid])
            target = targets.get(row[i_target])
            if student is not None and target is not None:
                score = target[1].get(row[i_score])
                when = dates.get(row[i_date])
                if score.__class__ is Decimal and when.__class__ is date and when <= as_of:
                    keep(
                        student.id,
                        target[0],
                        score,
                        when,
                        assessment,
                        kind,
                        scorer or None,
                        comment or None,
                        source,
                        line,
                    )
                    used += 1
                    continue
            if not any(c.strip() for c in row):  # a spreadsheet's empty row: ,,,,,
                count -= 1
                continue
            add(
                stats,
                line,
                row,
                row[i_sid],
                row[i_target],
                row[i_score],
                row[i_date],
                assessment,
                kind,
                scorer,
                comment,
            )
    except csv.Error as exc:
        rest = _count_rest(rows)
        report.fail_file(
            stats,
            line,
            f"the file is not valid CSV here ({exc}); the rest of it "
            "was not read. Fix this line and run again.",
            rest + 1,
        )
    finally:
        rows.text.close()
        stats.rows += count
        stats.used += used
    return stats


def read_roster_csv(
    path: Path,
    school_languages: list[str],
    report: ImportReport,
    mapping: Mapping,
    encoding: str | None = None,
    students: dict[str, Student] | None = None,
) -> dict[str, Student]:
    """Students from a roster CSV, in file order; rows with problems are reported."""
    students = {} if students is None else students
    stats = report.add_file(display_path(path), "roster")
    started = _start(
        path,
        stats,
        report,
        encoding or mapping.encoding,
        mapping.separator,
        ROSTER_COLUMNS,
        ROSTER_REQUIRED,
        mapping.roster_columns,
    )
    if started is None:
        return students
    index, _width, rows = started
    lines: dict[str, int] = {}
    dates = DateReader(mapping.date_format)
    for row in rows:
        if not row or not any(c.strip() for c in row):
            continue
        stats.rows += 1
        line = rows.line
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        sid = cells["student_id"]
        if not sid:
            report.reject(stats, line, "missing-field", "no student_id: fill it in", tuple(row))
            continue
        if sid in students:
            report.reject(
                stats,
                line,
                "duplicate-student",
                f"student '{sid}' is already on line {lines.get(sid, '?')}: keep one row per student",
                tuple(row),
            )
            continue
        if not cells["given_name"] and not cells["family_name"]:
            report.reject(
                stats,
                line,
                "missing-field",
                "no given_name or family_name: fill them in",
                tuple(row),
            )
            continue
        students[sid] = _student(cells, school_languages, dates, report, stats, line, tuple(row))
        lines[sid] = line
        stats.used += 1
    return students


def _student(
    cells: dict[str, str],
    languages: list[str],
    dates: DateReader,
    report: ImportReport,
    stats: FileStats,
    line: int,
    row: tuple[str, ...],
) -> Student:
    year: int | None = None
    text = cells.get("graduation_year", "")
    if text:
        if text.isdigit() and 1900 <= int(text) <= 2200:
            year = int(text)
        else:
            report.warn(
                stats, line, "bad-field", f"graduation_year '{text}' is not a year: left empty", row
            )
    born: date | None = None
    text = cells.get("birth_date", "")
    if text:
        parsed = dates(text)
        if isinstance(parsed, date):
            born = parsed
        else:
            report.warn(stats, line, "bad-field", f"birth_date: {parsed}: left empty", row)
    language = cells.get("language", "").lower() or None
    if language and language not in languages:
        report.warn(
            stats,
            line,
            "bad-field",
            f"language '{language}' is not offered by the school ({', '.join(languages)}): "
            f"reports will be in {languages[0]}",
            row,
        )
        language = None
    return Student(
        id=cells["student_id"],
        given_name=cells["given_name"],
        family_name=cells["family_name"],
        preferred_name=cells.get("preferred_name") or None,
        graduation_year=year,
        birth_date=born,
        language=language,
    )
