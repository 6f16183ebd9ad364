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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .methods import CALCULATION_PARAMS, check_params, resolved
from .model import Calculation, Scale
from .records import TargetResult

__all__ = [
    "METHODS",
    "Rule",
    "calculate",
    "explain",
    "explain_target",
    "format_number",
    "round_score",
    "score_series",
    "to_decimal",
]

METHODS: tuple[str, ...] = tuple(CALCULATION_PARAMS)
"""The method names a school may choose, in the order the documentation lists them."""

Ratio = tuple[int, int]
"""An exact rational number as ``(numerator, denominator)`` with a positive denominator."""


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
        units, den = _units(values, [scale.threshold])
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
            raise ValueError("'scale' must be a proficio.model.Scale.")
        context: dict[str, Decimal | None] = {}
        for key in ("threshold", "minimum", "maximum"):
            value = params.pop(key, None)
            if value is None and scale is not None:
                value = {
                    "threshold": scale.threshold,
                    "minimum": scale.minimum,
                    "maximum": scale.maximum,
                }[key]
            context[key] = None if value is None else to_decimal(value, key)
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
        return cls(method, full.get("weight"), full.get("n"), **context)


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


@lru_cache(maxsize=4096)
def _cents(q: int) -> Decimal:
    return Decimal(q).scaleb(-2)


def _round_ratio(num: int, den: int) -> Decimal:
    """``num/den`` rounded to 2 decimals, half away from zero, exactly."""
    q, r = divmod(abs(num) * 100, den)
    if 2 * r >= den:
        q += 1
    return _cents(-q if num < 0 else q)


def round_score(value: Decimal | float | int | str) -> Decimal:
    """Round to 2 decimals, half away from zero, on the decimal value (3.475 -> 3.48)."""
    num, den = to_decimal(value).as_integer_ratio()
    return _round_ratio(num, den)


@lru_cache(maxsize=1024)
def _ratio(d: Decimal) -> Ratio:
    return d.as_integer_ratio()


