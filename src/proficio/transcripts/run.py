"""One run: the roster's documents (or one shard of them) rendered into a folder with a manifest.

``issue`` is what ``proficio transcripts``, ``proficio build`` and the benchmark call; it takes
the roster and a scoring function, so it runs the same on imported evidence or on records a
test builds.

A run holds its folder (:func:`~proficio.support.files.folder_lock`): a second run into it is
refused. The manifest of an earlier run stays in place, untouched, until this run's replaces it
whole at the end, so a stopped run leaves a folder that ``verify-manifests`` can still check.

Given each student's evidence digest (``evidence``), a run is incremental
(:mod:`proficio.reissue`): before anything is scored, students whose inputs hash and file are
as the earlier manifest records keep their PDF, and only the others are scored and rendered.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from .. import reissue
from ..content.model import School
from ..errors import Interrupted, ProficioError
from ..evidence.records import Student
from ..scoring.results import StudentResult
from ..support.files import (
    atomic_file,
    cannot_write,
    folder_lock,
    remove_partials,
    write_problem,
)
from . import manifest
from .bulk import Outcome, Progress, render_all, shard_of
from .document import Catalog, Options, document_language
from .filenames import assign_files
from .fonts import FONT_EXTENSIONS, Coverage, font_dirs
from .render import TEMPLATES, content_problems
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
    """Every student with a document: those rendered and those kept."""
    failed: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    kept: int = 0
    """Of ``issued``, how many kept the earlier run's file (inputs unchanged, file intact)."""
    incremental: bool = False
    """Whether the run compared inputs with the earlier manifest (it had the evidence)."""
    removed: list[str] = field(default_factory=list)
    """Files of students no longer in the run, which the earlier manifest listed."""

    @property
    def rendered(self) -> int:
        return len(self.issued) - self.kept

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
    evidence: reissue.EvidenceDigest | None = None,
    force: bool = False,
    prune: bool = True,
) -> Run:
    """Render the documents of ``students`` (the run's whole roster; ``shard`` picks this run's
    part) into ``out`` with a manifest. Students who cannot be issued are in ``Run.failed``,
    with those whose roster row was rejected (``unlisted``: ID -> ``FILE:LINE: why``). With
    ``identity`` every PDF is signed with the school's key.

    With ``evidence`` (each student's evidence digest, ``EvidenceSet.digest``) the run is
    incremental: a student whose inputs are those the earlier manifest records, and whose file
    is intact, keeps it unscored; ``force`` renders everyone. ``prune`` removes the files the
    earlier manifest listed for students no longer in the run (not for a ``--students`` run)."""
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
    inputs = (
        None
        if evidence is None
        else reissue.Inputs(run_digest(school, options, dirs, identity), evidence, force)
    )
    with folder_lock(out):
        # An earlier run's manifest stays until this one's replaces it: stopped half-way, the
        # folder still has one, and verify-manifests names each PDF this run changed.
        path = out / manifest.NAME
        kept = path.is_file()
        earlier = reissue.previous(path) if kept else reissue.Earlier()
        decision = reissue.plan(to_render, files, out, earlier, inputs)
        listed = earlier.files if prune else set()
        try:
            run = _render(
                school,
                options,
                [s.id for s in students] + [sid for sid in unlisted or {} if sid not in files],
                score,
                decision,
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
        run.incremental = inputs is not None and not inputs.force
        # Only once the new manifest is in place: until then the earlier one still lists them.
        run.removed = reissue.prune(out, listed, {o.file for o in run.issued if o.file})
        if combined is not None and run.issued:
            try:
                write_combined(combined, [out / o.file for o in run.issued if o.file])
            except OSError as exc:
                raise cannot_write(combined.parent, exc, "--combined", combined) from None
    run.seconds = time.perf_counter() - started
    return run


def run_digest(
    school: School, options: Options, dirs: list[Path], identity: Identity | None
) -> str:
    """The run-wide part of every student's inputs hash (:mod:`proficio.reissue`): the school,
    the templates, the Typst (and PDF packing, signing) versions, the fonts, the options and
    who signs (the certificate, not the moment)."""
    signer = None
    if identity is not None:
        h = hashlib.sha256(identity.certificate)
        for cert in identity.chain:
            h.update(cert)
        signer = h.hexdigest()
    return reissue.run_digest(
        "transcripts",
        {
            "school": reissue.school_digest(school),
            "templates": reissue.files_digest(template_files()),
            "engines": reissue.package_versions("typst", "pikepdf", "pyhanko"),
            "fonts": reissue.folder_listing_digest(dirs, FONT_EXTENSIONS),
            "options": options,
            "signer": signer,
        },
    )


def template_files() -> list[tuple[str, bytes]]:
    """The templates every document is made with, by name: a new version of one (an upgrade)
    makes every document again."""
    pkg = resources.files("proficio.transcripts") / "templates"
    return [(name, (pkg / name).read_bytes()) for name in TEMPLATES]


def _kept(sid: str, entry: Mapping[str, Any]) -> Outcome:
    """The earlier run's outcome for a student whose file is kept, as its manifest lists it."""
    return Outcome(
        sid,
        entry["file"],
        entry["sha256"],
        entry.get("pages"),
        entry.get("bytes"),
        document_id=entry.get("document_id"),
        content_sha256=entry.get("content_sha256"),
        signed=bool(entry.get("signed")),
    )


def _render(
    school: School,
    options: Options,
    roster_ids: list[str],
    score: Score,
    decision: reissue.Plan,
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
    """The documents of ``decision.render`` into ``out`` (held by the caller), then the
    manifest of everyone (kept, rendered, failed)."""
    to_render = decision.render
    outcomes: list[Outcome] = []
    if to_render:
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
    else:  # render_all clears what a killed run left; with nothing to render, do it here
        try:
            remove_partials(out)
        except OSError as exc:
            raise cannot_write(out, exc) from None
    seen = {o.student_id for o in outcomes}
    for s in to_render:
        if s.id not in seen:
            outcomes.append(
                Outcome(s.id, reason="the scoring step returned no result for this student.")
            )
    kept = [_kept(sid, entry) for sid, entry in decision.keep.items()]
    outcomes += kept
    outcomes += failed
    data = manifest.build(
        outcomes,
        kind=options.kind,
        issued=options.issued.isoformat(),
        paper=options.paper,
        unofficial=options.unofficial,
        shard=shard,
        roster_ids=roster_ids,
        detail=options.detail,
        language=options.language,
        inputs=decision.hashes,
    )
    try:
        run = Run(out, manifest.write(out, data))
    except OSError as exc:  # every PDF is written: only the manifest is missing
        reason, fix = write_problem(out, exc, file=out / manifest.NAME)
        raise Interrupted(reason, exit_code=1, fix=f"{fix}, then run again.") from None
    run.issued = sorted((o for o in outcomes if o.ok), key=lambda o: o.student_id)
    run.failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.student_id)
    run.kept = len(kept)
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
