"""The import report: every row read is either used or listed here with its reason.

The same report feeds the one-line summary, ``--strict`` and ``evidence-issues.csv``, a file a
registrar opens in Excel, so every cell that Excel would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..support.files import atomic_text

REASONS: dict[str, str] = {
    "unknown-target": "unknown target code",
    "score-not-on-scale": "score not a point of the target's scale",
    "bad-score": "score not a number",
    "unknown-student": "unknown student",
    "bad-date": "bad date",
    "future-date": "date in the future",
    "missing-field": "missing field",
    "short-row": "row cut short",
    "extra-fields": "row with extra fields",
    "duplicate": "exact duplicate",
    "conflict": "conflicting scores",
    "no-learning-objective": "no learning objective mapped to a target",
    "deleted": "marked deleted in the export",
    "not-graded": "not graded",
    "unknown-reference": "refers to a missing record",
    "duplicate-student": "student listed twice",
    "bad-field": "field ignored",
    "invisible-character": "invisible character in an ID or name",
    "bad-file": "file could not be read",
}
"""Reason codes (the ``reason`` column of evidence-issues.csv) and what they mean."""

FILE_LEVEL = frozenset({"bad-file"})
"""Reasons that concern a whole file; any of them fails the run."""

WARNING = frozenset({"bad-field"})
"""Reasons for a row that was still used (a field was ignored)."""


@dataclass(frozen=True)
class Issue:
    """One row not used (or used with a field ignored), or a file that could not be read."""

    source: str
    line: int
    reason: str
    message: str
    row: tuple[str, ...] = ()
    """The row's fields as read."""


@dataclass
class FileStats:
    """What happened to one input file."""

    source: str
    kind: str
    """``evidence``, ``roster``, ``oneroster`` or ``oneroster-roster``."""
    rows: int = 0
    used: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    encoding: str = ""
    encoding_note: str = ""
    separator: str = ""
    separator_note: str = ""
    """How the separator was decided, when not from the header (an Excel ``sep=`` line)."""
    unread: tuple[str, ...] = ()
    """Header names of columns that were not read (and that the mapping does not list as
    known): said in the run's notes, so a column Proficio should have read is not missed."""
    notes: list[str] = field(default_factory=list)
    """What else the import decided for this file (the preset it was read with, the date
    given to a wide export's scores, whose student IDs were used), for the run's notes."""


