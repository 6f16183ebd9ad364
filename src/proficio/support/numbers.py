"""Numbers as text, one function per purpose, so a score reads the same in every output.

``decimal_text`` is the exact value as a person writes it (messages, explanations, CASE and CLR
strings, the evidence report); ``json_number`` is the same value as a JSON number; ``score_text``
and ``point_text`` are how a page prints a current score and a scale's point.
"""

from __future__ import annotations

from decimal import Decimal

_CENTS = Decimal("0.01")


def decimal_text(value: Decimal | int) -> str:
    """3, 3.5, 0.65: no trailing zeros, no exponent (``Decimal('4E+1')`` is 40), never "-0"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def json_number(value: Decimal) -> int | float:
    """A score as a JSON number: 3 stays the integer 3, 3.5 stays 3.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def score_text(score: Decimal) -> str:
    """``3.0``, ``2.5``, ``3.53``: a current score with two decimals at most and one at least, as
    a proficiency scale prints it."""
    text = f"{score.quantize(_CENTS):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def point_text(value: Decimal, *, half_points: bool) -> str:
    """A scale's point as its rubric shows it: ``3.0`` on a scale with half points, ``3`` on a
    scale of whole points."""
    return f"{value:.1f}" if half_points else decimal_text(value)
