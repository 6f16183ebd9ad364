"""Proficio's own evidence CSV, and the roster CSV beside it, with a school's column mapping.

Evidence: ``student_id,target,score,date,assessment,type`` plus optional ``scorer,comment``, in
any order. Roster: ``student_id,given_name,family_name`` plus optional ``preferred_name,
graduation_year,birth_date,language,name_order,latin_name``. Headers are matched
case-insensitively; a header that is close to a missing column is reported as a typo instead of
being ignored.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable
from datetime import date
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from ..support.files import display_path
from .checker import RowChecker
from .mapping import (
    EVIDENCE_COLUMNS,
    EVIDENCE_REQUIRED,
    ROSTER_COLUMNS,
    ROSTER_REQUIRED,
    Mapping,
    header_matches,
    outcome_of,
)
from .records import NAME_ORDERS, Student
from .report import FileStats, ImportReport
from .textfile import (
    BadFile,
    DateReader,
    Rows,
    choose_encoding,
    extra_lines,
    foreign_digit,
    invisible,
    normalise_header,
    open_rows,
    rows_text,
)


def resolve_header(
    header: list[str],
    columns: tuple[str, ...],
    required: tuple[str, ...],
    names: dict[str, str],
    line: int = 1,
    known: Callable[[str], bool] | None = None,
) -> dict[str, int]:
    """Column name -> index in ``header`` (on ``line``); BadFile for a missing required
    column, a typo, a column the header has twice, or two columns mapped to one header.

    Every problem of the header is in the one message: each typo with the column it most
    likely means, each required column that is missing, and each header that is not read.
    ``known`` says which other headers the mapping knows are not read (not typos).
    """
    cells = [normalise_header(c) for c in header]
    index: dict[str, int] = {}
    for name in columns:
        want = normalise_header(names.get(name, name))
        at = [i for i, c in enumerate(cells) if c == want]
        if len(at) > 1:
            raise BadFile(
                line,
                f"the header (line {line}) has the column '{header[at[0]].strip()}' twice, as "
                f"column {at[0] + 1} and column {at[1] + 1}: Proficio cannot tell which one to "
                "read. Rename or remove one of them.",
            )
        if at:
            index[name] = at[0]
    read_by: dict[int, str] = {}
    for name, i in index.items():
        if i in read_by:
            raise BadFile(
                line,
                f"'{read_by[i]}' and '{name}' would both be read from the header's "
                f"'{header[i].strip()}' (column {i + 1}, line {line}): map them to different "
                "columns in the mapping file.",
            )
        read_by[i] = name
    wanted = {normalise_header(names.get(n, n)) for n in columns}
    strangers = [
        c
        for c, raw in zip(cells, header, strict=True)
        if c and c not in wanted and not (known is not None and known(raw))
    ]
    typos: list[tuple[int, str]] = []
    missing: list[str] = []
    for name in columns:
        if name in index:
            continue
        want = names.get(name, name)
        close = difflib.get_close_matches(normalise_header(want), strangers, n=1, cutoff=0.75)
        if close and (hidden := invisible(close[0])) is not None:
            raise BadFile(
                line,
                f"column {cells.index(close[0]) + 1} of the header (line {line}) holds {hidden}, "
                f"so it is not '{want}': remove that character in the export.",
            )
        if close:
            typos.append((cells.index(close[0]), want))
            strangers.remove(close[0])
        elif name in required:
            missing.append(want)
    if not typos and not missing:
        return index
    parts = [
        f"column '{header[i].strip()}' is not a column Proficio reads: did you mean '{want}'?"
        for i, want in typos
    ]
    if len(missing) == 1:
        parts.append(f"the header has no '{missing[0]}' column")
    elif missing:
        parts.append(f"the header lacks the required columns {_listed(missing)}")
    if strangers:
        unread = [header[cells.index(c)].strip() for c in strangers]
        parts.append(f"column{'s' if len(unread) > 1 else ''} not read: {_listed(unread)}")
    text = "; ".join(parts)
    if missing:
        wanted_names = ", ".join(names.get(n, n) for n in required)
        tail = f"Name the columns {wanted_names}, or map yours in a mapping file (--mapping)."
    else:
        tail = "Fix the header (or map it in the mapping file)."
    raise BadFile(line, f"{text if text.endswith('?') else text + '.'} {tail}")


def _listed(items: list[str], last: str = "and") -> str:
    quoted = [f"'{i}'" for i in items]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"


def unread_headers(
    header: list[str], index: dict[str, int], known: Callable[[str], bool] | None = None
) -> tuple[str, ...]:
    """The header's names that no column was read from and the mapping does not know."""
    read = set(index.values())
    return tuple(
        h.strip()
        for i, h in enumerate(header)
        if i not in read and h.strip() and not (known is not None and known(h))
    )


