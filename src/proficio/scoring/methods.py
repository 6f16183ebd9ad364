"""Calculation methods: a student's dated scores on one target reduced to one current score.

Every method is a pure function of the scores in chronological order. The arithmetic is exact
(integers and rationals, never binary floats, except for the logarithms of ``power_law``) and the
result is rounded once, to 2 decimals, half away from zero, so 3.475 becomes 3.48 just as a
parent with a pencil would get. "No score yet" is ``None``, never 0.

``calculate`` and ``explain`` are the public API for data teams and the family progress report;
``score_series`` is what the proficiency engine uses to know the score after each piece of
evidence (for "proficient since" and level completion dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import cast

from ..content.model import Calculation, Scale
from ..content.parameters import CALCULATION_PARAMS, check_params, resolved
from . import exact
from .exact import Ratio

__all__ = [
    "METHODS",
    "Rule",
    "calculate",
    "current_score",
    "first_score",
    "round_score",
    "score_series",
    "to_decimal",
]

METHODS: tuple[str, ...] = tuple(CALCULATION_PARAMS)
"""The method names a school may choose, in the order the documentation lists them."""


@dataclass(frozen=True)
class Rule:
    """A calculation method with every parameter it needs, checked and defaulted.

    ``threshold``, ``minimum`` and ``maximum`` come from the target's scale: ``n_mastery`` counts
    scores at or above the threshold, and ``power_law`` clamps its trend into the scale's range.
    """

    method: str
    weight: int | None = None
    n: int | None = None
    threshold: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    units: dict[Decimal, int] | None = field(default=None, compare=False, repr=False)
    """The scale's points as integers over ``den`` (precomputed: the scoring hot path)."""
    den: int = field(default=1, compare=False, repr=False)

    @classmethod
    def of(cls, calculation: Calculation, scale: Scale) -> Rule:
        """The rule for a target: its resolved calculation method on its scale."""
        params = resolved(calculation.method, calculation.params, CALCULATION_PARAMS)
        values = [p.value for p in scale.points]
        units, den = exact.units(values, [scale.threshold])
        return cls(
            calculation.method,
            weight=params.get("weight"),
            n=params.get("n"),
            threshold=scale.threshold,
            minimum=scale.minimum,
            maximum=scale.maximum,
            units=dict(zip(values, units, strict=True)),
            den=den,
        )

    @classmethod
    def from_params(cls, method: str, params: dict[str, object]) -> Rule:
        """Check ``method`` and keyword parameters as given to ``calculate``; raise ValueError."""
        if method not in CALCULATION_PARAMS:
            raise ValueError(
                f"unknown calculation method '{method}'; the methods are: {', '.join(METHODS)}."
            )
        params = dict(params)
        scale = params.pop("scale", None)
        if scale is not None and not isinstance(scale, Scale):
            raise ValueError("'scale' must be a proficio.content.model.Scale.")
        context: dict[str, Decimal | None] = {}
        for key in ("threshold", "minimum", "maximum"):
            value = params.pop(key, None)
            if value is None and scale is not None:
                value = {
                    "threshold": scale.threshold,
                    "minimum": scale.minimum,
                    "maximum": scale.maximum,
                }[key]
            # Any other type is rejected by to_decimal with a ValueError, as for a bad text.
            number = cast("Decimal | float | int | str", value)
            context[key] = None if value is None else to_decimal(number, key)
        given: dict[str, int] = {}
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float | Decimal | str) and _is_whole(value):
                    value = int(Decimal(str(value)))
                else:
                    raise ValueError(f"'{key}' must be a whole number, not {value!r}.")
            given[key] = value
        problems = check_params("calculation method", method, given, CALCULATION_PARAMS)
        if problems:
            raise ValueError(" ".join(message for _, message in problems))
        full = resolved(method, given, CALCULATION_PARAMS)
        if method == "n_mastery" and context["threshold"] is None:
            raise ValueError(
                "calculation method 'n_mastery' needs the scale's proficiency 'threshold' "
                "(for example threshold=3), or scale=..."
            )
        low, high = context["minimum"], context["maximum"]
        if low is not None and high is not None and low > high:
            raise ValueError(f"'minimum' {low} is above 'maximum' {high}.")
        return cls(
            method,
            full.get("weight"),
            full.get("n"),
            threshold=context["threshold"],
            minimum=context["minimum"],
            maximum=context["maximum"],
        )


def _is_whole(value: float | Decimal | str) -> bool:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return False
    return d.is_finite() and d == d.to_integral_value()


def to_decimal(value: Decimal | float | int | str, what: str = "score") -> Decimal:
    """A score as an exact Decimal: ``3``, ``3.5``, ``"3.5"`` and ``"3,5"`` all work.

    Floats are read as written (``0.1`` is 0.1, not its binary approximation).
    """
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a number.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"{what} {value!r} is not a number.") from None
    else:
        raise ValueError(f"{what} {value!r} is not a number.")
    if not result.is_finite():
        raise ValueError(f"{what} {value!r} is not a finite number.")
    return result


def round_score(value: Decimal | float | int | str) -> Decimal:
    """Round to 2 decimals, half away from zero, on the decimal value (3.475 -> 3.48)."""
    num, den = to_decimal(value).as_integer_ratio()
    return exact.round_ratio(num, den)


