"""A folder built beside its target and swapped in whole: the site's counterpart of
:func:`proficio.support.files.atomic_file`.

``proficio build`` and a plain ``mkdocs build`` both build the site through :class:`StagedFolder`
(the MkDocs plugin points ``site_dir`` at it), so a failed or killed build leaves the previous site
as it was. The staging folder is ``.<name>-XXXXXXXX`` beside the target (``build/.site-k3x9q2ab``
for ``build/site``); it holds ``site/`` while the build runs and the old site for the moment of
the swap. A running build holds an exclusive ``flock`` on its staging folder (the kernel drops it
when the process dies, however it dies), so the next build can tell a killed build's leftovers,
which it removes, from a build still running, which it leaves alone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

__all__ = ["StagedFolder"]

_RANDOM = "[a-z0-9_]{8}"
"""What :func:`tempfile.mkdtemp` appends to the prefix (earlier Proficio versions used it too)."""

_open_locks: weakref.WeakSet[StagedFolder] = weakref.WeakSet()


def _forget_locks_in_child() -> None:
    """A forked helper (the pages written ahead, a transcript worker) must not keep the parent's
    staging folder locked after the parent was killed: close its copies of the lock."""
    for staged in list(_open_locks):
        staged._close_lock()


os.register_at_fork(after_in_child=_forget_locks_in_child)


@contextlib.contextmanager
def _locked_folder(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock: creating a staging folder and sweeping stale ones exclude each
    other, so a sweep never sees a new staging folder before its build has locked it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with contextlib.suppress(OSError):  # a filesystem without flock: no exclusion
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _try_lock(folder: Path) -> int | None:
    """An fd holding ``folder``'s exclusive lock, or ``None`` if another process holds it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return None
        raise
    return fd


def _remove_stale(target: Path) -> list[Path]:
    """Remove the staging folders of ``target`` that no running build holds; the removed ones.

    Should a build have been killed between moving the old site away and moving the new one in,
    the old site is put back first (only when ``target`` is missing)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}-{_RANDOM}")
    removed = []
    for folder in sorted(target.parent.iterdir()):
        if not pattern.fullmatch(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            fd = _try_lock(folder)
        except OSError:  # cannot tell whether it is in use: leave it
            continue
        if fd is None:  # a build that is still running
            continue
        try:
            old = folder / "old"
            if old.is_dir() and not os.path.lexists(target):
                os.replace(old, target)
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(fd)
        removed.append(folder)
    return removed


class StagedFolder:
    """:meth:`open`, build into :attr:`path`, then :meth:`commit` swaps it in for ``target``
    whole (or :meth:`discard` drops it, leaving ``target`` untouched).

    A ``target`` that is a link (``build/site`` -> the web server's folder) is followed: the
    staging folder is beside the real folder, and the link keeps pointing at the new site."""

    def __init__(self, target: Path) -> None:
        self.target = Path(os.path.realpath(target))
        self.folder: Path | None = None
        self._lock: int | None = None

    @property
    def path(self) -> Path:
        """Where the build writes (``<staging folder>/site``)."""
        if self.folder is None:
            raise RuntimeError("the staging folder is not open")
        return self.folder / "site"

    def open(self) -> Path:
        """Sweep stale staging folders, create and lock this build's own; :attr:`path`."""
        parent = self.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        with _locked_folder(parent):
            _remove_stale(self.target)
            folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-", dir=parent))
            self.folder = folder
            with contextlib.suppress(OSError):  # no flock here: sweeps leave it alone too
                self._lock = _try_lock(folder)
        _open_locks.add(self)
        return self.path

    def commit(self) -> None:
        """Move the finished build into place: the old site out, the new one in, the old one
        deleted. Raises :class:`OSError` (the old site then stays, or is put back)."""
        folder, site = self.folder, self.path
        assert folder is not None
        old = folder / "old"
        had_old = os.path.lexists(self.target)
        if had_old:
            os.replace(self.target, old)
        try:
            os.replace(site, self.target)
        except OSError:
            if had_old:
                os.replace(old, self.target)
            raise
        _fsync_folder(self.target.parent)
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder (whatever the build left in it) and release its lock."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self._close_lock()

    def _close_lock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        _open_locks.discard(self)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (a power cut right after the build keeps the new site)."""
    with contextlib.suppress(OSError):  # some filesystems cannot; the renames are done anyway
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