_ONEROSTER = "the whole OneRoster export (its folder or zip, with manifest.csv) as --evidence"

_EXPORTS = (
    (
        {"student sis id", "assessment title", "learning outcome id", "outcome score"},
        "canvas-outcomes",
        "this is Canvas's Outcome Results report (one row per outcome result; quizzes one row "
        "per aligned question): read it with --mapping canvas-outcomes",
    ),
    (
        {"sourcedid", "lineitemsourcedid", "studentsourcedid"},
        "oneroster",
        f"this is OneRoster's results.csv on its own: give Proficio {_ONEROSTER}",
    ),
    (
        {"resultsourcedid", "learningobjectiveid"},
        "oneroster",
        f"this is a OneRoster learning-objective file on its own: give Proficio {_ONEROSTER}",
    ),
    (
        {"sourcedid", "givenname", "familyname"},
        "oneroster",
        "this is OneRoster's users.csv, a roster: give it as --roster (and the export's "
        "results as --evidence)",
    ),
)
"""Known exports by header names only they have: their preset, and what to tell the user."""


def recognise(header: list[str]) -> tuple[str, str] | None:
    """``(preset, what to do)`` for a known export's header, or None."""
    cells = {normalise_header(c) for c in header}
    for needed, preset, message in _EXPORTS:
        if needed <= cells:
            return preset, message
    if (
        {"student name", "student id"} <= cells
        and any(c.endswith(" result") for c in cells)
        and any(c.endswith(" mastery points") for c in cells)
    ):
        return (
            "canvas-mastery",
            "this is Canvas's Learning Mastery Gradebook export (one column per outcome, its "
            "rollup scores): read it with --mapping canvas-mastery",
        )
    return None


_BATCH = 1024
"""Rows read and judged together (see ``read_evidence_csv``): enough to make the per-batch
work small, few enough that the batch's texts stay in the processor's cache."""


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: open(path, "rb")


def _start(
    path: Path,
    stats: FileStats,
    report: ImportReport,
    mapping: Mapping,
    encoding: str | None,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    names: dict[str, str],
    *,
    evidence: bool = True,
) -> tuple[dict[str, int], list[str], Rows] | None:
    """Open a CSV and resolve its header; on failure report the file and return None.

    ``encoding`` (the command line's) wins over the mapping's; the separator is the mapping's,
    else found from the header.

    An ``evidence`` header that does not fit and is a known export's (Canvas, OneRoster) is
    told which preset reads it; the headers no column is read from go in ``stats.unread``.
    """
    opener = _opener(path)
    known = _known(mapping if evidence else None)
    try:
        if not path.is_file():
            raise BadFile(0, f"there is no file {stats.source}")
        codec, note = choose_encoding(opener, encoding or mapping.encoding)
        stats.encoding, stats.encoding_note = codec, note
        wanted = {normalise_header(names.get(n, n)) for n in columns}
        header, rows, sep = open_rows(
            opener,
            codec,
            lambda cells: sum(normalise_header(c) in wanted or known(c) for c in cells),
            mapping.separator,
        )
        stats.separator = sep
        if rows.named is not None:
            shown = "\\t" if sep == "\t" else sep
            stats.separator_note = f"named by its first line sep={shown}, which is not a row"
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)
        return None
    except OSError as exc:
        report.fail_file(stats, 0, f"cannot read {stats.source}: {exc.strerror}")
        return None
    try:
        index = resolve_header(header, columns, required, names, rows.header_line, known)
    except BadFile as exc:
        rows.text.close()
        rest = rows.rest_from(rows.first_line)
        message = exc.message
        found = recognise(header) if evidence else None
        if found is not None and mapping.name != f"preset {found[0]}":
            message = f"{found[1]}."
            if mapping.name:
                message += f" The mapping ({mapping.name}) does not fit it: {exc.message}"
        report.fail_file(
            stats,
            exc.line,
            message + f" None of its rows were used ({rows_text(rest)}).",
            rest,
            tuple(header),
        )
        return None
    stats.unread = unread_headers(header, index, known)
    return index, header, rows


