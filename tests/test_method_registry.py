"""A calculation method is named in a few places (listed in docs-dev/architecture.md); these
tests fail when one of them is missed, so adding a method cannot half-succeed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from proficio.content.parameters import CALCULATION_PARAMS
from proficio.scoring import METHODS, calculate, explain
from proficio.site.strings import STRINGS
from proficio.support.numbers import decimal_text
from proficio.transcripts.strings import METHODS as LEGEND

ROOT = Path(__file__).resolve().parents[1]


def _params(method: str) -> dict[str, object]:
    given: dict[str, object] = {p.name: p.default or p.low for p in CALCULATION_PARAMS[method]}
    return {**given, "threshold": Decimal(3), "minimum": Decimal(0), "maximum": Decimal(4)}


def test_the_schema_offers_exactly_the_methods_the_code_knows() -> None:
    common = json.loads((ROOT / "schemas" / "common.schema.json").read_text(encoding="utf-8"))
    found: list[list[str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "decaying_average" in (node.get("enum") or []):
                found.append(node["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(common)
    assert found == [list(METHODS)]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_scores_explains_and_is_described_in_every_language(method: str) -> None:
    scores = [2, 3, 4, 3]
    value = calculate(method, scores, **_params(method))
    line = explain(method, scores, **_params(method))
    assert value is not None and decimal_text(value) in line, line
    for lang, strings in STRINGS.items():
        assert f"calc.{method}" in strings, (lang, method)
    # The transcript legend describes every method in every language it is written in.
    for lang, sentences in LEGEND.items():
        assert method in sentences, (lang, method)
