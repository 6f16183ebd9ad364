"""Names and parameters of calculation methods and level-completion rules.

One table serves the validator (allowed ranges in error messages) and the scoring code (defaults),
so a method's parameters are described once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    low: int
    high: int
    default: int | None
    """``None`` means the parameter must be given."""


CALCULATION_PARAMS: dict[str, tuple[Param, ...]] = {
    "latest": (),
    "highest": (),
    "mean": (),
    "median": (),
    "mode": (),
    "weighted_average": (Param("weight", 1, 99, 65),),
    "decaying_average": (Param("weight", 50, 99, 65),),
    "n_mastery": (Param("n", 1, 10, None),),
    "power_law": (),
}

COMPLETION_PARAMS: dict[str, tuple[Param, ...]] = {
    "all": (),
    "percent": (Param("percent", 1, 100, None),),
    "all_topics": (Param("percent", 1, 100, 100),),
}


def check_params(
    kind: str, name: str, given: dict[str, int], table: dict[str, tuple[Param, ...]]
) -> list[tuple[str | None, str]]:
    """Problems with ``given`` parameters of method or rule ``name``: ``(param, message)``."""
    problems: list[tuple[str | None, str]] = []
    params = {p.name: p for p in table.get(name, ())}
    for key, value in given.items():
        if key not in params:
            takes = f"it takes {', '.join(params)}" if params else "it takes no parameters"
            problems.append(
                (key, f"{kind} '{name}' has no parameter '{key}' ({takes}). Remove it.")
            )
            continue
        p = params[key]
        if not p.low <= value <= p.high:
            problems.append(
                (key, f"'{key}' of {kind} '{name}' is {value}; allowed: {p.low}-{p.high}.")
            )
    for p in params.values():
        if p.default is None and p.name not in given:
            problems.append((None, f"{kind} '{name}' needs '{p.name}' ({p.low}-{p.high}). Add it."))
    return problems


def resolved(
    name: str, given: dict[str, int], table: dict[str, tuple[Param, ...]]
) -> dict[str, int]:
    """``given`` with defaults filled in."""
    out = {p.name: p.default for p in table.get(name, ()) if p.default is not None}
    out.update(given)
    return out
