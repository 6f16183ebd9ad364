"""What every evidence-consuming command shares: its options, and how it imports.

``proficio score``, ``export-clr`` and ``transcripts`` read the same exports the same way, so a
registrar learns one set of flags, sees the same import report, and gets the same rule for when
a command makes nothing: a file that cannot be read, or with ``--strict`` any rejected row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from ..content.diagnostics import display_path
from ..content.loader import find_content
from ..content.loader import load as load_content
from ..content.model import School
from ..evidence import Imported, load, write_issues
from ..evidence.mapping import Mapping, MappingError, load_mapping
from ..evidence.textfile import encoding_codec

F = TypeVar("F", bound=Callable[..., Any])


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date as YYYY-MM-DD.") from None


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        try:
            encoding_codec(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def evidence_options(*, as_of: bool = True) -> Callable[[F], F]:
    """``--roster``, ``--evidence``, ``--content``, ``--mapping``, ``--encoding``, ``--strict``
    (and ``--as-of``), passed as ``rosters``, ``evidence``, ``content``, ``mapping_path``,
    ``encoding``, ``strict``, ``as_of``: the options :func:`import_or_exit` takes."""
    options = [
        click.option(
            "--roster",
            "rosters",
            multiple=True,
            required=True,
            type=click.Path(path_type=Path),
            help="Roster CSV (student_id,given_name,family_name,...) or OneRoster users.csv, "
            "folder or zip. Repeatable.",
        ),
        click.option(
            "--evidence",
            "evidence",
            multiple=True,
            required=True,
            type=click.Path(path_type=Path),
            help="Evidence CSV, or a OneRoster 1.2 export (folder or zip). Repeatable; read in "
            "this order.",
        ),
        click.option(
            "--content",
            default="content",
            show_default=True,
            type=click.Path(path_type=Path),
            help="The school's content folder.",
        ),
        click.option(
            "--mapping",
            "mapping_path",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help="YAML file with the gradebook's column names, date format, separator, encoding.",
        ),
        click.option(
            "--encoding",
            callback=_encoding,
            help="Encoding of the CSV files (utf-8, windows-1252); default: detected.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Write nothing (exit 1) if any evidence row is rejected; the issues report "
            "lists them.",
        ),
    ]
    if as_of:
        options.append(
            click.option(
                "--as-of",
                "as_of",
                callback=_as_of,
                metavar="YYYY-MM-DD",
                help="The run's date: later dates are rejected. Default: SOURCE_DATE_EPOCH, "
                "else today.",
            )
        )

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def school_or_exit(content: Path) -> School:
    """The validated school, or a click error after printing every content error."""
    result = load_content(find_content(content))
    if result.errors or result.school is None:
        for d in result.errors:
            click.echo(str(d), err=True)
        n = len(result.errors)
        raise click.ClickException(
            f"{n} error{'s' if n != 1 else ''} in {content}: fix them first (proficio validate)."
        )
    return result.school


def import_or_exit(
    school: School,
    rosters: Sequence[Path],
    evidence: Sequence[Path],
    *,
    mapping: Path | None,
    encoding: str | None,
    as_of: date | None,
    issues: Path | None,
    strict: bool,
    nothing: str,
) -> Imported:
    """Import roster and evidence, list every rejected row in ``issues`` (a CSV), and print the
    summary; stop the command before any output when a file cannot be read or, with ``strict``,
    when any row was rejected. ``nothing`` names what is then not written ("scores", "documents").
    ``mapping`` is the ``--mapping`` file of gradebook columns (none: the native layout).
    """
    try:
        columns = load_mapping(mapping) if mapping else Mapping()
    except MappingError as exc:
        raise click.ClickException(str(exc)) from None
    imported = load(rosters, evidence, school, mapping=columns, encoding=encoding, as_of=as_of)
    report = imported.report
    if issues is not None:
        write_issues(report, issues)
    for f in report.files:
        if f.kind in ("evidence", "roster") and f.encoding:
            sep = {",": "comma", ";": "semicolon", "\t": "tab"}.get(f.separator, f.separator)
            click.echo(f"  {f.source}: {f.encoding_note}, {sep}-separated")
    for problem in report.file_errors:
        where = f"{problem.source}:{problem.line}" if problem.line else problem.source
        click.echo(f"{where}: {problem.message}", err=True)
    click.echo(report.summary())
    details = f" Details: {display_path(issues)}" if issues is not None else ""
    if report.file_errors:
        n = len(report.file_errors)
        raise click.ClickException(
            f"No {nothing} written: {n} file{'s' if n != 1 else ''} could not be read.{details}"
        )
    if strict and report.has_rejections:
        raise click.ClickException(f"No {nothing} written (--strict): rows were rejected.{details}")
    return imported
