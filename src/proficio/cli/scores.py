"""``proficio score``: gradebook exports in, scored CSV and JSON out, with the import report."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from ..content.diagnostics import display_path
from ..scoring.score_files import write_scores
from ..scoring.standing import score_students
from .options import evidence_options, import_or_exit, school_or_exit


@click.command()
@evidence_options()
@click.option(
    "--out",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder: scores/ and reports/ are written inside it.",
)
def score(
    rosters: tuple[Path, ...],
    evidence: tuple[Path, ...],
    content: Path,
    out: Path,
    mapping_path: Path | None,
    encoding: str | None,
    as_of: date | None,
    strict: bool,
) -> None:
    """Import evidence, score every student on every target, and write the results.

    Writes OUT/scores/targets.csv, OUT/scores/subjects.csv, OUT/scores/scores.json and
    OUT/reports/evidence-issues.csv (every row not used, with its file, line and reason).
    Exits with status 1 if a file cannot be read, or with --strict if any row was rejected.
    """
    started = time.perf_counter()
    school = school_or_exit(content)
    issues_path = out / "reports" / "evidence-issues.csv"
    imported = import_or_exit(
        school,
        rosters,
        evidence,
        mapping=mapping_path,
        encoding=encoding,
        as_of=as_of,
        issues=issues_path,
        strict=strict,
        nothing="scores",
    )
    results = score_students(school, imported.students, imported.evidence)
    count, paths = write_scores(school, results, out, imported.as_of)
    click.echo(
        f"Scored {count:,} students as of {imported.as_of} in {time.perf_counter() - started:.1f} s: "
        f"{', '.join(display_path(p) for p in paths)}; issues: {display_path(issues_path)}"
    )
