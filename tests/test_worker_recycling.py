"""Workers replaced after a number of documents (memory stays flat) give the same PDFs."""

from __future__ import annotations

from pathlib import Path

from transcript_helpers import ISSUED, roster, school, scorer

from proficio.transcripts.bulk import BATCH, render_all
from proficio.transcripts.document import Options
from proficio.transcripts.fonts import Coverage, font_dirs
from proficio.transcripts.run import issue

OPTIONS = Options(issued=ISSUED)


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_recycled_workers_write_the_same_bytes_as_one_process(tmp_path):
    students = roster(3 * BATCH + 1)
    one = tmp_path / "one"
    run = issue(school(), students, scorer, OPTIONS, one, jobs=1)
    assert not run.failed and len(run.issued) == len(students)

    recycled = tmp_path / "recycled"
    dirs = font_dirs()
    workers: list[int] = []
    outcomes = render_all(
        school(),
        OPTIONS,
        scorer(students),
        {s.id: f"{s.id}.pdf" for s in students},
        recycled,
        jobs=2,
        font_dirs=dirs,
        coverage=Coverage.of_dirs(dirs),
        recycle=1,  # a fresh worker for every batch
        workers=workers,
    )
    assert all(o.ok for o in outcomes) and len(outcomes) == len(students)
    # Every batch went to a worker of its own: 4 batches, 4 processes (not the 2 of a pool).
    assert len(set(workers)) == 4
    assert pdfs(recycled) == pdfs(one)
    assert {o.student_id: o.sha256 for o in outcomes} == {
        o.student_id: o.sha256 for o in run.issued
    }
