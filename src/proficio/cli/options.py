"""The options commands share, declared once, and the two steps every evidence command starts
with: the validated school, then its gradebook.

``proficio score``, ``export-clr`` and ``transcripts`` read the same exports the same way, so a
registrar learns one set of flags and sees the same import report; the rule for when nothing is
written is :func:`proficio.gradebook.open_gradebook`'s.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ..content.loader import find_content, load_school
from ..content.model import School
from ..errors import UsageError
from ..evidence.mapping import preset_path, presets
from ..evidence.textfile import encoding_codec
from ..gradebook import ISSUES_REPORT, Gradebook, open_gradebook
from ..site.folders import public_folders
from ..support import clock
from ..support.files import display_path

F = TypeVar("F", bound=Callable[..., Any])


class StudentData(click.Path):
    """A file or folder option that receives student data (scores, documents, records, the
    issues report): :class:`ProficioCommand` refuses it inside the public site."""


class ProficioCommand(click.Command):
    """Every ``proficio`` command: checks ``SOURCE_DATE_EPOCH`` before it runs (after ``--help``
    is handled, so help still shows with a bad value), so a bad value is one clear error in
    every command rather than only in those that happen to read the clock; and refuses a
    :class:`StudentData` path inside the public site before anything is read or written."""

    def invoke(self, ctx: click.Context) -> Any:
        clock.source_date_epoch()
        content = ctx.params.get("content")
        for param in self.params:
            value = ctx.params.get(param.name) if param.name else None
            if isinstance(param.type, StudentData) and value is not None:
                private_output(Path(value), content)
        return super().invoke(ctx)


def private_output(path: Path, content: Path | None = None) -> Path:
    """``path``, unless it is inside the public site (a usage error, exit 2): the ``docs_dir``
    and ``site_dir`` of the working folder's ``mkdocs.yml`` and of the content's project, and
    ``build/site``. Links are followed: a link into ``docs/`` is refused too."""
    projects = [Path.cwd()]
    if content is not None:
        projects.append(Path(os.path.realpath(find_content(Path(content)))).parent)
    folders = public_folders(projects)
    real = Path(os.path.realpath(path))
    for folder in folders:
        if real.is_relative_to(folder.path):
            shown = str(path)
            if real != Path(os.path.abspath(path)):
                shown += f" (that is {display_path(real)})"
            names = [f"{display_path(f.path)}/" for f in folders]
            listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
            raise UsageError(
                f"Refusing to write student data to {shown}: it is inside the public site's "
                f"{folder.role} ({display_path(folder.path)}/). Choose a folder outside {listed}."
            )
    return path


def command(name: str | None = None) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command`` for a Proficio command (:class:`ProficioCommand`)."""
    return click.command(name, cls=ProficioCommand)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date as YYYY-MM-DD.") from None


def _mapping(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """``--mapping``: a mapping file, or the name of a shipped preset (its file)."""
    if value is None:
        return None
    preset = preset_path(value)
    if preset is not None:
        return preset
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter(
            f"there is no file {value}, and it is not a preset ({', '.join(presets())})."
        )
    return path


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        try:
            encoding_codec(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def content_option(
    default: str | None = "content", help: str = "The school's content folder."
) -> Callable[[F], F]:
    """``--content``, passed as ``content`` (a Path, or ``None`` when ``default`` is)."""
    return click.option(
        "--content",
        default=default,
        show_default=default is not None,
        type=click.Path(path_type=Path),
        help=help,
    )


def out_option(default: str | None, help: str, *, student_data: bool = False) -> Callable[[F], F]:
    """``--out``, passed as ``out`` (a Path, or ``None`` when the command picks the default;
    check that default with :func:`private_output`). ``student_data``: refused inside the site."""
    return click.option(
        "--out",
        default=default,
        show_default=default is not None,
        type=StudentData(path_type=Path) if student_data else click.Path(path_type=Path),
        help=help,
    )


def language_option(help: str) -> Callable[[F], F]:
    """``--language``, passed as ``language``; check it with :func:`offered_language`."""
    return click.option("--language", help=help)


def offered_language(school: School, language: str | None) -> str | None:
    """``language`` when the school offers it (``None`` stays ``None``), else a usage error."""
    if language is not None and language not in school.languages:
        raise UsageError(
            f"--language {language}: the school offers {', '.join(school.languages)}. "
            "Use one of those."
        )
    return language


def _apply(options: Sequence[Callable[[F], F]]) -> Callable[[F], F]:
    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


@dataclass(frozen=True)
class EvidenceInputs:
    """What an evidence command was given to read, and the one way it opens it."""

    content: Path
    rosters: tuple[Path, ...]
    evidence: tuple[Path, ...]
    mapping_path: Path | None
    encoding: str | None
    strict: bool
    issues: Path
    as_of: date | None = None
    crosswalk: Path | None = None

    def gradebook(
        self, nothing: str, *, school: School | None = None, as_of: date | None = None
    ) -> Gradebook:
        """The school (``school`` if already loaded) and its gradebook as of ``as_of`` (else
        ``--as-of``), with the import's notes printed; a
        :class:`~proficio.errors.ProficioError` stops the command before ``nothing`` is
        written."""
        book = open_gradebook(
            school or load_school(self.content),
            self.rosters,
            self.evidence,
            mapping=self.mapping_path,
            encoding=self.encoding,
            as_of=as_of or self.as_of,
            issues=self.issues,
            strict=self.strict,
            nothing=nothing,
            crosswalk=self.crosswalk,
        )
        for line in book.notes():
            click.echo(line)
        return book


def evidence_options(*, as_of: bool = True) -> Callable[[F], F]:
    """``--roster``, ``--evidence``, ``--content``, ``--mapping``, ``--crosswalk``,
    ``--encoding``, ``--strict``, ``--issues`` (and ``--as-of``), handed to the command as one
    ``inputs``
    (:class:`EvidenceInputs`)."""
    options: list[Callable[[F], F]] = [
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
        content_option(),
        click.option(
            "--mapping",
            "mapping_path",
            callback=_mapping,
            metavar="FILE|PRESET",
            help="YAML file with the gradebook's column names, date format, separator, "
            "encoding; or a preset for a known export: " + ", ".join(presets()) + ".",
        ),
        click.option(
            "--crosswalk",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help="CSV (outcome,target) or YAML mapping the gradebook's outcome names or ids, "
            "or CASE identifiers, to target codes.",
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
        click.option(
            "--issues",
            default=str(ISSUES_REPORT),
            show_default=True,
            type=StudentData(path_type=Path, dir_okay=False),
            help="Where to list every evidence row not used, with its file, line and reason "
            "(written on every run, also when nothing else is).",
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
    names = [f.name for f in fields(EvidenceInputs) if as_of or f.name != "as_of"]

    def apply(command: F) -> F:
        @functools.wraps(command)
        def with_inputs(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in names}
            return command(inputs=EvidenceInputs(**given), **kwargs)

        return _apply(options)(cast(F, with_inputs))

    return apply