def _units(scores: Sequence[Decimal], extra: Sequence[Decimal] = ()) -> tuple[list[int], int]:
    """Scores as integers over one common denominator, so all the arithmetic stays exact."""
    ratios = [_ratio(s) for s in scores]
    den = math.lcm(*(d for _, d in ratios), *(_ratio(e)[1] for e in extra))
    return [n * (den // d) for n, d in ratios], den


def _unit(value: Decimal, den: int) -> int:
    n, d = _ratio(value)
    return n * (den // d)


def _median(u: list[int], den: int) -> Ratio:
    s = sorted(u)
    k = len(s)
    if k % 2:
        return s[k // 2], den
    return s[k // 2 - 1] + s[k // 2], 2 * den


def _mode(u: list[int]) -> int:
    counts: dict[int, int] = {}
    for x in u:
        counts[x] = counts.get(x, 0) + 1
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


@dataclass(frozen=True)
class _Trend:
    """What ``power_law`` computed, kept for ``explain``."""

    a: float
    b: float
    fit: float
    fit_error: float
    mean: Ratio
    mean_error: float
    uses_fit: bool


def _power_trend(u: list[int], den: int) -> _Trend:
    """Marzano's power-law trend: least squares on (ln x, ln y), compared with the mean."""
    n = len(u)
    ys = [x / den for x in u]
    lx = [math.log(i) for i in range(1, n + 1)]
    ly = [math.log(max(y, 0.1)) for y in ys]
    sx, sy = sum(lx), sum(ly)
    sxx = sum(v * v for v in lx)
    sxy = sum(a * b for a, b in zip(lx, ly, strict=True))
    b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    a = math.exp((sy - b * sx) / n)
    predicted = [a * (i**b) for i in range(1, n + 1)]
    fit_error = sum(abs(p - y) for p, y in zip(predicted, ys, strict=True)) / n
    mean = (sum(u), n * den)
    mean_value = sum(u) / (n * den)
    mean_error = sum(abs(mean_value - y) for y in ys) / n
    return _Trend(a, b, predicted[-1], fit_error, mean, mean_error, fit_error <= mean_error)


def _float_ratio(x: float) -> Ratio:
    return Decimal(repr(x)).as_integer_ratio()


def _clamp(value: Ratio, rule: Rule) -> Ratio:
    num, den = value
    if rule.minimum is not None:
        lo, lo_den = _ratio(rule.minimum)
        if num * lo_den < lo * den:
            return lo, lo_den
    if rule.maximum is not None:
        hi, hi_den = _ratio(rule.maximum)
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
        u, den = _units(scores, extra)
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
        return [_median(u[: i + 1], den) for i in range(start, k)]
    if method == "mode":
        return [(_mode(u[: i + 1]), den) for i in range(start, k)]
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
        t = _unit(rule.threshold, den)
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
            trend = _power_trend(u[: i + 1], den)
            value = _float_ratio(trend.fit) if trend.uses_fit else trend.mean
            out.append(_clamp(value, rule))
        return out
    raise ValueError(f"unknown calculation method '{method}'")


@lru_cache(maxsize=1024)
def _round_decimal(value: Decimal) -> Decimal:
    return _round_ratio(*value.as_integer_ratio())


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
    return [None if v is None else _round_ratio(v[0], v[1]) for v in _exact_series(rule, scores, 0)]


def current_score(rule: Rule, scores: Sequence[Decimal]) -> Decimal | None:
    """The rounded current score after all of ``scores``; ``None`` with no scores or no score yet."""
    if not scores:
        return None
    v = _exact_series(rule, scores, len(scores) - 1)[0]
    return None if v is None else _round_ratio(v[0], v[1])


def calculate(
    method: str, scores: Sequence[Decimal | float | int | str], **params: object
) -> Decimal | None:
    """A target's current score from a student's ``scores`` on it, oldest first.

    ``method`` is one of :data:`METHODS`. Parameters: ``weight`` (weighted_average 1-99,
    decaying_average 50-99, default 65), ``n`` (n_mastery, 1-10, required), ``threshold`` (the
    scale's proficiency threshold, required by n_mastery), ``minimum``/``maximum`` (power_law
    clamps its trend into them), or ``scale=`` a :class:`proficio.model.Scale` supplying the
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


# --- explanations ---------------------------------------------------------------------------

_WORDS = {
    "en": {
        "none": "no scores yet: no score yet",
        "one": "one score: {score}",
        "latest": "latest of {scores} = {result}",
        "highest": "highest of {scores} = {result}",
        "median": "median of {scores} (in order: {sorted})",
        "mode": "most frequent of {scores}: {value} ({count} times)",
        "mode_once": "no score repeats in {scores}: the highest is {value}",
        "mode_tie": "most frequent of {scores}: {values} ({count} times each), the higher is {value}",
        "mean_of": "mean of {scores}",
        "mastery": "scores at or above {threshold}: {met} ({count}; {n} needed)",
        "mastery_none": "no score yet",
        "power": "trend y = {a} × x^{b} gives {fit} at x = {n} (mean error {fit_error}); mean {mean} (mean error {mean_error})",
        "power_fit": "the trend is closer",
        "power_mean": "the mean is closer",
        "clamp": "kept within {low} to {high}",
        "nothing": "none",
    },
    "es": {
        "none": "aún no hay calificaciones: sin calificación todavía",
        "one": "una sola calificación: {score}",
        "latest": "la más reciente de {scores} = {result}",
        "highest": "la más alta de {scores} = {result}",
        "median": "mediana de {scores} (en orden: {sorted})",
        "mode": "la más frecuente de {scores}: {value} ({count} veces)",
        "mode_once": "ninguna se repite en {scores}: la más alta es {value}",
        "mode_tie": "la más frecuente de {scores}: {values} ({count} veces cada una), la mayor es {value}",
        "mean_of": "promedio de {scores}",
        "mastery": "calificaciones de {threshold} o más: {met} ({count}; se necesitan {n})",
        "mastery_none": "sin calificación todavía",
        "power": "tendencia y = {a} × x^{b} da {fit} en x = {n} (error medio {fit_error}); promedio {mean} (error medio {mean_error})",
        "power_fit": "la tendencia se ajusta mejor",
        "power_mean": "el promedio se ajusta mejor",
        "clamp": "limitado entre {low} y {high}",
        "nothing": "ninguna",
    },
}


def format_number(value: Decimal | int) -> str:
    """A number as a parent writes it: 3, 3.5, 0.65 (no trailing zeros, no exponent)."""
    d = Decimal(value).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "") else text


def _show(value: Ratio, places: int = 6) -> str:
    """An exact rational as a decimal; "≈" and 6 decimals when it does not end sooner."""
    num, den = value
    if (abs(num) * 10**places) % den == 0:
        return format_number(_round_places(num, den, places))
    return "≈ " + format_number(_round_places(num, den, places))


def _round_places(num: int, den: int, places: int) -> Decimal:
    q, r = divmod(abs(num) * 10**places, den)
    if 2 * r >= den:
        q += 1
    return Decimal(-q if num < 0 else q).scaleb(-places)


def _equals(value: Ratio) -> str:
    """'= 3.5275 ≈ 3.53', '= 2.65' or '≈ 2.67': the exact value and the rounded score."""
    rounded = format_number(_round_ratio(*value))
    shown = _show(value)
    if shown.startswith("≈"):
        return f"≈ {rounded}"
    if Decimal(shown) == Decimal(rounded):
        return f"= {rounded}"
    return f"= {shown} ≈ {rounded}"


def _weight(w: int) -> str:
    return format_number(Decimal(w).scaleb(-2))


def _sum(u: Sequence[int], den: int) -> str:
    return " + ".join(_show((x, den)) for x in u)


def explain(
    method: str, scores: Sequence[Decimal | float | int | str], lang: str = "en", **params: object
) -> str:
    """The arithmetic of ``calculate(method, scores, **params)`` in one line a parent can redo.

    Numbers and symbols carry the meaning; the few words are in ``lang`` (``en`` or ``es``).
    Intermediate values are shown exactly when they have at most 6 decimals, otherwise rounded
    to 6 decimals after '≈'. The last number is always the score ``calculate`` returns.

    >>> explain("decaying_average", [2, 3, 4])
    '2 → 0.35 × 2 + 0.65 × 3 = 2.65 → 0.35 × 2.65 + 0.65 × 4 = 3.5275 ≈ 3.53'
    """
    rule = Rule.from_params(method, params)
    words = _WORDS.get(lang, _WORDS["en"])
    values = [to_decimal(s) for s in scores]
    if not values:
        return words["none"]
    u, den = _units(values, [rule.threshold] if rule.threshold is not None else [])
    listed = ", ".join(format_number(v) for v in values)
    result = current_score(rule, values)
    k = len(u)
    if k == 1 and rule.method != "n_mastery":
        return words["one"].format(score=format_number(result))  # type: ignore[arg-type]
    if rule.method in ("latest", "highest"):
        return words[rule.method].format(scores=listed, result=format_number(result))  # type: ignore[arg-type]
    if rule.method == "mean" or (rule.method == "power_law" and k < 3):
        return f"({_sum(u, den)}) ÷ {k} {_equals((sum(u), k * den))}"
    if rule.method == "median":
        s = sorted(u)
        head = words["median"].format(scores=listed, sorted=", ".join(_show((x, den)) for x in s))
        if k % 2:
            return f"{head} = {_show((s[k // 2], den))}"
        a, b = s[k // 2 - 1], s[k // 2]
        return f"{head} = ({_show((a, den))} + {_show((b, den))}) ÷ 2 {_equals((a + b, 2 * den))}"
    if rule.method == "mode":
        counts: dict[int, int] = {}
        for x in u:
            counts[x] = counts.get(x, 0) + 1
        top = max(counts.values())
        tied = sorted(x for x, c in counts.items() if c == top)
        value = _show((tied[-1], den))
        if top == 1 and len(tied) > 1:
            return words["mode_once"].format(scores=listed, value=value)
        if len(tied) == 1:
            return words["mode"].format(scores=listed, value=value, count=top)
        values_text = ", ".join(_show((x, den)) for x in tied)
        return words["mode_tie"].format(scores=listed, values=values_text, count=top, value=value)
    if rule.method == "weighted_average":
        w = rule.weight or 65
        earlier = u[:-1]
        mean = (sum(earlier), (k - 1) * den)
        mean_text = _show(mean)
        if k - 1 > 1:
            what = words["mean_of"].format(scores=", ".join(_show((x, den)) for x in earlier))
            mean_text = f"{mean_text.removeprefix('≈ ')} ({what})"
        exact = (u[-1] * w * (k - 1) + sum(earlier) * (100 - w), 100 * (k - 1) * den)
        return (
            f"{_weight(w)} × {_show((u[-1], den))} + {_weight(100 - w)} × {mean_text} "
            f"{_equals(exact)}"
        )
    if rule.method == "decaying_average":
        w = rule.weight or 65
        parts = [_show((u[0], den))]
        num, power = u[0], 1
        for i in range(1, k):
            previous = _show((num, den * power)).removeprefix("≈ ")
            num = num * (100 - w) + u[i] * w * power
            power *= 100
            step = f"{_weight(100 - w)} × {previous} + {_weight(w)} × {_show((u[i], den))}"
            is_last = i == k - 1
            value = _equals((num, den * power)) if is_last else _as_step((num, den * power))
            parts.append(f"{step} {value}")
        return " → ".join(parts)
    if rule.method == "n_mastery":
        assert rule.threshold is not None and rule.n is not None
        t = _unit(rule.threshold, den)
        met = [x for x in u if x >= t]
        head = words["mastery"].format(
            threshold=format_number(rule.threshold),
            met=", ".join(_show((x, den)) for x in met) or words["nothing"],
            count=len(met),
            n=rule.n,
        )
        if len(met) < rule.n:
            return f"{head} → {words['mastery_none']}"
        if len(met) == 1:
            return f"{head} → {_show((met[0], den))}"
        return f"{head} → ({_sum(met, den)}) ÷ {len(met)} {_equals((sum(met), len(met) * den))}"
    if rule.method == "power_law":
        trend = _power_trend(u, den)
        head = words["power"].format(
            a=format_number(_round_places(*_float_ratio(trend.a), 4)),
            b=format_number(_round_places(*_float_ratio(trend.b), 4)),
            fit=format_number(_round_places(*_float_ratio(trend.fit), 4)),
            n=k,
            fit_error=format_number(_round_places(*_float_ratio(trend.fit_error), 4)),
            mean=_show(trend.mean).removeprefix("≈ "),
            mean_error=format_number(_round_places(*_float_ratio(trend.mean_error), 4)),
        )
        chosen = words["power_fit"] if trend.uses_fit else words["power_mean"]
        value = _float_ratio(trend.fit) if trend.uses_fit else trend.mean
        clamped = _clamp(value, rule)
        tail = ""
        if clamped != value:
            tail = " → " + words["clamp"].format(
                low=format_number(rule.minimum),
                high=format_number(rule.maximum),  # type: ignore[arg-type]
            )
        return f"{head}; {chosen}{tail} → {format_number(result)}"  # type: ignore[arg-type]
    raise ValueError(f"unknown calculation method '{rule.method}'")


def explain_target(result: TargetResult, scale: Scale, lang: str = "en") -> str:
    """``explain`` for a scored target: its method, its scale and its evidence in the order used.

    For the family progress report: ``explain_target(t, school.scale_of(target), "es")``.
    """
    return explain(
        result.method.method,
        [e.score for e in result.evidence],
        lang=lang,
        scale=scale,
        **result.method.params,
    )


def _as_step(value: Ratio) -> str:
    shown = _show(value)
    return shown if shown.startswith("≈") else f"= {shown}"
