"""1EdTech OneRoster 1.2 CSV bulk exports: a folder or a zip with manifest.csv, users.csv,
lineItems.csv, results.csv and the learning-objective files that tie a score to a target.

A score reaches a target through a learning objective, never through a guess:

- ``resultLearningObjectiveIds.csv`` rows (resultSourcedId, learningObjectiveId, score) are
  scores on targets; each is one evidence row, dated by its result's ``scoreDate``;
- a result without such rows counts for a target only when its line item lists exactly one
  learning objective (``lineItemLearningObjectiveIds.csv``); otherwise it is reported.

A learning objective is a target when its ID is a target code, the target's CASE identifier (as
``proficio export-case`` writes it, or as it was imported with ``import-case``), or when the
mapping file's ``oneroster: learning_objectives:`` or the crosswalk maps it to one. The
assessment name is the line item's title and the evidence type its category's title. A
``textScore`` ("Proficient") is read as a label of the target's scale when there is no
``score``. The school's student ID is the mapping's ``oneroster: student_id`` column of
users.csv (``identifier``); a user whose ID there is empty is reported, and so are their results.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..support.files import display_path
from .checker import RowChecker
from .mapping import Mapping
from .records import Student
from .report import FileStats, ImportReport
from .textfile import (
    BadFile,
    DateReader,
    Rows,
    choose_encoding,
    invisible,
    normalise_header,
    open_rows,
    rows_text,
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)
"""What reading a zip member raises when the zip is damaged (a bad CRC, cut-off data) or
uses what Python cannot read (encryption, an unknown compression)."""


def looks_like_zip(path: Path) -> bool:
    """A file that is, or claims to be, a zip: its name or its first bytes (a truncated zip
    has no central directory, so ``zipfile.is_zipfile`` says no)."""
    if not path.is_file():
        return False
    if path.suffix.lower() == ".zip":
        return True
    with suppress(OSError), open(path, "rb") as f:
        return f.read(4) in _ZIP_MAGIC
    return False


class Bundle:
    """The files of a OneRoster export, from a folder or a zip (at its root or in one folder).

    ``problem`` says why the export cannot be read at all (a damaged zip); a file name found
    twice (``results.csv`` at the root and in a folder) is reported by :meth:`twice`, never
    resolved by picking one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = display_path(path)
        self.zip: zipfile.ZipFile | None = None
        self.names: dict[str, str] = {}
        self.copies: dict[str, list[str]] = {}
        self.problem: str | None = None
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file():
                    self._add(p.name)
        elif looks_like_zip(path):
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError):
                self.problem = (
                    f"{self.display} is not a complete zip file (truncated?): its list of "
                    "files is missing. Copy or download the export again."
                )
                return
            for info in self.zip.infolist():
                if not info.is_dir() and not info.filename.startswith("__MACOSX/"):
                    self._add(info.filename)
            members = set(self.zip.namelist())
            if "[Content_Types].xml" in members and "xl/workbook.xml" in members:
                self.problem = (
                    f"{self.display} is an Excel workbook, not a CSV file or a OneRoster "
                    "export: in Excel, use Save As > CSV UTF-8 and give Proficio that file."
                )

    def _add(self, member: str) -> None:
        key = Path(member).name.lower()
        if key in self.names:
            self.copies.setdefault(key, [self.names[key]]).append(member)
        else:
            self.names[key] = member

    def twice(self) -> str | None:
        """The message for a OneRoster file the export holds more than once, or None."""
        for key, members in self.copies.items():
            if key.endswith(".csv"):
                listed = " and ".join(members[:2]) + (
                    f" (and {len(members) - 2} more)" if len(members) > 2 else ""
                )
                times = "twice" if len(members) == 2 else f"{len(members)} times"
                return (
                    f"{self.display} holds {key} {times} ({listed}): a OneRoster "
                    "export has one of each file, so Proficio cannot tell which to read. Keep "
                    "one export in it."
                )
        return None

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def where(self, name: str) -> str:
        return f"{self.display}/{self.names.get(name.lower(), name)}"

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def opener(self, name: str) -> Callable[[], BinaryIO]:
        member = self.names[name.lower()]
        if self.zip is not None:
            zf = self.zip
            return lambda: zf.open(member)  # type: ignore[return-value]  # ZipExtFile reads bytes
        return lambda: open(self.path / member, "rb")


