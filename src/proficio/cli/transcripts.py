"""``proficio transcripts``, ``verify-manifests`` and ``verify-pdf``: what a registrar, a CI job
or a college's admissions office runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from ..content.loader import find_content, load_school
from ..errors import ProficioError, UsageError
from ..evidence import read_roster
from ..evidence.records import Student
from ..gradebook import ISSUES_REPORT
from ..support import clock
from ..support.files import folder_lock
from ..transcripts import manifest
from ..transcripts.bulk import parse_shard
from ..transcripts.document import DETAILS, KINDS, Options
from ..transcripts.run import Run, issue
from ..transcripts.signing import PASSWORD_VARIABLE, Identity
from .options import (
    EvidenceInputs,
    StudentData,
    command,
    content_option,
    evidence_options,
    language_option,
    offered_language,
    out_option,
    private_output,
)


def report(run: Run, kind: str, echo: Callable[[str], None] = click.echo) -> None:
    what = "transcripts" if kind == "transcript" else "progress reports"
    rate = run.rendered / run.seconds if run.seconds else 0.0
    echo(
        f"Issued {len(run.issued)} {what} ({run.pages} pages, {run.bytes / 1e6:.1f} MB) in "
        f"{run.out} in {run.seconds:.1f} s ({rate:.1f}/s). Manifest: {run.manifest}"
    )
    if run.incremental:
        echo(
            f"Rendered {run.rendered}, unchanged {run.kept} (kept). A student is rendered again "
            "when their evidence, roster row, the content or the options changed; --force "
            "renders everyone."
        )
    if run.removed:
        echo(
            f"Removed {len(run.removed)} {'file' if len(run.removed) == 1 else 'files'} of "
            "students no longer in this run."
        )
    if run.failed:
        echo(f"{len(run.failed)} not issued:")
        for o in run.failed:
            echo(f"  {o.student_id!r}: {o.reason}")


def build_example_transcripts(content: Path, out: Path) -> None:
    """``proficio build``'s transcript step: the example school's synthetic students.

    Runs only where the project has ``examples/riverbend/roster.csv`` and ``evidence.csv``
    beside its content (this repository); a school's own project issues with
    ``proficio transcripts``. Like a nightly run, a build keeps each transcript whose inputs
    have not changed since the last build (``proficio.reissue``).
    """
    folder = find_content(content).resolve().parent / "examples" / "riverbend"
    roster, evidence = folder / "roster.csv", folder / "evidence.csv"
    if not (roster.is_file() and evidence.is_file()):
        return
    issued = clock.today()
    click.echo("Example transcripts:")
    inputs = EvidenceInputs(content, (roster,), (evidence,), None, None, False, ISSUES_REPORT)
    book = inputs.gradebook("transcripts", as_of=issued)
    run = issue(
        book.school,
        book.students,
        book.results,
        Options(issued=issued),
        out,
        evidence=book.evidence.digest,
    )
    report(run, "transcript")
    if run.failed:
        raise ProficioError(f"{len(run.failed)} example transcripts could not be made.")


def _pick(students: list[Student], wanted: str | None) -> list[Student]:
    if not wanted:
        return students
    ids = [x.strip() for x in wanted.split(",") if x.strip()]
    known = {s.id for s in students}
    unknown = [x for x in ids if x not in known]
    if unknown:
        # repr() for an ID with a control character, which could reverse the terminal's line
        shown = ", ".join(x if x.isprintable() else repr(x) for x in unknown)
        raise UsageError(f"--students: not on the roster: {shown}.")
    keep = set(ids)
    return [s for s in students if s.id in keep]


@command("transcripts")
@evidence_options(as_of=False)
@out_option(
    None,
    "Output folder [default: build/transcripts, or build/progress-reports for --kind progress].",
    student_data=True,
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
    "--detail",
    type=click.Choice(DETAILS),
    default="targets",
    show_default=True,
    help="Transcripts: a row per learning target, or one per measurement topic (shorter).",
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
    "--force",
    is_flag=True,
    help="Render every student. Without it, a student whose evidence, roster row, content, "
    "options and templates are as the folder's manifest records keeps their PDF.",
)
@click.option(
    "--issue-date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Date printed as issued [default: SOURCE_DATE_EPOCH's day, else today].",
)
@language_option(
    "Language of transcripts [default: the school's first]. Progress reports follow each "
    "family's language."
)
@click.option(
    "--combined",
    type=StudentData(path_type=Path),
    help="Also write one PDF of all documents, for printing (not an archival copy).",
)
@click.option(
    "--sign-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The school's private key (PEM or DER; RSA or Ed25519): every PDF gets a PAdES "
    f"signature. A password-protected key's password comes from {PASSWORD_VARIABLE}, or is "
    "asked for in a terminal.",
)
@click.option(
    "--sign-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate of --sign-key (PEM, with any intermediate certificates after it).",
)
@click.option(
    "--sign-p12",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The key and certificate in one PKCS#12 file (.p12/.pfx), instead of --sign-key and "
    f"--sign-cert; its password from {PASSWORD_VARIABLE}, or asked for in a terminal.",
)
def transcripts_command(
    inputs: EvidenceInputs,
    out: Path | None,
    students: str | None,
    kind: str,
    detail: str,
    jobs: int,
    shard: str | None,
    paper: str,
    unofficial: bool,
    force: bool,
    issue_date: datetime | None,
    language: str | None,
    combined: Path | None,
    sign_key: Path | None,
    sign_cert: Path | None,
    sign_p12: Path | None,
) -> None:
    """Render one PDF per student (PDF/A-2a + PDF/UA-1) and a manifest.json.

    With --sign-key and --sign-cert (or --sign-p12) every PDF carries the school's digital
    signature (PAdES), which `proficio verify-pdf` and any PDF reader check.

    Students whose document cannot be made are listed with the reason and the command exits
    with status 1; everyone else's PDF is still written. The same inputs and issue date give
    byte-identical files, whatever --jobs and --shard. Evidence dated after the issue date is
    rejected like any future date.

    Run again into the same folder, only the students whose inputs changed are rendered (a
    nightly run with a fixed --issue-date); the others keep their PDF once its SHA-256 is
    checked, and the manifest is the one a full run would write.
    """
    try:
        part = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise UsageError(f"--shard {shard}: {exc}") from None
    issued: date = issue_date.date() if issue_date else clock.today()
    out = out or Path("build") / ("transcripts" if kind == "transcript" else "progress-reports")
    private_output(out, inputs.content)
    identity = _identity(sign_key, sign_cert, sign_p12)
    # Held from before the import: a second run, or a --out that cannot be written, stops at once.
    click.get_current_context().with_resource(folder_lock(out))
    school = load_school(inputs.content)
    offered_language(school, language)
    book = inputs.gradebook("documents", school=school, as_of=issued)
    options = Options(
        kind=kind,
        paper=paper,
        unofficial=unofficial,
        issued=issued,
        language=language,
        detail=detail,
    )
    run = issue(
        school,
        _pick(book.students, students),
        book.results,
        options,
        out,
        jobs=jobs,
        shard=part,
        combined=combined,
        unlisted=None if students else book.report.unlisted,
        identity=identity,
        evidence=book.evidence.digest,
        force=force,
        prune=not students,
    )
    report(run, kind)
    if identity is not None and run.issued:
        click.echo(f"Signed by {identity.name} at {identity.moment:%Y-%m-%d %H:%M:%S} UTC.")
    if run.failed:
        raise ProficioError(
            f"{len(run.failed)} of {len(run.failed) + len(run.issued)} documents could not be "
            "made (listed above, with the reason); everyone else's PDF is written."
        )


@command("verify-manifests")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--roster",
    "rosters",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also check against this roster (CSV or OneRoster users.csv). Repeatable.",
)
@content_option(help="The school's content folder (to read --roster).")
def verify_command(dirs: tuple[Path, ...], rosters: tuple[Path, ...], content: Path) -> None:
    """Check the output folders of a run's shards: together they cover the roster exactly once,
    and every PDF matches the SHA-256 in its manifest. Exits 1 on any problem."""
    ids = list(read_roster(list(rosters), load_school(content))) if rosters else None
    v = manifest.verify(list(dirs), ids)
    if not v.ok:
        raise ProficioError(f"{len(v.problems)} problem(s) found.", details=v.problems)
    click.echo(
        f"OK: {v.shards} shard(s), {v.students} students, {v.documents} PDFs match their manifest."
    )


def _password() -> bytes | None:
    """An encrypted key's password: the environment variable, else typed in a terminal (never
    an option: a command line is seen by every user of the machine and kept in shell history)."""
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value.encode()
    if not sys.stdin.isatty():
        return None
    typed: str = click.prompt("Password of the signing key", hide_input=True, err=True)
    return typed.encode()


def _identity(key: Path | None, cert: Path | None, p12: Path | None) -> Identity | None:
    """The signing identity of ``--sign-*``, checked before anything is imported or written."""
    if key is None and cert is None and p12 is None:
        return None
    from ..transcripts.signing import load_identity

    return load_identity(key=key, cert=cert, p12=p12, password=_password, moment=clock.now())


@command("verify-pdf")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cert",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The school's signing certificate, or the certificate of the CA that issued it (PEM "
    "or DER): only a signature made with it is accepted.",
)
def verify_pdf_command(files: tuple[Path, ...], cert: Path) -> None:
    """Check signed transcripts: each must carry one signature, made with --cert's certificate
    (or one it issued, valid at the signing time), over every byte of the file. Prints the
    signer and the signing time of each; exits 1 if any file is unsigned, signed by someone
    else, changed since signing, or damaged."""
    from ..transcripts import signing

    trusted = signing.load_trusted(cert)
    verdicts = [signing.verify(f, trusted) for f in files]
    for v in verdicts:
        click.echo(v.line())
    problem = signing.failure(verdicts)
    if problem is not None:
        raise problem
