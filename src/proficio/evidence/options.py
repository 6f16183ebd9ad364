"""The command-line options every evidence-consuming command shares, declared once.

``proficio score``, ``export-clr`` and ``transcripts`` read the same exports the same way, so a
registrar learns one set of flags and each command gets the same parsing and help text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from ..loader import find_content
from ..loader import load as load_content
from ..model import School
from .mapping import Mapping, MappingError, load_mapping

F = TypeVar("F", bound=Callable[..., Any])


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date as YYYY-MM-DD.") from None


def evidence_options(*, as_of: bool = True) -> Callable[[F], F]:
    """``--roster``, ``--evidence``, ``--content``, ``--mapping``, ``--encoding`` (and ``--as-of``),
    passed as ``rosters``, ``evidence``, ``content``, ``mapping_path``, ``encoding``, ``as_of``."""
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
            help="Encoding of the CSV files (utf-8, windows-1252); default: detected.",
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


def mapping_or_exit(path: Path | None) -> Mapping:
    """The gradebook column mapping from ``--mapping``, or the native layout without one."""
    try:
        return load_mapping(path) if path else Mapping()
    except MappingError as exc:
        raise click.ClickException(str(exc)) from None