def clamp(value: Ratio, rule: Rule) -> Ratio:
    num, den = value
    if rule.minimum is not None:
        lo, lo_den = exact.ratio(rule.minimum)
        if num * lo_den < lo * den:
            return lo, lo_den
    if rule.maximum is not None:
        hi, hi_den = exact.ratio(rule.maximum)
        if num * hi_den > hi * den:
            return hi, hi_den
    return value


def _exact_series(rule: Rule, scores: Sequence[Decimal], start: int) -> list[Ratio | None]:
    """Exact current value after each score from index ``start`` on (``None``: no score yet)."""
    table = rule.units
    try:
        if table is None:
            raise KeyError
        u, den = [table[s] for s in scores], rule.den
    except KeyError:
        extra = (
            [rule.threshold] if rule.method == "n_mastery" and rule.threshold is not None else []
        )
        u, den = exact.units(scores, extra)
    k = len(u)
    out: list[Ratio | None] = []
    method = rule.method
    if method == "latest":
        return [(u[i], den) for i in range(start, k)]
    if method == "highest":
        best = max(u[: start + 1]) if start < k else 0
        for i in range(start, k):
            best = max(best, u[i])
            out.append((best, den))
        return out
    if method == "mean":
        total = sum(u[:start])
        for i in range(start, k):
            total += u[i]
            out.append((total, (i + 1) * den))
        return out
    if method == "median":
        return [exact.median(u[: i + 1], den) for i in range(start, k)]
    if method == "mode":
        return [(exact.mode(u[: i + 1]), den) for i in range(start, k)]
    if method == "weighted_average":
        w = rule.weight or 65
        earlier = sum(u[:start])
        for i in range(start, k):
            if i == 0:
                out.append((u[0], den))
            else:
                out.append((u[i] * w * i + earlier * (100 - w), 100 * i * den))
            earlier += u[i]
        return out
    if method == "decaying_average":
        w = rule.weight or 65
        num, power = 0, 1
        for i in range(k):
            if i == 0:
                num = u[0]
            else:
                num = num * (100 - w) + u[i] * w * power
                power *= 100
            if i >= start:
                out.append((num, den * power))
        return out
    if method == "n_mastery":
        assert rule.threshold is not None and rule.n is not None
        t = exact.unit(rule.threshold, den)
        count = total = 0
        for i in range(k):
            if u[i] >= t:
                count += 1
                total += u[i]
            if i >= start:
                out.append((total, count * den) if count >= rule.n else None)
        return out
    if method == "power_law":
        for i in range(start, k):
            if i < 2:
                out.append((sum(u[: i + 1]), (i + 1) * den))
                continue
            trend = exact.power_trend(u[: i + 1], den)
            value = exact.float_ratio(trend.fit) if trend.uses_fit else trend.mean
            out.append(clamp(value, rule))
        return out
    raise ValueError(f"unknown calculation method '{method}'")


@lru_cache(maxsize=1024)
def _round_decimal(value: Decimal) -> Decimal:
    return exact.round_ratio(*value.as_integer_ratio())


def first_score(rule: Rule, score: Decimal) -> Decimal | None:
    """The current score after a single score: that score, except for n_mastery."""
    if rule.method == "n_mastery":
        if rule.n == 1 and rule.threshold is not None and score >= rule.threshold:
            return _round_decimal(score)
        return None
    return _round_decimal(score)


def score_series(rule: Rule, scores: Sequence[Decimal]) -> list[Decimal | None]:
    """The rounded current score after each of ``scores`` (chronological); ``None``: no score yet."""
    if len(scores) == 1:
        return [first_score(rule, scores[0])]
    return [
        None if v is None else exact.round_ratio(v[0], v[1]) for v in _exact_series(rule, scores, 0)
    ]


def current_score(rule: Rule, scores: Sequence[Decimal]) -> Decimal | None:
    """The rounded current score after all of ``scores``; ``None`` with no scores or no score yet."""
    if not scores:
        return None
    v = _exact_series(rule, scores, len(scores) - 1)[0]
    return None if v is None else exact.round_ratio(v[0], v[1])


def calculate(
    method: str, scores: Sequence[Decimal | float | int | str], **params: object
) -> Decimal | None:
    """A target's current score from a student's ``scores`` on it, oldest first.

    ``method`` is one of :data:`METHODS`. Parameters: ``weight`` (weighted_average 1-99,
    decaying_average 50-99, default 65), ``n`` (n_mastery, 1-10, required), ``threshold`` (the
    scale's proficiency threshold, required by n_mastery), ``minimum``/``maximum`` (power_law
    clamps its trend into them), or ``scale=`` a :class:`proficio.content.model.Scale` supplying the
    threshold, minimum and maximum. Returns a Decimal with 2 decimals, rounded half away from
    zero, or ``None`` for "no score yet" (no scores, or n_mastery with fewer than N scores at or
    above the threshold). Raises ValueError naming the allowed range for a bad parameter.

    >>> calculate("decaying_average", [2, 3, 4], weight=65)
    Decimal('3.53')
    >>> calculate("weighted_average", [2, 3, 4])
    Decimal('3.48')
    """
    rule = Rule.from_params(method, params)
    return current_score(rule, [to_decimal(s) for s in scores])