def is_oneroster(path: Path) -> bool:
    """A folder holding OneRoster files (manifest.csv, users.csv or results.csv), or a zip
    (any zip: one that is damaged or holds no OneRoster files is reported as such)."""
    if path.is_dir():
        b = Bundle(path)
        return any(b.has(n) for n in ("manifest.csv", "users.csv", "results.csv"))
    return looks_like_zip(path)


Table = tuple[dict[str, int], Rows]


def _table(
    bundle: Bundle, name: str, stats: FileStats, report: ImportReport, needed: tuple[str, ...]
) -> Table | None:
    if not bundle.has(name):
        report.fail_file(
            stats, 0, f"the export has no {name}: export it with the gradebook (results) files."
        )
        return None
    opener = bundle.opener(name)
    try:
        codec, note = choose_encoding(opener, None)
        stats.encoding, stats.encoding_note, stats.separator = codec, note, ","
        header, rows, _ = open_rows(opener, codec, lambda cells: 0, ",")
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)
        return None
    except _DAMAGED as exc:
        report.fail_file(stats, 0, _damaged(bundle, name, exc))
        return None
    except OSError as exc:
        report.fail_file(stats, 0, f"cannot read {bundle.where(name)}: {exc.strerror}")
        return None
    index: dict[str, int] = {}
    lower: dict[str, int] = {}
    for i, c in enumerate(header):
        column = c.strip().lstrip("\ufeff")
        if not column:
            continue
        if normalise_header(column) in lower:
            first = lower[normalise_header(column)]
            _fail_table(
                stats,
                report,
                rows,
                header,
                f"{name} has the column '{column}' twice, as column {first + 1} and column "
                f"{i + 1} (line {rows.header_line}): Proficio cannot tell which one to read. "
                "Remove one of them.",
            )
            return None
        index[column] = i
        lower[normalise_header(column)] = i
    missing = [n for n in needed if n not in index and n.lower() not in lower]
    if missing:
        _fail_table(
            stats,
            report,
            rows,
            header,
            f"{name} has no '{missing[0]}' column, which OneRoster 1.2 requires.",
        )
        return None
    for n in needed:
        if n not in index:
            index[n] = lower[n.lower()]
    return index, rows


def _fail_table(
    stats: FileStats, report: ImportReport, rows: Rows, header: list[str], message: str
) -> None:
    rows.text.close()
    rest = rows.rest_from(rows.first_line)
    report.fail_file(
        stats,
        rows.header_line,
        f"{message} None of its rows were used ({rows_text(rest)}).",
        rest,
        tuple(header),
    )


def _damaged(bundle: Bundle, name: str, exc: BaseException) -> str:
    member = bundle.names.get(name.lower(), name)
    if "CRC" in str(exc):
        what = f"its file {member} fails the zip's CRC check (the data was changed or damaged)"
    else:
        what = f"its file {member} cannot be unpacked ({exc})"
    return f"the zip {bundle.display} is damaged: {what}. Copy or download the export again."


def _each(rows: Rows, stats: FileStats, report: ImportReport) -> Iterator[list[str]]:
    """The rows of a table; a table that breaks part-way (a quote that swallowed rows) is
    reported, with the rows from there on counted as not read."""
    try:
        yield from rows
    except BadFile as exc:
        report.fail_file(stats, exc.line, exc.message, exc.rows)


def _cell(row: list[str], index: dict[str, int], name: str) -> str:
    i = index.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def _manifest(bundle: Bundle, report: ImportReport) -> dict[str, str] | None:
    stats = report.add_file(bundle.where("manifest.csv"), "manifest")
    table = _table(bundle, "manifest.csv", stats, report, ("propertyName", "value"))
    if table is None:
        return None
    index, rows = table
    found = {
        _cell(r, index, "propertyName"): _cell(r, index, "value")
        for r in _each(rows, stats, report)
        if r
    }
    return None if stats.rejected else found


