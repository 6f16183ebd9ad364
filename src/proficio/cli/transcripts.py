"""``proficio transcripts`` and ``proficio verify-manifests``: what a registrar or a CI job runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import click

from ..content.model import School
from ..evidence.records import Student
from ..scoring.results import StudentResult
from ..transcripts import manifest
from ..transcripts.bulk import Interrupted, OutputError, WorkerCrashed, parse_shard
from ..transcripts.document import KINDS, Options
from ..transcripts.fonts import FontsMissing
from ..transcripts.run import Run, Score, Unprintable, issue
from .options import evidence_options, import_or_exit, school_or_exit


def issue_date_of(given: date | None) -> date:
    """The date printed as "issued": ``--issue-date``, else SOURCE_DATE_EPOCH's day, else today."""
    if given:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
        except ValueError:
            raise click.UsageError(
                f"SOURCE_DATE_EPOCH is {epoch!r}; it must be whole seconds since 1970."
            ) from None
    return date.today()


def report(run: Run, kind: str, echo: Callable[[str], None] = click.echo) -> None:
    what = "transcripts" if kind == "transcript" else "progress reports"
    rate = len(run.issued) / run.seconds if run.seconds else 0.0
    echo(
        f"Issued {len(run.issued)} {what} ({run.pages} pages, {run.bytes / 1e6:.1f} MB) in "
        f"{run.out} in {run.seconds:.1f} s ({rate:.1f}/s). Manifest: {run.manifest}"
    )
    if run.failed:
        echo(f"{len(run.failed)} not issued:")
        for o in run.failed:
            echo(f"  {o.student_id!r}: {o.reason}")


@dataclass
class Inputs:
    """A run's inputs: the school, its roster, and scoring over the imported evidence."""

    school: School
    students: list[Student]
    score: Score


def load_inputs(
    content: Path,
    rosters: list[Path],
    evidence: list[Path],
    issued: date,
    *,
    mapping: Path | None = None,
    encoding: str | None = None,
    strict: bool = False,
    issues: Path | None = None,
) -> Inputs:
    """Load the content, import roster and evidence (issue 5's engine), and prepare scoring.

    Evidence dated after the issue date is rejected like any future date. Rejected rows go to
    ``issues`` (CSV) when given; unreadable files (or, with ``strict``, any rejected row) stop
    the run before anything is rendered.
    """
    from ..scoring.standing import Scorer, score_student

    school = school_or_exit(content)
    imported = import_or_exit(
        school,
        rosters,
        evidence,
        mapping=mapping,
        encoding=encoding,
        as_of=issued,
        issues=issues,
        strict=strict,
        nothing="documents",
    )
    scorer = Scorer(school)
    found = imported.evidence

    def score(students: list[Student]) -> Iterable[StudentResult]:
        return (score_student(scorer, s, found.for_student(s.id)) for s in students)

    return Inputs(school, imported.students, score)


def build_example_transcripts(content: Path, out: Path) -> None:
    """``proficio build``'s transcript step: the example school's synthetic students.

    Runs only where the project has ``examples/riverbend/roster.csv`` and ``evidence.csv``
    beside its content (this repository); a school's own project issues with
    ``proficio transcripts``.
    """
    from ..content.loader import find_content

    folder = find_content(content).resolve().parent / "examples" / "riverbend"
    roster, evidence = folder / "roster.csv", folder / "evidence.csv"
    if not (roster.is_file() and evidence.is_file()):
        return
    issued = issue_date_of(None)
    click.echo("Example transcripts:")
    inputs = load_inputs(content, [roster], [evidence], issued)
    run = issue(inputs.school, inputs.students, inputs.score, Options(issued=issued), out)
    report(run, "transcript")
    if run.failed:
        raise click.ClickException(f"{len(run.failed)} example transcripts could not be made.")


def _pick(students: list[Student], wanted: str | None) -> list[Student]:
    if not wanted:
        return students
    ids = [x.strip() for x in wanted.split(",") if x.strip()]
    known = {s.id for s in students}
    unknown = [x for x in ids if x not in known]
    if unknown:
        raise click.UsageError(f"--students: not on the roster: {', '.join(unknown)}.")
    keep = set(ids)
    return [s for s in students if s.id in keep]


