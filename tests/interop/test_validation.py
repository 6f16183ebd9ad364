"""The official schemas are used offline: registered by $id, never fetched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from referencing.exceptions import Unresolvable

from proficio.interop import validation

PACKAGES = Path(__file__).parents[1] / "fixtures" / "case"


def test_every_schema_is_registered_by_its_id() -> None:
    registry = validation.registry()
    for schema_id in (
        validation.CASE_PACKAGE,
        validation.CLR_CREDENTIAL,
        validation.OB_ACHIEVEMENT_CREDENTIAL,
    ):
        assert registry.contents(schema_id)["$id"] == schema_id


def test_unknown_references_fail_instead_of_being_fetched() -> None:
    resolver = validation.registry().resolver()
    with pytest.raises(Unresolvable):
        resolver.lookup("https://purl.imsglobal.org/spec/clr/v2p0/schema/json/not-shipped.json")


def test_case_1_0_exports_fail_the_strict_1_1_schema() -> None:
    # the SBAC packages carry CFDocumentURI on every node, which CASE 1.1 forbids, and
    # CFItemTypes without the description 1.1 requires; SmartLevel has neither, and passes
    sbac = json.loads((PACKAGES / "sbac_hs_math_c1_th_cfpackage.json").read_text())
    problems = validation.errors(sbac, validation.CASE_PACKAGE)
    assert any("'CFDocumentURI' was unexpected" in p for p in problems)
    assert any("'CFPackageURI' was unexpected" in p for p in problems)
    assert all(
        "URI' was unexpected" in p or "'description' is a required property" in p for p in problems
    )
    smart = json.loads((PACKAGES / "opensalt_test_SmartLevelFramework.json").read_text())
    assert validation.errors(smart, validation.CASE_PACKAGE) == []
