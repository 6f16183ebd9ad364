"""What a student's scores on one target amount to before (or besides) a current score.

A current score answers "where is the student now?"; it says nothing when a method has not
formed one yet (``n_mastery`` needs N scores at or above the threshold), and little about how
close a target is. These pure functions state what exists, in facts a report can put into words
for any method: how many scores, how many at or above the threshold (and how many are needed
where the method counts them), the direction the scores are moving, the latest one, and how far
the target still is from proficiency, so a report can list the closest targets first.

Nothing here rounds or computes a current score differently from :mod:`.methods`: the score is
``methods.current_score`` itself, and the facts come from the same scores in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ..content.model import Scale
from .methods import Rule, current_score
from .results import TargetResult

__all__ = ["Progress", "Trend", "closeness", "facts", "of_result", "trend"]

Trend = Literal["up", "down", "steady"]


@dataclass(frozen=True)
class Progress:
    """What exists on one target: the facts behind "1 of 2 scores at 4 or above so far"."""

    method: str
    count: int
    """Scores so far (0: nothing assessed yet)."""
    at_or_above: int
    """Scores at or above the scale's proficiency threshold."""
    needed: int | None
    """Scores at or above the threshold the method needs before it forms a current score
    (``n_mastery``'s N); ``None`` for methods that score from the first score."""
    threshold: Decimal
    score: Decimal | None
    """The current score, exactly as :func:`.methods.current_score` gives it."""
    proficient: bool
    trend: Trend | None
    """Where the scores are heading; ``None`` with fewer than two scores."""
    latest: Decimal | None
    latest_date: date | None
    distance: Fraction
    """How much of the way to proficiency is left, from 0 (proficient) to 1 (at the bottom of
    the scale, or nothing assessed yet): the order of a report's next targets."""

    @property
    def assessed(self) -> bool:
        return self.count > 0

    @property
    def pending(self) -> bool:
        """Scores exist but the method has not formed a current score from them yet."""
        return self.count > 0 and self.score is None

    @property
    def still_needed(self) -> int:
        """Scores at or above the threshold still to come before a current score forms."""
        return max(0, (self.needed or 0) - self.at_or_above)


def trend(scores: Sequence[Decimal]) -> Trend | None:
    """The sign of the least-squares slope of the scores against their order, exactly.

    Not the first against the last score: 2, 4, 3 is heading up even though it fell once. With
    fewer than two scores there is no direction.
    """
    k = len(scores)
    if k < 2:
        return None
    # slope numerator: k·Σ(i·y) − Σi·Σy; its sign is the slope's (the denominator is positive)
    sum_i = k * (k - 1) // 2
    sum_y = sum(scores, Decimal(0))
    sum_iy = sum((i * y for i, y in enumerate(scores)), Decimal(0))
    slope = k * sum_iy - sum_i * sum_y
    if slope > 0:
        return "up"
    if slope < 0:
        return "down"
    return "steady"


def _gap(value: Decimal, rule: Rule, threshold: Decimal) -> Fraction:
    """``value``'s distance below the threshold as a share of the scale below it (0 to 1)."""
    if value >= threshold:
        return Fraction(0)
    low = rule.minimum if rule.minimum is not None else Decimal(0)
    span = threshold - low
    if span <= 0:
        return Fraction(1)
    return min(Fraction(1), Fraction(threshold - value) / Fraction(span))


def facts(
    rule: Rule,
    scores: Sequence[Decimal],
    dates: Sequence[date] | None = None,
    *,
    score: Decimal | None = None,
) -> Progress:
    """The facts of ``scores`` (oldest first) under ``rule``; ``rule`` needs its threshold.

    ``score`` is the current score when the caller already has it (a
    :class:`~.results.TargetResult`'s); otherwise it is computed. ``dates`` (the scores' dates)
    give :attr:`Progress.latest_date`.
    """
    if rule.threshold is None:
        raise ValueError("progress facts need the scale's proficiency threshold")
    threshold = rule.threshold
    count = len(scores)
    if score is None and count:
        score = current_score(rule, scores)
    at = sum(1 for s in scores if s >= threshold)
    needed = rule.n if rule.method == "n_mastery" else None
    proficient = score is not None and score >= threshold
    latest = scores[-1] if count else None
    if proficient:
        distance = Fraction(0)
    elif not count:
        distance = Fraction(1)
    elif score is not None:
        distance = _gap(score, rule, threshold)
    else:
        # A count still to fill (n_mastery): each missing score at the threshold is 1/N of the
        # way, and the one being worked on is as far as the latest score is below the threshold.
        n = needed or 1
        missing = max(1, n - at)
        distance = (missing - 1 + _gap(latest or Decimal(0), rule, threshold)) / n
    return Progress(
        method=rule.method,
        count=count,
        at_or_above=at,
        needed=needed,
        threshold=threshold,
        score=score,
        proficient=proficient,
        trend=trend(scores),
        latest=latest,
        latest_date=dates[-1] if dates else None,
        distance=distance,
    )


def of_result(result: TargetResult, scale: Scale) -> Progress:
    """The facts of a scored target (its evidence in the order the method used it)."""
    rule = Rule.of(result.method, scale)
    scores = [e.score for e in result.evidence]
    return facts(rule, scores, [e.date for e in result.evidence], score=result.score)


def closeness(progress: Progress) -> tuple[int, Fraction, int]:
    """Sort key, closest to proficiency first: assessed before not assessed, then the distance,
    then fewer scores still needed. Sort stably, so equal targets keep their content order."""
    return (0 if progress.assessed else 1, progress.distance, progress.still_needed)