@click.command("transcripts")
@evidence_options(as_of=False)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder [default: build/transcripts, or build/progress-reports for --kind progress].",
)
@click.option("--students", help="Only these student IDs, comma-separated.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="transcript",
    show_default=True,
    help="Official transcript, or the family's progress report.",
)
@click.option(
    "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes [default: all cores]."
)
@click.option(
    "--shard",
    help="Render only shard I of N (e.g. 2/3), chosen by a stable hash of the student ID; for CI matrices.",
)
@click.option(
    "--paper",
    type=click.Choice(["letter", "a4"]),
    default="letter",
    show_default=True,
    help="US letter or A4.",
)
@click.option(
    "--unofficial",
    is_flag=True,
    help="Print an UNOFFICIAL watermark instead of the signature and seal.",
)
@click.option(
    "--issue-date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Date printed as issued [default: SOURCE_DATE_EPOCH's day, else today].",
)
@click.option(
    "--language",
    help="Language of transcripts [default: the school's first]. Progress reports follow each family's language.",
)
@click.option(
    "--combined",
    type=click.Path(path_type=Path),
    help="Also write one PDF of all documents, for printing (not an archival copy).",
)
def transcripts_command(
    rosters: tuple[Path, ...],
    evidence: tuple[Path, ...],
    content: Path,
    out: Path | None,
    students: str | None,
    kind: str,
    jobs: int,
    shard: str | None,
    paper: str,
    unofficial: bool,
    issue_date: datetime | None,
    language: str | None,
    combined: Path | None,
    mapping_path: Path | None,
    encoding: str | None,
    strict: bool,
) -> None:
    """Render one PDF per student (PDF/A-2a + PDF/UA-1) and a manifest.json.

    Students whose document cannot be made are listed with the reason and the command exits
    with status 1; everyone else's PDF is still written. The same inputs and issue date give
    byte-identical files, whatever --jobs and --shard.
    """
    try:
        part = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    issued = issue_date_of(issue_date.date() if issue_date else None)
    out = out or Path("build") / ("transcripts" if kind == "transcript" else "progress-reports")
    inputs = load_inputs(
        content,
        rosters,
        evidence,
        issued,
        mapping=mapping_path,
        encoding=encoding,
        strict=strict,
        issues=out / "evidence-issues.csv",
    )
    school = inputs.school
    if language and language not in school.languages:
        raise click.UsageError(
            f"--language {language}: the school offers {', '.join(school.languages)}."
        )
    options = Options(
        kind=kind, paper=paper, unofficial=unofficial, issued=issued, language=language
    )
    try:
        run = issue(
            school,
            _pick(inputs.students, students),
            inputs.score,
            options,
            out,
            jobs=jobs,
            shard=part,
            combined=combined,
        )
    except (FontsMissing, Unprintable) as exc:
        raise click.ClickException(str(exc)) from exc
    except Interrupted as exc:
        click.echo(
            f"Stopped: {exc}. The PDFs already written are complete; no manifest was written.",
            err=True,
        )
        sys.exit(1 if isinstance(exc, (OutputError, WorkerCrashed)) else 130)
    report(run, kind)
    if run.failed:
        sys.exit(1)


@click.command("verify-manifests")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--roster",
    "rosters",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also check against this roster (CSV or OneRoster users.csv). Repeatable.",
)
@click.option(
    "--content",
    default="content",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The school's content folder (to read --roster).",
)
def verify_command(dirs: tuple[Path, ...], rosters: tuple[Path, ...], content: Path) -> None:
    """Check the output folders of a run's shards: together they cover the roster exactly once,
    and every PDF matches the SHA-256 in its manifest. Exits 1 on any problem."""
    ids = None
    if rosters:
        from ..content.loader import load_school
        from ..evidence import read_roster

        ids = list(read_roster(list(rosters), load_school(content)))
    v = manifest.verify(list(dirs), ids)
    for p in v.problems:
        click.echo(p, err=True)
    if not v.ok:
        click.echo(f"{len(v.problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo(
        f"OK: {v.shards} shard(s), {v.students} students, {v.documents} PDFs match their manifest."
    )
