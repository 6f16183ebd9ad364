"""What exists on a target before (or besides) a current score, for every calculation method.

Each row is a crafted student's scores on one target (oldest first) and the facts a report
builds its words from: how many scores, how many at or above the threshold and how many the
method needs, the direction, the latest score, and the distance to proficiency that orders the
next targets. The expected values are worked by hand in the comments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from transcript_helpers import school

from proficio.content.model import Calculation
from proficio.evidence.records import Evidence
from proficio.scoring.methods import METHODS, Rule, calculate
from proficio.scoring.progress import Progress, closeness, facts, of_result, trend
from proficio.scoring.results import TargetResult

D = Decimal
F = Fraction

# method, params, scale, scores, (score, at_or_above, needed, trend, distance)
CASES = [
    # the latest: 2.5; one score (3.5) reached 3; slope 3·8.5 − 3·8 > 0; (3 − 2.5)/3
    ("latest", {}, "marzano-4", ["2", "3.5", "2.5"], ("2.5", 1, None, "up", F(1, 6))),
    ("highest", {}, "marzano-4", ["1", "2", "2.5"], ("2.5", 0, None, "up", F(1, 6))),
    # mean 7/3 -> 2.33; slope 3·7 − 3·7 = 0; (3 − 2.33)/3 = 0.67/3
    ("mean", {}, "marzano-4", ["2", "3", "2"], ("2.33", 1, None, "steady", F(67, 300))),
    # median 2; slope 3·5 − 3·6 < 0
    ("median", {}, "marzano-4", ["3", "1", "2"], ("2", 1, None, "down", F(1, 3))),
    ("mode", {}, "marzano-4", ["2", "2", "3"], ("2", 1, None, "up", F(1, 3))),
    # 0.65·3 + 0.35·2 = 2.65; (3 − 2.65)/3
    (
        "weighted_average",
        {"weight": 65},
        "marzano-4",
        ["2", "3"],
        ("2.65", 1, None, "up", F(7, 60)),
    ),
    # 0.35·4 + 0.65·2 = 2.7; (3 − 2.7)/3
    (
        "decaying_average",
        {"weight": 65},
        "marzano-4",
        ["4", "2"],
        ("2.7", 1, None, "down", F(1, 10)),
    ),
    # trend of 1, 2, 2 fits best: 2.22; (3 − 2.22)/3
    ("power_law", {}, "marzano-4", ["1", "2", "2"], ("2.22", 0, None, "up", F(78, 300))),
    # one 5 of the 2 scores at 4 needed: the one missing is the next one, nothing below 4 yet
    ("n_mastery", {"n": 2}, "cte-5", ["5"], (None, 1, 2, None, F(0))),
    # 1 of 2 so far; the latest (3) is 1 of the 3 points below 4: (0 + 1/3)/2
    ("n_mastery", {"n": 2}, "cte-5", ["3", "5", "3"], (None, 1, 2, "steady", F(1, 6))),
    # none of 3 yet; two missing whole, the latest 3 a third below 4: (2 + 1/3)/3
    ("n_mastery", {"n": 3}, "cte-5", ["2", "3"], (None, 0, 3, "up", F(7, 9))),
    # marzano-4 threshold 3: 2.5 is 1/6 of the way below, none at 3 of 1 needed
    ("n_mastery", {"n": 1}, "marzano-4", ["2", "2.5"], (None, 0, 1, "up", F(1, 6))),
]


@pytest.mark.parametrize(
    ("method", "params", "scale_id", "scores", "expected"),
    CASES,
    ids=[f"{c[0]}-{'-'.join(c[3])}" for c in CASES],
)
def test_facts_per_method(method, params, scale_id, scores, expected):
    scale = school().scales[scale_id]
    rule = Rule.of(Calculation(method, **params), scale)
    values = [D(s) for s in scores]
    days = [date(2026, 3, 2 + 7 * i) for i in range(len(values))]
    got = facts(rule, values, days)
    score, at, needed, direction, distance = expected
    assert got.score == (None if score is None else D(score))
    assert got.score == calculate(method, values, scale=scale, **params)  # the engine's own
    assert (got.count, got.at_or_above, got.needed) == (len(values), at, needed)
    assert got.trend == direction
    assert got.distance == distance
    assert (got.latest, got.latest_date) == (values[-1], days[-1])
    assert got.threshold == scale.threshold
    assert got.proficient is False
    assert got.assessed is True
    # "no score yet" is only ever the n_mastery count still to fill
    assert got.pending is (score is None)
    assert got.still_needed == (max(0, needed - at) if needed else 0)


def test_every_method_has_a_case():
    assert {c[0] for c in CASES} == set(METHODS)


def test_nothing_assessed_is_the_farthest():
    rule = Rule.of(Calculation("n_mastery", n=2), school().scales["cte-5"])
    got = facts(rule, [])
    assert (got.count, got.score, got.trend, got.latest, got.latest_date) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert (got.assessed, got.pending, got.distance, got.still_needed) == (False, False, 1, 2)


def test_proficient_is_no_distance():
    rule = Rule.of(Calculation("n_mastery", n=2), school().scales["cte-5"])
    got = facts(rule, [D(4), D(2), D(5)])
    assert (got.score, got.proficient, got.distance, got.still_needed) == (D("4.5"), True, 0, 0)


@pytest.mark.parametrize(
    ("scores", "direction"),
    [
        ([], None),
        (["3"], None),
        (["2", "3"], "up"),
        (["3", "2"], "down"),
        (["3", "3"], "steady"),
        (["2", "4", "3"], "up"),  # fell once, heading up: the slope, not first against last
        (["4", "2", "3"], "down"),
        (["1", "3", "3", "1"], "steady"),
    ],
)
def test_trend_is_the_slope_sign(scores, direction):
    assert trend([D(s) for s in scores]) == direction


def test_closeness_orders_next_targets():
    """Closest first: a proficient score still missing, then the smallest gap; nothing
    assessed last; equal keys keep their order (sorted is stable)."""
    cte = school().scales["cte-5"]
    mastery = Rule.of(Calculation("n_mastery", n=2), cte)
    decaying = Rule.of(Calculation("decaying_average", weight=65), cte)
    rows: list[tuple[str, Progress]] = [
        ("none-1", facts(mastery, [])),
        ("two-3s", facts(mastery, [D(3), D(3)])),  # (1 + 1/3)/2 = 2/3
        ("one-5", facts(mastery, [D(5)])),  # 0
        ("none-2", facts(mastery, [])),
        ("decaying-3.65", facts(decaying, [D(3), D(4)])),  # 3.65: 0.35/3 = 7/60
        ("one-4-then-2", facts(mastery, [D(4), D(2)])),  # (0 + 2/3)/2 = 1/3
    ]
    order = [name for name, p in sorted(rows, key=lambda r: closeness(r[1]))]
    assert order == ["one-5", "decaying-3.65", "one-4-then-2", "two-3s", "none-1", "none-2"]


def test_of_result_reads_the_evidence():
    cte = school().scales["cte-5"]
    calc = Calculation("n_mastery", n=2)
    evidence = [
        Evidence("S-1", "WE.L1.SF.1", D(s), date(2026, 1, d), "Task", "test")
        for s, d in (("3", 5), ("5", 12), ("3", 19))
    ]
    got = of_result(TargetResult("WE.L1.SF.1", None, False, calc, evidence), cte)
    assert (got.count, got.at_or_above, got.needed, got.still_needed) == (3, 1, 2, 1)
    assert (got.latest, got.latest_date, got.pending) == (D(3), date(2026, 1, 19), True)


def test_a_rule_without_threshold_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        facts(Rule("mean"), [D(2)])
