"""Evidence and roster import: gradebook exports in, checked evidence out, every row accounted for.

``load`` is the one call most code needs::

    from proficio import load_school, score_students
    from proficio.evidence import load

    school = load_school("content")
    imported = load("roster.csv", ["evidence.csv"], school)
    print(imported.report.summary())
    for result in score_students(school, imported.students, imported.evidence):
        ...

(``proficio.open_gradebook`` does the same and adds the rule for when nothing may be written.)

Readers stream their files (the native CSV in batches of rows, judged column by column); the
used rows are kept grouped by student, packed (about 40 bytes each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..content.model import School
from ..support import clock
from ..support.allocation import no_collection
from .checker import EvidenceSet, RowChecker
from .crosswalk import Crosswalk, load_crosswalk
from .mapping import Mapping, load_mapping, presets
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
    "Crosswalk",
    "EvidenceSet",
    "FileStats",
    "ImportReport",
    "Imported",
    "Issue",
    "Mapping",
    "load",
    "load_crosswalk",
    "load_mapping",
    "neutralise",
    "presets",
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
    crosswalk: Crosswalk | Path | None = None,
) -> Imported:
    """Read the roster and every evidence file (native CSV, a wide export, or OneRoster
    folder/zip).

    Nothing raises for bad data: each row is used or is in ``report.issues`` with its reason,
    and a file that cannot be read at all is an issue with reason ``bad-file``. Evidence files
    are read in the order given; that order, then each file's row order, breaks ties between
    scores on the same date. ``crosswalk`` (else the mapping's) maps a gradebook's outcome
    names or ids onto target codes; a crosswalk that does not fit the school raises
    ProficioError before anything is read.
    """
    mapping = mapping or Mapping()
    report = ImportReport()
    day = as_of or clock.today()
    if isinstance(crosswalk, Path) or (crosswalk is None and mapping.crosswalk is not None):
        crosswalk = load_crosswalk(Path(crosswalk or mapping.crosswalk or ""), school)
    with no_collection():
        students = read_roster(roster, school, report, mapping, encoding)
        checker = RowChecker(
            school,
            students,
            report,
            day,
            DateReader(mapping.date_format),
            crosswalk=crosswalk,
            labels=mapping.labels,
            same_assessment=mapping.same_assessment,
        )
        for path in _paths(evidence):
            if is_oneroster(path):
                read_oneroster_evidence(path, checker, report, mapping)
            else:
                read_evidence_csv(path, checker, report, mapping, encoding)
        evidence_set = checker.finish()
    return Imported(list(students.values()), evidence_set, report, day)
