"""Evidence and roster import: gradebook exports in, checked evidence out, every row accounted for.

``load`` is the one call most code needs::

    from proficio import load_school
    from proficio.evidence import load
    from proficio.proficiency import score_students

    school = load_school("content")
    imported = load("roster.csv", ["evidence.csv"], school)
    print(imported.report.summary())
    for result in score_students(school, imported.students, imported.evidence):
        ...

Readers stream their files; the used rows are kept grouped by student, packed (about 40 bytes each).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ..content.model import School
from ..support.allocation import no_collection
from .checker import EvidenceSet, RowChecker
from .mapping import Mapping, MappingError, load_mapping
from .native import read_evidence_csv, read_roster_csv
from .oneroster import (
    is_oneroster,
    is_oneroster_users,
    read_oneroster_evidence,
    read_oneroster_roster,
)
from .records import Student
from .report import REASONS, FileStats, ImportReport, Issue, neutralise, write_issues
from .textfile import DateReader

__all__ = [
    "REASONS",
    "EvidenceSet",
    "FileStats",
    "ImportReport",
    "Imported",
    "Issue",
    "Mapping",
    "MappingError",
    "as_of_date",
    "load",
    "load_mapping",
    "neutralise",
    "read_roster",
    "write_issues",
]


@dataclass
class Imported:
    """What ``load`` returns: the students in roster order, their evidence, and the report."""

    students: list[Student]
    evidence: EvidenceSet
    report: ImportReport
    as_of: date


def as_of_date(value: date | None = None) -> date:
    """The run's date: ``value``, else SOURCE_DATE_EPOCH (for reproducible builds), else today."""
    if value is not None:
        return value
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def _paths(value: Path | str | Sequence[Path | str]) -> list[Path]:
    if isinstance(value, str | Path):
        return [Path(value)]
    return [Path(v) for v in value]


def read_roster(
    paths: Path | str | Sequence[Path | str],
    school: School,
    report: ImportReport | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
) -> dict[str, Student]:
    """Students by ID from roster CSVs or OneRoster users.csv (a file, folder or zip)."""
    report = report if report is not None else ImportReport()
    mapping = mapping or Mapping()
    students: dict[str, Student] = {}
    for path in _paths(paths):
        if is_oneroster(path) or (path.is_file() and is_oneroster_users(path)):
            read_oneroster_roster(path, school.languages, report, mapping, students)
        else:
            read_roster_csv(path, school.languages, report, mapping, encoding, students)
    return students


def load(
    roster: Path | str | Sequence[Path | str],
    evidence: Path | str | Sequence[Path | str],
    school: School,
    *,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    as_of: date | None = None,
) -> Imported:
    """Read the roster and every evidence file (native CSV, or OneRoster folder/zip).

    Nothing raises for bad data: each row is used or is in ``report.issues`` with its reason,
    and a file that cannot be read at all is an issue with reason ``bad-file``. Evidence files
    are read in the order given; that order, then each file's row order, breaks ties between
    scores on the same date.
    """
    mapping = mapping or Mapping()
    report = ImportReport()
    day = as_of_date(as_of)
    with no_collection():
        students = read_roster(roster, school, report, mapping, encoding)
        checker = RowChecker(school, students, report, day, DateReader(mapping.date_format))
        for path in _paths(evidence):
            if is_oneroster(path):
                read_oneroster_evidence(path, checker, report, mapping)
            else:
                read_evidence_csv(path, checker, report, mapping, encoding)
        evidence_set = checker.finish()
    return Imported(list(students.values()), evidence_set, report, day)
