"""Explanations of the calculation methods, in two lines a family can read.

The first line says what the method did the way a teacher would say it ("Recent work counts
more: 65% the latest score, 35% what came before, giving 3.53"); the second is the arithmetic a
parent can redo with a pencil. Both are computed with the same exact steps as the score itself,
so neither can drift from it, and both end on the score. Numbers follow the precision rule of
:mod:`proficio.support.locale` and are written as the reader's language writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..content.model import Scale
from ..evidence.records import origin_note
from ..support import locale
from . import exact
from .exact import Ratio
from .methods import Rule, clamp, current_score, to_decimal
from .results import TargetResult

__all__ = ["Explanation", "explain", "explain_target", "explanation", "explanation_of_target"]

_WORDS: dict[str, dict[str, str]] = {
    # "say.*" is the teacher's sentence; the others are the words of the arithmetic line.
    # A key ending in ".one", ".other"... is chosen by the CLDR plural category of its count
    # (".other" when the language has no form of its own for that category).
    "en": {
        "say.none": "No scores yet.",
        "say.single": "One score so far: {score}.",
        "say.latest.other": "The most recent of {n} scores counts: {score}.",
        "say.highest.other": "The best of {n} scores counts: {score}.",
        "say.mean.other": "All {n} scores count the same: their average is {score}.",
        "say.median.other": "Put in order, the middle one of {n} scores is {score}.",
        "say.median_even.other": "Put in order, the two middle ones of {n} scores average {score}.",
        "say.mode": "The score earned most often counts: {score}.",
        "say.mode_once": "No score came up twice, so the highest counts: {score}.",
        "say.mode_tie": "Several scores came up equally often, so the highest of them counts: {score}.",
        "say.weighted_more": "Recent work counts more: {w} the latest score, {rest} the average of the earlier ones, giving {score}.",
        "say.weighted": "The latest score counts {w} and the average of the earlier ones {rest}, giving {score}.",
        "say.decaying": "Recent work counts more: {w} the latest score, {rest} what came before, giving {score}.",
        "say.mastery_one": "One score reached {threshold} or above ({n} needed), so it counts: {score}.",
        "say.mastery.other": "{met} scores reached {threshold} or above ({n} needed): their average is {score}.",
        "say.mastery_zero": "No score at {threshold} or above yet ({n} needed).",
        "say.mastery_short.other": "So far {met} of the {n} scores at {threshold} or above that are needed.",
        "say.power_few.other": "{n} scores are too few for a trend, so their average counts: {score}.",
        "say.power.other": "The trend across {n} scores points to {score}.",
        "say.power_top.other": "The trend across {n} scores points above the top of the scale, so it counts as {score}.",
        "say.power_bottom.other": "The trend across {n} scores points below the bottom of the scale, so it counts as {score}.",
        "say.power_mean.other": "These {n} scores show no clear trend, so their average counts: {score}.",
        "none": "no scores yet: no score yet",
        "single": "one score: {score}",
        "latest": "latest of {scores} = {result}",
        "highest": "highest of {scores} = {result}",
        "median": "median of {scores} (in order: {sorted})",
        "mode.other": "most frequent of {scores} ({count} times): {value}",
        "mode_once": "no score repeats in {scores}: the highest is {value}",
        "mode_tie.other": "most frequent of {scores}: {values} ({count} times each), the higher is {value}",
        "mean_of": "mean of {scores}",
        "mastery": "scores at or above {threshold}: {met} ({count}; {n} needed)",
        "mastery_none": "no score yet",
        "power": "trend y ≈ {a} × x^{b} gives {fit} at x = {n} (mean error {fit_error}); mean {mean} (mean error {mean_error})",
        "power_fit": "the trend is closer",
        "power_mean": "the mean is closer",
        "clamp_high": "kept at the top of the scale, {value}",
        "clamp_low": "kept at the bottom of the scale, {value}",
        "nothing": "none",
    },
    "es": {
        "say.none": "Aún no hay puntajes.",
        "say.single": "Un solo puntaje por ahora: {score}.",
        "say.latest.other": "Cuenta el más reciente de {n} puntajes: {score}.",
        "say.highest.other": "Cuenta el mejor de {n} puntajes: {score}.",
        "say.mean.other": "Los {n} puntajes cuentan igual: su promedio es {score}.",
        "say.median.other": "Ordenados, el del medio de los {n} puntajes es {score}.",
        "say.median_even.other": "Ordenados, los dos del medio de los {n} puntajes promedian {score}.",
        "say.mode": "Cuenta el puntaje obtenido más veces: {score}.",
        "say.mode_once": "Ningún puntaje se repite, así que cuenta el más alto: {score}.",
        "say.mode_tie": "Varios puntajes se repiten el mismo número de veces, así que cuenta el más alto de ellos: {score}.",
        "say.weighted_more": "El trabajo reciente cuenta más: {w} el último puntaje y {rest} el promedio de los anteriores, lo que da {score}.",
        "say.weighted": "El último puntaje cuenta un {w} y el promedio de los anteriores un {rest}, lo que da {score}.",
        "say.decaying": "El trabajo reciente cuenta más: {w} el último puntaje y {rest} lo anterior, lo que da {score}.",
        "say.mastery_one": "Un puntaje llegó a {threshold} o más (se necesita {n}), así que cuenta: {score}.",
        "say.mastery.other": "{met} puntajes llegaron a {threshold} o más (se necesitan {n}): su promedio es {score}.",
        "say.mastery_zero.one": "Aún no hay ningún puntaje de {threshold} o más (se necesita {n}).",
        "say.mastery_zero.other": "Aún no hay ningún puntaje de {threshold} o más (se necesitan {n}).",
        "say.mastery_short.other": "Por ahora {met} de los {n} puntajes de {threshold} o más que se necesitan.",
        "say.power_few.other": "{n} puntajes son pocos para ver una tendencia, así que cuenta su promedio: {score}.",
        "say.power.other": "La tendencia de {n} puntajes apunta a {score}.",
        "say.power_top.other": "La tendencia de {n} puntajes apunta por encima del máximo de la escala, así que cuenta como {score}.",
        "say.power_bottom.other": "La tendencia de {n} puntajes apunta por debajo del mínimo de la escala, así que cuenta como {score}.",
        "say.power_mean.other": "Estos {n} puntajes no muestran una tendencia clara, así que cuenta su promedio: {score}.",
        "none": "aún no hay puntajes: sin puntaje todavía",
        "single": "un solo puntaje: {score}",
        "latest": "el más reciente de {scores} = {result}",
        "highest": "el más alto de {scores} = {result}",
        "median": "mediana de {scores} (en orden: {sorted})",
        "mode.other": "el más frecuente de {scores} ({count} veces): {value}",
        "mode_once": "ninguno se repite en {scores}: el más alto es {value}",
        "mode_tie.other": "el más frecuente de {scores}: {values} ({count} veces cada uno), el mayor es {value}",
        "mean_of": "promedio de {scores}",
        "mastery.one": "puntajes de {threshold} o más: {met} ({count}; se necesita {n})",
        "mastery.other": "puntajes de {threshold} o más: {met} ({count}; se necesitan {n})",
        "mastery_none": "sin puntaje todavía",
        "power": "tendencia y ≈ {a} × x^{b} da {fit} en x = {n} (error medio {fit_error}); promedio {mean} (error medio {mean_error})",
        "power_fit": "la tendencia se ajusta mejor",
        "power_mean": "el promedio se ajusta mejor",
        "clamp_high": "limitado al máximo de la escala, {value}",
        "clamp_low": "limitado al mínimo de la escala, {value}",
        "nothing": "ninguno",
    },
    "vi": {
        "say.none": "Chưa có điểm nào.",
        "say.single": "Mới có một điểm: {score}.",
        "say.latest.other": "Tính điểm gần đây nhất trong {n} điểm: {score}.",
        "say.highest.other": "Tính điểm cao nhất trong {n} điểm: {score}.",
        "say.mean.other": "Cả {n} điểm được tính như nhau: điểm trung bình là {score}.",
        "say.median.other": "Xếp {n} điểm theo thứ tự, điểm ở giữa là {score}.",
        "say.median_even.other": "Xếp {n} điểm theo thứ tự, trung bình của hai điểm ở giữa là {score}.",
        "say.mode": "Tính điểm đạt được nhiều lần nhất: {score}.",
        "say.mode_once": "Không có điểm nào lặp lại, nên tính điểm cao nhất: {score}.",
        "say.mode_tie": "Có nhiều điểm xuất hiện số lần bằng nhau, nên tính điểm cao nhất trong số đó: {score}.",
        "say.weighted_more": "Bài làm gần đây được tính nhiều hơn: điểm mới nhất chiếm {w}, trung bình các điểm trước chiếm {rest}; kết quả là {score}.",
        "say.weighted": "Điểm mới nhất chiếm {w}, trung bình các điểm trước chiếm {rest}; kết quả là {score}.",
        "say.decaying": "Bài làm gần đây được tính nhiều hơn: điểm mới nhất chiếm {w}, phần trước đó chiếm {rest}; kết quả là {score}.",
        "say.mastery_one": "Có một điểm đạt từ {threshold} trở lên (cần {n}), nên tính điểm đó: {score}.",
        "say.mastery.other": "Có {met} điểm đạt từ {threshold} trở lên (cần {n}): trung bình của chúng là {score}.",
        "say.mastery_zero": "Chưa có điểm nào từ {threshold} trở lên (cần {n}).",
        "say.mastery_short.other": "Đến nay có {met} trong số {n} điểm cần đạt từ {threshold} trở lên.",
        "say.power_few.other": "{n} điểm còn quá ít để thấy xu hướng, nên tính điểm trung bình: {score}.",
        "say.power.other": "Xu hướng qua {n} điểm cho thấy mức {score}.",
        "say.power_top.other": "Xu hướng qua {n} điểm vượt quá mức cao nhất của thang đo, nên được tính là {score}.",
        "say.power_bottom.other": "Xu hướng qua {n} điểm thấp hơn mức thấp nhất của thang đo, nên được tính là {score}.",
        "say.power_mean.other": "{n} điểm này chưa cho thấy xu hướng rõ ràng, nên tính điểm trung bình: {score}.",
        "none": "chưa có điểm nào: chưa có điểm",
        "single": "một điểm: {score}",
        "latest": "điểm gần nhất trong {scores} = {result}",
        "highest": "điểm cao nhất trong {scores} = {result}",
        "median": "trung vị của {scores} (theo thứ tự: {sorted})",
        "mode.other": "điểm xuất hiện nhiều nhất trong {scores} ({count} lần): {value}",
        "mode_once": "không có điểm nào lặp lại trong {scores}: điểm cao nhất là {value}",
        "mode_tie.other": "điểm xuất hiện nhiều nhất trong {scores}: {values} (mỗi điểm {count} lần), điểm cao hơn là {value}",
        "mean_of": "trung bình của {scores}",
        "mastery": "các điểm từ {threshold} trở lên: {met} ({count}; cần {n})",
        "mastery_none": "chưa có điểm",
        "power": "xu hướng y ≈ {a} × x^{b} cho {fit} tại x = {n} (sai số trung bình {fit_error}); trung bình {mean} (sai số trung bình {mean_error})",
        "power_fit": "xu hướng sát hơn",
        "power_mean": "điểm trung bình sát hơn",
        "clamp_high": "giữ ở mức cao nhất của thang đo, {value}",
        "clamp_low": "giữ ở mức thấp nhất của thang đo, {value}",
        "nothing": "không có",
    },
}
"""The words of explanations, per language; a language or a key missing here is English."""

LANGUAGES: tuple[str, ...] = tuple(_WORDS)
"""The languages explanations are written in."""


@dataclass(frozen=True)
class Explanation:
    """A score explained: ``sentence`` says it in plain words, ``arithmetic`` shows the steps.
    Both end on the score (or on "no score yet")."""

    sentence: str
    arithmetic: str


@dataclass(frozen=True)
class _Say:
    """Words and numbers in one language: the words from ``_WORDS``, the numbers from CLDR."""

    lang: str
    keep: int
    """Decimals every score-like number keeps: 1 on a scale with half points (3.0), else 0."""

    def word(self, key: str, amount: int | None = None, /, **values: object) -> str:
        """The words of ``key`` with ``values`` in; ``amount`` chooses the plural form."""
        own, english = _WORDS.get(self.lang, {}), _WORDS["en"]
        keys = [key]
        if amount is not None:
            keys = [f"{key}.{locale.plural(amount, self.lang)}", f"{key}.other", key]
        for table in (own, english):
            for k in keys:
                if k in table:
                    return table[k].format(**values)
        raise KeyError(key)

    def bare(self, value: Ratio) -> str:
        """``value`` by the precision rule, without saying whether it was rounded."""
        return locale.number(exact.round_places(*value, locale.PLACES), self.lang, keep=self.keep)

    def show(self, value: Ratio) -> str:
        """``value`` by the precision rule, "≈" before it when rounding changed it."""
        text = self.bare(value)
        return f"≈ {text}" if _inexact(value) else text

    def step(self, value: Ratio) -> str:
        """A value the next step is computed from: exact up to ``STEP_PLACES`` decimals, else
        rounded to them after "≈", so the next step redone by hand lands on the same score."""
        text = locale.number(
            exact.round_places(*value, locale.STEP_PLACES),
            self.lang,
            keep=self.keep,
            places=locale.STEP_PLACES,
        )
        return f"≈ {text}" if _inexact(value, locale.STEP_PLACES) else text

    def equals(self, value: Ratio) -> str:
        """The end of a calculation: ``= 2.65``; ``= 3.5275 ≈ 3.53`` when the exact value has
        at most ``STEP_PLACES`` decimals (the rounding can be checked); else ``≈ 2.67``."""
        text = self.bare(value)
        if not _inexact(value):
            return f"= {text}"
        if not _inexact(value, locale.STEP_PLACES):
            return f"= {self.step(value)} ≈ {text}"
        return f"≈ {text}"

    def decimal(self, value: Decimal) -> str:
        return self.show(exact.ratio(value))

    def approx(self, x: float) -> str:
        """A value computed with logarithms (power_law), by the same rule."""
        return self.show(exact.float_ratio(x))

    def count(self, n: int) -> str:
        return locale.count(n, self.lang)

    def weight(self, w: int) -> str:
        """A weight in the arithmetic, as given: 65 is 0.65."""
        return locale.number(Decimal(w).scaleb(-2), self.lang)

    def percent(self, w: int) -> str:
        return locale.percent(w, self.lang)

    def numbers(self, texts: Iterable[str]) -> str:
        return locale.number_list(texts, self.lang)

    def units(self, u: Iterable[int], den: int) -> str:
        return self.numbers(self.show((x, den)) for x in u)

    def total(self, u: Sequence[int], den: int) -> str:
        return " + ".join(self.show((x, den)) for x in u)


def _inexact(value: Ratio, places: int = locale.PLACES) -> bool:
    num, den = value
    return (abs(num) * int(10**places)) % den != 0


def explanation(
    method: str, scores: Sequence[Decimal | float | int | str], lang: str = "en", **params: object
) -> Explanation:
    """``calculate(method, scores, **params)`` explained: a sentence and the arithmetic, in
    ``lang`` (any language code; the words are English where Proficio has none of its own, the
    numbers always the language's). ``scale=`` a loaded scale also sets how scores are written
    (3.0 on a scale with half points).

    >>> explanation("decaying_average", [2, 3, 4]).sentence
    'Recent work counts more: 65% the latest score, 35% what came before, giving 3.53.'
    """
    scale = params.get("scale")
    keep = 1 if isinstance(scale, Scale) and scale.half_points else 0
    rule = Rule.from_params(method, params)
    return _explain(rule, [to_decimal(s) for s in scores], _Say(lang, keep))


def explain(
    method: str, scores: Sequence[Decimal | float | int | str], lang: str = "en", **params: object
) -> str:
    """The arithmetic of ``calculate(method, scores, **params)`` in one line a parent can redo.

    Numbers and symbols carry the meaning; the few words are in ``lang``. Every number has at
    most 2 decimals, marked "≈" when rounded, except a step's exact value (up to 4 decimals);
    the last one is always the score ``calculate`` returns. :func:`explanation` gives the
    plain-words sentence as well.

    >>> explain("decaying_average", [2, 3, 4])
    '2 → 0.35 × 2 + 0.65 × 3 = 2.65 → 0.35 × 2.65 + 0.65 × 4 = 3.5275 ≈ 3.53'
    """
    return explanation(method, scores, lang, **params).arithmetic


def explanation_of_target(result: TargetResult, scale: Scale, lang: str = "en") -> Explanation:
    """:func:`explanation` for a scored target: its method, its scale and its evidence in the
    order used."""
    return explanation(
        result.method.method,
        [e.score for e in result.evidence],
        lang,
        scale=scale,
        **result.method.params,
    )


def explain_target(result: TargetResult, scale: Scale, lang: str = "en") -> str:
    """``explain`` for a scored target: its method, its scale and its evidence in the order used.

    For the family progress report: ``explain_target(t, school.scale_of(target), "es")``.
    Scores that are a gradebook's own rollup (a wide export) are said to be.
    """
    return explanation_of_target(result, scale, lang).arithmetic + origin_note(
        result.evidence, lang
    )


def _explain(rule: Rule, values: list[Decimal], say: _Say) -> Explanation:
    if not values:
        return Explanation(say.word("say.none"), say.word("none"))
    u, den = exact.units(values, [rule.threshold] if rule.threshold is not None else [])
    listed = say.numbers(say.decimal(v) for v in values)
    result = current_score(rule, values)
    shown = say.bare(exact.ratio(result)) if result is not None else say.word("mastery_none")
    k = len(u)
    method = rule.method
    if k == 1 and method != "n_mastery":
        return Explanation(say.word("say.single", score=shown), say.word("single", score=shown))
    if method in ("latest", "highest"):
        return Explanation(
            say.word(f"say.{method}", k, n=say.count(k), score=shown),
            say.word(method, scores=listed, result=shown),
        )
    if method == "mean" or (method == "power_law" and k < 3):
        key = "say.mean" if method == "mean" else "say.power_few"
        return Explanation(
            say.word(key, k, n=say.count(k), score=shown),
            f"({say.total(u, den)}) ÷ {say.count(k)} {say.equals((sum(u), k * den))}",
        )
    if method == "median":
        return _median(u, den, listed, shown, say)
    if method == "mode":
        return _mode(u, den, listed, shown, say)
    if method in ("weighted_average", "decaying_average"):
        return _weighted(rule, u, den, shown, say)
    if method == "n_mastery":
        return _mastery(rule, u, den, shown, say)
    if method == "power_law":
        return _power(rule, u, den, shown, say)
    raise ValueError(f"unknown calculation method '{method}'")


def _median(u: list[int], den: int, listed: str, shown: str, say: _Say) -> Explanation:
    s, k = sorted(u), len(u)
    head = say.word("median", scores=listed, sorted=say.units(s, den))
    if k % 2:
        return Explanation(
            say.word("say.median", k, n=say.count(k), score=shown),
            f"{head} = {say.show((s[k // 2], den))}",
        )
    a, b = s[k // 2 - 1], s[k // 2]
    return Explanation(
        say.word("say.median_even", k, n=say.count(k), score=shown),
        f"{head} = ({say.show((a, den))} + {say.show((b, den))}) ÷ {say.count(2)} "
        f"{say.equals((a + b, 2 * den))}",
    )


def _mode(u: list[int], den: int, listed: str, shown: str, say: _Say) -> Explanation:
    counts: dict[int, int] = {}
    for x in u:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    tied = sorted(x for x, c in counts.items() if c == top)
    value = say.show((tied[-1], den))
    if top == 1 and len(tied) > 1:
        return Explanation(
            say.word("say.mode_once", score=shown),
            say.word("mode_once", scores=listed, value=value),
        )
    if len(tied) == 1:
        return Explanation(
            say.word("say.mode", score=shown),
            say.word("mode", top, scores=listed, value=value, count=say.count(top)),
        )
    return Explanation(
        say.word("say.mode_tie", score=shown),
        say.word(
            "mode_tie",
            top,
            scores=listed,
            values=say.units(tied, den),
            count=say.count(top),
            value=value,
        ),
    )


def _weighted(rule: Rule, u: list[int], den: int, shown: str, say: _Say) -> Explanation:
    w = rule.weight or 65
    k = len(u)
    percents = {"w": say.percent(w), "rest": say.percent(100 - w), "score": shown}
    if rule.method == "weighted_average":
        earlier = u[:-1]
        mean = (sum(earlier), (k - 1) * den)
        mean_text = say.step(mean).removeprefix("≈ ")
        if k - 1 > 1:
            what = say.word("mean_of", scores=say.units(earlier, den))
            mean_text = f"{mean_text} ({what})"
        weighted = (u[-1] * w * (k - 1) + sum(earlier) * (100 - w), 100 * (k - 1) * den)
        key = "say.weighted_more" if w > 50 else "say.weighted"
        return Explanation(
            say.word(key, **percents),
            f"{say.weight(w)} × {say.show((u[-1], den))} + {say.weight(100 - w)} × {mean_text} "
            f"{say.equals(weighted)}",
        )
    parts = [say.show((u[0], den))]
    num, power = u[0], 1
    for i in range(1, k):
        previous = say.step((num, den * power)).removeprefix("≈ ")
        num = num * (100 - w) + u[i] * w * power
        power *= 100
        step = f"{say.weight(100 - w)} × {previous} + {say.weight(w)} × {say.show((u[i], den))}"
        value = (num, den * power)
        if i == k - 1:
            parts.append(f"{step} {say.equals(value)}")
        else:
            shown_step = say.step(value)
            parts.append(f"{step} {shown_step if shown_step[0] == '≈' else '= ' + shown_step}")
    return Explanation(say.word("say.decaying", **percents), " → ".join(parts))


def _mastery(rule: Rule, u: list[int], den: int, shown: str, say: _Say) -> Explanation:
    assert rule.threshold is not None and rule.n is not None
    t = exact.unit(rule.threshold, den)
    met = [x for x in u if x >= t]
    threshold = say.decimal(rule.threshold)
    head = say.word(
        "mastery",
        rule.n,
        threshold=threshold,
        met=say.units(met, den) or say.word("nothing"),
        count=say.count(len(met)),
        n=say.count(rule.n),
    )
    numbers = {"met": say.count(len(met)), "n": say.count(rule.n), "threshold": threshold}
    if len(met) < rule.n:
        key = "say.mastery_short" if met else "say.mastery_zero"
        return Explanation(
            say.word(key, rule.n, **numbers),
            f"{head} → {say.word('mastery_none')}",
        )
    if len(met) == 1:
        return Explanation(
            say.word("say.mastery_one", score=shown, **numbers),
            f"{head} → {say.show((met[0], den))}",
        )
    return Explanation(
        say.word("say.mastery", len(met), score=shown, **numbers),
        f"{head} → ({say.total(met, den)}) ÷ {say.count(len(met))} "
        f"{say.equals((sum(met), len(met) * den))}",
    )


def _power(rule: Rule, u: list[int], den: int, shown: str, say: _Say) -> Explanation:
    k = len(u)
    trend = exact.power_trend(u, den)
    head = say.word(
        "power",
        a=say.bare(exact.float_ratio(trend.a)),
        b=say.bare(exact.float_ratio(trend.b)),
        fit=say.approx(trend.fit),
        n=say.count(k),
        fit_error=say.approx(trend.fit_error),
        mean=say.show(trend.mean),
        mean_error=say.approx(trend.mean_error),
    )
    chosen = say.word("power_fit" if trend.uses_fit else "power_mean")
    estimate = exact.float_ratio(trend.fit) if trend.uses_fit else trend.mean
    clamped = clamp(estimate, rule)
    key = "say.power" if trend.uses_fit else "say.power_mean"
    tail = ""
    if clamped != estimate:
        # Only the bound that was crossed is named: a caller may give one bound alone.
        above = clamped[0] * estimate[1] < estimate[0] * clamped[1]
        tail = " → " + say.word("clamp_high" if above else "clamp_low", value=say.show(clamped))
        if trend.uses_fit:
            key = "say.power_top" if above else "say.power_bottom"
    return Explanation(
        say.word(key, k, n=say.count(k), score=shown),
        f"{head}; {chosen}{tail} → {shown}",
    )
