"""``proficio score``: gradebook exports in, scored CSV and JSON Lines out, with the import report."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..scoring.score_files import write_roster_scores
from ..support.files import display_path, folder_lock
from .options import EvidenceInputs, command, evidence_options, out_option


@command()
@evidence_options()
@out_option(
    "build",
    "Output folder: the score files are written into its scores/ folder.",
    student_data=True,
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Processes to score with [default: all cores; one for a small roster].",
)
def score(inputs: EvidenceInputs, out: Path, jobs: int) -> None:
    """Import evidence, score every student on every target, and write the results.

    Writes OUT/scores/targets.csv, OUT/scores/subjects.csv and OUT/scores/scores.jsonl, and the
    issues report (--issues: every row not used, with its file, line and reason). Exits with
    status 1 if a file cannot be read, or with --strict if any row was rejected.
    """
    started = time.perf_counter()
    # Held from before the import: a second run, or a --out that cannot be written, stops at once.
    click.get_current_context().with_resource(folder_lock(out / "scores"))
    book = inputs.gradebook("scores")
    count, paths = write_roster_scores(
        book.school, book.students, book.results, out, book.as_of, jobs=jobs
    )
    click.echo(
        f"Scored {count:,} students as of {book.as_of} in {time.perf_counter() - started:.1f} s: "
        f"{', '.join(display_path(p) for p in paths)}; issues: {display_path(inputs.issues)}"
    )
