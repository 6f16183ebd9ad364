"""The worked examples in docs-dev/scoring.md are what the tool computes and explains (the
sentence, then the arithmetic line)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from proficio.scoring import calculate, explanation

DOC = Path(__file__).resolve().parents[1] / "docs-dev" / "scoring.md"
EXAMPLE = re.compile(r"<!-- check: (\w+) ([^>]*?) -->\n```text\n(.*?)\n```", re.S)


def examples():
    found = []
    for method, args, line in EXAMPLE.findall(DOC.read_text(encoding="utf-8")):
        scores = [a for a in args.split() if "=" not in a]
        params = {k: int(v) for k, v in (a.split("=") for a in args.split() if "=" in a)}
        found.append(pytest.param(method, scores, params, line, id=f"{method}-{'-'.join(scores)}"))
    return found


def test_every_method_has_a_checked_example():
    assert {p.values[0] for p in examples()} == {
        "latest",
        "highest",
        "mean",
        "median",
        "mode",
        "weighted_average",
        "decaying_average",
        "n_mastery",
        "power_law",
    }


@pytest.mark.parametrize("method,scores,params,line", examples())
def test_doc_example_matches_the_tool(method, scores, params, line):
    got = explanation(method, scores, **params)
    assert f"{got.sentence}\n{got.arithmetic}" == line
    result = calculate(method, scores, **params)
    last = line.rsplit(" ", 1)[-1]
    if result is None:
        assert line.endswith("no score yet")
    else:
        assert result == Decimal(last)
