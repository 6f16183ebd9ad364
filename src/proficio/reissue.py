"""Incremental re-issue: which students' documents a run must make again, decided before scoring.

A nightly run where a few students have new scores should cost what changed. Every per-student
output (transcripts, progress reports, CLR records) records in its manifest, per student, an
``inputs`` hash of everything that makes that student's document:

- the run-wide part (:func:`run_digest`): the school model (:func:`school_digest`: every title,
  rubric, scale and rule, the logo, seal and signature images, but not where the YAML lines are),
  the templates and fonts, the options (kind, detail, language, paper, unofficial, issue date),
  the signing identity and the program version;
- the student's roster row (every :class:`~proficio.evidence.records.Student` field);
- the student's evidence (:meth:`~proficio.evidence.checker.EvidenceSet.digest`): every value
  scoring or printing uses, in order, but not the file name or line number, so a row added for
  another student above this one's moves its line without re-rendering it.

:func:`plan` reads the earlier manifest and keeps a student's file only when the hash is the
same, the file name is the same and the file on disk still has the recorded size and SHA-256
(every kept file is hashed again: a file edited or deleted by hand is made again). Everyone
else is scored and rendered. The new manifest lists kept and new files alike, exactly as a full
run would, and files of students no longer in the run are removed once it is written
(:func:`prune`). A manifest without hashes (an older version's) keeps nothing.

This module is stage-neutral (beside ``gradebook.py``): ``transcripts/`` and ``interop/`` use the
same decision; each passes in its own run-wide parts (its templates, its options).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from . import __version__
from .content.model import School, Source
from .evidence.records import Student

EvidenceDigest = Callable[[str], bytes]
"""A student ID -> the digest of that student's evidence (``EvidenceSet.digest``)."""

_STUDENT_FIELDS = tuple(f.name for f in dataclasses.fields(Student))
_SKIPPED = {(School, "root"), (School, "files")}
"""Where the school was read from, not what it says: a checkout in another folder is the same."""


