"""The one way Proficio writes a file: whole or not at all, with the permissions its content needs.

Every output goes through :func:`atomic_file`: it is written to a hidden temporary file in the
target's own folder, flushed to disk, then renamed over the target, so a failed or killed run
never leaves a half-written file and never spoils the previous good one. ``private=True`` is for
anything that holds student data (transcripts, scores, records, the evidence report): such files
are readable by their owner only (0600). Public files (the site, CASE packages, content YAML)
follow the umask, like any file a program writes.

An output folder that many files go into (transcripts, CLR records, the score files) is held by
one run at a time (:func:`folder_lock`), and a write that fails for a reason the user must fix (a
full disk, a read-only folder) becomes one message naming the folder and the fix
(:func:`cannot_write`).
"""

from __future__ import annotations

import errno
import fcntl
import io
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import ProficioError

__all__ = [
    "LOCK_NAME",
    "NAME_MAX",
    "PARTIAL_SUFFIX",
    "atomic_file",
    "atomic_text",
    "atomic_texts",
    "cannot_write",
    "display_path",
    "dump_json",
    "folder_holder",
    "folder_lock",
    "remove_partials",
    "write_bytes",
    "write_json",
    "write_problem",
    "write_text",
]

PARTIAL_SUFFIX = ".part"
"""Temporary files are ``.<name>.<tag><random>.part`` beside their target (``<name>`` shortened
when the whole would be longer than :data:`NAME_MAX`)."""

NAME_MAX = 255
"""The longest file name, in bytes, of the filesystems output goes to (ext4, APFS, NTFS, tmpfs)."""

LOCK_NAME = ".proficio.lock"
"""The file in an output folder whose ``flock`` marks the run writing there (see
:func:`folder_lock`)."""

PRIVATE_MODE = 0o600
_RANDOM_LENGTH = 8
"""What :func:`tempfile.mkstemp` puts between the prefix and the suffix."""


def _public_mode() -> int:
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


@contextmanager
def atomic_file(path: Path, *, private: bool, tag: str = "") -> Iterator[IO[bytes]]:
    """Open ``path`` to write it whole: it appears under its name, complete and on disk, only
    when the block ends without an exception; otherwise the temporary file is removed and
    ``path`` is what it was. ``tag`` marks the temporary file as one run's (see
    :func:`remove_partials`)."""
    with _temporary(path, tag) as (f, tmp):
        yield f
        _finish(f, tmp, private)
        os.replace(tmp, path)


def _partial_prefix(name: str, tag: str) -> str:
    """``.<name>.<tag>``, with ``name`` cut so the temporary name fits :data:`NAME_MAX` bytes: a
    target whose own name fits can always be written."""
    room = NAME_MAX - len(f"..{tag}".encode()) - _RANDOM_LENGTH - len(PARTIAL_SUFFIX)
    short = name.encode("utf-8", "replace")[: max(room, 1)]
    return f".{short.decode('utf-8', 'ignore')}.{tag}"


