"""A school's import settings, written once: its gradebook's column names and file quirks.

A YAML file (``--mapping mapping.yaml``), or the name of a preset Proficio ships for a known
gradebook export (``--mapping canvas-outcomes``, ``canvas-mastery``, ``oneroster``: the files in
``presets/``, each naming the vendor's published column list; copy one to edit it)::

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
      same_assessment: conflict # rows sharing student, target, assessment and date: see below
      labels: {Meets Mastery: 3} # text scores besides the scale's own labels
      ignore: [Course name]     # the export's columns that are known and not read
      layout: rows              # or wide: one column per outcome (see wide:)
      wide:
        scores: "{outcome} result"   # the headers that hold scores; {outcome} is the outcome
        outcome_separator: " > "     # the outcome is the last part of a path like "Math > 3.OA.1"
        date: 2026-06-12             # default: the run's date (--as-of)
        assessment: Learning Mastery Gradebook
    roster:
      columns: {student_id: ID, given_name: First name, family_name: Last name}
    oneroster:
      student_id: identifier    # users.csv column that holds the school's student ID
      learning_objectives:      # learningObjectiveId -> target code, when they are not the codes
        1f0c8c1e-0000-4000-8000-000000000001: MA.L1.PV.1
    crosswalk: crosswalk.csv    # outcome names/ids -> target codes (beside this file)

``same_assessment`` says what rows of one student on one target, assessment and date are:
``conflict`` (the default: the same row twice is counted once, different scores are reported
and none is used), ``each`` (every row is a score of its own), ``mean`` or ``max`` (the rows
are one score: their mean, rounded to two decimals, or their highest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..content.yamlfile import YamlDocument, read_yaml
from ..errors import ProficioError
from ..support.files import display_path
from .textfile import normalise_header

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
    "name_order",
    "latin_name",
)
ROSTER_REQUIRED = ("student_id", "given_name", "family_name")
ONEROSTER_ID_FIELDS = ("identifier", "sourcedId", "username")
POLICIES = ("conflict", "each", "mean", "max")
"""The values of ``same_assessment``."""
OUTCOME = "{outcome}"
"""The placeholder of a header pattern (``wide: scores:``, ``ignore:``)."""

PRESET_DIR = Path(__file__).with_name("presets")
"""The shipped presets: one YAML file per known gradebook export."""


def presets() -> list[str]:
    """The names ``--mapping`` accepts besides a file."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path | None:
    """The shipped file of preset ``name``, or None when there is no such preset."""
    path = PRESET_DIR / f"{name}.yaml"
    return path if name in presets() else None


@dataclass(frozen=True)
class WideLayout:
    """A wide export: one row per student, one column per outcome (a gradebook's rollups)."""

    scores: str = OUTCOME
    """The pattern of the headers that hold scores; ``{outcome}`` is the outcome's part."""
    outcome_separator: str | None = None
    """When set, an outcome that is not a target (or in the crosswalk) is tried by the last part
    of its path (Canvas writes ``Math > Grade 3 > 3.OA.A.3``)."""
    date: date | None = None
    """The date of every score (such exports have none); None: the run's date."""
    assessment: str = ""


@dataclass(frozen=True)
class Mapping:
    evidence_columns: dict[str, str] = field(default_factory=dict)
    roster_columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    separator: str | None = None
    encoding: str | None = None
    oneroster_student_id: str = "identifier"
    learning_objectives: dict[str, str] = field(default_factory=dict)
    same_assessment: str = "conflict"
    labels: dict[str, Decimal] = field(default_factory=dict)
    """Text scores -> points, besides the scale's own labels (which need no mapping)."""
    ignore: tuple[str, ...] = ()
    """Header names (or ``{outcome}`` patterns) of columns known and not read."""
    wide: WideLayout | None = None
    crosswalk: Path | None = None
    name: str = field(default="", compare=False)
    """How notes name it: ``preset canvas-outcomes`` or the file's path; empty: no mapping."""

    def ignores(self, header: str) -> bool:
        """Whether ``header`` is a column the mapping says is not read."""
        return any(header_matches(p, header) for p in self.ignore)