def _file_bytes(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"(unreadable)"


def canonical(value: Any) -> Any:
    """``value`` as plain JSON-able data with one meaning: dataclasses by field (their
    :class:`~proficio.content.model.Source` positions left out), a path by its file's SHA-256,
    decimals and dates as text, sets sorted. Dict order is kept: it can decide what prints."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal | Fraction | date | datetime):
        return f"{type(value).__name__}:{value}"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, Path):
        return {"file": _file_bytes(value).hex()} if value.is_file() else {"path": "(missing)"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return {
            "@": cls.__name__,
            **{
                f.name: canonical(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if (cls, f.name) not in _SKIPPED and not isinstance(getattr(value, f.name), Source)
            },
        }
    if isinstance(value, Mapping):
        return [[canonical(k), canonical(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return f"{type(value).__name__}:{value!r}"


def digest_of(value: Any) -> str:
    """SHA-256 (hex) of :func:`canonical` ``value``."""
    text = json.dumps(canonical(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def school_digest(school: School) -> str:
    """What the loaded school says (not where its files are): any change to a title, rubric,
    scale, rule, language or image changes it."""
    return digest_of(school)


def files_digest(paths: Iterable[tuple[str, bytes]]) -> str:
    """SHA-256 of named contents (``(name, bytes)``), e.g. a run's templates."""
    h = hashlib.sha256()
    for name, data in paths:
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def folder_listing_digest(dirs: Sequence[Path], suffixes: tuple[str, ...]) -> str:
    """SHA-256 of the files below ``dirs`` with one of ``suffixes``, by relative name, size and
    modification time (as the font-coverage cache knows a font): a font added, removed or
    replaced changes it, and reading its bytes each night is not needed."""
    h = hashlib.sha256()
    for d in dirs:
        h.update(str(d).encode("utf-8", "surrogatepass") + b"\0")
        for path in sorted(d.rglob("*")):
            if path.suffix.lower() not in suffixes:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            rel = str(path.relative_to(d)).encode("utf-8", "surrogatepass")
            h.update(rel + f"\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def package_versions(*names: str) -> dict[str, str | None]:
    """The installed versions of ``names`` (an upgraded engine may lay out other bytes)."""
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def run_digest(what: str, parts: Mapping[str, Any]) -> str:
    """The run-wide part of every student's hash: ``what`` the run makes, the program version
    and ``parts`` (the school's digest, the templates', the options...)."""
    return digest_of({"what": what, "version": __version__, "student": _STUDENT_FIELDS, **parts})


@dataclass(frozen=True)
class Inputs:
    """How a run computes each student's ``inputs`` hash."""

    run: str
    """:func:`run_digest` of this run."""
    evidence: EvidenceDigest
    force: bool = False
    """Render everyone whatever the earlier manifest says (the hashes are still recorded)."""

    def of(self, student: Student) -> str:
        h = hashlib.sha256(self.run.encode("ascii"))
        row = repr(tuple(getattr(student, f) for f in _STUDENT_FIELDS))
        h.update(row.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(self.evidence(student.id))
        return h.hexdigest()


@dataclass
class Earlier:
    """What an earlier manifest says: its entries with an ``inputs`` hash, by student ID (an
    older manifest has none, so nothing of it is kept), and every file name it lists."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


def previous(path: Path) -> Earlier:
    """The manifest at ``path`` (nothing when there is no readable manifest)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return Earlier()
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, list):
        return Earlier()
    out = Earlier()
    for entry in docs:
        if not isinstance(entry, dict):
            continue
        name = entry.get("file")
        if isinstance(name, str) and name and Path(name).name == name:
            out.files.add(name)
        if (
            isinstance(entry.get("student_id"), str)
            and isinstance(entry.get("inputs"), str)
            and isinstance(name, str)
            and isinstance(entry.get("sha256"), str)
        ):
            out.entries[entry["student_id"]] = entry
    return out


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file, or ``None`` when it cannot be read (missing, a folder...)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class Plan:
    """A run's decision: who is kept (with their earlier entry) and who is made again."""

    hashes: dict[str, str] = field(default_factory=dict)
    """Student ID -> inputs hash, for every student planned (kept or made)."""
    keep: dict[str, dict[str, Any]] = field(default_factory=dict)
    render: list[Student] = field(default_factory=list)


def plan(
    students: Sequence[Student],
    files: Mapping[str, str],
    out: Path,
    earlier: Earlier,
    inputs: Inputs | None,
    *,
    threads: int = 2,
) -> Plan:
    """Which of ``students`` (each with a file name in ``files``) keep their file in ``out``.

    A student is kept when the ``earlier`` manifest (:func:`previous`) has an entry for them
    with the same inputs hash and file name, and the file still has its recorded size and
    SHA-256. The files are hashed on ``threads`` threads (hashlib releases the GIL: about a
    gigabyte a second each), after the inputs hashes (alongside, the threads would wait for
    the GIL between files)."""
    result = Plan()
    if inputs is None:
        result.render = list(students)
        return result
    before = {} if inputs.force else earlier.entries
    result.hashes = {s.id: inputs.of(s) for s in students}
    named = [
        (s, entry)
        for s in students
        if (entry := before.get(s.id)) is not None
        and entry["file"] == files[s.id]
        and entry["inputs"] == result.hashes[s.id]
    ]

    def intact(entry: dict[str, Any]) -> bool:
        path = out / entry["file"]
        try:
            size = os.stat(path).st_size
        except OSError:
            return False
        if isinstance(entry.get("bytes"), int) and size != entry["bytes"]:
            return False
        return file_sha256(path) == str(entry["sha256"])

    def check(part: list[tuple[Student, dict[str, Any]]]) -> list[bool]:
        return [intact(entry) for _, entry in part]

    workers = max(1, min(threads, len(named) // 64 + 1))
    # One task per thread (a future per file costs more than hashing a small one).
    parts = [named[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(check, part) for part in parts]
        verdicts: dict[str, bool] = {}
        for part, future in zip(parts, futures, strict=True):
            for (s, _), ok in zip(part, future.result(), strict=True):
                verdicts[s.id] = ok
    for s in students:
        entry = before.get(s.id)
        if entry is not None and verdicts.get(s.id):
            result.keep[s.id] = entry
        else:
            result.render.append(s)
    return result


def prune(out: Path, listed_before: set[str], current: set[str]) -> list[str]:
    """Remove the files an earlier manifest listed that this run's manifest does not (students
    no longer on the roster, or in another shard now); never a file no manifest named. Returns
    the names removed."""
    removed = []
    for name in sorted(listed_before - current):
        try:
            (out / name).unlink()
        except FileNotFoundError:
            continue
        except OSError:  # one that cannot be removed is reported by verify-manifests
            continue
        removed.append(name)
    return removed
