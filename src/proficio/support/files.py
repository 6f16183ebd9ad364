"""The one way Proficio writes a file: whole or not at all, with the permissions its content needs.

Every output goes through :func:`atomic_file`: it is written to a hidden temporary file in the
target's own folder, flushed to disk, then renamed over the target, so a failed or killed run
never leaves a half-written file and never spoils the previous good one. ``private=True`` is for
anything that holds student data (transcripts, scores, records, the evidence report): such files
are readable by their owner only (0600). Public files (the site, CASE packages, content YAML)
follow the umask, like any file a program writes.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "PARTIAL_SUFFIX",
    "atomic_file",
    "atomic_text",
    "display_path",
    "dump_json",
    "remove_partials",
    "write_bytes",
    "write_json",
    "write_text",
]

PARTIAL_SUFFIX = ".part"
"""Temporary files are ``.<name>.<tag><random>.part`` beside their target."""

PRIVATE_MODE = 0o600


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{tag}", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, PRIVATE_MODE if private else _public_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path, *, private: bool) -> Iterator[IO[str]]:
    """:func:`atomic_file` for text: UTF-8, newlines written exactly as given."""
    with atomic_file(path, private=private) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()


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


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it is inside it (shorter in messages)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