def outcome_of(pattern: str, header: str) -> str | None:
    """The ``{outcome}`` part of ``header`` under ``pattern`` (case-insensitive), or None."""
    before, _, after = pattern.partition(OUTCOME)
    text = header.strip().lstrip("\ufeff").strip()
    low, before, after = text.lower(), before.lower(), after.lower()
    if len(text) <= len(before) + len(after):
        return None
    if not (low.startswith(before) and low.endswith(after)):
        return None
    return text[len(before) : len(text) - len(after)].strip() or None


def header_matches(pattern: str, header: str) -> bool:
    if OUTCOME in pattern:
        return outcome_of(pattern, header) is not None
    return normalise_header(pattern) == normalise_header(header)


class _Reader:
    """Settings with their FILE:LINE:COLUMN, for messages a registrar can act on."""

    def __init__(self, doc: YamlDocument | None, shown: str) -> None:
        self.doc = doc
        self.shown = shown

    def at(self, *path: str | int, key: bool = False) -> str:
        if self.doc is None or self.doc.root is None:
            return self.shown
        line, column = self.doc.where(path, key=key)
        return f"{self.shown}:{line}:{column}"

    def fail(self, message: str, *path: str | int, key: bool = False) -> ProficioError:
        return ProficioError(f"{self.at(*path, key=key)}: {message}")


def _section(
    r: _Reader, data: dict[str, Any], key: str, allowed: set[str], *where: str
) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise r.fail(f"'{key}' must be a mapping of settings.", *where, key)
    unknown = set(value) - allowed
    if unknown:
        first = sorted(unknown)[0]
        raise r.fail(
            f"unknown setting '{first}' under '{key}'; allowed: {', '.join(sorted(allowed))}.",
            *where,
            key,
            first,
            key=True,
        )
    return value


