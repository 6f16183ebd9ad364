"""A school, its students' evidence and their scores: where every evidence command starts.

``proficio score``, ``transcripts`` and ``export-clr`` (and a data team's own script) open a
gradebook the same way, so they read the same exports, write the evidence issues report to the
same place, and stop under the same rule before writing anything: a file that cannot be read at
all, or, with ``strict``, any rejected row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from .content.model import School
from .errors import ProficioError
from .evidence import EvidenceSet, ImportReport, Mapping, load, load_mapping, write_issues
from .evidence.records import Student
from .scoring.parallel import FORK_MINIMUM, map_parts
from .scoring.results import StudentResult
from .scoring.standing import Scorer
from .support.files import display_path

T = TypeVar("T")

ISSUES_REPORT = Path("build") / "reports" / "evidence-issues.csv"
"""Where every evidence command lists the rows it did not use, unless told otherwise."""

_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


@dataclass
class Gradebook:
    """The roster in its order, the evidence that was used, the import report and the run's
    date; :meth:`results` scores students on demand, one at a time."""

    school: School
    students: list[Student]
    evidence: EvidenceSet
    report: ImportReport
    as_of: date
    issues: Path | None
    _scorer: Scorer | None = field(default=None, init=False, repr=False)

    def results(self, students: Sequence[Student] | None = None) -> Iterator[StudentResult]:
        """Each student's scored result (the whole roster unless ``students`` is given)."""
        if self._scorer is None:
            self._scorer = Scorer(self.school)
        scorer = self._scorer
        for student in self.students if students is None else students:
            yield scorer.score(student, self.evidence.for_student(student.id))

    def map_results(
        self,
        work: Callable[[Iterator[StudentResult]], T],
        students: Sequence[Student] | None = None,
        *,
        jobs: int = 0,
        minimum: int = FORK_MINIMUM,
    ) -> list[T]:
        """``work`` over the results of consecutive parts of the roster (or of ``students``),
        the later parts in forked processes at the same time (``jobs``; 0: every core; one
        process below ``minimum`` students or without fork): the outputs in roster order, as
        :func:`proficio.scoring.parallel.map_parts`. ``work`` should return something compact
        (text, counts): its output is pickled back from the child."""
        if self._scorer is None:
            self._scorer = Scorer(self.school)
        roster = self.students if students is None else students
        return map_parts(lambda part: work(self.results(part)), roster, jobs, minimum=minimum)

    def notes(self) -> list[str]:
        """What the import decided for each file (its encoding and separator, the preset it
        was read with, the columns it did not read, the date given to undated rollups), then
        the summary line: what a command prints before its own output."""
        lines = []
        for f in self.report.files:
            parts = []
            if f.kind in ("evidence", "roster") and f.encoding:
                separator = _SEPARATORS.get(f.separator, repr(f.separator))
                how = f" ({f.separator_note})" if f.separator_note else ""
                parts.append(f"{f.encoding_note}, {separator}-separated{how}")
            parts.extend(f.notes)
            if f.unread and "bad-file" not in f.rejected:
                n = len(f.unread)
                shown = ", ".join(f"'{h}'" for h in f.unread[:8])
                more = f" and {n - 8} more" if n > 8 else ""
                parts.append(f"column{'s' if n != 1 else ''} not read: {shown}{more}")
            if parts:
                lines.append(f"  {f.source}: " + "; ".join(parts))
        return [*lines, self.report.summary()]


def open_gradebook(
    school: School,
    rosters: Path | str | Sequence[Path | str],
    evidence: Path | str | Sequence[Path | str],
    *,
    mapping: Path | str | Mapping | None = None,
    encoding: str | None = None,
    as_of: date | None = None,
    issues: Path | None = None,
    strict: bool = False,
    nothing: str = "output",
    crosswalk: Path | None = None,
) -> Gradebook:
    """Import the roster and the evidence of ``school`` and write the issues report.

    The report is written to ``issues`` whatever happens next, since it says why (the commands
    pass :data:`ISSUES_REPORT` unless ``--issues`` says otherwise; a script that passes nothing
    gets no file and reads ``Gradebook.report``). Raises :class:`ProficioError` when a file cannot
    be read at all, or with ``strict`` when any row was rejected; its message says that no
    ``nothing`` ("scores", "documents") was written, and its details hold every file problem and
    the summary. ``mapping`` is a mapping file of the gradebook's columns, a preset's name
    (``"canvas-outcomes"``), or one already read; ``crosswalk`` a file of outcome names or ids
    -> target codes (else the mapping's).
    """
    columns = load_mapping(mapping) if isinstance(mapping, Path | str) else mapping or Mapping()
    imported = load(
        rosters,
        evidence,
        school,
        mapping=columns,
        encoding=encoding,
        as_of=as_of,
        crosswalk=crosswalk,
    )
    if issues is not None:
        write_issues(imported.report, issues)
    book = Gradebook(
        school,
        imported.students,
        imported.evidence,
        imported.report,
        imported.as_of,
        issues,
    )
    report = book.report
    see = f" Details: {display_path(issues)}" if issues is not None else ""
    problems = [
        f"{p.source}:{p.line}: {p.message}" if p.line else f"{p.source}: {p.message}"
        for p in report.file_errors
    ]
    if problems:
        n = len(problems)
        raise ProficioError(
            f"No {nothing} written: {n} file{'s' if n != 1 else ''} could not be read.{see}",
            details=[*book.notes(), *problems],
        )
    if strict and report.has_rejections:
        raise ProficioError(
            f"No {nothing} written (--strict): rows were rejected.{see}", details=book.notes()
        )
    return book
