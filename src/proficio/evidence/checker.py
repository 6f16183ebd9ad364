"""Checking evidence rows against the school and the roster, and keeping the good ones.

One ``RowChecker`` serves every reader (native CSV, OneRoster), so a row is judged the same way
whatever it came from. It is the hot loop of an import: lookups are cached per distinct string
(students, codes, score spellings, dates), so a million rows cost a few dictionary lookups each.
The native CSV reader goes further: ``FastLane`` judges a batch of rows column by column, each
distinct text once, and packs the good rows straight into the ``EvidenceSet``.
"""

from __future__ import annotations

import difflib
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import groupby, repeat
from operator import attrgetter
from typing import Any

from ..content.identifiers import case_identifiers
from ..content.model import Scale, School
from ..support.numbers import decimal_text
from ..support.records import fills_dict
from .crosswalk import Crosswalk, closest_codes, fold
from .mapping import EVIDENCE_COLUMNS, POLICIES
from .records import Evidence, Student
from .report import FileStats, ImportReport
from .textfile import DateReader, ascii_digits_hint, foreign_digit, invisible

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
"""What a score may look like (``fullmatch``-ed on the stripped text)."""

_FIELDS = (*EVIDENCE_COLUMNS, "source", "line", "kind", "rows")
_FAST = fills_dict(Evidence, _FIELDS)
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
    """``Evidence(...)`` at two thirds of the cost, for the million-row hot path
    (:mod:`proficio.support.records`; the real constructor if ``Evidence`` ever changes)."""
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

    def digest(self, student_id: str) -> bytes:
        """SHA-256 of what scoring and printing use of the student's rows, in the order read:
        every field but the file name and the line number (a row added above this student's
        moves its line; only the order breaks ties between same-date scores, and it is kept).
        The same rows give the same digest in any run, whatever the table indexes; what
        :mod:`proficio.reissue` compares to decide whether a document is made again."""
        import hashlib
        import sys

        h = hashlib.sha256()
        rows = self.packed.get(student_id)
        if not rows:
            return h.digest()
        # Each text (and score) as length-prefixed bytes, encoded once per run and table entry.
        texts: list[bytes] = self.__dict__.setdefault("_digest_texts", [])
        for t in self._texts[len(texts) :]:
            b = b"" if t is None else t.encode("utf-8", "surrogatepass")
            texts.append(b"\xff\xff\xff\xff" if t is None else len(b).to_bytes(4, "big") + b)
        scores: list[bytes] = self.__dict__.setdefault("_digest_scores", [])
        for s in self._scores[len(scores) :]:
            b = str(s).encode("ascii")
            scores.append(len(b).to_bytes(1, "big") + b)
        w = self.WIDTH
        h.update(len(rows).to_bytes(8, "big"))
        # target, assessment, type, scorer, comment: one column after the other
        columns = rows[0::w] + rows[3::w] + rows[4::w] + rows[5::w] + rows[6::w]
        h.update(b"".join(map(texts.__getitem__, columns)))
        h.update(b"".join(map(scores.__getitem__, rows[1::w])))
        ints = rows[2::w] + rows[9::w]  # the date's ordinal; the kind and row count
        if sys.byteorder == "big":
            ints.byteswap()
        h.update(ints.tobytes())
        return h.digest()

    def score_index(self, score: Decimal) -> int:
        """The score table's index of ``score`` (a scale point object), added if new."""
        s = self._score_ids.get(id(score))
        if s is None:
            s = self._score_ids[id(score)] = len(self._scores)
            self._scores.append(score)
        return s

    def text_index(self, value: str | None) -> int:
        """The text table's index of ``value`` (0 for None), added if new."""
        return self._text_ids.get(value) or self._text(value)  # type: ignore[arg-type]

    def add_packed(self, student_ids: Sequence[str], rows: array[int]) -> None:
        """Keep many rows at once: ``rows`` holds ``WIDTH`` integers per row, packed as
        :meth:`add` packs them (table indexes from :meth:`text_index` and :meth:`score_index`),
        and ``student_ids`` the student of each row. Each run of one student's rows is
        appended to that student's in one step, so the order read is kept."""
        packed = self.packed
        w = self.WIDTH
        at = 0
        for student_id, run in groupby(student_ids):
            end = at + w * len(list(run))
            mine = packed.get(student_id)
            if mine is None:
                packed[student_id] = rows[at:end]
            else:
                mine.extend(rows[at:end])
            at = end

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
        if n < 2:
            return False
        # First (target, date) as one 64-bit number per row, hashed at C speed: no two rows
        # sharing those cannot share the three (the usual case); else the exact test.
        if rows.itemsize == 4:
            pairs = array("i", bytes(8 * n))
            pairs[0::2] = rows[0::w]
            pairs[1::2] = rows[2::w]
            if len(set(memoryview(pairs).cast("B").cast("q").tolist())) == n:
                return False
        return len(set(zip(rows[0::w], rows[3::w], rows[2::w], strict=True))) < n

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
        self._lane: FastLane | None = None

    def lane(self) -> FastLane:
        """The checker's :class:`FastLane` (one per checker, so its judgements are shared)."""
        if self._lane is None:
            self._lane = FastLane(self)
        return self._lane

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
            self.intern(scorer) or None,  # a blank or whitespace-only scorer: none
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


