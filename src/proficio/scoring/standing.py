"""From a student's evidence to their standing: targets proficient, levels complete, current level.

``score_students`` is the pipeline the transcript, progress-report and CLR outputs call: it scores
one student at a time, so rendering 10,000 transcripts keeps only one student's results in memory.
The rules (see ``docs-dev/scoring.md``):

- a target's current score is its calculation method over its evidence ordered by date, then by
  the order the evidence was read (the export's row order);
- a target is proficient when that score, rounded to 2 decimals, reaches its scale's threshold;
- a level is complete when its completion rule holds on the current scores; it was completed on
  the date of the evidence from which the rule has held without a break;
- the current level of a subject is its lowest incomplete level (higher levels still count).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from ..content.model import Calculation, CompletionRule, School
from ..evidence.records import Evidence, Student
from ..support.records import fills_dict
from .methods import Rule, _round_decimal, first_score, score_series
from .results import LevelResult, StudentResult, SubjectResult, TargetResult

if TYPE_CHECKING:
    from ..evidence.checker import EvidenceSet

__all__ = ["Scorer", "score_student", "score_students"]


@dataclass(frozen=True)
class _TargetPlan:
    code: str
    topic: int
    calculation: Calculation
    rule: Rule
    threshold: Decimal
    plain: bool
    """Whether one score is the current score, rounded (every method but n_mastery)."""


@dataclass(frozen=True)
class _LevelPlan:
    number: int
    completion: CompletionRule
    targets: tuple[_TargetPlan, ...]
    topic_sizes: tuple[int, ...]
    unscored: tuple[TargetResult, ...]
    """Each target's result without evidence: the same for every student, so made once and
    shared (a ``TargetResult`` is frozen)."""


@dataclass(frozen=True)
class _SubjectPlan:
    code: str
    slug: str
    levels: tuple[_LevelPlan, ...]


_new = object.__new__
_FAST = fills_dict(
    TargetResult, ("code", "score", "proficient", "method", "evidence", "proficient_since")
)


def _target_result(
    code: str,
    score: Decimal | None,
    proficient: bool,
    method: Calculation,
    evidence: list[Evidence],
    since: date | None,
) -> TargetResult:
    """``TargetResult(...)`` for the 670k results of a 1M-row school, without the frozen
    dataclass's per-field ``object.__setattr__`` (:mod:`proficio.support.records`; the real
    constructor if ``TargetResult`` ever changes)."""
    if not _FAST:
        return TargetResult(code, score, proficient, method, evidence, since)
    r = _new(TargetResult)
    r.__dict__.update(
        code=code,
        score=score,
        proficient=proficient,
        method=method,
        evidence=evidence,
        proficient_since=since,
    )
    return r


class Scorer:
    """A school's targets, rules and levels prepared once, then applied to each student.

    Only the levels a student has evidence in are computed target by target: a target without
    evidence gets its one shared, frozen :class:`TargetResult`, and a level without any
    evidence a fresh list of them. Treat results as read-only."""

    def __init__(self, school: School) -> None:
        self.school = school
        subjects = []
        self.codes: set[str] = set()
        self._where: dict[str, list[tuple[int, int]]] = {}
        """Target code -> (the level's index over the whole school, its place in the level)
        for each place the code has (one in a loaded school)."""
        g = 0
        for subject in school.subjects:
            levels = []
            for level in subject.levels:
                targets: list[_TargetPlan] = []
                for t_index, topic in enumerate(level.topics):
                    for target in topic.targets:
                        scale = school.scale_of(target)
                        self._where.setdefault(target.code, []).append((g, len(targets)))
                        targets.append(
                            _TargetPlan(
                                target.code,
                                t_index,
                                target.calculation,
                                Rule.of(target.calculation, scale),
                                scale.threshold,
                                target.calculation.method != "n_mastery",
                            )
                        )
                        self.codes.add(target.code)
                sizes = tuple(len(topic.targets) for topic in level.topics)
                unscored = tuple(TargetResult(t.code, None, False, t.calculation) for t in targets)
                levels.append(
                    _LevelPlan(level.number, level.completion, tuple(targets), sizes, unscored)
                )
                g += 1
            subjects.append(_SubjectPlan(subject.code, subject.slug, tuple(levels)))
        self.subjects: tuple[_SubjectPlan, ...] = tuple(subjects)

    def score(self, student: Student, evidence: Iterable[Evidence]) -> StudentResult:
        """Score one student from all of their evidence (any order; ties keep the given order).

        Raises ValueError for evidence of another student or on a code the school does not have:
        import through ``proficio.evidence`` to have such rows reported instead.
        """
        evidence = evidence if isinstance(evidence, list) else list(evidence)
        by_target: dict[str, list[Evidence]] = {}
        sid = student.id
        codes = self.codes
        for e in evidence:
            items = by_target.get(e.target)
            if items is None:
                if e.student_id != sid:
                    raise ValueError(f"evidence of student {e.student_id!r} given for {sid!r}")
                if e.target not in codes:
                    raise ValueError(f"evidence on unknown target code {e.target!r}")
                by_target[e.target] = [e]
            else:
                if e.student_id != sid:
                    raise ValueError(f"evidence of student {e.student_id!r} given for {sid!r}")
                items.append(e)
        # Only the levels with evidence are walked target by target; the others are their
        # shared unscored results.
        where = self._where
        buckets: dict[int, list[tuple[int, list[Evidence]]]] = {}
        for code, items in by_target.items():
            if len(items) > 1:
                items.sort(key=_date)  # stable: equal dates keep the order read
            for g, pos in where[code]:
                bucket = buckets.get(g)
                if bucket is None:
                    buckets[g] = [(pos, items)]
                else:
                    bucket.append((pos, items))
        order: dict[int, int] = {}
        subjects = []
        g = 0
        for s in self.subjects:
            levels = []
            for lv in s.levels:
                bucket = buckets.get(g)
                g += 1
                if bucket is None:
                    levels.append(
                        LevelResult(lv.number, lv.completion, False, None, [*lv.unscored])
                    )
                else:
                    levels.append(self._level(lv, bucket, evidence, order))
            subjects.append(SubjectResult(s.code, s.slug, levels, _current(levels)))
        return StudentResult(student, subjects)

    def _level(
        self,
        plan: _LevelPlan,
        bucket: list[tuple[int, list[Evidence]]],
        evidence: list[Evidence],
        order: dict[int, int],
    ) -> LevelResult:
        results = [*plan.unscored]
        series: dict[int, tuple[list[Evidence], list[bool]]] = {}
        proficient_at: list[int] = []
        targets = plan.targets
        for pos, items in bucket:
            t = targets[pos]
            threshold = t.threshold
            if len(items) == 1:  # the common case, without the general machinery
                score = (
                    _round_decimal(items[0].score)
                    if t.plain
                    else first_score(t.rule, items[0].score)
                )
                proficient = score is not None and score >= threshold
                since = items[0].date if proficient else None
                results[pos] = _target_result(
                    t.code, score, proficient, t.calculation, items, since
                )
                series[pos] = (items, [proficient])
            else:
                scores = score_series(t.rule, [e.score for e in items])
                flags = [s is not None and s >= threshold for s in scores]
                proficient = flags[-1]
                since = None
                if proficient:
                    k = len(flags) - 1
                    while k > 0 and flags[k - 1]:
                        k -= 1
                    since = items[k].date
                results[pos] = _target_result(
                    t.code, scores[-1], proficient, t.calculation, items, since
                )
                series[pos] = (items, flags)
            if proficient:
                proficient_at.append(pos)
        if not _holds_at(plan, proficient_at):
            return LevelResult(plan.number, plan.completion, False, None, results)
        if not order:
            order.update((id(e), i) for i, e in enumerate(evidence))
        since = _held_since(plan, series, order)
        return LevelResult(plan.number, plan.completion, True, since, results)


def _date(e: Evidence) -> date:
    return e.date


def _current(levels: Sequence[LevelResult]) -> int | None:
    for level in levels:
        if not level.complete:
            return level.number
    return None


def _holds(plan: _LevelPlan, proficient: Sequence[bool]) -> bool:
    """Whether the level's completion rule holds when ``proficient[i]`` says which targets are."""
    total = len(proficient)
    if total == 0:
        return False
    rule = plan.completion
    if rule.rule == "all":
        return all(proficient)
    if rule.rule == "percent":
        return sum(proficient) * 100 >= (rule.percent or 100) * total
    if rule.rule == "all_topics":
        share = rule.percent or 100
        counts = [0] * len(plan.topic_sizes)
        for t, ok in zip(plan.targets, proficient, strict=True):
            counts[t.topic] += ok
        return all(
            c * 100 >= share * size
            for c, size in zip(counts, plan.topic_sizes, strict=True)
            if size
        )
    raise ValueError(f"unknown completion rule '{rule.rule}'")


def _holds_at(plan: _LevelPlan, proficient_at: Sequence[int]) -> bool:
    """:func:`_holds` when the targets at the places ``proficient_at`` are the proficient ones."""
    total = len(plan.targets)
    rule = plan.completion.rule
    if rule == "all":
        return total > 0 and len(proficient_at) == total
    if rule == "percent":
        return total > 0 and len(proficient_at) * 100 >= (plan.completion.percent or 100) * total
    state = [False] * total
    for pos in proficient_at:
        state[pos] = True
    return _holds(plan, state)


def _held_since(
    plan: _LevelPlan,
    series: dict[int, tuple[list[Evidence], list[bool]]],
    order: dict[int, int],
) -> date | None:
    """Replay the level's evidence in order: the date from which the rule has held unbroken."""
    events = [
        (e.date, order[id(e)], target, k)
        for target, s in series.items()
        for k, e in enumerate(s[0])
    ]
    events.sort(key=lambda ev: (ev[0], ev[1]))
    state = [False] * len(plan.targets)
    since: date | None = None
    for when, _, target, k in events:
        state[target] = series[target][1][k]
        if _holds(plan, state):
            if since is None:
                since = when
        else:
            since = None
    return since


def score_student(
    school: School | Scorer, student: Student, evidence: Iterable[Evidence]
) -> StudentResult:
    """One student's results; see :func:`score_students` for many."""
    scorer = school if isinstance(school, Scorer) else Scorer(school)
    return scorer.score(student, evidence)


def score_students(
    school: School | Scorer,
    students: Iterable[Student],
    evidence: Iterable[Evidence],
) -> Iterator[StudentResult]:
    """Score each student (in the order given) from the evidence, one at a time.

    ``evidence`` is either what ``proficio.evidence.load`` returns (already checked and grouped
    by student: the fast path) or any iterable of :class:`Evidence`, which is grouped here first.
    Every student gets a result, with every subject, level and target, scored or not. Evidence
    of a student not in ``students`` raises ValueError (the importer reports such rows instead).
    """
    scorer = school if isinstance(school, Scorer) else Scorer(school)
    students = list(students)
    rows_of = getattr(evidence, "for_student", None)
    if rows_of is not None:
        # Only the importer's EvidenceSet has for_student (the fast path).
        with_rows = list(cast("EvidenceSet", evidence).student_ids())
    else:
        grouped: dict[str, list[Evidence]] = {}
        for e in evidence:
            grouped.setdefault(e.student_id, []).append(e)
        with_rows = list(grouped)

        def rows_of(student_id: str) -> list[Evidence]:
            return grouped.get(student_id, [])

    known = {s.id for s in students}
    strangers = [sid for sid in with_rows if sid not in known]
    if strangers:
        raise ValueError(
            f"evidence for {len(strangers)} students not in the roster, e.g. {strangers[0]!r}"
        )
    return (scorer.score(s, rows_of(s.id)) for s in students)