def _known(mapping: Mapping | None) -> Callable[[str], bool]:
    """Which headers the mapping knows: its ``ignore`` list and a wide export's score columns."""
    if mapping is None:
        return lambda header: False
    wide = mapping.wide
    if wide is None:
        return mapping.ignores
    return lambda header: mapping.ignores(header) or header_matches(wide.scores, header)


def _evidence_file(
    path: Path, checker: RowChecker, report: ImportReport, mapping: Mapping, how: str
) -> FileStats:
    """Start one evidence file's counts (both layouts), noting the preset that reads it."""
    stats = report.add_file(display_path(path), "evidence")
    checker.register(stats)
    if mapping.name:
        stats.notes.append(f"read with {mapping.name}{how}")
    return stats


def read_evidence_csv(
    path: Path,
    checker: RowChecker,
    report: ImportReport,
    mapping: Mapping,
    encoding: str | None = None,
) -> FileStats:
    """Stream one native evidence CSV through ``checker``; every row is used or reported.

    With the mapping's ``layout: wide`` the file is a wide export (see :func:`read_wide_csv`).
    """
    if mapping.wide is not None:
        return read_wide_csv(path, checker, report, mapping, encoding)
    stats = _evidence_file(path, checker, report, mapping, "")
    started = _start(
        path,
        stats,
        report,
        mapping,
        encoding,
        EVIDENCE_COLUMNS,
        EVIDENCE_REQUIRED,
        mapping.evidence_columns,
    )
    if started is None:
        return stats
    index, _header, rows = started
    width = rows.width
    i_sid, i_target, i_score, i_date = (index[c] for c in EVIDENCE_REQUIRED)
    optional = [index.get(c) for c in ("assessment", "type", "scorer", "comment")]
    i_assess, i_type, i_scorer, i_comment = optional
    wanted = (i_sid, i_target, i_score, i_date, *optional)
    add = checker.add
    reject = report.reject
    lane = checker.lane()
    intern = checker.intern
    source = stats.source
    reader = rows.reader
    skipped = rows.skipped
    end = reader.line_num
    count = used = 0

    def one(row: list[str], line: int) -> None:
        """One row on its own: a misfit, a blank row, or one the lane left to the checker."""
        nonlocal count
        if len(row) != width:
            if not any(c.strip() for c in row):  # a blank line, or a short ,,, row
                return
            misfit = rows.misfit(row)
            if misfit is not None:
                count += 1
                reject(stats, line, misfit[0], misfit[1], tuple(row))
                return
        if not any(c.strip() for c in row):  # a spreadsheet's empty row: ,,,,,
            return
        count += 1
        add(
            stats,
            line,
            row,
            row[i_sid],
            row[i_target],
            row[i_score],
            row[i_date],
            intern(row[i_assess]) if i_assess is not None else "",
            intern(row[i_type]) if i_type is not None else "",
            intern(row[i_scorer]) if i_scorer is not None else "",  # blank: no scorer
            row[i_comment].strip() if i_comment is not None else "",
        )

    # Rows are read in batches. A batch of one-line rows of the header's width goes to the
    # checker's lane column by column (see FastLane); the rows it leaves, and every row of a
    # batch with a row over several lines (a quoted line break) or of another width, are
    # judged one at a time, in the order read.
    try:
        while True:
            batch: list[list[str]] = []
            failure: csv.Error | None = None
            try:
                batch.extend(islice(reader, _BATCH))
            except csv.Error as exc:  # the rows before it are in the batch
                failure = exc
            n = len(batch)
            if not n and failure is None:
                break
            if (
                failure is None
                and reader.line_num - end == n
                and len(lengths := set(map(len, batch))) == 1
                and width in lengths
            ):
                first = end + 1 + skipped
                end = reader.line_num
                columns = list(zip(*batch, strict=True))
                left = lane.check(
                    [columns[i] if i is not None else None for i in wanted],
                    first,
                    source,
                )
                at = 0
                for i in left:
                    if at < i:
                        kept = lane.keep(at, i)
                        count += kept
                        used += kept
                    one(batch[i], first + i)
                    at = i + 1
                if at < n:
                    kept = lane.keep(at, n)
                    count += kept
                    used += kept
                continue
            for row in batch:
                line = end + 1 + skipped
                start = end
                end += 1 + extra_lines(row)
                if end - start > 1:  # a quoted field with line breaks: did it swallow rows?
                    swallowed = rows.swallowed(row, line)
                    if swallowed is not None:
                        raise swallowed
                one(row, line)
            if failure is not None:
                raise failure
            end = reader.line_num
    except csv.Error as exc:
        broken = rows.broken(end + 1 + skipped, exc)
        report.fail_file(stats, broken.line, broken.message, broken.rows)
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)
    finally:
        rows.text.close()
        stats.rows += count
        stats.used += used
    return stats


