"""Calculation methods against hand-worked examples from their published definitions.

Sources cited per test:
- [issue] Proficio issue 5, which states each method's definition and two worked examples.
- [canvas] Canvas LMS outcome rollup specs (instructure/canvas-lms, the outcome results rollup
  service spec): scores [1, 2, 3, 4, 5] out of 5, calculation_int 65: "Legacy decaying average:
  (5 * 0.65) + ((1+2+3+4)/4 * 0.35) = 3.25 + 0.875 = 4.125" expected 4.13 (Canvas stores our
  weighted_average as ``decaying_average``); "True decaying average: [1,2] -> 1.65,
  [1.65,3] -> 2.5275, [2.5275,4] -> 3.485, [3.485,5] -> 4.47" (``standard_decaying_average``);
  n_mastery with mastery 3: N=3 gives 4 (mean of 3, 4, 5), N=4 gives no score; average of
  [2, 4, 3] is 3.0 and highest is 4.
- [marzano] Marzano's power law of learning as the issue states it: least squares on
  (ln x, ln y), the fitted value at the last attempt, or the mean if that fits the scores better.
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import pytest

from proficio.scoring import calculate, explain, round_score

D = Decimal


# --- [canvas] ---------------------------------------------------------------------------------


def test_weighted_average_canvas_legacy_decaying_average():
    assert calculate("weighted_average", [1, 2, 3, 4, 5], weight=65) == D("4.13")


def test_decaying_average_canvas_standard_decaying_average_steps():
    scores = [1, 2, 3, 4, 5]
    steps = [calculate("decaying_average", scores[:k], weight=65) for k in range(2, 6)]
    # Exactly: 1.65, 2.5275, 3.484625 (Canvas's comment shows it as 3.485), 4.46961875.
    assert steps == [D("1.65"), D("2.53"), D("3.48"), D("4.47")]


def test_n_mastery_canvas_reached_and_not_reached():
    assert calculate("n_mastery", [1, 2, 3, 4, 5], n=3, threshold=3) == D("4")
    assert calculate("n_mastery", [1, 2, 3, 4, 5], n=4, threshold=3) is None


def test_mean_and_highest_canvas():
    assert calculate("mean", [2, 4, 3]) == D("3")
    assert calculate("highest", [2, 4, 3]) == D("4")


# --- [issue] ----------------------------------------------------------------------------------


def test_issue_examples():
    assert calculate("weighted_average", [2, 3, 4], weight=65) == D("3.48")  # 3.475
    assert calculate("decaying_average", [2, 3, 4], weight=65) == D("3.53")  # 3.5275
    assert calculate("weighted_average", [2, 3, 4]) == D("3.48")  # default weight 65


@pytest.mark.parametrize(
    "method,params",
    [
        ("latest", {}),
        ("highest", {}),
        ("mean", {}),
        ("median", {}),
        ("mode", {}),
        ("weighted_average", {"weight": 65}),
        ("decaying_average", {"weight": 65}),
        ("power_law", {}),
        ("n_mastery", {"n": 1, "threshold": 3}),
    ],
)
def test_one_score_gives_that_score_and_no_scores_give_none(method, params):
    assert calculate(method, [D("3.5")], **params) == D("3.5")
    assert calculate(method, [], **params) is None


def test_latest_is_the_last_score():
    assert calculate("latest", [4, 1, D("2.5")]) == D("2.5")


def test_median_odd_and_even():
    assert calculate("median", [4, 1, 3]) == D("3")
    assert calculate("median", [4, 1, 3, 2]) == D("2.5")  # (2 + 3) / 2


def test_mode_ties_go_to_the_higher_score():
    assert calculate("mode", [2, 3, 3, 2]) == D("3")
    assert calculate("mode", [1, 2, 2, 4]) == D("2")
    assert calculate("mode", [D("2.5"), D("1.5")]) == D("2.5")


def test_n_mastery_uses_all_scores_at_or_above_not_only_n():
    # N = 2 reached with 3 and 4; the later 3.5 also counts: (3 + 4 + 3.5) / 3 = 3.5
    assert calculate("n_mastery", [2, 3, 4, D("3.5")], n=2, threshold=3) == D("3.5")
    assert calculate("n_mastery", [2, 3, D("2.5")], n=2, threshold=3) is None


def test_threshold_not_three():
    # A 1-5 industry scale with threshold 4: scores of 3 do not count towards mastery.
    assert calculate("n_mastery", [3, 3, 4, 3, 5], n=2, threshold=4) == D("4.5")
    assert calculate("n_mastery", [3, 3, 4, 3], n=2, threshold=4) is None


def test_half_points():
    assert calculate("mean", [D("2.5"), D("3.5"), 3]) == D("3")
    assert calculate("decaying_average", [D("1.5"), D("2.5")], weight=50) == D("2")
    assert calculate("weighted_average", ["2,5", "3.5"], weight=65) == D("3.15")  # 2.275 + 0.875


def test_rounding_half_away_from_zero_on_the_decimal_value():
    assert round_score("3.475") == D("3.48")
    assert round_score("3.465") == D("3.47")  # float round(3.465, 2) gives 3.46
    assert round_score("-1.005") == D("-1.01")
    # 0.65 x 3.5 + 0.35 x (1/7) = 2.325 exactly: an inexact mean must not round it down.
    assert calculate("weighted_average", [D("0.5"), D("0.5"), 0, 0, 0, 0, 0, D("3.5")]) == D("2.33")


def test_scale_supplies_threshold_and_range():
    from pathlib import Path

    from proficio import load_school

    school = load_school(Path(__file__).parent / "fixtures" / "scoring-school")
    five = school.scales["five"]
    assert calculate("n_mastery", [3, 4, 5], n=2, scale=five) == D("4.5")
    assert calculate("power_law", [1, 2, 3, 4, 5], scale=five) <= D("5")


def test_results_have_two_decimals():
    assert str(calculate("mean", [3, 4])) == "3.50"
    assert str(calculate("latest", [3])) == "3.00"


# --- [marzano] --------------------------------------------------------------------------------


def test_power_law_fewer_than_three_scores_is_the_mean():
    assert calculate("power_law", [2, 3]) == D("2.5")


def test_power_law_on_an_exact_power_curve():
    # y = 2 x^0.5 at x = 1..4: the fit is exact, so the trend (4.0 at x = 4) beats the mean.
    scores = [2 * math.sqrt(x) for x in range(1, 5)]
    assert calculate("power_law", scores) == D("4")


def _reference_trend(scores):
    """Marzano's rule computed independently with the standard library's least squares."""
    n = len(scores)
    lx = [math.log(x) for x in range(1, n + 1)]
    ly = [math.log(max(float(s), 0.1)) for s in scores]
    slope, intercept = statistics.linear_regression(lx, ly)
    fitted = [math.exp(intercept) * x**slope for x in range(1, n + 1)]
    fit_error = sum(abs(f - float(s)) for f, s in zip(fitted, scores, strict=True)) / n
    mean = sum(D(str(s)) for s in scores) / n
    mean_error = sum(abs(float(mean) - float(s)) for s in scores) / n
    return fitted[-1], fit_error, mean, mean_error


def test_power_law_matches_an_independent_least_squares_fit():
    scores = [1, 2, D("2.5"), D("3.5")]
    fit, fit_error, _, mean_error = _reference_trend(scores)
    assert fit_error < mean_error
    assert calculate("power_law", scores) == round_score(repr(fit))


def test_power_law_reports_the_mean_when_it_fits_better():
    scores = [3, 2, 4, 1, 3]
    _, fit_error, mean, mean_error = _reference_trend(scores)
    assert mean_error < fit_error
    assert calculate("power_law", scores) == round_score(mean) == D("2.6")


def test_power_law_is_clamped_to_the_scale():
    scores = [1, 2, D("2.5"), D("3.5"), 4]  # the trend at x = 5 is about 4.09
    assert calculate("power_law", scores) > D("4")
    assert calculate("power_law", scores, minimum=0, maximum=4) == D("4")


def test_power_law_scores_of_zero_are_floored_before_the_log():
    assert calculate("power_law", [0, 0, 0], minimum=0, maximum=4) == D("0")


# --- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,params,needle",
    [
        ("decaying_average", {"weight": 40}, "50-99"),
        ("weighted_average", {"weight": 100}, "1-99"),
        ("n_mastery", {"threshold": 3}, "1-10"),
        ("n_mastery", {"n": 11, "threshold": 3}, "1-10"),
        ("latest", {"weight": 65}, "takes no parameters"),
        ("n_mastery", {"n": 2}, "threshold"),
        ("averge", {}, "weighted_average"),
    ],
)
def test_bad_parameters_name_the_allowed_range(method, params, needle):
    with pytest.raises(ValueError, match=needle):
        calculate(method, [3], **params)


def test_bad_scores_are_refused():
    with pytest.raises(ValueError, match="not a number"):
        calculate("mean", ["three"])
    with pytest.raises(ValueError, match="not a number"):
        calculate("mean", [True])


# --- explanations -------------------------------------------------------------------------------


def test_explain_decaying_average_matches_the_brief():
    assert (
        explain("decaying_average", [2, 3, 4])
        == "2 → 0.35 × 2 + 0.65 × 3 = 2.65 → 0.35 × 2.65 + 0.65 × 4 = 3.5275 ≈ 3.53"
    )


def test_explain_weighted_average_matches_the_brief():
    assert (
        explain("weighted_average", [2, 3, 4])
        == "0.65 × 4 + 0.35 × 2.5 (mean of 2, 3) = 3.475 ≈ 3.48"
    )


@pytest.mark.parametrize(
    "method,scores,params,expected",
    [
        ("latest", [2, 3, 4], {}, "latest of 2, 3, 4 = 4"),
        ("highest", [2, 4, 3], {}, "highest of 2, 4, 3 = 4"),
        ("mean", [2, 3, 3], {}, "(2 + 3 + 3) ÷ 3 ≈ 2.67"),
        (
            "median",
            [4, 1, 3, 2],
            {},
            "median of 4, 1, 3, 2 (in order: 1, 2, 3, 4) = (2 + 3) ÷ 2 = 2.5",
        ),
        (
            "mode",
            [2, 3, 3, 2],
            {},
            "most frequent of 2, 3, 3, 2: 2, 3 (2 times each), the higher is 3",
        ),
        (
            "n_mastery",
            [2, 3, 4],
            {"n": 2, "threshold": 3},
            "scores at or above 3: 3, 4 (2; 2 needed) → (3 + 4) ÷ 2 = 3.5",
        ),
        (
            "n_mastery",
            [2, 3],
            {"n": 2, "threshold": 3},
            "scores at or above 3: 3 (1; 2 needed) → no score yet",
        ),
        ("mean", [], {}, "no scores yet: no score yet"),
    ],
)
def test_explain_lines(method, scores, params, expected):
    assert explain(method, scores, **params) == expected


def test_explain_spanish_and_last_number_is_the_score():
    line = explain("n_mastery", [2, 3], lang="es", n=2, threshold=3)
    assert line == "puntajes de 3 o más: 3 (1; se necesitan 2) → sin puntaje todavía"
    for method in ("power_law", "decaying_average", "mean", "median"):
        scores = [1, 2, D("2.5"), D("3.5"), 4]
        result = calculate(method, scores, minimum=0, maximum=4)
        assert explain(method, scores, minimum=0, maximum=4).endswith(f"{result.normalize():f}")


def test_explain_one_score():
    assert explain("decaying_average", [D("3.5")]) == "one score: 3.5"
    assert explain("mode", [3], lang="es") == "un solo puntaje: 3"
