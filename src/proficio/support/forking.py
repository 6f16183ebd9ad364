"""Work handed to a forked second process on a large school: half the YAML, other languages' pages.

A build is single-threaded Python, and the machines schools build on (CI runners, a laptop)
have a second core standing idle. Forking lends it work without pickling anything on the way
in: the child starts with the parent's objects (the loaded school) and hands back only its
result. Forking is only ever a speed-up: if the child cannot run or fails, the parent does the
work itself, so errors surface in the parent exactly as in a serial run.

A helper process never outlives the process it works for: :func:`die_with` (used by the child
here and by the transcript workers) kills it when that process ends, even by ``kill -9``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import select
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any, Generic, TypeVar

from .allocation import no_collection

T = TypeVar("T")

_UNSET: Any = object()

_PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal the kernel sends this process when its parent thread ends."""

_POLL_SECONDS = 0.2
"""How often a watcher without ``pidfd_open`` looks whether the process it serves is gone."""


def _set_parent_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (Linux): the kernel kills this process as soon as its
    parent ends, however it ends. Whether that could be set."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _watch(owner: int, parent: int, pidfd: int | None) -> None:
    """Wait (in a daemon thread) for ``owner`` to end, or this process's parent to change, and
    then end this process at once: its work is no longer wanted by anyone."""
    if pidfd is not None:
        select.select([pidfd], [], [])  # readable when the process has ended
    else:
        while os.getppid() == parent and not _gone(owner):
            time.sleep(_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)


def die_with(owner: int) -> None:
    """End this helper process when process ``owner`` (the one it works for) ends, even by
    ``kill -9``: the kernel's parent-death signal when ``owner`` is the parent, and a watcher
    thread otherwise (a worker started by a fork server, whose parent is the server) or where
    the kernel has no such signal (the parent's pid changing is the sign there). Call it first
    thing in the helper."""
    parent = os.getppid()
    if _set_parent_death_signal() and parent == owner:
        if os.getppid() != owner:  # the owner ended before the signal was set
            os.kill(os.getpid(), signal.SIGKILL)
        return
    pidfd: int | None = None
    try:
        pidfd = os.pidfd_open(owner)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGKILL)
    except (AttributeError, OSError):  # not Linux 5.3+: poll instead
        pidfd = None
    threading.Thread(
        target=_watch, args=(owner, parent, pidfd), name="die-with-owner", daemon=True
    ).start()


def usable_cores() -> int:
    """Cores this process may use (a CI container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def can_fork(*, native: bool = False) -> bool:
    """Whether forking is safe and useful here: Linux (where fork is the cheap, native start),
    a second core to run the child, no other thread alive, and not inside a daemonic process.
    Under ``mkdocs serve`` the file watcher and server threads could be copied holding a lock,
    so its rebuilds run in one process. ``native``: the child will run native code with threads
    of its own (Typst), so no thread at all may be alive, not even one Python does not know of
    (the worker threads an earlier Typst compile in this process left: the child would wait
    for ever on a lock one of them held)."""
    return (
        sys.platform == "linux"
        and len(os.sched_getaffinity(0)) > 1
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
        and (not native or _os_threads() == 1)
    )


def _os_threads() -> int:
    """This process's threads as the kernel counts them (native ones included)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0  # unknown: not safe


class Forked(Generic[T]):
    """``fn(*args)`` started in a forked child; :meth:`result` collects it (or computes it here).

    The child writes its pickled result to an unnamed temporary file (gone whatever happens)
    and exits: reading it back at once is faster than a pipe the child would block on."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self.fn, self.args = fn, args
        self._value: T = _UNSET
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result() or cancel())
        context = multiprocessing.get_context("fork")
        self._child = context.Process(
            target=_run, args=(os.getpid(), self._file, fn, args), daemon=True
        )
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


def _run(owner: int, file: IO[bytes], fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    die_with(owner)
    try:
        pickle.dump(fn(*args), file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
    except BaseException:  # the parent redoes the work and reports the error itself
        raise SystemExit(1) from None
