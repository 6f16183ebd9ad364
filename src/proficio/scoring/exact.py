"""Exact rational arithmetic for the calculation methods: scores as integers over one common
denominator, rounded once, half away from zero. ``methods`` computes with it and ``explain``
shows the same steps, so the explanation cannot drift from the score."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

Ratio = tuple[int, int]
"""An exact rational number as ``(numerator, denominator)`` with a positive denominator."""


@lru_cache(maxsize=4096)
def cents(q: int) -> Decimal:
    return Decimal(q).scaleb(-2)


def round_ratio(num: int, den: int) -> Decimal:
    """``num/den`` rounded to 2 decimals, half away from zero, exactly."""
    q, r = divmod(abs(num) * 100, den)
    if 2 * r >= den:
        q += 1
    return cents(-q if num < 0 else q)


@lru_cache(maxsize=1024)
def ratio(d: Decimal) -> Ratio:
    return d.as_integer_ratio()


def units(scores: Sequence[Decimal], extra: Sequence[Decimal] = ()) -> tuple[list[int], int]:
    """Scores as integers over one common denominator, so all the arithmetic stays exact."""
    ratios = [ratio(s) for s in scores]
    den = math.lcm(*(d for _, d in ratios), *(ratio(e)[1] for e in extra))
    return [n * (den // d) for n, d in ratios], den


def unit(value: Decimal, den: int) -> int:
    n, d = ratio(value)
    return n * (den // d)


def median(u: list[int], den: int) -> Ratio:
    s = sorted(u)
    k = len(s)
    if k % 2:
        return s[k // 2], den
    return s[k // 2 - 1] + s[k // 2], 2 * den


def mode(u: list[int]) -> int:
    counts: dict[int, int] = {}
    for x in u:
        counts[x] = counts.get(x, 0) + 1
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


@dataclass(frozen=True)
class Trend:
    """What ``power_law`` computed, kept for ``explain``."""

    a: float
    b: float
    fit: float
    fit_error: float
    mean: Ratio
    mean_error: float
    uses_fit: bool


def power_trend(u: list[int], den: int) -> Trend:
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
    return Trend(a, b, predicted[-1], fit_error, mean, mean_error, fit_error <= mean_error)


def float_ratio(x: float) -> Ratio:
    return Decimal(repr(x)).as_integer_ratio()


def round_places(num: int, den: int, places: int) -> Decimal:
    q, r = divmod(abs(num) * 10**places, den)
    if 2 * r >= den:
        q += 1
    return Decimal(-q if num < 0 else q).scaleb(-places)