@dataclass
class ImportReport:
    """Everything an import found, file by file and row by row."""

    files: list[FileStats] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    combined_rows: int = 0
    """Used rows that share student, target, assessment and date with another and were made
    one score with them (``same_assessment: mean`` or ``max``)..."""
    combined_scores: int = 0
    """...into this many scores."""
    combined_by: str = ""
    """The policy that combined them (``mean``, ``max``), if any did."""
    unlisted: dict[str, str] = field(default_factory=dict)
    """Students whose roster row was rejected, by ID, with ``FILE:LINE: why``: they get no
    document, and their evidence rows say so instead of "not in the roster"."""

    def add_file(self, source: str, kind: str) -> FileStats:
        stats = FileStats(source, kind)
        self.files.append(stats)
        return stats

    def reject(
        self, stats: FileStats, line: int, reason: str, message: str, row: tuple[str, ...] = ()
    ) -> None:
        """Record a row that was read and not used."""
        stats.rejected[reason] += 1
        self.issues.append(Issue(stats.source, line, reason, message, tuple(row)))

    def warn(
        self, stats: FileStats, line: int, reason: str, message: str, row: tuple[str, ...] = ()
    ) -> None:
        """Record a problem in a row that was still used."""
        self.issues.append(Issue(stats.source, line, reason, message, tuple(row)))

    def fail_file(
        self, stats: FileStats, line: int, message: str, rows: int = 0, row: tuple[str, ...] = ()
    ) -> None:
        """Record a file that could not be read; its ``rows`` data rows count as rejected."""
        stats.rows += rows
        stats.rejected["bad-file"] += rows
        self.issues.append(Issue(stats.source, line, "bad-file", message, tuple(row)))

    def _of(self, kinds: tuple[str, ...]) -> list[FileStats]:
        return [f for f in self.files if f.kind in kinds]

    @property
    def evidence_files(self) -> list[FileStats]:
        return self._of(("evidence", "oneroster"))

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.evidence_files)

    @property
    def used(self) -> int:
        return sum(f.used for f in self.evidence_files)

    @property
    def scores(self) -> int:
        """The scores the used rows make (fewer than the rows when rows were combined)."""
        return self.used - self.combined_rows + self.combined_scores

    @property
    def rejected(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.evidence_files:
            total.update(f.rejected)
        return total

    @property
    def roster_rejected(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self._of(("roster", "oneroster-roster")):
            total.update(f.rejected)
        return total

    @property
    def file_errors(self) -> list[Issue]:
        return [i for i in self.issues if i.reason in FILE_LEVEL]

    @property
    def has_rejections(self) -> bool:
        return any(i.reason not in WARNING for i in self.issues)

    def _combined(self) -> str:
        if not self.combined_rows:
            return ""
        what = "mean" if self.combined_by == "mean" else "highest"
        n = self.combined_scores
        return (
            f" ({self.combined_rows:,} of them combined into {n:,} score{'s' if n != 1 else ''}: "
            f"the {what} of each assessment's rows, by same_assessment: {self.combined_by})"
        )

    def summary(self) -> str:
        """One line for the terminal: rows read, used and rejected by reason, for the
        evidence and (when any roster row was rejected) for the roster: read = used + rejected."""
        rejected = +self.rejected
        parts = [
            f"{self.rows:,} evidence row{'s' if self.rows != 1 else ''} read from "
            f"{len(self.evidence_files)} "
            f"file{'s' if len(self.evidence_files) != 1 else ''}",
            f"{self.used:,} used" + self._combined(),
            f"{sum(rejected.values()):,} rejected",
        ]
        line = ", ".join(parts)
        if rejected:
            line += (
                " ("
                + ", ".join(f"{n:,} {REASONS.get(r, r)}" for r, n in rejected.most_common())
                + ")"
            )
        roster = self._of(("roster", "oneroster-roster"))
        if roster:
            students = sum(f.used for f in roster)
            line += f"; roster: {students:,} student{'s' if students != 1 else ''}"
            bad = +self.roster_rejected
            if bad:
                read = sum(f.rows for f in roster)
                line += (
                    f" from {read:,} row{'s' if read != 1 else ''}, {sum(bad.values()):,} "
                    "rejected ("
                    + ", ".join(f"{n:,} {REASONS.get(r, r)}" for r, n in bad.most_common())
                    + ")"
                )
        return line + "."


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell Excel shows as text: formula-like cells get a leading apostrophe (OWASP advice)."""
    if cell and (cell[0] in _DANGEROUS or cell.lstrip()[:1] in _DANGEROUS):
        return "'" + cell
    return cell


def write_csv_atomic(
    path: Path, header: list[str], rows: Iterable[Sequence[object]], neutralised: bool = True
) -> None:
    """Write a CSV of student data (0600) whole or not at all; cells are neutralised against
    spreadsheet formulas unless ``neutralised`` is false."""
    with atomic_text(path, private=True) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        if neutralised:
            for row in rows:
                w.writerow([neutralise(str(c)) for c in row])
        else:
            w.writerows(rows)


def row_text(row: tuple[str, ...], separator: str = ",") -> str:
    """The fields of a row written back as one CSV line, the way the export had it."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator or ",", lineterminator="").writerow(row)
    return out.getvalue()


def write_issues(report: ImportReport, path: Path) -> None:
    """``evidence-issues.csv``: file, line, reason, message, the row as read; safe for Excel."""
    separators = {f.source: f.separator for f in report.files}
    rows = (
        (i.source, i.line, i.reason, i.message, row_text(i.row, separators.get(i.source, ",")))
        for i in sorted(report.issues, key=lambda i: (i.source, i.line))
    )
    write_csv_atomic(path, ["file", "line", "reason", "message", "row"], rows)