def read_wide_csv(
    path: Path,
    checker: RowChecker,
    report: ImportReport,
    mapping: Mapping,
    encoding: str | None = None,
) -> FileStats:
    """A wide export (``layout: wide``): one row per student, one column per outcome, each
    cell the gradebook's rollup score (Canvas's Learning Mastery Gradebook).

    Each non-empty score cell is one evidence row (its line is the student's), kept as
    ``kind="rollup"``: any value within the scale is accepted, since a rollup is already a
    current score. A column's outcome is a target by its code, the crosswalk, its CASE
    identifier, or (with ``outcome_separator``) the last part of its path; a column that is
    none of these has each of its scores reported. The scores are dated by the mapping's
    ``date`` or else the run's date (``--as-of``); a line with the wrong number of fields is
    one row, reported.
    """
    wide = mapping.wide
    assert wide is not None  # read_evidence_csv sends only wide mappings here
    stats = _evidence_file(path, checker, report, mapping, " (one column per outcome: rollups)")
    started = _start(
        path,
        stats,
        report,
        mapping,
        encoding,
        ("student_id",),
        ("student_id",),
        mapping.evidence_columns,
    )
    if started is None:
        return stats
    index, header, rows = started
    i_sid = index["student_id"]
    columns: list[tuple[int, str, str, str | None]] = []
    for i, name in enumerate(header):
        if i == i_sid or mapping.ignores(name):
            continue
        outcome = outcome_of(wide.scores, name)
        if outcome is None:
            continue
        code = checker.resolve(outcome)
        tail = outcome
        if code is None and wide.outcome_separator and wide.outcome_separator in outcome:
            tail = outcome.rsplit(wide.outcome_separator, 1)[-1].strip()
            code = checker.resolve(tail)
        problem = None
        if code is None:
            problem = f"outcome '{outcome}': {checker.unknown_code(tail)}"
            if checker.crosswalk is None:
                problem += "; or map the outcome to a target in a crosswalk (--crosswalk)"
        columns.append((i, f"column '{name.strip()}' (column {i + 1})", code or tail, problem))
    if not columns:
        rows.text.close()
        rest = rows.rest_from(rows.first_line)
        report.fail_file(
            stats,
            rows.header_line,
            f"no column of the header (line {rows.header_line}) is named like "
            f"'{wide.scores}', the mapping's wide: scores: so there is no score to read. "
            f"None of its rows were used ({rows_text(rest)}).",
            rest,
            tuple(header),
        )
        return stats
    day = wide.date or checker.as_of
    how = "the mapping's date" if wide.date else "the run's date (--as-of)"
    stats.notes.append(f"scores dated {day}, {how}: the export has no dates")
    unknown = sum(1 for c in columns if c[3] is not None)
    if unknown:
        stats.notes.append(
            f"{unknown} of its {len(columns)} outcome columns are not targets: their scores "
            "are reported"
        )
    when = day.isoformat()
    assessment = wide.assessment or stats.source
    add = checker.add
    try:
        for row in rows:
            if not any(c.strip() for c in row):
                continue
            line = rows.line
            misfit = rows.misfit(row)
            if misfit is not None:
                stats.rows += 1
                report.reject(stats, line, misfit[0], misfit[1], tuple(row))
                continue
            student = row[i_sid]
            for i, where, code, problem in columns:
                raw = row[i]
                if not raw.strip():
                    continue
                stats.rows += 1
                if problem is not None:
                    report.reject(stats, line, "unknown-target", f"{where}: {problem}", tuple(row))
                    continue
                add(
                    stats,
                    line,
                    row,
                    student,
                    code,
                    raw,
                    when,
                    assessment,
                    kind="rollup",
                    column=where,
                )
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)
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
        mapping,
        encoding,
        ROSTER_COLUMNS,
        ROSTER_REQUIRED,
        mapping.roster_columns,
        evidence=False,
    )
    if started is None:
        return students
    index, header, rows = started
    lines: dict[str, int] = {}
    dates = DateReader(mapping.date_format)
    try:
        for row in rows:
            if not row or not any(c.strip() for c in row):
                continue
            stats.rows += 1
            line = rows.line
            if _roster_row(
                row,
                index,
                header,
                rows,
                students,
                lines,
                school_languages,
                dates,
                report,
                stats,
                line,
            ):
                lines[row[index["student_id"]].strip()] = line
                stats.used += 1
            else:
                _unlisted(report, stats, row, index["student_id"], line)
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)
    return students


