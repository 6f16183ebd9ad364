"""Checking evidence rows against the school and the roster, and keeping the good ones.

One ``RowChecker`` serves every reader (native CSV, OneRoster), so a row is judged the same way
whatever it came from. It is the hot loop of an import: lookups are cached per distinct string
(students, codes, score spellings, dates), so a million rows cost a few dictionary lookups each.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from array import array
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter

from ..content.identifiers import case_identifiers
from ..content.model import Scale, School
from ..support.numbers import decimal_text
from .crosswalk import Crosswalk, closest_codes, fold
from .mapping import EVIDENCE_COLUMNS, POLICIES
from .records import Evidence, Student
from .report import FileStats, ImportReport
from .textfile import DateReader, ascii_digits_hint, foreign_digit, invisible

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
"""What a score may look like (``fullmatch``-ed on the stripped text)."""

_FIELDS = (*EVIDENCE_COLUMNS, "source", "line", "kind", "rows")
_FAST = (
    tuple(f.name for f in dataclasses.fields(Evidence)) == _FIELDS
    and not hasattr(Evidence, "__post_init__")
    and not hasattr(Evidence, "__slots__")
)
_new = object.__new__
_FIELDS_OF = attrgetter(*_FIELDS)
"""An Evidence's fields in the order ``EvidenceSet.add`` takes them."""

KINDS = ("", "rollup", "mean", "max")
"""``Evidence.kind`` values, packed as their index (see ``EvidenceSet``)."""
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}


def new_evidence(
    student_id: str,
    target: str,
    score: Decimal,
    when: date,
    assessment: str,
    category: str,
    scorer: str | None,
    comment: str | None,
    source: str,
    line: int,
    kind: str = "",
    rows: int = 1,
) -> Evidence:
    """``Evidence(...)`` at two thirds of the cost, for the million-row hot path.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; filling
    the instance ``__dict__`` in field order gives the same object (equal, same hash, still
    frozen) about 1 µs faster per row. If the record's fields ever change, the guard above
    turns this off and the real constructor is used.
    """
    if not _FAST:
        return Evidence(
            student_id,
            target,
            score,
            when,
            assessment,
            category,
            scorer,
            comment,
            source,
            line,
            kind,
            rows,
        )
    e = _new(Evidence)
    d = e.__dict__
    d["student_id"] = student_id
    d["target"] = target
    d["score"] = score
    d["date"] = when
    d["assessment"] = assessment
    d["type"] = category
    d["scorer"] = scorer
    d["comment"] = comment
    d["source"] = source
    d["line"] = line
    d["kind"] = kind
    d["rows"] = rows
    return e