UserRow = tuple[int, list[str], dict[str, int], tuple[str, str] | None]
"""A student's users.csv row: its line, its fields, the header's index, and what is wrong
with its width (short or long), if anything."""


@dataclass
class Users:
    """What users.csv says about who is who."""

    ids: dict[str, str]
    """sourcedId -> the school's student ID (the mapping's ``student_id`` column)."""
    students: list[UserRow]
    """The rows of students, for a roster."""
    stats: FileStats
    misfits: dict[str, int]
    """sourcedIds of rows too short or long to be trusted -> their line."""
    blank: dict[str, int]
    """sourcedIds of users whose student ID is empty -> their line: reported, never keyed by
    their sourcedId instead (a roster keyed by the SIS's student ID would not match it)."""
    field: str
    """The column the student IDs were read from."""


def _users(bundle: Bundle, mapping: Mapping, report: ImportReport, kind: str) -> Users | None:
    """users.csv: who each sourcedId is, and the student rows (for a roster).

    The school's student ID is the mapping's ``oneroster: student_id`` column (default
    ``identifier``). A user whose cell there is empty is reported. When users.csv has no such
    column at all (``identifier`` is optional in OneRoster 1.2), every user is keyed by
    ``sourcedId`` and a note says so.
    """
    problem = bundle.problem or bundle.twice()
    if problem is not None:
        report.fail_file(report.add_file(bundle.display, kind), 0, problem)
        return None
    stats = report.add_file(bundle.where("users.csv"), kind)
    table = _table(bundle, "users.csv", stats, report, ("sourcedId", "givenName", "familyName"))
    if table is None:
        return None
    index, rows = table
    roles: dict[str, set[str]] = {}
    if bundle.has("roles.csv"):
        rstats = report.add_file(bundle.where("roles.csv"), "oneroster-roles")
        rtable = _table(bundle, "roles.csv", rstats, report, ("userSourcedId", "role"))
        if rtable is not None:
            rindex, rrows = rtable
            for r in _each(rrows, rstats, report):
                if r and _cell(r, rindex, "status") != "tobedeleted":
                    roles.setdefault(_cell(r, rindex, "userSourcedId"), set()).add(
                        _cell(r, rindex, "role").lower()
                    )
    ids: dict[str, str] = {}
    misfits: dict[str, int] = {}
    blank: dict[str, int] = {}
    students: list[UserRow] = []
    field = mapping.oneroster_student_id
    if field not in index:
        stats.notes.append(
            f"users.csv has no {field} column: students are keyed by sourcedId (set "
            "oneroster: student_id: in the mapping to read another column)"
        )
        field = "sourcedId"
    for row in _each(rows, stats, report):
        if not row or not any(c.strip() for c in row):
            continue
        line = rows.line
        sourced = _cell(row, index, "sourcedId")
        misfit = rows.misfit(row)
        if misfit is None:
            value = _cell(row, index, field)
            if value:
                ids[sourced] = value
            else:
                blank[sourced] = line
        else:
            misfits[sourced] = line
        role = _cell(row, index, "role").lower()
        is_student = (
            ("student" in roles.get(sourced, set())) if roles else (role in ("", "student"))
        )
        if is_student:
            students.append((line, row, index, misfit))
    return Users(ids, students, stats, misfits, blank, field)


_NAMES = ("givenName", "familyName", "preferredGivenName")
"""users.csv columns of a student's name, which must not hold invisible characters."""


