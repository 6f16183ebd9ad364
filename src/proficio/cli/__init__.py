"""The ``proficio`` command: what a teacher, a registrar or a CI job types.

One module per command group (``content``: validate, build, new; ``scores``; ``transcripts``;
``interop``: CASE and CLR), the options they share in ``options``. Every failure reaches the
user as a :class:`~proficio.errors.ProficioError`, printed here once: its details, then the
message, then the exit code (1: the data is wrong, 2: the command was used wrong).
"""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from ..errors import ProficioError, stopped_by_ctrl_c


class _Proficio(click.Group):
    """Turns any :class:`ProficioError` a command raises into its message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ProficioError, KeyboardInterrupt) as caught:
            exc = caught if isinstance(caught, ProficioError) else stopped_by_ctrl_c()
            for line in exc.details:
                click.echo(line, err=True)
            click.echo(f"Error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(
    cls=_Proficio,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="proficio")
def main() -> None:
    """Proficio keeps a competency-based school's learning targets and proficiency scales as
    YAML files, checks them, and builds the public curriculum site and student transcripts.

    \b
    Start here:
      proficio new my-school       create a small school to edit
      proficio validate            check content/ and point at any mistake
    """


def _register() -> None:
    from . import content, interop, scores, transcripts

    for command in (
        content.validate,
        content.build,
        content.new,
        scores.score,
        transcripts.transcripts_command,
        transcripts.verify_command,
        transcripts.verify_pdf_command,
        interop.import_case,
        interop.export_case,
        interop.export_clr,
        interop.verify,
    ):
        main.add_command(command)


_register()