class EvidenceSet:
    """The used evidence, grouped by student in the order it was read, packed small.

    An Evidence object costs about 230 bytes; a run over a district's export holds millions.
    Each row is kept instead as ten integers in one ``array`` per student (indexes into shared
    tables of texts and scores, the date's ordinal, the line, its kind and row count): about 40
    bytes a row, so memory
    stays low however many students a transcript run covers. ``for_student`` unpacks one
    student's rows, as Evidence, when that student is scored.
    """

    WIDTH = 10
    """target, score, date, assessment, type, scorer, comment, source, line, kind + 4 * rows"""

    def __init__(self) -> None:
        self.packed: dict[str, array[int]] = {}
        self._texts: list[str | None] = [None]
        self._text_ids: dict[str | None, int] = {None: 0}
        self._scores: list[Decimal] = []
        self._score_ids: dict[int, int] = {}
        self._days: dict[int, date] = {}

    def add(
        self,
        student_id: str,
        target: str,
        score: Decimal,
        when: date,
        assessment: str,
        category: str,
        scorer: str | None,
        comment: str | None,
        source: str,
        line: int,
        kind: str = "",
        rows: int = 1,
    ) -> None:
        """Keep one row (appended to the student's). ``score`` is one of its scale's point
        objects (what the checker returns), so the score table holds one entry per point."""
        ids = self._text_ids
        s = self._score_ids.get(id(score))
        if s is None:
            s = self._score_ids[id(score)] = len(self._scores)
            self._scores.append(score)
        row = (
            ids.get(target) or self._text(target),
            s,
            when.toordinal(),
            ids.get(assessment) or self._text(assessment),
            ids.get(category) or self._text(category),
            0 if scorer is None else ids.get(scorer) or self._text(scorer),
            0 if comment is None else ids.get(comment) or self._text(comment),
            ids.get(source) or self._text(source),
            line,
            _KIND_CODE[kind] + 4 * rows if kind else 4 * rows,
        )
        packed = self.packed.get(student_id)
        if packed is None:
            self.packed[student_id] = array("i", row)
        else:
            packed.extend(row)

    def _text(self, value: str) -> int:
        i = self._text_ids.get(value)
        if i is None:
            i = self._text_ids[value] = len(self._texts)
            self._texts.append(value)
        return i

    def _day(self, ordinal: int) -> date:
        day = self._days.get(ordinal)
        if day is None:
            day = self._days[ordinal] = date.fromordinal(ordinal)
        return day

    def for_student(self, student_id: str) -> list[Evidence]:
        """The student's rows as Evidence, in the order they were read."""
        rows = self.packed.get(student_id)
        if not rows:
            return []
        texts, scores, days, day = self._texts, self._scores, self._days, self._day
        it = iter(rows)
        return [
            new_evidence(
                student_id,
                texts[t],
                scores[s],
                days.get(d) or day(d),
                texts[a],
                texts[k],
                texts[sc],
                texts[c],
                texts[src],
                line,
                KINDS[origin & 3],
                origin >> 2,
            )
            for t, s, d, a, k, sc, c, src, line, origin in zip(
                it, it, it, it, it, it, it, it, it, it, strict=True
            )
        ]

    def replace(self, student_id: str, items: list[Evidence]) -> None:
        """Keep exactly ``items`` for the student (after duplicates are taken out); the student
        keeps their place in the order."""
        self.packed[student_id] = array("i")
        for e in items:
            self.add(*_FIELDS_OF(e))

    def student_ids(self) -> Iterator[str]:
        """Students with at least one row, in the order first seen."""
        return iter(self.packed)

    def has_repeats(self, student_id: str) -> bool:
        """Whether two of the student's rows share target, assessment and date."""
        rows = self.packed[student_id]
        w = self.WIDTH
        n = len(rows) // w
        return n > 1 and len(set(zip(rows[0::w], rows[3::w], rows[2::w], strict=True))) < n

    def __iter__(self) -> Iterator[Evidence]:
        for student_id in self.packed:
            yield from self.for_student(student_id)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.packed.values()) // self.WIDTH


def _unusable(name: str, value: str, missing: str = "") -> tuple[str, str] | None:
    """Why an ID or code that matched nothing is unusable as written: empty, or holding an
    invisible character (the reason and the message), or ``None`` if it is simply unknown."""
    if not value:
        return "missing-field", missing or f"no {name}: fill it in"
    hidden = invisible(value)
    if hidden is not None:
        return "invisible-character", f"{name} holds {hidden}: remove it in the export"
    return None