def read_oneroster_roster(
    path: Path,
    languages: list[str],
    report: ImportReport,
    mapping: Mapping,
    students: dict[str, Student] | None = None,
) -> dict[str, Student]:
    """Students from a OneRoster users.csv (role student), keyed by the school's student ID."""
    students = {} if students is None else students
    bundle = Bundle(path) if not path.name.lower().endswith(".csv") else _single(path)
    try:
        found = _users(bundle, mapping, report, "oneroster-roster")
    finally:
        bundle.close()
    if found is None:
        return students
    ids, stats, field = found.ids, found.stats, found.field
    for line, row, index, misfit in found.students:
        stats.rows += 1
        if misfit is not None:
            report.reject(stats, line, misfit[0], misfit[1], tuple(row))
            continue
        if _cell(row, index, "status") == "tobedeleted":
            report.reject(stats, line, "deleted", "the user is marked tobedeleted", tuple(row))
            continue
        sourced = _cell(row, index, "sourcedId")
        sid = ids.get(sourced, "")
        if not sid:
            message = (
                f"{field} is empty: it is the school's student ID, which every roster, score "
                "and document is keyed by; fill it in in the SIS (or set oneroster: student_id: "
                "sourcedId in the mapping to key students by sourcedId)"
                if sourced and sourced in found.blank
                else "no sourcedId: fill it in"
            )
            report.reject(stats, line, "missing-field", message, tuple(row))
            continue
        columns = (field if field in index and _cell(row, index, field) else "sourcedId", *_NAMES)
        hidden = next(
            ((c, h) for c in columns if (h := invisible(_cell(row, index, c))) is not None),
            None,
        )
        if hidden is not None:
            report.reject(
                stats,
                line,
                "invisible-character",
                f"{hidden[0]} (column {index[hidden[0]] + 1}) holds {hidden[1]}: remove it in "
                "the export",
                tuple(row),
            )
            report.unlisted.setdefault(sid, f"{stats.source}:{line}: {report.issues[-1].message}")
            continue
        if sid in students:
            report.reject(
                stats, line, "duplicate-student", f"student {sid!r} is listed twice", tuple(row)
            )
            continue
        students[sid] = Student(
            id=sid,
            given_name=_cell(row, index, "givenName"),
            family_name=_cell(row, index, "familyName"),
            preferred_name=_cell(row, index, "preferredGivenName") or None,
        )
        stats.used += 1
    return students


class _single(Bundle):
    """A lone users.csv given as the roster."""

    def __init__(self, path: Path) -> None:
        self.path = path.parent
        self.display = display_path(path.parent)
        self.zip = None
        self.names = {"users.csv": path.name}
        self.copies = {}
        self.problem = None
        sibling = path.parent / "roles.csv"
        if sibling.is_file():
            self.names["roles.csv"] = sibling.name


def is_oneroster_users(path: Path) -> bool:
    """A users.csv file (by its header) rather than Proficio's roster CSV."""
    with suppress(OSError), open(path, "rb") as f:
        head = f.readline().decode("utf-8-sig", "replace")
        return "sourcedid" in head.lower() and "givenname" in head.lower()
    return False


def read_oneroster_evidence(
    path: Path, checker: RowChecker, report: ImportReport, mapping: Mapping
) -> None:
    """Every result and learning-objective score of a OneRoster export, used or reported."""
    bundle = Bundle(path)
    try:
        _read_evidence(bundle, checker, report, mapping)
    finally:
        bundle.close()


