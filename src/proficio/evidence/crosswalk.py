"""A crosswalk: a gradebook's own outcome names or ids, or CASE identifiers, -> target codes.

A gradebook rarely knows the school's target codes: Canvas names an outcome "Adds fractions"
(id 4127), a district's OneRoster export carries its own learning-objective ids, a state
framework its CASE UUIDs. One file, written once, says which target each of them is, and every
evidence format reads it (native CSV, wide exports, OneRoster)::

    outcome,target,note
    Adds fractions,MA.L2.FR.1,Canvas outcome title
    4127,MA.L2.FR.1,the same outcome by its Canvas id
    urn:uuid:7f1d2c9e-0d3a-4b8e-9f00-00000000b001,MA.L1.B.1,a CASE identifier

or as YAML (``crosswalk.yaml``), one ``outcome: target`` per line. A CSV needs the columns
``outcome`` and ``target``; other columns (a note) are not read. Outcomes are matched as
written, then ignoring case and repeated spaces; a CASE identifier with or without
``urn:uuid:``. Every target must be a code of the school, and an outcome may lead to one target
only: the file is refused as a whole otherwise (every problem named at its line), since a
wrong crosswalk would put every score of an outcome on the wrong target.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..content.model import School
from ..content.yamlfile import read_yaml
from ..errors import ProficioError
from ..support.files import display_path
from .textfile import BadFile, choose_encoding, normalise_header, open_rows


def closest_codes(code: str, codes: list[str]) -> list[str]:
    """The codes ``code`` most likely meant, judged on the whole code (at most three).

    The same code in another case; else the codes that end with all of its parts (a CASE
    ``humanCodingScheme`` like ``3.OA.A.3`` under a school's prefix); else the closest by
    spelling, and among near ties those nearest its length. Spelling alone favours a short
    code that shares the first characters (``M.G3.C1OA.TA`` for ``3.OA.A.3`` when
    ``M.G3.C1OA.TA.3.OA.A.3`` exists).
    """
    upper = code.upper()
    same = [c for c in codes if c.upper() == upper]
    if same:
        return same[:1]
    parts = upper.split(".")
    tails = [c for c in codes if c.upper().split(".")[-len(parts) :] == parts]
    if tails:
        return sorted(tails, key=lambda c: (len(c), c))[:3]
    close = difflib.get_close_matches(code, codes, n=5, cutoff=0.6)
    if not close:
        return []
    ratio = {c: difflib.SequenceMatcher(None, code, c).ratio() for c in close}
    near = [c for c in close if ratio[close[0]] - ratio[c] < 0.05]
    gap = min(abs(len(c) - len(code)) for c in near)
    return sorted(c for c in near if abs(len(c) - len(code)) == gap)[:3]


def fold(text: str) -> str:
    """The loose form of an outcome: spaces collapsed, case folded, no ``urn:uuid:``."""
    return " ".join(text.split()).casefold().removeprefix("urn:uuid:")


@dataclass(frozen=True)
class Crosswalk:
    """Outcome -> target code, as read from one file (``source``)."""

    source: str
    codes: dict[str, str] = field(default_factory=dict)
    """The outcomes as written (stripped)."""
    folded: dict[str, str] = field(default_factory=dict)
    """Their loose forms (see :func:`fold`), where two outcomes do not share one."""

    def lookup(self, text: str) -> str | None:
        """The target code ``text`` stands for, or None."""
        key = text.strip()
        hit = self.codes.get(key)
        return hit if hit is not None else self.folded.get(fold(key))

    def __len__(self) -> int:
        return len(self.codes)


def load_crosswalk(path: Path, school: School) -> Crosswalk:
    """Read and check a crosswalk (CSV, or YAML by its ``.yaml``/``.yml`` name).

    Raises ProficioError naming every problem at its line: a target that is not a code of
    the school (with the closest code), an outcome listed twice for different targets, an
    empty cell, a CSV without the ``outcome`` and ``target`` columns.
    """
    shown = display_path(path)
    if not path.is_file():
        raise ProficioError(f"There is no crosswalk file {shown}: check the path.")
    if path.suffix.lower() in (".yaml", ".yml"):
        pairs = _yaml_pairs(path, shown)
    else:
        pairs = _csv_pairs(path, shown)
    codes = {t.code for *_, t in school.iter_targets()}
    problems: list[str] = []
    found: dict[str, tuple[str, int]] = {}
    for line, outcome, code in pairs:
        if not outcome or not code:
            what = "outcome" if not outcome else "target"
            problems.append(f"{shown}:{line}: the {what} is empty: fill it in or remove the line.")
            continue
        if code not in codes:
            close = closest_codes(code, sorted(codes))
            hint = (
                ": did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
                if close
                else ": check it against the content."
            )
            problems.append(
                f"{shown}:{line}: '{code}' (for '{outcome}') is not a target code of the "
                f"school{hint}"
            )
            continue
        if outcome in found and found[outcome][0] != code:
            first, first_line = found[outcome]
            problems.append(
                f"{shown}:{line}: '{outcome}' is already mapped to '{first}' on line "
                f"{first_line}, here to '{code}': an outcome leads to one target. Keep one."
            )
            continue
        found.setdefault(outcome, (code, line))
    if problems:
        n = len(problems)
        raise ProficioError(
            f"The crosswalk {shown} has {n} problem{'s' if n != 1 else ''}: fix "
            f"{'them' if n != 1 else 'it'} and run again (no evidence was read).",
            details=problems,
        )
    folded: dict[str, str] = {}
    shared: set[str] = set()
    for outcome, (code, _) in found.items():
        key = fold(outcome)
        if folded.get(key, code) != code:
            shared.add(key)
        folded.setdefault(key, code)
    for key in shared:
        del folded[key]
    return Crosswalk(shown, {o: c for o, (c, _) in found.items()}, folded)


def _yaml_pairs(path: Path, shown: str) -> list[tuple[int, str, str]]:
    doc, problems = read_yaml(path)
    if doc is None:
        if all(p.code == "empty-file" for p in problems):
            return []
        raise ProficioError("\n".join(str(p) for p in problems))
    data = doc.data
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ProficioError(
            f"{shown}: a crosswalk lists one 'outcome: target code' per line (a YAML mapping)."
        )
    pairs = []
    for key, value in data.items():
        line = doc.where((key,), key=True)[0]
        if isinstance(value, dict | list):
            raise ProficioError(
                f"{shown}:{line}: '{key}' must map to one target code (text), not a list or "
                "a mapping."
            )
        pairs.append((line, str(key).strip(), "" if value is None else str(value).strip()))
    return pairs


def _csv_pairs(path: Path, shown: str) -> list[tuple[int, str, str]]:
    def opener() -> BinaryIO:
        return open(path, "rb")

    try:
        codec, _ = choose_encoding(opener, None)
        header, rows, _ = open_rows(
            opener,
            codec,
            lambda cells: sum(normalise_header(c) in ("outcome", "target") for c in cells),
        )
    except BadFile as exc:
        raise ProficioError(f"{shown}:{exc.line}: {exc.message}") from None
    except OSError as exc:
        raise ProficioError(f"Cannot read the crosswalk {shown}: {exc.strerror}.") from None
    cells = [normalise_header(c) for c in header]
    missing = [c for c in ("outcome", "target") if c not in cells]
    if missing:
        rows.text.close()
        raise ProficioError(
            f"{shown}:{rows.header_line}: the crosswalk has no "
            f"{' and no '.join(repr(m) for m in missing)} column (its header: "
            f"{', '.join(h.strip() for h in header)}). Name the columns outcome,target."
        )
    i_outcome, i_target = cells.index("outcome"), cells.index("target")
    pairs = []
    try:
        for row in rows:
            if not any(c.strip() for c in row):
                continue
            pairs.append((rows.line, _cell(row, i_outcome), _cell(row, i_target)))
    except (BadFile, csv.Error) as exc:
        message = exc.message if isinstance(exc, BadFile) else str(exc)
        raise ProficioError(f"{shown}: {message}") from None
    return pairs


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""
