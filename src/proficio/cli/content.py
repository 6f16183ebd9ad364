"""``proficio validate``, ``build`` and ``new``: what a teacher or a curriculum director runs on
the content."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..content.diagnostics import to_json
from ..content.loader import Result, find_content, load
from ..errors import ContentError, UsageError
from ..support.files import display_path
from .options import command, content_option


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


@command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@content_option(
    default=None, help="The school's content folder (the same as PATH) [default: content]."
)
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
@click.pass_context
def validate(
    ctx: click.Context, path: Path | None, content: Path | None, strict: bool, fmt: str, quiet: bool
) -> None:
    """Check a school's content folder (PATH or --content; default: ./content).

    Every mistake is reported at once, as FILE:LINE:COLUMN: what is wrong and what to do,
    sorted by file and line. Exits with status 1 if there are errors (or warnings with
    --strict), 0 otherwise.
    """
    if path is not None and content is not None and path != content:
        raise UsageError(
            f"validate was given two content folders, {path} and --content {content}: give one."
        )
    folder = path or content or Path("content")
    started = time.perf_counter()
    result = load(folder)
    elapsed = time.perf_counter() - started
    info = summary(result, elapsed)
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if fmt == "json":
        info["ok"] = not failed
        click.echo(to_json(result.diagnostics, info))
    else:
        for d in result.diagnostics:
            if d.is_error or not quiet:
                click.echo(str(d))
        if not quiet:
            languages = ", ".join(result.school.languages if result.school else []) or "none"
            click.echo(
                f"{find_content(folder)}: {info['files']} files, {info['subjects']} subjects, "
                f"{info['levels']} levels, {info['topics']} topics, {info['targets']} targets, "
                f"{info['scales']} scales, languages {languages}: "
                f"{info['errors']} errors, {info['warnings']} warnings ({elapsed:.2f} s)"
            )
    ctx.exit(1 if failed else 0)


@command()
@content_option()
def build(content: Path) -> None:
    """Check the content and build everything the school publishes into build/.

    Stops with the list of errors if the content does not validate.
    """
    started = time.perf_counter()
    result = load(content)
    if result.errors or result.school is None:
        raise ContentError(result.diagnostics, display_path(find_content(content)))
    info = summary(result, time.perf_counter() - started)
    click.echo(
        f"Content OK: {info['subjects']} subjects, {info['levels']} levels, "
        f"{info['targets']} learning targets, languages {', '.join(result.school.languages)}."
    )
    from ..site import build_site
    from ..site.folders import SITE_OUT

    site = build_site(content, SITE_OUT, loaded=result)
    pages = ", ".join(f"{lang} {n}" for lang, n in site.pages.items())
    click.echo(f"Site: {SITE_OUT}/ ({pages} pages) in {site.seconds:.1f} s.")
    from .transcripts import build_example_transcripts

    build_example_transcripts(content, Path("build") / "transcripts")


@command()
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
    """Create a school project to start from, ready to push: a small valid school (one scale,
    one subject with two levels), mkdocs.yml, docs/, .gitignore, a README for its editors and
    GitHub Actions workflows (the site on Pages, the transcripts in shards).

    DIRECTORY is created; if any of its files exists, nothing is written.
    """
    from ..content.scaffold import scaffold

    written = scaffold(directory, list(languages))
    for p in written:
        click.echo(f"  created {p}")
    click.echo(
        f"Now: cd {directory}, run mkdocs serve, open http://127.0.0.1:8000/ and edit content/ "
        "(README.md says what is where)."
    )