def _read_evidence(
    bundle: Bundle, checker: RowChecker, report: ImportReport, mapping: Mapping
) -> None:
    unreadable = bundle.problem or bundle.twice()
    if unreadable is not None:
        stats = report.add_file(bundle.display, "oneroster")
        checker.register(stats)
        report.fail_file(stats, 0, unreadable)
        return
    has_manifest = bundle.has("manifest.csv")
    manifest = _manifest(bundle, report) if has_manifest else None
    results_stats = report.add_file(bundle.where("results.csv"), "oneroster")
    checker.register(results_stats)
    if manifest is None:
        report.fail_file(
            results_stats,
            0,
            "manifest.csv could not be read, so the export cannot be checked."
            if has_manifest
            else "not a OneRoster bulk export: manifest.csv is missing.",
        )
        return
    mode = manifest.get("file.results", "")
    if mode != "bulk":
        what = (
            "has no results (file.results is absent)"
            if mode in ("", "absent")
            else f"is a {mode} export"
        )
        report.fail_file(
            results_stats, 0, f"the export {what}; export the gradebook results in bulk mode."
        )
        return
    users = _users(bundle, mapping, report, "oneroster-users")
    if users is None:
        report.fail_file(
            results_stats, 0, "users.csv could not be read, so results cannot name students."
        )
        return
    ids = users.ids
    titles: dict[str, tuple[str, str]] = {}
    categories: dict[str, str] = {}
    if bundle.has("categories.csv"):
        cstats = report.add_file(bundle.where("categories.csv"), "oneroster-table")
        ctable = _table(bundle, "categories.csv", cstats, report, ("sourcedId", "title"))
        if ctable:
            for r in _each(ctable[1], cstats, report):
                if r:
                    categories[_cell(r, ctable[0], "sourcedId")] = _cell(r, ctable[0], "title")
    lstats = report.add_file(bundle.where("lineItems.csv"), "oneroster-table")
    ltable = _table(bundle, "lineItems.csv", lstats, report, ("sourcedId", "title"))
    if ltable:
        for r in _each(ltable[1], lstats, report):
            if r:
                titles[_cell(r, ltable[0], "sourcedId")] = (
                    _cell(r, ltable[0], "title"),
                    categories.get(_cell(r, ltable[0], "categorySourcedId"), ""),
                )
    objectives: dict[str, list[str]] = {}
    if bundle.has("lineItemLearningObjectiveIds.csv"):
        ostats = report.add_file(
            bundle.where("lineItemLearningObjectiveIds.csv"), "oneroster-table"
        )
        otable = _table(
            bundle,
            "lineItemLearningObjectiveIds.csv",
            ostats,
            report,
            ("lineItemSourcedId", "learningObjectiveId"),
        )
        if otable:
            for r in _each(otable[1], ostats, report):
                if r and _cell(r, otable[0], "status") != "tobedeleted":
                    objectives.setdefault(_cell(r, otable[0], "lineItemSourcedId"), []).append(
                        _cell(r, otable[0], "learningObjectiveId")
                    )
    per_result: dict[str, list[tuple[int, list[str]]]] = {}
    rlo_stats: FileStats | None = None
    rlo_index: dict[str, int] = {}
    if bundle.has("resultLearningObjectiveIds.csv"):
        rlo_stats = report.add_file(bundle.where("resultLearningObjectiveIds.csv"), "oneroster")
        checker.register(rlo_stats)
        rtable = _table(
            bundle,
            "resultLearningObjectiveIds.csv",
            rlo_stats,
            report,
            ("resultSourcedId", "learningObjectiveId"),
        )
        if rtable:
            rlo_index, lo_rows = rtable
            for r in _each(lo_rows, rlo_stats, report):
                if not r or not any(c.strip() for c in r):
                    continue
                misfit = lo_rows.misfit(r)
                if misfit is not None:
                    rlo_stats.rows += 1
                    report.reject(rlo_stats, lo_rows.line, misfit[0], misfit[1], tuple(r))
                    continue
                per_result.setdefault(_cell(r, rlo_index, "resultSourcedId"), []).append(
                    (lo_rows.line, r)
                )
    table = _table(
        bundle,
        "results.csv",
        results_stats,
        report,
        ("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreDate"),
    )
    if table is None:
        return
    index, rows = table
    lo_map = mapping.learning_objectives

    def target_of(objective: str) -> str | None:
        """A target code, the mapping's learning_objectives, the crosswalk, a CASE UUID."""
        return lo_map.get(objective) or checker.resolve(objective)

    for row in _each(rows, results_stats, report):
        if not row or not any(c.strip() for c in row):
            continue
        line = rows.line
        results_stats.rows += 1
        rid = _cell(row, index, "sourcedId")
        los = per_result.pop(rid, [])
        problem = rows.misfit(row) or _result_problem(row, index, users, titles)
        if problem:
            reason, message = problem
            report.reject(results_stats, line, reason, message, tuple(row))
            for lo_line, lo_row in los:
                assert rlo_stats is not None  # per_result is filled only from that file
                rlo_stats.rows += 1
                report.reject(
                    rlo_stats,
                    lo_line,
                    reason,
                    f"its result (results.csv line {line}): {message}",
                    tuple(lo_row),
                )
            continue
        student = ids[_cell(row, index, "studentSourcedId")]
        title, category = titles[_cell(row, index, "lineItemSourcedId")]
        when = _cell(row, index, "scoreDate")
        if los:
            results_stats.used += 1
            for lo_line, lo_row in los:
                assert rlo_stats is not None  # per_result is filled only from that file
                rlo_stats.rows += 1
                objective = _cell(lo_row, rlo_index, "learningObjectiveId")
                code = target_of(objective)
                if code is None:
                    report.reject(
                        rlo_stats,
                        lo_line,
                        "no-learning-objective",
                        f"learning objective '{objective}' is not a target code; map it to one under "
                        "oneroster: learning_objectives: in the mapping file or in a crosswalk (--crosswalk)",
                        tuple(lo_row),
                    )
                    continue
                # A textScore ("Proficient") is read as a label of the scale when there is no
                # score.
                score = _cell(lo_row, rlo_index, "score") or _cell(lo_row, rlo_index, "textScore")
                checker.add(
                    rlo_stats,
                    lo_line,
                    lo_row,
                    student,
                    code,
                    score,
                    when,
                    title,
                    category,
                    "",
                    _cell(row, index, "comment"),
                )
            continue
        listed = objectives.get(_cell(row, index, "lineItemSourcedId"), [])
        mapped = [target_of(o) for o in listed]
        if len(listed) == 1 and mapped[0] is not None:
            checker.add(
                results_stats,
                line,
                row,
                student,
                mapped[0],
                _cell(row, index, "score") or _cell(row, index, "textScore"),
                when,
                title,
                category,
                "",
                _cell(row, index, "comment"),
            )
            continue
        if not listed:
            message = "the result has no learning objective (none on the result or its line item): not used"
        elif len(listed) > 1:
            message = (
                f"the line item assesses {len(listed)} learning objectives and the result has no "
                "score per objective (resultLearningObjectiveIds.csv): not guessed"
            )
        else:
            message = (
                f"learning objective '{listed[0]}' of its line item is not a target code; map it "
                "under oneroster: learning_objectives: in the mapping file or in a crosswalk (--crosswalk)"
            )
        report.reject(results_stats, line, "no-learning-objective", message, tuple(row))
    cut = "bad-file" in results_stats.rejected
    for rid, los in per_result.items():
        for lo_line, lo_row in los:
            assert rlo_stats is not None  # per_result is filled only from that file
            rlo_stats.rows += 1
            report.reject(
                rlo_stats,
                lo_line,
                "unknown-reference",
                f"resultSourcedId '{rid}' is not in the part of results.csv that could be read"
                if cut
                else f"resultSourcedId '{rid}' is not in results.csv",
                tuple(lo_row),
            )


