"""Errors and warnings that point at a file, line and column, as editors and CI expect them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. Ordered by file, then line and column, so a run's report reads top-down."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"
    """``error`` fails a run; ``warning`` fails it only with ``--strict``."""
    code: str = ""
    """A short stable name for the kind of finding (e.g. ``duplicate-key``), for tools."""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def to_json(diagnostics: list[Diagnostic], summary: dict[str, object]) -> str:
    return json.dumps(
        {"summary": summary, "diagnostics": [asdict(d) for d in sorted(diagnostics)]},
        ensure_ascii=False,
        indent=2,
    )
