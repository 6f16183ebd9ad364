"""Offline validation against the official 1EdTech JSON Schemas shipped in ``schemas/``.

The schemas are registered by their ``$id`` in a ``referencing.Registry``: any ``$ref`` between
them resolves locally, and anything not registered fails instead of being fetched.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# jsonschema ships no types and types-jsonschema is not among the project's dependencies.
from jsonschema import Draft201909Validator  # type: ignore[import-untyped]  # no stubs installed
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

CASE_PACKAGE = (
    "https://purl.imsglobal.org/spec/case/v1p1/schema/json/case_v1p1_cfpackage-jsonschema1.json"
)
CLR_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
OB_ACHIEVEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def _refuse(uri: str) -> Resource:
    """Never retrieve a schema over the network: an unknown reference is an error."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # referencing's dataclass transform is pyright-only


@cache
def registry() -> Registry:
    folder = resources.files("proficio.interop") / "schemas"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            found.append((contents["$id"], Resource.from_contents(contents)))
    # referencing marks its attrs classes with the legacy ``__dataclass_transform__`` (pyright
    # only), so mypy sees no ``retrieve`` field.
    return Registry(retrieve=_refuse).with_resources(found)  # type: ignore[call-arg]


@cache
def validator(schema_id: str) -> Draft201909Validator:
    schema = registry().contents(schema_id)
    return Draft201909Validator(
        schema, registry=registry(), format_checker=Draft201909Validator.FORMAT_CHECKER
    )


def errors(instance: Any, schema_id: str) -> list[str]:
    """Every validation error as ``path: message``, in a stable order (empty when valid)."""
    found = []
    for error in validator(schema_id).iter_errors(instance):
        path = "/".join(str(p) for p in error.absolute_path) or "(top)"
        found.append(f"{path}: {error.message}")
    return sorted(found)
