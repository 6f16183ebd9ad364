"""``manifest.json``: what a run (or one CI shard) issued, and the check that shards add up.

Each run lists every student it was responsible for: the file, its SHA-256, page count and kind,
or the reason it was not issued. It also carries a hash of the whole run's roster (all shards),
so ``proficio verify-manifests`` can prove, from the manifests alone, that the shards together
cover the roster exactly once and that every file is the one that was written.

Format 2 adds, per document, the ``inputs`` hash of everything that made it
(:mod:`proficio.reissue`), so the next run re-renders only the students whose inputs changed,
and the run's ``detail`` and ``language``. A format 1 manifest (no hashes) keeps nothing: the
next run renders everyone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..support.files import display_path, folder_holder, write_text
from .bulk import Outcome, roster_digest

NAME = "manifest.json"
FORMAT = 2


def build(
    outcomes: list[Outcome],
    *,
    kind: str,
    issued: str,
    paper: str,
    unofficial: bool,
    shard: tuple[int, int] | None,
    roster_ids: list[str],
    detail: str = "targets",
    language: str | None = None,
    inputs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of one run; sorted and free of timings, so a rerun writes the same bytes
    (and an incremental run the bytes a full run would). ``inputs``: student ID -> inputs hash."""
    hashes = inputs or {}
    done = sorted((o for o in outcomes if o.ok), key=lambda o: o.student_id)
    failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.student_id)
    return {
        "format": FORMAT,
        "generator": f"proficio {__version__}",
        "kind": kind,
        "issued": issued,
        "paper": paper,
        "unofficial": unofficial,
        "detail": detail,
        "language": language,
        "shard": {"index": shard[0], "count": shard[1]} if shard else {"index": 1, "count": 1},
        "roster": {"students": len(roster_ids), "sha256": roster_digest(roster_ids)},
        "documents": [
            {
                "student_id": o.student_id,
                "file": o.file,
                "sha256": o.sha256,
                "pages": o.pages,
                "bytes": o.bytes,
                "kind": kind,
                "document_id": o.document_id,
                "content_sha256": o.content_sha256,
                "signed": o.signed,
                "inputs": hashes.get(o.student_id),
            }
            for o in done
        ],
        "failed": [{"student_id": o.student_id, "reason": o.reason} for o in failed],
    }


def write(out: Path, manifest: dict[str, Any]) -> Path:
    path = out / NAME
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    write_text(path, text, private=True)  # student IDs: as private as the PDFs
    return path


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    documents: int = 0
    students: int = 0
    shards: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(dirs: list[Path], roster_ids: list[str] | None = None) -> Verification:
    """Check that the manifests in ``dirs`` come from one run, cover its roster exactly once,
    and that every listed file exists with its recorded hash.

    ``roster_ids`` (from the roster file) is checked too when given; without it the roster hash
    in the manifests is the reference.
    """
    v = Verification()
    manifests: list[tuple[Path, dict[str, Any]]] = []
    for d in dirs:
        path = d / NAME if d.is_dir() else d
        holder = folder_holder(path.parent)
        if holder is not None:
            v.problems.append(
                f"{path.parent}: a proficio run is writing here now{holder}: check again when it "
                "has finished."
            )
        try:
            manifests.append((path, json.loads(path.read_text("utf-8"))))
        except FileNotFoundError:
            v.problems.append(f"{path}: no manifest here. Is this the output folder of a run?")
        except (OSError, ValueError) as exc:
            v.problems.append(f"{path}: not a readable manifest ({exc}).")
    if not manifests:
        if not v.problems:
            v.problems.append("no manifests given.")
        return v

    def same(key: str, get: Any) -> Any:
        values = {json.dumps(get(m), sort_keys=True) for _, m in manifests}
        if len(values) > 1:
            v.problems.append(
                f"the manifests disagree on {key} ({', '.join(sorted(values))}): they are not "
                "shards of one run."
            )
        return get(manifests[0][1])

    kind = same("kind", lambda m: m.get("kind"))
    same("issue date", lambda m: m.get("issued"))
    same("detail", lambda m: m.get("detail", "targets"))
    roster = same("roster", lambda m: m.get("roster"))
    count = same("shard count", lambda m: m.get("shard", {}).get("count"))
    seen_shards: dict[int, Path] = {}
    for path, m in manifests:
        idx = m.get("shard", {}).get("index")
        if idx in seen_shards:
            v.problems.append(f"{path}: shard {idx}/{count} is also in {seen_shards[idx]}.")
        seen_shards[idx] = path
    if isinstance(count, int):
        v.shards = count
        missing = [i for i in range(1, count + 1) if i not in seen_shards]
        if missing:
            v.problems.append(
                f"shard{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of "
                f"{count} missing: the roster is not covered."
            )

    owner: dict[str, Path] = {}
    for path, m in manifests:
        for entry in m.get("documents", []) + m.get("failed", []):
            sid = entry["student_id"]
            if sid in owner:
                v.problems.append(f"student {sid!r} is in {owner[sid]} and in {path}.")
            owner[sid] = path
        for f in m.get("failed", []):
            v.problems.append(f"{path}: student {f['student_id']!r} was not issued: {f['reason']}")
        for doc in m.get("documents", []):
            if doc.get("kind") != kind:
                v.problems.append(f"{path}: {doc['file']} is a {doc.get('kind')}, not a {kind}.")
            file = path.parent / doc["file"]
            if Path(doc["file"]).name != doc["file"]:
                v.problems.append(f"{path}: file name {doc['file']!r} is not a plain file name.")
                continue
            if not file.is_file():
                v.problems.append(
                    f"{display_path(file)}: missing (listed for student {doc['student_id']!r})."
                )
            elif _sha256(file) != doc["sha256"]:
                v.problems.append(
                    f"{display_path(file)}: its SHA-256 does not match the manifest: changed "
                    "since the run (by a later run that was stopped before its manifest, or "
                    "damaged)."
                )
            else:
                v.documents += 1
    for path, m in manifests:
        listed = {doc["file"] for doc in m.get("documents", [])}
        for stray in sorted(path.parent.glob("*.pdf")):
            if stray.name not in listed:
                v.problems.append(
                    f"{display_path(stray)}: not in the manifest (left from an earlier run, or "
                    "written by a later one that was stopped?). Run again to finish, or remove "
                    "it."
                )
    v.students = len(owner)
    consistent = not any("not shards of one run" in p for p in v.problems)
    if (
        consistent
        and isinstance(roster, dict)
        and (roster_digest(owner) != roster.get("sha256") or len(owner) != roster.get("students"))
    ):
        v.problems.append(
            f"the manifests list {len(owner)} students but the run's roster has "
            f"{roster.get('students')}: some students are missing or extra."
        )
    if roster_ids is not None and roster_digest(roster_ids) != roster_digest(owner):
        listed = set(owner)
        absent = sorted(set(roster_ids) - listed)
        extra = sorted(listed - set(roster_ids))
        if absent:
            v.problems.append(
                f"{len(absent)} roster students have no entry: {', '.join(absent[:10])}"
            )
        if extra:
            v.problems.append(
                f"{len(extra)} students are not on the roster: {', '.join(extra[:10])}"
            )
    return v
