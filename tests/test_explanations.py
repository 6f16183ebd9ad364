"""Every calculation method explained on the progress report the way a teacher would say it, with
the arithmetic as a second line, in every language the school offers.

Each method has a crafted student whose report row (the document the PDF template prints) is
checked word for word in English and Spanish; the Vietnamese row must hold no English word of
the English one. The precision rule (docs-dev/scoring.md, "How numbers are written") is checked
over many generated score series.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transcript_helpers import ISSUED, result, school

from proficio.content.model import Calculation
from proficio.evidence.records import Evidence, Student
from proficio.scoring import METHODS, calculate, explain, explanation
from proficio.scoring.explain import _WORDS, LANGUAGES
from proficio.scoring.results import TargetResult
from proficio.support import locale
from proficio.transcripts.document import Catalog, Options

MATH = "MA.L2.FO.2"  # Marzano 0-4 with half points: scores are written 3.0, 2.5
WELDING = "WE.L1.SF.2"  # CTE 1-5 in whole points, proficient at 4

NBSP = "\xa0"

# method, params, target, scores (oldest first), then per language: (sentence, arithmetic)
CASES = [
    (
        "latest",
        {},
        MATH,
        ["2", "3.5", "3"],
        ("The most recent of 3 scores counts: 3.0.", "latest of 2.0, 3.5, 3.0 = 3.0"),
        ("Cuenta el más reciente de 3 puntajes: 3,0.", "el más reciente de 2,0; 3,5; 3,0 = 3,0"),
    ),
    (
        "highest",
        {},
        MATH,
        ["2", "3.5", "3"],
        ("The best of 3 scores counts: 3.5.", "highest of 2.0, 3.5, 3.0 = 3.5"),
        ("Cuenta el mejor de 3 puntajes: 3,5.", "el más alto de 2,0; 3,5; 3,0 = 3,5"),
    ),
    (
        "mean",
        {},
        MATH,
        ["2", "3.5", "3"],
        ("All 3 scores count the same: their average is 2.83.", "(2.0 + 3.5 + 3.0) ÷ 3 ≈ 2.83"),
        ("Los 3 puntajes cuentan igual: su promedio es 2,83.", "(2,0 + 3,5 + 3,0) ÷ 3 ≈ 2,83"),
    ),
    (
        "median",
        {},
        MATH,
        ["2", "3.5", "3", "4"],
        (
            "Put in order, the two middle ones of 4 scores average 3.25.",
            "median of 2.0, 3.5, 3.0, 4.0 (in order: 2.0, 3.0, 3.5, 4.0) = (3.0 + 3.5) ÷ 2 = 3.25",
        ),
        (
            "Ordenados, los dos del medio de los 4 puntajes promedian 3,25.",
            "mediana de 2,0; 3,5; 3,0; 4,0 (en orden: 2,0; 3,0; 3,5; 4,0) = (3,0 + 3,5) ÷ 2 = 3,25",
        ),
    ),
    (
        "mode",
        {},
        MATH,
        ["3", "2", "3", "2.5", "2"],
        (
            "Several scores came up equally often, so the highest of them counts: 3.0.",
            "most frequent of 3.0, 2.0, 3.0, 2.5, 2.0: 2.0, 3.0 (2 times each), the higher is 3.0",
        ),
        (
            "Varios puntajes se repiten el mismo número de veces, así que cuenta el más alto de "
            "ellos: 3,0.",
            "el más frecuente de 3,0; 2,0; 3,0; 2,5; 2,0: 2,0; 3,0 (2 veces cada uno), el mayor es "
            "3,0",
        ),
    ),
    (
        "weighted_average",
        {"weight": 65},
        MATH,
        ["2", "3", "4"],
        (
            "Recent work counts more: 65% the latest score, 35% the average of the earlier ones, "
            "giving 3.48.",
            "0.65 × 4.0 + 0.35 × 2.5 (mean of 2.0, 3.0) = 3.475 ≈ 3.48",
        ),
        (
            f"El trabajo reciente cuenta más: 65{NBSP}% el último puntaje y 35{NBSP}% el promedio "
            "de los anteriores, lo que da 3,48.",
            "0,65 × 4,0 + 0,35 × 2,5 (promedio de 2,0; 3,0) = 3,475 ≈ 3,48",
        ),
    ),
    (
        "decaying_average",
        {"weight": 65},
        MATH,
        ["2", "3", "4", "3"],
        (
            "Recent work counts more: 65% the latest score, 35% what came before, giving 3.18.",
            "2.0 → 0.35 × 2.0 + 0.65 × 3.0 = 2.65 → 0.35 × 2.65 + 0.65 × 4.0 = 3.5275 → "
            "0.35 × 3.5275 + 0.65 × 3.0 ≈ 3.18",
        ),
        (
            f"El trabajo reciente cuenta más: 65{NBSP}% el último puntaje y 35{NBSP}% lo "
            "anterior, lo que da 3,18.",
            "2,0 → 0,35 × 2,0 + 0,65 × 3,0 = 2,65 → 0,35 × 2,65 + 0,65 × 4,0 = 3,5275 → "
            "0,35 × 3,5275 + 0,65 × 3,0 ≈ 3,18",
        ),
    ),
    (
        "n_mastery",
        {"n": 2},
        WELDING,
        ["3", "5"],
        (
            "So far 1 of the 2 scores at 4 or above that are needed.",
            "scores at or above 4: 5 (1; 2 needed) → no score yet",
        ),
        (
            "Por ahora 1 de los 2 puntajes de 4 o más que se necesitan.",
            "puntajes de 4 o más: 5 (1; se necesitan 2) → sin puntaje todavía",
        ),
    ),
    (
        "power_law",
        {},
        MATH,
        ["1", "2", "2.5", "3"],
        (
            "The trend across 4 scores points to 3.14.",
            "trend y ≈ 1.05 × x^0.79 gives ≈ 3.14 at x = 4 (mean error ≈ 0.1); mean ≈ 2.13 "
            "(mean error ≈ 0.63); the trend is closer → 3.14",
        ),
        (
            "La tendencia de 4 puntajes apunta a 3,14.",
            "tendencia y ≈ 1,05 × x^0,79 da ≈ 3,14 en x = 4 (error medio ≈ 0,1); promedio ≈ 2,13 "
            "(error medio ≈ 0,63); la tendencia se ajusta mejor → 3,14",
        ),
    ),
]


def test_every_method_has_a_crafted_student() -> None:
    assert [c[0] for c in CASES] == list(METHODS)


def crafted_row(lang: str, method: str, params: dict[str, int], code: str, scores: list[str]):
    """The progress report's row for ``code`` of a student who has exactly ``scores`` on it,
    scored by ``method`` (as if the school had chosen it for that target)."""
    sch = school()
    student = Student("X-1", "Ana", "Núñez", language=lang)
    res = result(student, current={"MA": 2, "ELA": 1, "SC": 1, "WE": 1})
    target = next(t for *_, t in sch.iter_targets() if t.code == code)
    scale = sch.scale_of(target)
    calc = Calculation(method, **params)
    values = [Decimal(v) for v in scores]
    score = calculate(method, values, scale=scale, **calc.params)
    evidence = [
        Evidence(student.id, code, v, date(2026, 1, 5) + timedelta(days=7 * i), f"Task {i}", "test")
        for i, v in enumerate(values)
    ]
    replaced = 0
    for subject in res.subjects:
        for level in subject.levels:
            for i, tr in enumerate(level.targets):
                if tr.code == code:
                    proficient = score is not None and score >= scale.threshold
                    level.targets[i] = TargetResult(code, score, proficient, calc, evidence)
                    replaced += 1
    assert replaced == 1
    doc = Catalog(sch, Options(kind="progress", issued=ISSUED)).student(res)
    rows = [x for s in doc["subjects"] for x in s["how"] if x["code"] == code]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    "method,params,code,scores,english,spanish", CASES, ids=[c[0] for c in CASES]
)
def test_the_report_explains_each_method_word_for_word(
    method, params, code, scores, english, spanish
) -> None:
    for lang, (sentence, arithmetic) in (("en", english), ("es", spanish)):
        row = crafted_row(lang, method, params, code, scores)
        assert (row["sentence"], row["math"]) == (sentence, arithmetic), lang
    # the engine's own explanation, which the public API gives too
    sch = school()
    scale = sch.scale_of(next(t for *_, t in sch.iter_targets() if t.code == code))
    assert explain(method, scores, "es", scale=scale, **params) == spanish[1]


def _words(text: str) -> set[str]:
    """Words of two letters or more (x and y of a formula are not words of a language)."""
    return {w.casefold() for w in re.findall(r"[^\W\d_]{2,}", text)}


@pytest.mark.parametrize(
    "method,params,code,scores,english,spanish", CASES, ids=[c[0] for c in CASES]
)
def test_the_vietnamese_report_holds_no_english_word(
    method, params, code, scores, english, spanish
) -> None:
    row = crafted_row("vi", method, params, code, scores)
    vietnamese = f"{row['sentence']} {row['math']}"
    assert _words(vietnamese) & _words(" ".join(english)) == set(), vietnamese
    # and its numbers are written as Vietnamese writes them: a decimal comma
    assert not re.search(r"\d\.\d", vietnamese), vietnamese
    english_row = crafted_row("en", method, params, code, scores)
    assert row["sentence"] != english_row["sentence"]


def test_every_language_the_school_offers_has_every_explanation() -> None:
    """Each key of the English words (any of its plural forms) exists in every language the
    example school offers, so no family reads an English sentence in its report."""

    def base(key: str) -> str:
        return re.sub(r"\.(zero|one|two|few|many|other)$", "", key)

    english = {base(k) for k in _WORDS["en"]}
    for lang in school().languages:
        assert lang in LANGUAGES, lang
        assert {base(k) for k in _WORDS[lang]} == english, lang
        for key, template in _WORDS[lang].items():
            if key.endswith(tuple(f".{f}" for f in ("zero", "one", "two", "few", "many"))):
                assert f"{base(key)}.other" in _WORDS[lang], (lang, key)
            assert template.strip() == template and template, (lang, key)


@pytest.mark.parametrize(
    "method,scores,params,sentence,arithmetic",
    [
        ("mean", [], {}, "No scores yet.", "no scores yet: no score yet"),
        ("decaying_average", ["3.5"], {}, "One score so far: 3.5.", "one score: 3.5"),
        (
            "mode",
            [2, 3, 4],
            {},
            "No score came up twice, so the highest counts: 4.",
            "no score repeats in 2, 3, 4: the highest is 4",
        ),
        (
            "mode",
            [2, 3, 3],
            {},
            "The score earned most often counts: 3.",
            "most frequent of 2, 3, 3 (2 times): 3",
        ),
        (
            "median",
            [4, 1, 3],
            {},
            "Put in order, the middle one of 3 scores is 3.",
            "median of 4, 1, 3 (in order: 1, 3, 4) = 3",
        ),
        (
            "weighted_average",
            [2, 3, 4],
            {"weight": 40},
            "The latest score counts 40% and the average of the earlier ones 60%, giving 3.1.",
            "0.4 × 4 + 0.6 × 2.5 (mean of 2, 3) = 3.1",
        ),
        (
            "weighted_average",
            [2, 3, 3, 4],
            {},
            "Recent work counts more: 65% the latest score, 35% the average of the earlier ones, "
            "giving 3.53.",
            "0.65 × 4 + 0.35 × 2.6667 (mean of 2, 3, 3) ≈ 3.53",
        ),
        (
            "n_mastery",
            [2, 1],
            {"n": 2, "threshold": 3},
            "No score at 3 or above yet (2 needed).",
            "scores at or above 3: none (0; 2 needed) → no score yet",
        ),
        (
            "n_mastery",
            [2, 3],
            {"n": 1, "threshold": 3},
            "One score reached 3 or above (1 needed), so it counts: 3.",
            "scores at or above 3: 3 (1; 1 needed) → 3",
        ),
        (
            "n_mastery",
            [2, 3, 4],
            {"n": 2, "threshold": 3},
            "2 scores reached 3 or above (2 needed): their average is 3.5.",
            "scores at or above 3: 3, 4 (2; 2 needed) → (3 + 4) ÷ 2 = 3.5",
        ),
        (
            "power_law",
            [2, 3],
            {},
            "2 scores are too few for a trend, so their average counts: 2.5.",
            "(2 + 3) ÷ 2 = 2.5",
        ),
        (
            "power_law",
            [3, 2, 4, 1, 3],
            {},
            "These 5 scores show no clear trend, so their average counts: 2.6.",
            "trend y ≈ 2.85 × x^-0.2 gives ≈ 2.06 at x = 5 (mean error ≈ 0.89); mean 2.6 "
            "(mean error ≈ 0.88); the mean is closer → 2.6",
        ),
        # One bound alone, crossed: this crashed before (the clamp named both bounds).
        (
            "power_law",
            [3, 1, "0.5", "0.5"],
            {"minimum": 1},
            "The trend across 4 scores points below the bottom of the scale, so it counts as 1.",
            "trend y ≈ 2.78 × x^-1.38 gives ≈ 0.41 at x = 4 (mean error ≈ 0.12); mean 1.25 "
            "(mean error ≈ 0.88); the trend is closer → kept at the bottom of the scale, 1 → 1",
        ),
        (
            "power_law",
            [1, 2, 3, 4],
            {"maximum": 3},
            "The trend across 4 scores points above the top of the scale, so it counts as 3.",
            "trend y ≈ 1 × x^1 gives 4 at x = 4 (mean error 0); mean 2.5 (mean error 1); "
            "the trend is closer → kept at the top of the scale, 3 → 3",
        ),
    ],
)
def test_explanations_of_the_other_cases(method, scores, params, sentence, arithmetic) -> None:
    got = explanation(method, scores, **params)
    assert (got.sentence, got.arithmetic) == (sentence, arithmetic)


def test_a_language_without_words_of_its_own_reads_english_with_its_own_numbers() -> None:
    """French is not in the tables: English words, French digits (2,75), never a crash."""
    got = explanation("mean", [2, "3.5"], "fr")
    assert got.sentence == "All 2 scores count the same: their average is 2,75."
    assert got.arithmetic == "(2 + 3,5) ÷ 2 = 2,75"


_SCORES = st.lists(
    st.sampled_from(["0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4"]), min_size=1
)


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(METHODS), scores=_SCORES, lang=st.sampled_from(["en", "es", "vi"]))
def test_the_precision_rule(method: str, scores: list[str], lang: str) -> None:
    """Sentences: every number has at most 2 decimals. Arithmetic: at most 4 (a step the next
    one is computed from), and the last number is the score, as the reader's language writes
    it."""
    params: dict[str, object] = {"threshold": 3, "minimum": 0, "maximum": 4}
    if method == "n_mastery":
        params["n"] = 2
    got = explanation(method, scores, lang, **params)
    sign = "," if lang in ("es", "vi") else "."
    decimals = re.compile(rf"\d{re.escape(sign)}(\d+)")
    assert all(len(d) <= locale.PLACES for d in decimals.findall(got.sentence)), got.sentence
    assert all(len(d) <= locale.STEP_PLACES for d in decimals.findall(got.arithmetic)), got
    score = calculate(method, scores, **params)
    if score is None:
        assert got.arithmetic.endswith(_WORDS[lang]["mastery_none"])
    else:
        shown = locale.number(score, lang)
        assert got.arithmetic.endswith(f" {shown}") or got.arithmetic.endswith(f": {shown}")
        assert f" {shown}." in got.sentence or got.sentence.endswith(f" {shown}.")