@contextmanager
def _temporary(path: Path, tag: str) -> Iterator[tuple[IO[bytes], str]]:
    """A new temporary file beside ``path``, removed unless the block renamed it away."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=_partial_prefix(path.name, tag), suffix=PARTIAL_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _finish(f: IO[bytes], tmp: str, private: bool) -> None:
    """Everything but the rename: on disk, with its permissions."""
    f.flush()
    os.fsync(f.fileno())
    os.chmod(tmp, PRIVATE_MODE if private else _public_mode())


@contextmanager
def atomic_text(path: Path, *, private: bool) -> Iterator[IO[str]]:
    """:func:`atomic_file` for text: UTF-8, newlines written exactly as given."""
    with atomic_file(path, private=private) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()


@contextmanager
def atomic_texts(paths: Sequence[Path], *, private: bool) -> Iterator[list[IO[str]]]:
    """:func:`atomic_text` for files that belong together (a run's CSV and JSON): none is
    renamed into place until every one is on disk, so a full disk leaves all the previous
    files, never a new one beside two old ones."""
    with ExitStack() as stack:
        opened = [stack.enter_context(_temporary(p, "")) for p in paths]
        texts = [io.TextIOWrapper(f, encoding="utf-8", newline="") for f, _ in opened]
        yield list[IO[str]](texts)
        for text, (f, tmp) in zip(texts, opened, strict=True):
            text.flush()
            text.detach()
            _finish(f, tmp, private)
        for path, (_, tmp) in zip(paths, opened, strict=True):
            os.replace(tmp, path)


def write_bytes(path: Path, data: bytes, *, private: bool, tag: str = "") -> None:
    with atomic_file(path, private=private, tag=tag) as f:
        f.write(data)


def write_text(path: Path, text: str, *, private: bool) -> None:
    write_bytes(path, text.encode("utf-8"), private=private)


def dump_json(data: Any) -> str:
    """Stable, readable JSON: same data, same bytes."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_json(path: Path, data: Any, *, private: bool) -> None:
    write_text(path, dump_json(data), private=private)


def remove_partials(folder: Path, tag: str = "") -> int:
    """Delete the temporary files that a killed run left in ``folder`` (only those of the run
    ``tag`` when given); how many there were."""
    count = 0
    for leftover in folder.glob(f".*.{tag}*{PARTIAL_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        count += 1
    return count


_WHY = {
    errno.ENOSPC: ("the disk is full", "Free space or choose another {option}"),
    errno.EDQUOT: ("the disk quota is used up", "Free space or choose another {option}"),
    errno.EROFS: ("it is on a read-only file system", "Choose another {option}"),
    errno.EACCES: ("permission denied", "Make it writable for you or choose another {option}"),
    errno.EPERM: ("permission denied", "Make it writable for you or choose another {option}"),
    errno.ENOTDIR: ("part of the path is a file, not a folder", "Choose another {option}"),
    errno.EEXIST: ("a file is in the way", "Move it away or choose another {option}"),
    errno.EISDIR: ("a folder is in the way", "Move it away or choose another {option}"),
    errno.ENAMETOOLONG: ("a file name is too long", "Choose another {option}"),
}


_ONE_FILE = {errno.EEXIST, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG}
"""Causes that belong to one path rather than to the whole folder (named when known)."""


def write_problem(
    folder: Path, exc: OSError, option: str = "--out", file: Path | None = None
) -> tuple[str, str]:
    """What went wrong writing into ``folder`` (or ``file`` in it, for a cause of its own) and
    what to do, as two sentences without their full stops: ``("cannot write build/scores: the
    disk is full (ENOSPC)", "Free space or choose another --out")``."""
    code = exc.errno or 0
    why, fix = _WHY.get(code, (exc.strerror or str(exc), "Check it or choose another {option}"))
    name = errno.errorcode.get(code)
    cause = f"{why} ({name})" if name else why
    where = file if file is not None and code in _ONE_FILE else folder
    return f"cannot write {display_path(where)}: {cause}", fix.format(option=option)


def cannot_write(
    folder: Path, exc: OSError, option: str = "--out", file: Path | None = None
) -> ProficioError:
    """The one message for an output that cannot be written: the folder, the cause in words and
    its errno name, and what to do (``Cannot write build/scores: the disk is full (ENOSPC). Free
    space or choose another --out.``)."""
    what, fix = write_problem(folder, exc, option, file)
    return ProficioError(f"{what[0].upper()}{what[1:]}. {fix}.")


_held: dict[tuple[str, int], tuple[int, int]] = {}
"""(folder, thread) -> (lock fd, depth): a run that locks a folder it already holds goes on."""
_held_guard = threading.Lock()


def _forget_locks_in_child() -> None:
    """A forked helper must not hold its parent's folders: closing its copies of the lock leaves
    the lock with the parent (and to the kernel when the parent dies)."""
    for fd, _ in _held.values():
        os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_forget_locks_in_child)


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _refused(folder: Path, fd: int, option: str) -> ProficioError:
    return ProficioError(
        f"Another proficio run is writing to {display_path(folder)}{_holder(fd)}. Wait for it or "
        f"choose another {option}."
    )


def _acquire(folder: Path, option: str) -> int:
    """An fd of ``folder``'s lock file, locked: the file is created if missing, and one unlinked
    by a run that just finished (its lock no longer guards the folder) is not taken."""
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            refused = _refused(folder, fd, option)
            os.close(fd)
            raise refused from None
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                return -1  # a filesystem without flock (some network mounts): no exclusion
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:  # a full disk: stop now, before any work
            path.unlink(missing_ok=True)
            os.close(fd)
            raise
        return fd


@contextmanager
def folder_lock(folder: Path, *, option: str = "--out") -> Iterator[None]:
    """Hold ``folder`` (created if missing) for this run: a second run into it, in this process
    or another, is refused at once, naming the process that holds it. The lock is an ``flock``
    on :data:`LOCK_NAME` inside the folder, so the kernel releases it however the run ends (even
    ``kill -9``); the file is removed when the run ends. Nested calls in one thread share it. A
    folder that cannot be written is a :class:`~proficio.errors.ProficioError`
    (:func:`cannot_write`), before any work is done."""
    key = (os.path.abspath(folder), threading.get_ident())
    with _held_guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            held = True
        else:
            held = False
    created = _missing(folder)
    if not held:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = _acquire(folder, option)
        except OSError as exc:
            raise cannot_write(folder, exc, option) from None
        with _held_guard:
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _held_guard:
            fd, depth = _held.pop(key, (-1, 1))
            if depth > 1:
                _held[key] = (fd, depth - 1)
        if depth <= 1 and fd >= 0:
            # Unlink before unlocking: a run waiting on this file then sees it is gone.
            (folder / LOCK_NAME).unlink(missing_ok=True)
            os.close(fd)
            for made in created:  # a run that wrote nothing leaves no empty folders
                try:
                    made.rmdir()
                except OSError:
                    break


def _missing(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    return missing


def folder_holder(folder: Path) -> str | None:
    """``" (pid N)"`` (or ``""``) when a run holds ``folder`` now, ``None`` when none does: so a
    check of the folder can say that what it sees is still being written."""
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it is inside it (shorter in messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