class RowChecker:
    """Judges each row once: used (kept as Evidence) or rejected with its reason in the report.

    A target is found by its code, then through the crosswalk (a gradebook's outcome names or
    ids), then by its CASE identifier; each text found that way is remembered, so the readers'
    lookups stay one dictionary access. A score is a number written with 0-9 or a label of the
    target's scale (in any language the scale has one, any case; the mapping may add labels).
    """

    def __init__(
        self,
        school: School,
        students: dict[str, Student],
        report: ImportReport,
        as_of: date,
        dates: DateReader,
        *,
        crosswalk: Crosswalk | None = None,
        labels: dict[str, Decimal] | None = None,
        same_assessment: str = "conflict",
    ) -> None:
        if same_assessment not in POLICIES:
            raise ValueError(f"same_assessment must be one of {', '.join(POLICIES)}")
        self.school = school
        self.students = students
        self.report = report
        self.as_of = as_of
        self.dates = dates
        self.crosswalk = crosswalk
        self.same_assessment = same_assessment
        self.evidence = EvidenceSet()
        self._stats: dict[str, FileStats] = {}
        self.targets: dict[str, tuple[str, dict[str, Decimal | tuple[str, str]]]] = {}
        """Code (or a text found to stand for one) -> (code, its scale's score cache)."""
        self._rollups: dict[str, dict[str, Decimal | tuple[str, str]]] = {}
        self._scales: dict[str, tuple[tuple[Decimal, ...], str]] = {}
        self._scale_of: dict[str, str] = {}
        self._scale_objects: dict[str, Scale] = {}
        caches: dict[str, dict[str, Decimal | tuple[str, str]]] = {}
        for _, _, _, target in school.iter_targets():
            scale = school.scale_of(target)
            cache = caches.setdefault(scale.id, {})
            self.targets[target.code] = (target.code, cache)
            self._scales[target.code] = (scale.allowed, scale.id)
            self._scale_of[target.code] = scale.id
            self._scale_objects[scale.id] = scale
        self._codes = list(self.targets)
        self._upper = {code.upper(): code for code in self._codes}
        self._suggestions: dict[str, str] = {}
        self._case: dict[str, str] | None = None
        self._extra_labels = {fold(k): v for k, v in (labels or {}).items()}
        self._extra_names = {fold(k): k for k in labels or {}}
        self._labels: dict[str, dict[str, Decimal | str]] = {}
        self._label_names: dict[str, dict[str, str]] = {}
        """Per scale: folded label -> the label as written (for suggestions)."""
        self.strings: dict[str, str] = {}
        """Raw text -> its stripped, shared copy (assessment names repeat a million times)."""

    def resolve(self, text: str) -> str | None:
        """The target code ``text`` is or stands for (crosswalk, CASE identifier), or None."""
        hit = self.targets.get(text) or self._find(text)
        return hit[0] if hit is not None else None

    def _find(self, raw: str) -> tuple[str, dict[str, Decimal | tuple[str, str]]] | None:
        text = raw.strip()
        hit = self.targets.get(text)
        if hit is None and text:
            code = self.crosswalk.lookup(text) if self.crosswalk is not None else None
            if code is None:
                if self._case is None:
                    self._case = case_identifiers(self.school)
                code = self._case.get(text.lower().removeprefix("urn:uuid:"))
            hit = self.targets.get(code) if code is not None else None
        if hit is not None:
            self.targets[raw] = hit
        return hit

    def add(
        self,
        stats: FileStats,
        line: int,
        row: tuple[str, ...] | list[str],
        student_id: str,
        code: str,
        raw_score: str,
        raw_date: str,
        assessment: str = "",
        category: str = "",
        scorer: str = "",
        comment: str = "",
        *,
        kind: str = "",
        column: str = "",
    ) -> bool:
        """Check one row; keep it as Evidence (True) or report why not (False).

        ``kind="rollup"``: the score is a gradebook's rollup (any value within the scale, not
        only its points). ``column``: the cell's column, named in the message (wide exports).
        """
        student = self.students.get(student_id)
        if student is None:
            student_id = student_id.strip()
            student = self.students.get(student_id)
            if student is None:
                problem = _unusable("student_id", student_id)
                if problem is not None:
                    return self._reject(stats, line, row, *problem, column)
                where = self.report.unlisted.get(student_id)
                return self._reject(
                    stats,
                    line,
                    row,
                    "unknown-student",
                    f"the roster row of student {student_id!r} was rejected ({where}): fix that row"
                    if where
                    else f"student {student_id!r} is not in the roster: add them to the roster "
                    "or correct the ID",
                    column,
                )
        target = self.targets.get(code) or self._find(code)
        if target is None:
            code = code.strip()
            problem = _unusable("target", code, "no target code: fill it in")
            if problem is not None:
                return self._reject(stats, line, row, *problem, column)
            return self._reject(
                stats, line, row, "unknown-target", self._unknown_code(code), column
            )
        code, cache = target
        if kind == "rollup":
            cache = self._rollups.setdefault(self._scale_of[code], {})
        score = cache.get(raw_score)
        if score is None:
            score = cache[raw_score] = self._parse_score(code, raw_score, rollup=kind == "rollup")
        if score.__class__ is tuple:
            return self._reject(stats, line, row, score[0], score[1], column)
        when = self.dates(raw_date)
        if when.__class__ is str:
            if not raw_date.strip():
                return self._reject(
                    stats, line, row, "missing-field", "no date: fill it in", column
                )
            return self._reject(stats, line, row, "bad-date", when, column)
        # The hot path tests the class (faster than isinstance), which mypy does not narrow by.
        if when > self.as_of:  # type: ignore[operator]  # a date once str is ruled out
            return self._reject(
                stats,
                line,
                row,
                "future-date",
                f"date {when} is after {self.as_of}, the date of this run: correct the date (or use --as-of)",
                column,
            )
        self.evidence.add(
            student.id,
            code,
            score,  # type: ignore[arg-type]  # a Decimal once the tuple case returned
            when,  # type: ignore[arg-type]  # a date once the str case returned
            self.intern(assessment),
            self.intern(category),
            self.intern(scorer) if scorer else None,
            comment.strip() or None,
            stats.source,
            line,
            kind,
        )
        stats.used += 1
        return True

    def intern(self, raw: str) -> str:
        """``raw`` stripped, as one shared string object per distinct text."""
        value = self.strings.get(raw)
        if value is None:
            stripped = raw.strip()
            value = self.strings.setdefault(stripped, stripped)
            self.strings[raw] = value
        return value

    def register(self, stats: FileStats) -> None:
        """Make ``stats`` known to ``finish`` (which moves duplicates out of its used count)."""
        self._stats[stats.source] = stats

    def _reject(
        self,
        stats: FileStats,
        line: int,
        row: Sequence[str],
        reason: str,
        message: str,
        column: str = "",
    ) -> bool:
        if column:
            message = f"{column}: {message}"
        self.report.reject(stats, line, reason, message, tuple(row))
        return False

    def unknown_code(self, code: str) -> str:
        """The message for a code that is no target (nor in the crosswalk), with the closest."""
        return self._unknown_code(code)

    def _unknown_code(self, code: str) -> str:
        hit = self._suggestions.get(code)
        if hit is not None:
            return hit
        close = self._closest(code)
        message = f"target code '{code}' is not in the school's content"
        if len(close) == 1:
            message += f": did you mean '{close[0]}'?"
        elif close:
            message += ": did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        else:
            message += ": check the code against the curriculum site"
        if self.crosswalk is not None:
            message += f" (or add it to the crosswalk {self.crosswalk.source})"
        self._suggestions[code] = message
        return message

    def _closest(self, code: str) -> list[str]:
        """The codes ``code`` most likely meant (see :func:`.crosswalk.closest_codes`)."""
        same = self._upper.get(code.upper())
        return [same] if same else closest_codes(code, self._codes)

    def _label_table(self, code: str) -> dict[str, Decimal | str]:
        """The target's scale's labels (every language), folded -> point, and the mapping's;
        a label two points share maps to the message saying so."""
        scale_id = self._scale_of[code]
        table = self._labels.get(scale_id)
        if table is not None:
            return table
        table = {}
        scale = self._scale_objects[scale_id]
        owners: dict[str, set[Decimal]] = {}
        names: dict[str, str] = {}
        for point in scale.points:
            for text in point.label.values():
                if text and text.strip():
                    owners.setdefault(fold(text), set()).add(point.value)
                    names.setdefault(fold(text), text.strip())
        for key, values in owners.items():
            if len(values) == 1:
                table[key] = next(iter(values))
            else:
                shown = " and ".join(decimal_text(v) for v in sorted(values))
                table[key] = f"is the label of {shown} on scale '{scale_id}': write the number"
        table.update(self._extra_labels)
        names.update(self._extra_names)
        self._labels[scale_id] = table
        self._label_names[scale_id] = {
            k: v for k, v in names.items() if k in table and not isinstance(table[k], str)
        }
        return table

    def _parse_score(self, code: str, raw: str, rollup: bool = False) -> Decimal | tuple[str, str]:
        """The scale's point ``raw`` is, or ``(reason, message)``; for a ``rollup`` any value
        from the scale's lowest point to its highest.

        A score is written with the digits 0-9, a decimal point or comma, and an optional
        sign (3, 3.5, 3,5), or as a label of the scale ("Proficient", "dominio"). Decimal would
        also read Arabic-Indic or full-width digits, ``1e0``, ``0_3`` (as 3) or ``sNaN``; each
        is refused with what to write instead, so no score is ever read from a spelling a
        registrar would not recognise as that number.
        """
        text = raw.strip()
        if not text:
            return ("missing-field", "no score: fill it in")
        allowed, scale_id = self._scales[code]
        by_label = ""
        if _PLAIN_NUMBER.fullmatch(text):
            value = Decimal(text.replace(",", "."))
        else:
            table = self._label_table(code)
            found = table.get(fold(text))
            if isinstance(found, str):
                return ("bad-score", f"score '{raw}' {found}")
            if found is None:
                digit = foreign_digit(text)
                if digit is not None:
                    return (
                        "bad-score",
                        f"score '{raw}' is written with {digit}, not the digits 0-9"
                        f"{ascii_digits_hint(text)}: write scores with 0-9",
                    )
                message = f"score '{raw}' is not a number (write it like 3 or 3.5)"
                names = self._label_names[scale_id]
                near = difflib.get_close_matches(fold(text), list(names), n=1, cutoff=0.75)
                if near:
                    message += (
                        f" or a label of scale '{scale_id}': did you mean '{names[near[0]]}'?"
                    )
                return ("bad-score", message)
            value = found
            by_label = f" ('{text}')"
        for point in allowed:
            if point == value:
                return point
        points = ", ".join(decimal_text(p) for p in sorted(allowed))
        if rollup and min(allowed) <= value <= max(allowed):
            return value
        if rollup:
            return (
                "score-not-on-scale",
                f"score {decimal_text(value)}{by_label} is outside scale '{scale_id}' used by "
                f"{code} ({decimal_text(min(allowed))} to {decimal_text(max(allowed))})",
            )
        return (
            "score-not-on-scale",
            f"score {text if not by_label else decimal_text(value)}{by_label} is not a point of "
            f"scale '{scale_id}' used by {code} (its points: {points})",
        )

    def finish(self) -> EvidenceSet:
        """Apply ``same_assessment`` to rows of a student on the same target, assessment and
        date; return the evidence kept.

        ``conflict``: they are the same piece of evidence: with the same score the later ones
        are duplicates; with different scores none is used, since the tool cannot know which is
        right. ``mean`` / ``max``: they are one score (their mean, rounded to two decimals half
        away from zero, or their highest), kept at the first row's place; every row counts as
        used. ``each``: every row stays a score of its own.
        """
        if self.same_assessment == "each":
            return self.evidence
        combine = self.same_assessment in ("mean", "max")
        stats = self._stats
        evidence = self.evidence
        for sid in [sid for sid in evidence.student_ids() if evidence.has_repeats(sid)]:
            items = evidence.for_student(sid)
            seen: dict[tuple[str, str, date], int] = {}
            groups: dict[int, list[int]] = {}
            for i, e in enumerate(items):
                first = seen.setdefault((e.target, e.assessment, e.date), i)
                if first != i:
                    groups.setdefault(first, [first]).append(i)
            if not groups:
                continue
            dropped: set[int] = set()
            merged: dict[int, Evidence] = {}
            for first, members in groups.items():
                rows = [items[i] for i in members]
                if combine:
                    merged[first] = self._combined(rows)
                    dropped.update(members[1:])
                    self.report.combined_rows += len(rows)
                    self.report.combined_scores += 1
                elif len({e.score for e in rows}) > 1:
                    for e in rows:
                        others = ", ".join(
                            f"{_where(o, e)} (score {decimal_text(o.score)})"
                            for o in rows
                            if o is not e
                        )
                        self._drop(
                            stats[e.source],
                            e,
                            "conflict",
                            f"score {decimal_text(e.score)} conflicts with {others}: same student, "
                            "target, assessment and date; none of them was used. Correct the "
                            "export (or give the assessments different names)",
                        )
                    dropped.update(members)
                else:
                    for e in rows[1:]:
                        self._drop(
                            stats[e.source],
                            e,
                            "duplicate",
                            f"same student, target, assessment, date and score as "
                            f"{_where(rows[0], e)}: counted once",
                        )
                    dropped.update(members[1:])
            evidence.replace(
                sid, [merged.get(i, e) for i, e in enumerate(items) if i not in dropped]
            )
        if combine:
            self.report.combined_by = self.same_assessment
        return evidence

    def _combined(self, rows: list[Evidence]) -> Evidence:
        """One score for the rows of one assessment: their mean or their highest."""
        first = rows[0]
        if self.same_assessment == "max":
            score = max((e.score for e in rows), key=lambda s: s)
        else:
            score = _tidy(_mean([e.score for e in rows]))
            allowed = self._scales[first.target][0]
            score = next((p for p in allowed if p == score), score)
        return new_evidence(
            first.student_id,
            first.target,
            score,
            first.date,
            first.assessment,
            first.type,
            next((e.scorer for e in rows if e.scorer), None),
            next((e.comment for e in rows if e.comment), None),
            first.source,
            first.line,
            self.same_assessment,
            len(rows),
        )

    def _drop(self, stats: FileStats, e: Evidence, reason: str, message: str) -> None:
        stats.used -= 1
        self.report.reject(stats, e.line, reason, message, _as_row(e))


def _mean(scores: list[Decimal]) -> Decimal:
    """The mean, rounded once to two decimals, half away from zero (as every score is)."""
    total = sum((Fraction(s) for s in scores), Fraction(0)) / len(scores)
    q, r = divmod(abs(total.numerator) * 100, total.denominator)
    if 2 * r >= total.denominator:
        q += 1
    return Decimal(-q if total < 0 else q).scaleb(-2)


def _tidy(value: Decimal) -> Decimal:
    """``3.50`` as ``3.5``, ``3.00`` as ``3``: how the value is written back and shown."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _where(other: Evidence, this: Evidence) -> str:
    return f"line {other.line}" if other.source == this.source else f"{other.source}:{other.line}"


def _as_row(e: Evidence) -> tuple[str, ...]:
    return (
        e.student_id,
        e.target,
        decimal_text(e.score),
        e.date.isoformat(),
        e.assessment,
        e.type,
        e.scorer or "",
        e.comment or "",
    )
