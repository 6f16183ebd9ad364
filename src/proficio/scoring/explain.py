"""Explanations of the calculation methods: the arithmetic of a score in one line a parent can
redo with a pencil, computed with the same exact steps as the score itself."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ..content.model import Scale
from ..support.numbers import decimal_text
from . import exact
from .exact import Ratio
from .methods import Rule, clamp, current_score, to_decimal
from .results import TargetResult

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


def _show(value: Ratio, places: int = 6) -> str:
    """An exact rational as a decimal; "≈" and 6 decimals when it does not end sooner."""
    num, den = value
    if (abs(num) * 10**places) % den == 0:
        return decimal_text(exact.round_places(num, den, places))
    return "≈ " + decimal_text(exact.round_places(num, den, places))


def _equals(value: Ratio) -> str:
    """'= 3.5275 ≈ 3.53', '= 2.65' or '≈ 2.67': the exact value and the rounded score."""
    rounded = decimal_text(exact.round_ratio(*value))
    shown = _show(value)
    if shown.startswith("≈"):
        return f"≈ {rounded}"
    if Decimal(shown) == Decimal(rounded):
        return f"= {rounded}"
    return f"= {shown} ≈ {rounded}"


def _weight(w: int) -> str:
    return decimal_text(Decimal(w).scaleb(-2))


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
    u, den = exact.units(values, [rule.threshold] if rule.threshold is not None else [])
    listed = ", ".join(decimal_text(v) for v in values)
    result = current_score(rule, values)
    shown = decimal_text(result) if result is not None else words["mastery_none"]
    k = len(u)
    if k == 1 and rule.method != "n_mastery":
        return words["one"].format(score=shown)
    if rule.method in ("latest", "highest"):
        return words[rule.method].format(scores=listed, result=shown)
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
        weighted = (u[-1] * w * (k - 1) + sum(earlier) * (100 - w), 100 * (k - 1) * den)
        return (
            f"{_weight(w)} × {_show((u[-1], den))} + {_weight(100 - w)} × {mean_text} "
            f"{_equals(weighted)}"
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
        t = exact.unit(rule.threshold, den)
        met = [x for x in u if x >= t]
        head = words["mastery"].format(
            threshold=decimal_text(rule.threshold),
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
        trend = exact.power_trend(u, den)
        head = words["power"].format(
            a=decimal_text(exact.round_places(*exact.float_ratio(trend.a), 4)),
            b=decimal_text(exact.round_places(*exact.float_ratio(trend.b), 4)),
            fit=decimal_text(exact.round_places(*exact.float_ratio(trend.fit), 4)),
            n=k,
            fit_error=decimal_text(exact.round_places(*exact.float_ratio(trend.fit_error), 4)),
            mean=_show(trend.mean).removeprefix("≈ "),
            mean_error=decimal_text(exact.round_places(*exact.float_ratio(trend.mean_error), 4)),
        )
        chosen = words["power_fit"] if trend.uses_fit else words["power_mean"]
        estimate = exact.float_ratio(trend.fit) if trend.uses_fit else trend.mean
        clamped = clamp(estimate, rule)
        tail = ""
        if clamped != estimate:
            # A bound is None only when a caller of explain() gave the other one alone.
            tail = " → " + words["clamp"].format(
                low=decimal_text(rule.minimum),  # type: ignore[arg-type]  # see above
                high=decimal_text(rule.maximum),  # type: ignore[arg-type]  # see above
            )
        return f"{head}; {chosen}{tail} → {shown}"
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