_NO_SCORES: dict[str, int] = {}
"""The score table of a target text that is no target: every score misses."""


class FastLane:
    """Many rows judged at once, column by column, for a reader that has them as columns.

    Every distinct text of a column is judged once by the checker's own rules (a student ID
    of the roster, a target, a point of that target's scale, a date on or before the run's)
    and remembered only if it passes; the rows are then a few C-level dictionary lookups per
    column, and a row any of whose texts did not pass is left to :meth:`RowChecker.add`
    (which reports it, or keeps it when the checker reads it after all, e.g. a padded ID).
    A row kept here is packed exactly as ``RowChecker.add`` packs it.
    """

    def __init__(self, checker: RowChecker) -> None:
        self.checker = checker
        self.evidence = checker.evidence
        self._students: dict[str, str] = {}
        self._targets: dict[str, int] = {}
        """Target text -> the text index of its code."""
        self._tables: dict[str, dict[str, int]] = {}
        """Target text -> its scale's table: score text -> score index (points only)."""
        self._by_scale: dict[str, dict[str, int]] = {}
        self._table_code: dict[int, str] = {}
        """id(table) -> a code of its scale (to parse a new score text)."""
        self._dates: dict[str, int] = {}
        """Date text -> its ordinal, for dates on or before the run's date."""
        self._texts: dict[str, int] = {}
        self._scorers: dict[str, int] = {"": 0}
        self._comments: dict[str, int] = {"": 0}
        self._students_of: list[Any] = []
        self._packed = array("i")

    def check(
        self,
        columns: Sequence[Sequence[str] | None],
        first_line: int,
        source: str,
    ) -> list[int]:
        """Judge one batch of rows given as columns (student_id, target, score, date,
        assessment, type, scorer, comment; an optional column may be None), the first on
        ``first_line`` and each on the next line; the indexes of the rows left to
        ``RowChecker.add``, in order. :meth:`keep` then keeps the others."""
        sid, target, score, day, assessment, kind, scorer, comment = columns
        assert sid is not None and target is not None and score is not None and day is not None
        n = len(sid)
        students = self._column(self._students, sid, self._learn_student)
        targets = self._column(self._targets, target, self._learn_target)
        tables = list(map(self._tables.get, target, repeat(_NO_SCORES)))
        scores = list(map(dict.get, tables, score))
        if None in scores:
            for i in [i for i, s in enumerate(scores) if s is None]:
                self._learn_score(tables[i], score[i])
            scores = list(map(dict.get, tables, score))
        dates = self._column(self._dates, day, self._learn_date)
        evidence = self.evidence
        z = [0] * n
        texts = (
            self._column(self._texts, column, self._learn_text)
            if column is not None
            else [evidence.text_index("")] * n
            for column in (assessment, kind)
        )
        self._students_of = students
        # The batch packed as EvidenceSet.add packs a row (WIDTH integers each), one column
        # at a time; rows left to the checker are packed too but never kept.
        w = EvidenceSet.WIDTH
        packed = array("i", bytes(4 * w * n))
        bad = None in students or None in scores or None in dates
        for at, column in enumerate(
            (
                targets,
                scores,
                dates,
                *texts,
                self._column(self._scorers, scorer, self._learn_scorer)
                if scorer is not None
                else z,
                self._column(self._comments, comment, self._learn_comment)
                if comment is not None
                else z,
            )
        ):
            values: list[Any] = column
            if bad and None in values:
                values = [0 if v is None else v for v in values]
            packed[at::w] = array("i", values)
        packed[7::w] = array("i", [evidence.text_index(source)]) * n
        packed[8::w] = array("i", range(first_line, first_line + n))
        packed[9::w] = array("i", [4]) * n  # kind "" and one row (see EvidenceSet.add)
        self._packed = packed
        if bad:
            return [
                i for i, row in enumerate(zip(students, scores, dates, strict=True)) if None in row
            ]
        return []

    def keep(self, start: int, end: int) -> int:
        """Keep rows ``start`` to ``end`` (not included) of the batch :meth:`check` judged
        (none of them left to ``RowChecker.add``); how many were kept."""
        w = EvidenceSet.WIDTH
        self.evidence.add_packed(self._students_of[start:end], self._packed[w * start : w * end])
        return end - start

    @staticmethod
    def _column(
        table: dict[str, Any], column: Sequence[str], learn: Callable[[str], None]
    ) -> list[Any]:
        values = list(map(table.get, column))
        if None in values:
            for raw in {raw for raw, v in zip(column, values, strict=True) if v is None}:
                learn(raw)
            values = list(map(table.get, column))
        return values

    def _learn_student(self, raw: str) -> None:
        student = self.checker.students.get(raw)
        if student is not None:
            self._students[raw] = student.id

    def _learn_target(self, raw: str) -> None:
        checker = self.checker
        hit = checker.targets.get(raw) or checker._find(raw)
        if hit is None:
            return
        code = hit[0]
        self._targets[raw] = self.evidence.text_index(code)
        scale_id = checker._scale_of[code]
        table = self._by_scale.get(scale_id)
        if table is None:
            table = self._by_scale[scale_id] = {}
            self._table_code[id(table)] = code
        self._tables[raw] = table

    def _learn_score(self, table: dict[str, int], raw: str) -> None:
        if table is _NO_SCORES:
            return
        code = self._table_code[id(table)]
        cache = self.checker.targets[code][1]
        score = cache.get(raw)
        if score is None:
            score = cache[raw] = self.checker._parse_score(code, raw)
        if score.__class__ is not tuple:
            table[raw] = self.evidence.score_index(score)  # type: ignore[arg-type]

    def _learn_date(self, raw: str) -> None:
        when = self.checker.dates(raw)
        if isinstance(when, date) and when <= self.checker.as_of:
            self._dates[raw] = when.toordinal()

    def _learn_text(self, raw: str) -> None:
        self._texts[raw] = self.evidence.text_index(self.checker.intern(raw))

    def _learn_scorer(self, raw: str) -> None:
        value = self.checker.intern(raw) if raw else ""
        self._scorers[raw] = self.evidence.text_index(value) if value else 0

    def _learn_comment(self, raw: str) -> None:
        value = raw.strip()
        self._comments[raw] = self.evidence.text_index(value) if value else 0


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
