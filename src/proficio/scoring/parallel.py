"""Scoring a large roster on both cores: students are independent, so the roster is cut into
consecutive parts, the later parts scored in forked children while this process scores the
first, and the parts' outputs come back in roster order.

A child starts with this process's objects (the school, the imported evidence) and hands back
only what its ``work`` returns, so the work should reduce a part's results to something compact
(the score files' text, a count): pickling 5,000 full results back costs more than scoring them.
That is why the transcript run keeps scoring in one process, streaming one result at a time to
its render workers, which already use every core.

Forking is only a speed-up (:class:`~proficio.support.forking.Forked`): a child that fails is
redone here, so an error is raised here, for the same student, exactly as in a serial run.
Small rosters, one core, or no ``fork`` (macOS, Windows, a threaded host): one process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..evidence.records import Student
from ..support.forking import Forked, can_fork, usable_cores

T = TypeVar("T")

FORK_MINIMUM = 2000
"""Fewer students than this are scored in one process: forking costs about 20 ms, a student
about 0.3 ms to score and write."""


def split(
    students: Sequence[Student], jobs: int = 0, *, minimum: int = FORK_MINIMUM
) -> list[list[Student]]:
    """The roster in consecutive parts, one per process to use (``jobs``; 0: every core), or
    whole when forking would not pay or cannot be done here."""
    students = list(students)
    jobs = min(jobs or usable_cores(), usable_cores(), len(students))
    if jobs <= 1 or len(students) < minimum or not can_fork():
        return [students]
    size = -(-len(students) // jobs)
    return [students[i : i + size] for i in range(0, len(students), size)]


def map_parts(
    work: Callable[[list[Student]], T],
    students: Sequence[Student],
    jobs: int = 0,
    *,
    minimum: int = FORK_MINIMUM,
) -> list[T]:
    """``work(part)`` for each part of :func:`split`, the first here and the others in forked
    children at the same time; the outputs in roster order."""
    parts = split(students, jobs, minimum=minimum)
    children = [Forked(work, part) for part in parts[1:]]
    done: list[T] = []
    try:
        done.append(work(parts[0]))
        for child in children:
            done.append(child.result())
    finally:
        for child in children[len(done) :]:
            child.cancel()
    return done
