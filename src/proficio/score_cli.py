"""``proficio score``: gradebook exports in, scored CSV and JSON out, with the import report."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click

from .diagnostics import display_path
from .evidence import load, write_issues
from .evidence.options import evidence_options, mapping_or_exit, school_or_exit
from .evidence.textfile import encoding_codec
from .proficiency import score_students
from .scored import write_scores


@click.command()
@evidence_options()
@click.option(
    "--out",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder: scores/ and reports/ are written inside it.",
)
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1, no scores written) if any row is rejected."
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
    if encoding:
        try:
            encoding_codec(encoding)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--encoding") from None
    school = school_or_exit(content)
    mapping = mapping_or_exit(mapping_path)
    imported = load(
        list(rosters), list(evidence), school, mapping=mapping, encoding=encoding, as_of=as_of
    )
    report = imported.report
    issues_path = out / "reports" / "evidence-issues.csv"
    write_issues(report, issues_path)
    for f in report.files:
        if f.kind in ("evidence", "roster") and f.encoding:
            sep = {",": "comma", ";": "semicolon", "\t": "tab"}.get(f.separator, f.separator)
            click.echo(f"  {f.source}: {f.encoding_note}, {sep}-separated")
    for issue in report.file_errors:
        where = f"{issue.source}:{issue.line}" if issue.line else issue.source
        click.echo(f"{where}: {issue.message}", err=True)
    click.echo(report.summary())
    if report.file_errors:
        click.echo(
            f"No scores written: {len(report.file_errors)} file(s) could not be read. "
            f"Details: {display_path(issues_path)}",
            err=True,
        )
        sys.exit(1)
    if strict and report.has_rejections:
        click.echo(
            f"No scores written (--strict): rows were rejected. Details: {display_path(issues_path)}",
            err=True,
        )
        sys.exit(1)
    results = score_students(school, imported.students, imported.evidence)
    count, paths = write_scores(school, results, out, imported.as_of)
    click.echo(
        f"Scored {count:,} students as of {imported.as_of} in {time.perf_counter() - started:.1f} s: "
        f"{', '.join(display_path(p) for p in paths)}; issues: {display_path(issues_path)}"
    )
