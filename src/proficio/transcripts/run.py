"""One run: the roster's documents (or one shard of them) rendered into a folder with a manifest.

``issue`` is what ``proficio transcripts``, ``proficio build`` and the benchmark call; it takes
the roster and a scoring function, so it runs the same on imported evidence or on records a
test builds.

A run holds its folder (:func:`~proficio.support.files.folder_lock`): a second run into it is
refused. The manifest of an earlier run stays in place, untouched, until this run's replaces it
whole at the end, so a stopped run leaves a folder that ``verify-manifests`` can still check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..content.model import School
from ..errors import Interrupted, ProficioError
from ..evidence.records import Student
from ..scoring.results import StudentResult
from ..support.files import atomic_file, cannot_write, folder_lock, write_problem
from . import manifest
from .bulk import Outcome, Progress, render_all, shard_of
from .document import Catalog, Options, document_language
from .filenames import assign_files
from .fonts import Coverage, font_dirs
from .render import content_problems
from .signing import Identity

Score = Callable[[list[Student]], Iterable[StudentResult]]
"""Scores the given students, one result each: the evidence engine's pipeline."""


def available_cores() -> int:
    """Cores this process may use (a CI container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@dataclass
class Run:
    out: Path
    manifest: Path
    issued: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(o.pages or 0 for o in self.issued)

    @property
    def bytes(self) -> int:
        return sum(o.bytes or 0 for o in self.issued)


def issue(
    school: School,
    students: list[Student],
    score: Score,
    options: Options,
    out: Path,
    *,
    jobs: int = 0,
    shard: tuple[int, int] | None = None,
    combined: Path | None = None,
    progress: TextIO | None = None,
    unlisted: Mapping[str, str] | None = None,
    identity: Identity | None = None,
) -> Run:
    """Render the documents of ``students`` (the run's whole roster; ``shard`` picks this run's
    part) into ``out`` with a manifest. Students who cannot be issued are in ``Run.failed``,
    with those whose roster row was rejected (``unlisted``: ID -> ``FILE:LINE: why``). With
    ``identity`` every PDF is signed with the school's key."""
    started = time.perf_counter()
    dirs = font_dirs()
    coverage = Coverage.of_dirs(dirs)
    files, unsafe = assign_files(s.id for s in students)
    mine = [s for s in students if shard is None or shard_of(s.id, shard[1]) == shard[0]]
    langs = sorted(
        {
            document_language(
                school, s.language if options.kind == "progress" else options.language
            )
            for s in mine
        }
        or {school.default_language}
    )
    catalog = Catalog(school, options)
    content = [p for lang in langs for p in content_problems(catalog, coverage, lang)]
    if content:
        raise ProficioError(
            "Some content text cannot be printed, so no document was made:\n  "
            + "\n  ".join(content[:20])
        )
    failed = [Outcome(s.id, reason=unsafe[s.id]) for s in mine if s.id in unsafe]
    failed += [
        Outcome(sid, reason=f"the roster row was rejected ({where}); fix it and run again.")
        for sid, where in (unlisted or {}).items()
        if shard is None or shard_of(sid, shard[1]) == shard[0]
    ]
    to_render = [s for s in mine if s.id in files]
    with folder_lock(out):
        # An earlier run's manifest stays until this one's replaces it: stopped half-way, the
        # folder still has one, and verify-manifests names each PDF this run changed.
        kept = (out / manifest.NAME).is_file()
        try:
            run = _render(
                school,
                options,
                [s.id for s in students] + [sid for sid in unlisted or {} if sid not in files],
                score,
                to_render,
                failed,
                files,
                out,
                jobs=jobs,
                shard=shard,
                dirs=dirs,
                coverage=coverage,
                progress=progress,
                identity=identity,
            )
        except Interrupted as exc:
            raise exc.with_previous_manifest(kept) from None
        if combined is not None and run.issued:
            try:
                write_combined(combined, [out / o.file for o in run.issued if o.file])
            except OSError as exc:
                raise cannot_write(combined.parent, exc, "--combined", combined) from None
    run.seconds = time.perf_counter() - started
    return run


def _render(
    school: School,
    options: Options,
    roster_ids: list[str],
    score: Score,
    to_render: list[Student],
    failed: list[Outcome],
    files: dict[str, str],
    out: Path,
    *,
    jobs: int,
    shard: tuple[int, int] | None,
    dirs: list[Path],
    coverage: Coverage,
    progress: TextIO | None,
    identity: Identity | None = None,
) -> Run:
    """The documents of ``to_render`` into ``out`` (held by the caller), then the manifest."""
    bar = Progress(len(to_render), f"{options.kind}s", progress)
    outcomes = render_all(
        school,
        options,
        score(to_render),
        files,
        out,
        jobs=jobs or available_cores(),
        font_dirs=dirs,
        coverage=coverage,
        on_done=bar.advance,
        identity=identity,
    )
    bar.finish()
    seen = {o.student_id for o in outcomes}
    for s in to_render:
        if s.id not in seen:
            outcomes.append(
                Outcome(s.id, reason="the scoring step returned no result for this student.")
            )
    outcomes += failed
    data = manifest.build(
        outcomes,
        kind=options.kind,
        issued=options.issued.isoformat(),
        paper=options.paper,
        unofficial=options.unofficial,
        shard=shard,
        roster_ids=roster_ids,
    )
    try:
        run = Run(out, manifest.write(out, data))
    except OSError as exc:  # every PDF is written: only the manifest is missing
        reason, fix = write_problem(out, exc, file=out / manifest.NAME)
        raise Interrupted(reason, exit_code=1, fix=f"{fix}, then run again.") from None
    run.issued = sorted((o for o in outcomes if o.ok), key=lambda o: o.student_id)
    run.failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.student_id)
    return run


def write_combined(path: Path, files: list[Path]) -> None:
    """One print file of every PDF in order, for a registrar's printer. It is a convenience copy:
    merging drops the tags and PDF/A identification, so the per-student files stay the record."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for f in files:
        writer.append(str(f))
    with atomic_file(path, private=True) as fh:
        writer.write(fh)
