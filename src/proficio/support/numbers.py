"""Numbers as machine text, one function per purpose, the same in every language.

``decimal_text`` is the exact value as a file or a message writes it (the score files,
CASE and CLR strings, the evidence report, error messages: ``3.5``, never ``3,5``);
``json_number`` is the same value as a JSON number. Numbers a family or a reader of the site
reads (a current score, a scale's point, a percentage) are written for their language by
:mod:`proficio.support.locale`, which applies the one precision rule.
"""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal | int) -> str:
    """3, 3.5, 0.65: no trailing zeros, no exponent (``Decimal('4E+1')`` is 40), never "-0"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def json_number(value: Decimal) -> int | float:
    """A score as a JSON number: 3 stays the integer 3, 3.5 stays 3.5."""
    return int(value) if value == value.to_integral_value() else float(value)
