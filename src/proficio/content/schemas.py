"""JSON Schema validation of content files, with messages a teacher can act on.

The schemas in ``schemas/`` are the single description of each file kind: editors use them for
completion, and this module uses them to validate. A jsonschema error's path is mapped back to the
YAML node's line and column.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

# jsonschema ships no types and types-jsonschema is not among the project's dependencies.
from jsonschema import Draft202012Validator, ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource

from .diagnostics import Diagnostic
from .yamlfile import PathKey, YamlDocument

KINDS = ("school", "scale", "subject", "level")


def schemas_dir() -> Path:
    """The schema folder: packaged beside the code in a wheel, at the repo root in a checkout."""
    packaged = Path(str(resources.files("proficio"))) / "schemas"
    if (packaged / "common.schema.json").is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "schemas"


def _store() -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in schemas_dir().glob("*.schema.json")
    }


def _inline(node: Any, here: dict[str, Any], store: dict[str, dict[str, Any]]) -> Any:
    """``node`` with every ``$ref`` replaced by what it points at (our schemas are not recursive)."""
    if isinstance(node, list):
        return [_inline(n, here, store) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        file, _, pointer = node["$ref"].partition("#")
        root = store[file] if file else here
        target: Any = root
        for part in filter(None, pointer.split("/")):
            target = target[part]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, root, store)
    return {k: _inline(v, here, store) for k, v in node.items() if k != "$defs"}


@cache
def _fast_check(kind: str) -> Any:
    """A compiled yes/no check (fastjsonschema, ~50x faster than walking with jsonschema).

    Valid files, the vast majority, take only this path; a file it rejects is validated again
    with jsonschema, which gives the paths and details our messages need.
    """
    try:
        import fastjsonschema
    except ImportError:  # optional speed-up
        return None
    store = _store()
    schema = _inline(store[f"{kind}.schema.json"], store[f"{kind}.schema.json"], store)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    # Only yes/no is needed here: without the per-rule error details the generated code is a
    # third of the size and compiles ~3x faster (a fixed cost of every load).
    return fastjsonschema.compile(schema, detailed_exceptions=False)


@cache
def validator(kind: str) -> Draft202012Validator:
    folder = schemas_dir()
    registry: Registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text(encoding="utf-8"))))
        for p in folder.glob("*.schema.json")
    )
    schema = json.loads((folder / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry)


def validate(doc: YamlDocument, kind: str) -> list[Diagnostic]:
    """Every schema error of ``doc``, one diagnostic per offending node."""
    fast = _fast_check(kind)
    if fast is not None:
        try:
            fast(doc.data)
            return []
        except ValueError:  # JsonSchemaValueException: let jsonschema explain the rejection
            pass
    found: dict[tuple[int, int, str], Diagnostic] = {}
    leaves = [leaf for error in validator(kind).iter_errors(doc.data) for leaf in _leaves(error)]
    # A value of the wrong type (.inf for a level) is told once, not also as out of range.
    mistyped = {tuple(leaf.absolute_path) for leaf in leaves if leaf.validator == "type"}
    for leaf in leaves:
        where = tuple(leaf.absolute_path)
        if leaf.validator in ("minimum", "maximum") and (
            where in mistyped or where[-2:-1] in (("calculation",), ("completion",))
        ):
            # A method's parameter is told by the loader with that method's own range
            # (parameters.check_params); the schema's range is the widest, for editors.
            continue
        diag = _diagnose(doc, leaf)
        found.setdefault((diag.line, diag.column, diag.message), diag)
    return list(found.values())


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf errors, the branch errors that went deepest are the helpful ones,
    unless every branch failed at the node itself (then the anyOf error speaks for it)."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    if "x-expected" in error.schema:
        deeper = [e for e in error.context if len(e.absolute_path) > len(error.absolute_path)]
        if not deeper:
            return [error]
        return [e for leaf in deeper for e in _leaves(leaf)]
    return [error]


def _short(value: Any) -> str:
    """A value as a message quotes it: at most 40 characters, so a pasted page (or whatever a
    file holds) is not echoed whole."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, (int, float)):
        return f"the number {_short(value)}"
    if isinstance(value, str):
        return f"the text '{_short(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map of keys and values"
    return "nothing" if value is None else type(value).__name__


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "object": "a map of keys and values",
    "array": "a list",
    "boolean": "true or false",
}


