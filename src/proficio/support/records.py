"""Frozen dataclasses made without their generated ``__init__``, on the paths that make millions
of them (an import's evidence rows, a school's target results).

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; filling the new
instance's ``__dict__`` in field order gives the same object (equal, same hash, still frozen)
about 1 µs faster. That is only right while the class is a plain one: :func:`fills_dict` says
so, and a caller uses the real constructor when it is not.
"""

from __future__ import annotations

import dataclasses


def fills_dict(cls: type, names: tuple[str, ...]) -> bool:
    """Whether an instance of the dataclass ``cls`` may be made by filling its ``__dict__``
    with ``names``: they are exactly its fields in order, and it has no ``__slots__`` (then no
    ``__dict__``) nor ``__post_init__`` (which would be skipped)."""
    return (
        tuple(f.name for f in dataclasses.fields(cls)) == names
        and not hasattr(cls, "__post_init__")
        and not hasattr(cls, "__slots__")
    )
