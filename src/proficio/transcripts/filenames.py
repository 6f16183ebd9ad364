"""Student IDs become file names safely, on every filesystem a registrar may copy them to.

IDs come from a roster and may hold anything. The mapping keeps ordinary IDs (``S-00042``,
``2024.117``) readable and percent-encodes everything else, so it is injective: two different IDs
can only meet on case-insensitive filesystems (Windows, macOS), and that is reported as a
collision rather than letting one student's transcript overwrite another's.

It is the one rule for every per-student file: transcripts and progress reports (``.pdf``) and
CLR records (``.json``, ``.jwt``) name a student alike, and an ID whose encoded name would be
longer than a file system allows is reported for that student, not met as an error mid-run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import DocumentError

MAX_ID_LENGTH = 100
"""Longer IDs are rejected: no SIS issues them."""

MAX_STEM_BYTES = 250
"""The longest stem: 255 bytes (``NAME_MAX`` of ext4, APFS, NTFS) less the longest extension
added, ``.json``. Percent-encoding makes a character up to 12 bytes, so 21 emoji are too many."""

_SAFE = re.compile(r"[A-Za-z0-9_.-]")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)


def _encode_char(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def safe_stem(student_id: str) -> str:
    """The file name stem for ``student_id`` (``<stem>.pdf``), or :class:`DocumentError`.

    Letters, digits, ``_ - .`` are kept; every other character becomes ``%XX`` (its UTF-8 bytes),
    as do a leading or trailing dot and the first letter of a Windows device name (``CON``).
    A stem longer than :data:`MAX_STEM_BYTES` is refused: no file system could hold it.
    """
    if not student_id.strip():
        raise DocumentError("the student ID is empty. Give every roster row an ID.")
    if len(student_id) > MAX_ID_LENGTH:
        raise DocumentError(
            f"the student ID is {len(student_id)} characters long (at most {MAX_ID_LENGTH}). "
            "Check the roster's ID column."
        )
    out = [ch if _SAFE.fullmatch(ch) else _encode_char(ch) for ch in student_id]
    if out[0] == ".":
        out[0] = "%2E"
    if out[-1] == ".":
        out[-1] = "%2E"
    stem = "".join(out)
    if _RESERVED.match(stem.split(".")[0]):
        stem = _encode_char(stem[0]) + stem[1:]
    if len(stem) > MAX_STEM_BYTES:  # ASCII: one byte a character
        raise DocumentError(
            f"the student ID makes a file name of {len(stem)} bytes once its characters are "
            f"encoded (at most {MAX_STEM_BYTES}; any character but A-Z, a-z, 0-9, _ - . takes "
            "3 to 12). Use a shorter ID in the roster."
        )
    return stem


def assign_files(
    student_ids: Iterable[str], suffix: str = ".pdf"
) -> tuple[dict[str, str], dict[str, str]]:
    """File names (``<stem><suffix>``) for every ID: ``(id -> file name, id -> reason it has
    none)``.

    Checked over the whole roster (not one shard), so every shard of a CI matrix agrees.
    IDs whose names collide case-insensitively are all refused, naming each other.
    """
    files: dict[str, str] = {}
    problems: dict[str, str] = {}
    by_key: dict[str, list[str]] = {}
    for sid in student_ids:
        if sid in files or sid in problems:
            problems[sid] = (
                "this student ID is listed more than once. Keep one roster row per student."
            )
            files.pop(sid, None)
            continue
        try:
            name = safe_stem(sid) + suffix
        except DocumentError as exc:
            problems[sid] = str(exc)
            continue
        files[sid] = name
        by_key.setdefault(name.casefold(), []).append(sid)
    for ids in by_key.values():
        ids = [sid for sid in ids if sid in files]
        if len(ids) > 1:
            for sid in ids:
                others = ", ".join(repr(o) for o in ids if o != sid)
                problems[sid] = (
                    f"its file name {files[sid]!r} is the same as that of student {others} on "
                    "filesystems that ignore case. Give the students distinct IDs."
                )
                del files[sid]
    return files, problems