def _unlisted(report: ImportReport, stats: FileStats, row: list[str], at: int, line: int) -> None:
    """Remember the ID of a rejected roster row (not of a second row for a listed student)."""
    sid = row[at].strip() if at < len(row) else ""
    last = report.issues[-1]
    if sid and last.reason != "duplicate-student":
        report.unlisted.setdefault(sid, f"{stats.source}:{line}: {last.message}")


_NAMES = ("student_id", "given_name", "family_name", "preferred_name", "latin_name")
"""Roster columns that must not hold invisible characters (see ``textfile.invisible``)."""


def _roster_row(
    row: list[str],
    index: dict[str, int],
    header: list[str],
    rows: Rows,
    students: dict[str, Student],
    lines: dict[str, int],
    languages: list[str],
    dates: DateReader,
    report: ImportReport,
    stats: FileStats,
    line: int,
) -> bool:
    """Check one roster row: add its student (True) or report why not (False)."""
    misfit = rows.misfit(row)
    if misfit is not None:
        report.reject(stats, line, misfit[0], misfit[1], tuple(row))
        return False
    cells = {name: row[i].strip() for name, i in index.items()}
    sid = cells["student_id"]
    if not sid:
        report.reject(stats, line, "missing-field", "no student_id: fill it in", tuple(row))
        return False
    for name in _NAMES:
        hidden = invisible(cells.get(name, ""))
        if hidden is not None:
            i = index[name]
            report.reject(
                stats,
                line,
                "invisible-character",
                f"{header[i].strip()} (column {i + 1}) holds {hidden}: remove it in the export",
                tuple(row),
            )
            return False
    if sid in students:
        report.reject(
            stats,
            line,
            "duplicate-student",
            f"student {sid!r} is already on line {lines.get(sid, '?')}: keep one row per student",
            tuple(row),
        )
        return False
    if not cells["given_name"] and not cells["family_name"]:
        report.reject(
            stats, line, "missing-field", "no given_name or family_name: fill them in", tuple(row)
        )
        return False
    students[sid] = _student(cells, languages, dates, report, stats, line, tuple(row))
    return True


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
        if text.isascii() and text.isdigit() and 1900 <= int(text) <= 2200:
            year = int(text)
        else:
            digit = foreign_digit(text)
            why = f"is written with {digit}, not the digits 0-9" if digit else "is not a year"
            report.warn(
                stats, line, "bad-field", f"graduation_year '{text}' {why}: left empty", row
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
    order = cells.get("name_order", "").lower().replace("_", "-") or NAME_ORDERS[0]
    if order not in NAME_ORDERS:
        report.warn(
            stats,
            line,
            "bad-field",
            f"name_order '{cells['name_order']}' is not {' or '.join(NAME_ORDERS)}: "
            f"the name is printed given name first",
            row,
        )
        order = NAME_ORDERS[0]
    return Student(
        id=cells["student_id"],
        given_name=cells["given_name"],
        family_name=cells["family_name"],
        preferred_name=cells.get("preferred_name") or None,
        graduation_year=year,
        birth_date=born,
        language=language,
        name_order=order,
        latin_name=cells.get("latin_name") or None,
    )