def _result_problem(
    row: list[str],
    index: dict[str, int],
    users: Users,
    titles: dict[str, tuple[str, str]],
) -> tuple[str, str] | None:
    if _cell(row, index, "status") == "tobedeleted":
        return "deleted", "the result is marked tobedeleted"
    status = _cell(row, index, "scoreStatus")
    if status and status != "fully graded":
        return "not-graded", f"scoreStatus is '{status}', not 'fully graded'"
    student = _cell(row, index, "studentSourcedId")
    if student not in users.ids:
        if student in users.misfits:
            return (
                "unknown-student",
                f"studentSourcedId {student!r} is on users.csv line {users.misfits[student]}, "
                "which has the wrong number of fields: fix that row",
            )
        if student in users.blank:
            return (
                "unknown-student",
                f"studentSourcedId {student!r} is on users.csv line {users.blank[student]}, "
                f"whose {users.field} (the school's student ID) is empty: fill it in in the SIS",
            )
        return "unknown-student", f"studentSourcedId {student!r} is not in users.csv"
    item = _cell(row, index, "lineItemSourcedId")
    if item not in titles:
        return "unknown-reference", f"lineItemSourcedId '{item}' is not in lineItems.csv"
    return None


__all__ = [
    "Bundle",
    "DateReader",
    "is_oneroster",
    "is_oneroster_users",
    "read_oneroster_evidence",
    "read_oneroster_roster",
]