def _diagnose(doc: YamlDocument, error: ValidationError) -> Diagnostic:
    path = tuple(error.absolute_path)
    v = error.validator
    schema = error.schema
    where = _field_name(path)
    expected = schema.get("x-expected") if isinstance(schema, dict) else None

    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in error.instance if k not in schema.get("properties", {})]
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"Did you mean '{close[0]}'?" if close else f"Allowed fields: {', '.join(allowed)}."
        return doc.diagnostic(
            (*path, key), f"unknown field '{key}'{_in(path)}. {hint}", "unknown-field", key=True
        )
    if v == "propertyNames":
        return doc.diagnostic(
            (*path, error.instance),
            f"'{_short(error.instance)}' is not {expected or 'an allowed key'}.",
            "bad-key",
            key=True,
        )
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return doc.diagnostic(
            path,
            f"missing required field '{missing}'{_in(path)}. Add it.",
            "missing-field",
            key=bool(path),
        )
    if v == "type" and error.instance is None:
        return doc.diagnostic(
            path,
            f"{where} is empty. Give it a value (a text with a comma inside {{...}} must "
            "be put in quotes).",
            "empty-value",
            key=True,
        )
    if v == "type" and expected:
        return doc.diagnostic(
            path, f"{where} should be {expected}, not {_describe(error.instance)}.", "wrong-type"
        )
    if v == "type":
        wanted = schema["type"]
        names = [wanted] if isinstance(wanted, str) else wanted
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return doc.diagnostic(
            path, f"{where} should be {want}, not {_describe(error.instance)}.", "wrong-type"
        )
    if v in ("anyOf", "oneOf") and expected:
        return doc.diagnostic(
            path, f"{where} should be {expected}, not {_describe(error.instance)}.", "wrong-type"
        )
    if v == "enum":
        options = ", ".join(str(o) for o in schema["enum"])
        close = difflib.get_close_matches(
            _short(error.instance), [str(o) for o in schema["enum"]], n=1
        )
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return doc.diagnostic(
            path,
            f"{where} is '{_short(error.instance)}'; it must be one of: {options}.{hint}",
            "bad-value",
        )
    if v == "pattern":
        return doc.diagnostic(
            path,
            f"{where} '{_short(error.instance)}' is not {expected or 'in the expected form'}.",
            "bad-value",
        )
    if v in ("minItems", "minProperties", "minLength"):
        return doc.diagnostic(path, f"{where} is empty. Fill it in or remove it.", "empty-value")
    if v == "uniqueItems":
        return doc.diagnostic(path, f"{where} lists the same value twice.", "duplicate-value")
    if v in ("minimum", "maximum"):
        return doc.diagnostic(path, _out_of_range(where, error.instance, schema), "bad-value")
    if v in ("maxItems", "maxProperties"):
        limit = schema.get("maxItems", schema.get("maxProperties"))
        return doc.diagnostic(
            path,
            f"{where} has {len(error.instance)} entries; at most {limit} are allowed. Remove some.",
            "too-many",
        )
    return doc.diagnostic(path, f"{where}: {error.message}.", "schema")


def _out_of_range(where: str, value: float, schema: dict[str, Any]) -> str:
    """The bound a number broke, the allowed range and what to write instead."""
    low, high = schema.get("minimum"), schema.get("maximum")
    what = "a whole number" if schema.get("type") == "integer" else "a number"
    if low is not None and high is not None:
        allowed = f"from {low} to {high}"
    elif low is not None:
        allowed = f"of at least {low}"
    else:
        allowed = f"of at most {high}"
    broken = f"below {low}" if low is not None and value < low else f"above {high}"
    return f"{where} is {_short(value)}, {broken}. Use {what} {allowed}."


def _field_name(path: PathKey) -> str:
    names = [p for p in path if isinstance(p, str)]
    return f"'{names[-1]}'" if names else "this value"


def _in(path: PathKey) -> str:
    names = [p for p in path if isinstance(p, str)]
    return f" in '{names[-1]}'" if names else ""
