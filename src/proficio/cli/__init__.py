"""The ``proficio`` command: what a teacher, a registrar or a CI job types."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import __version__
from ..content.diagnostics import to_json
from ..content.loader import Result, find_content, load


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="proficio")
def main() -> None:
    """Proficio keeps a competency-based school's learning targets and proficiency scales as
    YAML files, checks them, and builds the public curriculum site and student transcripts.

    \b
    Start here:
      proficio new my-school       create a small school to edit
      proficio validate            check content/ and point at any mistake
    """


def summary(result: Result, seconds: float) -> dict[str, object]:
    school = result.school
    counts: dict[str, object] = {
        "files": len(school.files) if school else 0,
        "subjects": len(school.subjects) if school else 0,
        "levels": sum(len(s.levels) for s in school.subjects) if school else 0,
        "topics": sum(len(lv.topics) for s in school.subjects for lv in s.levels) if school else 0,
        "targets": sum(1 for _ in school.iter_targets()) if school else 0,
        "scales": len(school.scales) if school else 0,
        "languages": list(school.languages) if school else [],
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "seconds": round(seconds, 3),
    }
    return counts


@main.command()
@click.argument("path", default="content", type=click.Path(path_type=Path))
@click.option(
    "--strict", is_flag=True, help="Treat warnings (such as missing translations) as errors."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints one object with a summary and every finding, for editors and CI.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings or summary.")
def validate(path: Path, strict: bool, fmt: str, quiet: bool) -> None:
    """Check a school's content folder (default: ./content).

    Every mistake is reported at once, as FILE:LINE:COLUMN: what is wrong and what to do,
    sorted by file and line. Exits with status 1 if there are errors (or warnings with
    --strict), 0 otherwise.
    """
    started = time.perf_counter()
    result = load(path)
    elapsed = time.perf_counter() - started
    info = summary(result, elapsed)
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if fmt == "json":
        info["ok"] = not failed
        click.echo(to_json(result.diagnostics, info))
        sys.exit(1 if failed else 0)
    for d in result.diagnostics:
        if d.is_error or not quiet:
            click.echo(str(d), err=False)
    if not quiet:
        languages = ", ".join(info["languages"]) or "none"  # type: ignore[arg-type]
        click.echo(
            f"{find_content(path)}: {info['files']} files, {info['subjects']} subjects, "
            f"{info['levels']} levels, {info['topics']} topics, {info['targets']} targets, "
            f"{info['scales']} scales, languages {languages}: "
            f"{info['errors']} errors, {info['warnings']} warnings ({elapsed:.2f} s)"
        )
    sys.exit(1 if failed else 0)


@main.command()
@click.option(
    "--content",
    "content",
    default="content",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The school's content folder.",
)
def build(content: Path) -> None:
    """Check the content and build everything the school publishes into build/.

    Stops with the list of errors if the content does not validate.
    """
    started = time.perf_counter()
    result = load(content)
    for d in result.errors:
        click.echo(str(d), err=True)
    if result.errors:
        raise click.ClickException(f"{len(result.errors)} errors in {content}; nothing was built.")
    info = summary(result, time.perf_counter() - started)
    click.echo(
        f"Content OK: {info['subjects']} subjects, {info['levels']} levels, "
        f"{info['targets']} learning targets, languages {', '.join(info['languages'])}."  # type: ignore[arg-type]
    )
    from ..site import build_site

    try:
        site = build_site(content, Path("build/site"), loaded=result)
    except Exception as exc:  # MkDocs has logged the reason
        raise click.ClickException(f"the curriculum site was not built: {exc}") from exc
    pages = ", ".join(f"{lang} {n}" for lang, n in site.pages.items())
    click.echo(f"Site: build/site/ ({pages} pages) in {site.seconds:.1f} s.")
    from .transcripts import build_example_transcripts

    build_example_transcripts(content, Path("build") / "transcripts")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--language",
    "languages",
    multiple=True,
    default=("en", "es"),
    show_default=True,
    help="Languages the school offers; repeat the option, the first is the default.",
)
def new(directory: Path, languages: tuple[str, ...]) -> None:
    """Create a small, valid school to start from: one scale, one subject with two levels.

    DIRECTORY is created with content/ inside it; nothing existing is overwritten.
    """
    from ..content.scaffold import scaffold

    try:
        written = scaffold(directory, list(languages))
    except FileExistsError as exc:
        raise click.ClickException(
            f"{exc.filename} already exists; nothing was written. Choose an empty folder."
        ) from exc
    for p in written:
        click.echo(f"  created {p}")
    click.echo(
        f"Now edit {directory / 'content'} and run: proficio validate {directory / 'content'}"
    )


from .transcripts import transcripts_command, verify_command  # noqa: E402

main.add_command(transcripts_command)
main.add_command(verify_command)

if __name__ == "__main__":  # pragma: no cover
    main()

from .scores import score  # noqa: E402

main.add_command(score)

from .interop import export_case, export_clr, import_case, verify  # noqa: E402

main.add_command(import_case)
main.add_command(export_case)
main.add_command(verify)
main.add_command(export_clr)
