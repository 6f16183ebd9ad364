"""Dates, numbers, percentages and lists the way a reader of one language writes them.

The one place human-facing text gets its formats, all from CLDR through Babel, so a language a
school adds is written correctly without code: ``es`` writes 2,5 and 7 de marzo de 2025, ``vi``
2,5 and 7 tháng 3, 2025, ``en`` 2.5 and March 7, 2025. Machine text (CSV, JSON, CASE, CLR, the
evidence report, error messages) stays locale-free in :mod:`proficio.support.numbers`.

The precision rule (docs-dev/scoring.md, "How numbers are written"): a score, and every number
computed from scores, is shown with at most 2 decimals, rounded half away from zero exactly as
the score itself is; trailing zeros are dropped, except that on a scale with half points such a
number keeps one decimal (3.0, 2.5), as the scale writes its own points. The one exception is
the arithmetic line of an explanation: a step's exact value is shown when it has at most 4
decimals (``= 3.5275 ≈ 3.53``), and a running value the next step is computed from keeps up to
4, so the step redone with a pencil lands on the same score. Parameters (65 %, 2 scores) are
shown as the school wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

__all__ = [
    "PLACES",
    "STEP_PLACES",
    "count",
    "join",
    "locale",
    "long_date",
    "number",
    "number_list",
    "percent",
    "plural",
    "rounded",
    "separator",
    "short_date",
]

PLACES = 2
"""The most decimals a number computed from scores is shown with (the score's own)."""

STEP_PLACES = 4
"""The most decimals of a running value that the next step of an arithmetic line is computed
from (a decaying average's steps): enough that the step redone by hand lands on the score."""

# The formatters are memoized: a bulk run writes the same few scores and dates thousands of
# times, and each depends only on its arguments (3 and 3.0 are written alike).

FALLBACK = "en"


@lru_cache(maxsize=256)
def locale(lang: str) -> Locale:
    """The CLDR locale of a language code as schools write it (``es``, ``es-MX``, ``zh_Hant``):
    the code itself, else its language alone, else English (the language Proficio's own words
    fall back to), so an unknown code never stops a document."""
    code = lang.strip().replace("-", "_")
    for candidate in (code, code.split("_")[0]):
        if not candidate:
            continue
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse(FALLBACK)


def rounded(value: Decimal | int, places: int = PLACES) -> tuple[Decimal, bool]:
    """``value`` rounded half away from zero to ``places`` decimals, and whether that changed it
    (what puts an "≈" before a number)."""
    exact = Decimal(value)
    q = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return (abs(q) if q == 0 else q), q != exact


@lru_cache(maxsize=8)
def _pattern(keep: int, places: int) -> str:
    return "#,##0" + ("." + "0" * keep + "#" * (places - keep) if places else "")


@lru_cache(maxsize=4096)
def number(value: Decimal | int, lang: str, *, keep: int = 0, places: int = PLACES) -> str:
    """A number for a reader: at most ``places`` decimals (rounded half away from zero), at least
    ``keep``, with the language's decimal sign and digit grouping: ``3,53`` in ``es``."""
    q, _ = rounded(value, places)
    return format_decimal(q, format=_pattern(min(keep, places), places), locale=locale(lang))


@lru_cache(maxsize=4096)
def count(n: int, lang: str) -> str:
    """A count of things (2 scores, 2.345 rows in ``es``). Never a year or an ID: those are
    written as they are."""
    return format_decimal(n, locale=locale(lang))


@lru_cache(maxsize=4096)
def percent(value: Decimal | int, lang: str) -> str:
    """``value`` per cent as the language writes it: ``65%`` in ``en`` and ``vi``, ``65 %``
    (no-break space) in ``es``."""
    return format_percent(
        Decimal(value).scaleb(-2), locale=locale(lang), decimal_quantization=False
    )


@lru_cache(maxsize=4096)
def long_date(day: date, lang: str) -> str:
    """A date written out (``7 de marzo de 2025``): identity blocks, "issued", footers."""
    return format_date(day, format="long", locale=locale(lang))


@lru_cache(maxsize=4096)
def short_date(day: date, lang: str) -> str:
    """A compact date for table cells, with the month as a word so that no reader can take the
    day for the month (``Mar 7, 2025``, ``7 mar 2025``, ``7 thg 3, 2025``)."""
    return format_skeleton("yMMMd", day, locale=locale(lang))


def join(items: Iterable[str], lang: str) -> str:
    """Words listed the way the language lists them: ``a, b, and c``, ``a, b y c``."""
    return format_list(list(items), style="standard", locale=locale(lang))


def number_list(texts: Iterable[str], lang: str) -> str:
    """Numbers one after another: ``2, 3.5, 4``; where the decimal sign is a comma, ``2; 3,5; 4``,
    so a reader cannot take 3,5 for two numbers."""
    return separator(lang).join(texts)


@lru_cache(maxsize=256)
def separator(lang: str) -> str:
    """What separates numbers in a list written in ``lang``."""
    symbols = locale(lang).number_symbols.get("latn", {})
    return "; " if symbols.get("decimal", ".") == "," else ", "


@lru_cache(maxsize=4096)
def plural(n: int, lang: str) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (``one``, ``few``, ``many``, ``other``...):
    which form of a sentence to use."""
    return str(locale(lang).plural_form(n))
