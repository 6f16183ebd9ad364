"""Work handed to a forked second process on a large school: half the YAML, other languages' pages.

A build is single-threaded Python, and the machines schools build on (CI runners, a laptop)
have a second core standing idle. Forking lends it work without pickling anything on the way
in: the child starts with the parent's objects (the loaded school) and hands back only its
result. Forking is only ever a speed-up: if the child cannot run or fails, the parent does the
work itself, so errors surface in the parent exactly as in a serial run.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import IO, Any, Generic, TypeVar

from .allocation import no_collection

T = TypeVar("T")

_UNSET: Any = object()


def can_fork() -> bool:
    """Whether forking is safe and useful here: Linux (where fork is the cheap, native start),
    a second core to run the child, no other thread alive, and not inside a daemonic process.
    Under ``mkdocs serve`` the file watcher and server threads could be copied holding a lock,
    so its rebuilds run in one process."""
    return (
        sys.platform == "linux"
        and len(os.sched_getaffinity(0)) > 1
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


class Forked(Generic[T]):
    """``fn(*args)`` started in a forked child; :meth:`result` collects it (or computes it here).

    The child writes its pickled result to an unnamed temporary file (gone whatever happens)
    and exits: reading it back at once is faster than a pipe the child would block on."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self.fn, self.args = fn, args
        self._value: T = _UNSET
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result() or cancel())
        context = multiprocessing.get_context("fork")
        self._child = context.Process(target=_run, args=(self._file, fn, args), daemon=True)
        self._child.start()

    def result(self) -> T:
        """The child's result; if the child failed or died, ``fn(*args)`` computed in this
        process (which raises here what the child hit)."""
        if self._value is _UNSET:
            self._child.join()
            if self._child.exitcode == 0:
                self._file.seek(0)
                with no_collection():  # in a build's large heap, collections tripled the time
                    self._value = pickle.load(self._file)
            self._file.close()
            if self._value is _UNSET:
                self._value = self.fn(*self.args)
        return self._value

    def cancel(self) -> None:
        """Give up on a result that will not be asked for: stop the child and reap it."""
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._file.close()


def _run(file: IO[bytes], fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        pickle.dump(fn(*args), file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
    except BaseException:  # the parent redoes the work and reports the error itself
        raise SystemExit(1) from None
