"""One family of errors for everything a user can act on.

Every failure a person must fix (bad content, an unreadable export, a wrong option, a key that
does not match) is a :class:`ProficioError`: its message says what is wrong, where, and what to
do. The command line prints it once, without a traceback, and exits with its ``exit_code``:
1 when the data is wrong, 2 when the command was used wrong, 130 when a run was stopped.
Library callers catch ``ProficioError`` (or one of the few subclasses below) and read the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .content.diagnostics import Diagnostic

__all__ = [
    "ContentError",
    "DocumentError",
    "Interrupted",
    "ProficioError",
    "UsageError",
    "stopped_by_ctrl_c",
]


class ProficioError(Exception):
    """A failure the user can act on; ``details`` are lines printed before the message (every
    content error of a run, say) so the message itself stays one sentence."""

    exit_code: int = 1

    def __init__(
        self, message: str, *, details: Sequence[str] = (), exit_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(ProficioError):
    """The command was used wrong: an option, an argument or an environment variable."""

    exit_code = 2


class ContentError(ProficioError):
    """The content does not validate; carries every diagnostic of the run, sorted."""

    def __init__(self, diagnostics: Sequence[Diagnostic], where: str = "the content") -> None:
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        n = len(errors)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in {where}: fix them first (proficio validate).",
            details=[str(d) for d in errors],
        )


class DocumentError(ProficioError):
    """One student's document cannot be made (text no font can draw, an ID that cannot be a
    file name); the run goes on for everyone else and lists the student with this reason."""


class Interrupted(ProficioError):
    """A bulk run stopped part-way (Ctrl-C, a signal, a full disk, a crashed worker). The files
    already written are complete; a manifest from an earlier run into the folder is kept as it
    was (``previous_manifest``), else there is none. Exit code 130 (as for Ctrl-C) unless the
    cause is an error (exit code 1). ``fix`` is what to do next."""

    exit_code = 130

    def __init__(
        self,
        reason: str,
        *,
        exit_code: int | None = None,
        fix: str = "Run again to finish.",
        previous_manifest: bool = False,
    ) -> None:
        self.reason, self.fix, self.previous_manifest = reason, fix, previous_manifest
        manifest = (
            "the earlier run's manifest.json is kept as it was (verify-manifests names every "
            "PDF that no longer matches it)"
            if previous_manifest
            else "no manifest was written"
        )
        stopped = f"Stopped {reason}" if reason.startswith("by ") else f"Stopped: {reason}"
        super().__init__(
            f"{stopped}. The PDFs already written are complete; {manifest}. {fix}",
            exit_code=exit_code,
        )

    def with_previous_manifest(self, kept: bool) -> Interrupted:
        """The same stop, saying whether an earlier manifest is in the folder (the caller that
        knows the folder tells)."""
        return Interrupted(
            self.reason, exit_code=self.exit_code, fix=self.fix, previous_manifest=kept
        )


def stopped_by_ctrl_c() -> ProficioError:
    """Ctrl-C anywhere but a bulk run's rendering (which says more, :class:`Interrupted`): while
    the command starts, imports or writes. Exit code 130, as a shell expects after Ctrl-C."""
    return ProficioError(
        "Stopped by Ctrl-C. No file is left half-written (each is written whole or not at all, "
        "so an earlier one is as it was); run the command again.",
        exit_code=130,
    )