def _columns(r: _Reader, value: object, names: tuple[str, ...], *where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise r.fail("'columns' must map Proficio's column names to yours.", *where)
    for key, header in value.items():
        if key not in names:
            raise r.fail(
                f"'{key}' is not a Proficio column; the columns are: {', '.join(names)}.",
                *where,
                key,
                key=True,
            )
        if not isinstance(header, str) or not header.strip():
            raise r.fail(f"the header name for '{key}' must be text.", *where, key)
    return {k: v.strip() for k, v in value.items()}


def _text(r: _Reader, value: object, *where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise r.fail(f"'{where[-1]}' must be text.", *where)
    return value


def _patterns(r: _Reader, value: object, *where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise r.fail(
            f"'{where[-1]}' must be a list of header names (a name may hold {OUTCOME}).", *where
        )
    return tuple(v.strip() for v in value)


def _labels(r: _Reader, value: object, *where: str) -> dict[str, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise r.fail(
            "'labels' must map a text score to its point, like 'Meets Mastery: 3'.", *where
        )
    labels: dict[str, Decimal] = {}
    for text, point in value.items():
        spot = (*where, text)
        if not str(text).strip():
            raise r.fail("a label must be text.", *spot, key=True)
        if isinstance(point, bool) or not isinstance(point, int | float | str):
            raise r.fail(f"the point of label '{text}' must be a number.", *spot)
        try:
            number = Decimal(str(point).strip().replace(",", "."))
        except InvalidOperation:
            raise r.fail(
                f"the point of label '{text}' must be a number, not '{point}'.", *spot
            ) from None
        if not number.is_finite():
            raise r.fail(f"the point of label '{text}' must be a number, not '{point}'.", *spot)
        labels[str(text).strip()] = number
    return labels


def _wide(r: _Reader, value: dict[str, Any], *where: str) -> WideLayout:
    scores = _text(r, value.get("scores"), *where, "scores") or OUTCOME
    if scores.count(OUTCOME) != 1:
        raise r.fail(
            f"'scores' is the pattern of the headers that hold scores, with {OUTCOME} once where "
            f"the outcome is (like '{OUTCOME} result').",
            *where,
            "scores",
        )
    separator = value.get("outcome_separator")
    if separator is not None and (not isinstance(separator, str) or not separator):
        raise r.fail("'outcome_separator' must be text (like ' > ').", *where, "outcome_separator")
    day = value.get("date")
    if day is not None:
        try:
            day = date.fromisoformat(str(day).strip())
        except ValueError:
            raise r.fail(
                f"'date' must be a date as YYYY-MM-DD (the day of the export), not '{day}'.",
                *where,
                "date",
            ) from None
    assessment = _text(r, value.get("assessment"), *where, "assessment") or ""
    return WideLayout(scores.strip(), separator, day, assessment.strip())


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file, or a preset by its name (``canvas-outcomes``);
    ProficioError names the file, the line and the setting."""
    preset = preset_path(path) if isinstance(path, str) else None
    if preset is None and isinstance(path, str) and not Path(path).exists():
        raise ProficioError(
            f"There is no mapping file {path}, and it is not a preset ({', '.join(presets())})."
        )
    file = preset or Path(path)
    shown = display_path(file)
    # The content's YAML reader: file:line:column errors with a hint, duplicate keys refused,
    # and a header named "No" or "2024-01-01" kept as text.
    doc, problems = read_yaml(file)
    if doc is None and any(p.code != "empty-file" for p in problems):
        raise ProficioError("\n".join(str(p) for p in problems))
    r = _Reader(doc, shown)
    data = doc.data if doc is not None else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise r.fail("expected settings under evidence:, roster:, oneroster: or crosswalk:.")
    unknown = set(data) - {"evidence", "roster", "oneroster", "crosswalk"}
    if unknown:
        first = sorted(unknown)[0]
        raise r.fail(
            f"unknown section '{first}'; use evidence:, roster:, oneroster: or crosswalk:.",
            first,
            key=True,
        )
    ev = _section(
        r,
        data,
        "evidence",
        {
            "columns",
            "date_format",
            "separator",
            "encoding",
            "same_assessment",
            "labels",
            "ignore",
            "layout",
            "wide",
        },
    )
    ro = _section(r, data, "roster", {"columns"})
    one = _section(r, data, "oneroster", {"student_id", "learning_objectives"})
    separator = ev.get("separator")
    if separator is not None:
        separator = {"tab": "\t", "\\t": "\t"}.get(separator, separator)
        if separator not in (",", ";", "\t", "|"):
            raise r.fail("separator must be ',', ';', 'tab' or '|'.", "evidence", "separator")
    student_id = one.get("student_id", "identifier")
    if student_id not in ONEROSTER_ID_FIELDS:
        raise r.fail(
            f"oneroster student_id must be one of {', '.join(ONEROSTER_ID_FIELDS)}.",
            "oneroster",
            "student_id",
        )
    objectives = one.get("learning_objectives") or {}
    if not isinstance(objectives, dict):
        raise r.fail(
            "learning_objectives must map objective IDs to target codes.",
            "oneroster",
            "learning_objectives",
        )
    policy = ev.get("same_assessment", "conflict")
    if policy not in POLICIES:
        raise r.fail(
            f"same_assessment must be one of {', '.join(POLICIES)}, not '{policy}'.",
            "evidence",
            "same_assessment",
        )
    layout = ev.get("layout", "rows")
    if layout not in ("rows", "wide"):
        raise r.fail(
            f"layout must be rows (one score per row) or wide (one column per outcome), not "
            f"'{layout}'.",
            "evidence",
            "layout",
        )
    wide = None
    if layout == "wide":
        wide = _wide(
            r,
            _section(
                r, ev, "wide", {"scores", "outcome_separator", "date", "assessment"}, "evidence"
            ),
            "evidence",
            "wide",
        )
    elif ev.get("wide"):
        raise r.fail("'wide' settings need 'layout: wide'.", "evidence", "wide", key=True)
    crosswalk = _text(r, data.get("crosswalk"), "crosswalk")
    return Mapping(
        evidence_columns=_columns(
            r, ev.get("columns", {}), EVIDENCE_COLUMNS, "evidence", "columns"
        ),
        roster_columns=_columns(r, ro.get("columns", {}), ROSTER_COLUMNS, "roster", "columns"),
        date_format=ev.get("date_format"),
        separator=separator,
        encoding=ev.get("encoding"),
        oneroster_student_id=student_id,
        learning_objectives={str(k): str(v) for k, v in objectives.items()},
        same_assessment=policy,
        labels=_labels(r, ev.get("labels"), "evidence", "labels"),
        ignore=_patterns(r, ev.get("ignore"), "evidence", "ignore"),
        wide=wide,
        crosswalk=(file.parent / crosswalk) if crosswalk else None,
        name=f"preset {file.stem}" if file.resolve().parent == PRESET_DIR.resolve() else shown,
    )
