"""A school's import settings, written once: its gradebook's column names and file quirks.

A YAML file (``--mapping mapping.yaml``)::

    evidence:
      columns:              # Proficio's name: the gradebook's header
        student_id: Student ID
        target: Standard
        score: Score
        date: Date Assessed
        assessment: Assignment
        type: Category
      date_format: "%d/%m/%Y"   # the one local date format besides ISO 8601
      separator: ";"            # default: detected from the header (, ; or tab)
      encoding: windows-1252    # default: detected (UTF-8, with or without BOM, else Windows-1252)
    roster:
      columns: {student_id: ID, given_name: First name, family_name: Last name}
    oneroster:
      student_id: identifier    # users.csv column that holds the school's student ID
      learning_objectives:      # learningObjectiveId -> target code, when they are not the codes
        1f0c8c1e-0000-4000-8000-000000000001: MA.L1.PV.1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.yamlfile import read_yaml
from ..errors import ProficioError

EVIDENCE_COLUMNS = (
    "student_id",
    "target",
    "score",
    "date",
    "assessment",
    "type",
    "scorer",
    "comment",
)
EVIDENCE_REQUIRED = ("student_id", "target", "score", "date")
ROSTER_COLUMNS = (
    "student_id",
    "given_name",
    "family_name",
    "preferred_name",
    "graduation_year",
    "birth_date",
    "language",
)
ROSTER_REQUIRED = ("student_id", "given_name", "family_name")
ONEROSTER_ID_FIELDS = ("identifier", "sourcedId", "username")


@dataclass(frozen=True)
class Mapping:
    evidence_columns: dict[str, str] = field(default_factory=dict)
    roster_columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    separator: str | None = None
    encoding: str | None = None
    oneroster_student_id: str = "identifier"
    learning_objectives: dict[str, str] = field(default_factory=dict)


def _section(data: dict[str, Any], key: str, allowed: set[str], where: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ProficioError(f"{where}: '{key}' must be a mapping of settings.")
    unknown = set(value) - allowed
    if unknown:
        raise ProficioError(
            f"{where}: unknown setting '{sorted(unknown)[0]}' under '{key}'; "
            f"allowed: {', '.join(sorted(allowed))}."
        )
    return value


def _columns(value: object, names: tuple[str, ...], where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ProficioError(f"{where}: 'columns' must map Proficio's column names to yours.")
    for key, header in value.items():
        if key not in names:
            raise ProficioError(
                f"{where}: '{key}' is not a Proficio column; the columns are: {', '.join(names)}."
            )
        if not isinstance(header, str) or not header.strip():
            raise ProficioError(f"{where}: the header name for '{key}' must be text.")
    return {k: v.strip() for k, v in value.items()}


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; ProficioError names the file and the setting."""
    where = str(path)
    # The content's YAML reader: file:line:column errors with a hint, duplicate keys refused,
    # and a header named "No" or "2024-01-01" kept as text.
    doc, problems = read_yaml(path)
    if doc is None and any(p.code != "empty-file" for p in problems):
        raise ProficioError("\n".join(str(p) for p in problems))
    data = doc.data if doc is not None else {}
    if not isinstance(data, dict):
        raise ProficioError(f"{where}: expected settings under evidence:, roster: or oneroster:.")
    unknown = set(data) - {"evidence", "roster", "oneroster"}
    if unknown:
        raise ProficioError(
            f"{where}: unknown section '{sorted(unknown)[0]}'; use evidence:, roster: or oneroster:."
        )
    ev = _section(data, "evidence", {"columns", "date_format", "separator", "encoding"}, where)
    ro = _section(data, "roster", {"columns"}, where)
    one = _section(data, "oneroster", {"student_id", "learning_objectives"}, where)
    separator = ev.get("separator")
    if separator is not None:
        separator = {"tab": "\t", "\\t": "\t"}.get(separator, separator)
        if separator not in (",", ";", "\t", "|"):
            raise ProficioError(f"{where}: separator must be ',', ';', 'tab' or '|'.")
    student_id = one.get("student_id", "identifier")
    if student_id not in ONEROSTER_ID_FIELDS:
        raise ProficioError(
            f"{where}: oneroster student_id must be one of {', '.join(ONEROSTER_ID_FIELDS)}."
        )
    objectives = one.get("learning_objectives") or {}
    if not isinstance(objectives, dict):
        raise ProficioError(f"{where}: learning_objectives must map objective IDs to target codes.")
    return Mapping(
        evidence_columns=_columns(ev.get("columns", {}), EVIDENCE_COLUMNS, where),
        roster_columns=_columns(ro.get("columns", {}), ROSTER_COLUMNS, where),
        date_format=ev.get("date_format"),
        separator=separator,
        encoding=ev.get("encoding"),
        oneroster_student_id=student_id,
        learning_objectives={str(k): str(v) for k, v in objectives.items()},
    )
