"""Bulk runs: workers, shards, manifests, failures and interrupted runs."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from transcript_helpers import ISSUED, result, roster, school, scorer

from proficio.evidence.records import Student
from proficio.transcripts import Options, Renderer
from proficio.transcripts.bulk import Progress, parse_shard, shard_of
from proficio.transcripts.fonts import Coverage, font_dirs
from proficio.transcripts.manifest import verify
from proficio.transcripts.run import issue

OPTIONS = Options(issued=ISSUED)
HELPERS = Path(__file__).with_name("transcript_helpers.py")


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    run = issue(
        school(), roster(6), scorer, OPTIONS, out, jobs=1, combined=out.parent / "print.pdf"
    )
    return out, run


def test_one_run_writes_a_pdf_and_a_manifest_entry_per_student(single_run):
    out, run = single_run
    assert not run.failed and len(run.issued) == 6
    data = json.loads((out / "manifest.json").read_text())
    assert [d["student_id"] for d in data["documents"]] == [f"S-{i:04d}" for i in range(6)]
    for d in data["documents"]:
        pdf = (out / d["file"]).read_bytes()
        assert d["pages"] == len(PdfReader(io.BytesIO(pdf)).pages)
        assert d["kind"] == "transcript" and d["bytes"] == len(pdf)
    assert verify([out]).ok


def test_combined_print_file_has_every_page_in_order(single_run):
    out, run = single_run
    combined = PdfReader(out.parent / "print.pdf")
    assert len(combined.pages) == sum(o.pages for o in run.issued)
    assert "Student ID S-0000" in combined.pages[0].extract_text()
    assert "Student ID S-0005" in combined.pages[-1].extract_text()


def test_jobs_1_and_jobs_2_give_identical_bytes(single_run, tmp_path):
    out, _ = single_run
    run = issue(school(), roster(6), scorer, OPTIONS, tmp_path, jobs=2)
    assert not run.failed
    assert pdfs(tmp_path) == pdfs(out)
    assert (tmp_path / "manifest.json").read_bytes() == (out / "manifest.json").read_bytes()


def test_three_shards_together_are_the_single_run(single_run, tmp_path):
    out, _ = single_run
    dirs = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    union: dict[str, bytes] = {}
    for i, d in enumerate(dirs, 1):
        run = issue(school(), roster(6), scorer, OPTIONS, d, jobs=1, shard=(i, 3))
        assert all(shard_of(o.student_id, 3) == i for o in run.issued)
        got = pdfs(d)
        assert not union.keys() & got.keys()
        union.update(got)
    assert union == pdfs(out)
    v = verify(dirs)
    assert v.ok, v.problems
    assert (v.students, v.documents, v.shards) == (6, 6, 3)

    missing = verify(dirs[:2])
    assert any("shard 3 of 3 missing" in p for p in missing.problems)
    assert any("missing or extra" in p for p in missing.problems)
    assert any("the same as" in p or "is also in" in p for p in verify([dirs[0], dirs[0]]).problems)
    (dirs[0] / "stale.pdf").write_bytes(b"%PDF-1.7 from an earlier run")
    assert any("stale.pdf: not in the manifest" in p for p in verify(dirs).problems)
    (dirs[0] / "stale.pdf").unlink()
    victim = next(dirs[2].glob("*.pdf"))  # (shard 2 of these six IDs happens to be empty)
    victim.write_bytes(victim.read_bytes()[:-10])
    assert any("SHA-256 does not match" in p for p in verify(dirs).problems)
    assert any("not shards of one run" in p for p in verify([out, dirs[0]]).problems)


def test_shards_are_stable_and_balanced():
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)
    # A fixed hash: the same student is in the same shard on every machine and Python.
    assert [shard_of(f"S-{i:04d}", 3) for i in range(6)] == [
        shard_of(f"S-{i:04d}", 3) for i in range(6)
    ]
    counts = [0, 0, 0]
    for i in range(3000):
        counts[shard_of(f"S-{i:05d}", 3) - 1] += 1
    assert all(900 < c < 1100 for c in counts)


def test_students_who_cannot_be_issued_are_reported_and_the_others_finish(tmp_path):
    students = [*roster(2), Student("", "No", "Id"), Student("S-bad", "Bell\x07", "Doe")]
    (tmp_path / "S-bad.pdf").write_bytes(b"an old transcript")  # must not survive as current
    run = issue(school(), students, scorer, OPTIONS, tmp_path, jobs=2)
    assert [o.student_id for o in run.issued] == ["S-0000", "S-0001"]
    reasons = {o.student_id: o.reason for o in run.failed}
    assert "empty" in reasons[""] and "U+0007" in reasons["S-bad"]
    assert not (tmp_path / "S-bad.pdf").exists()
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert {f["student_id"] for f in data["failed"]} == {"", "S-bad"}
    problems = verify([tmp_path]).problems
    assert any("'S-bad' was not issued" in p for p in problems)


def test_progress_without_a_terminal_prints_lines():
    stream = io.StringIO()
    bar = Progress(10, "transcripts", stream, every=0)
    for _ in range(10):
        bar.advance()
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("transcripts: 10/10 (100%)")
    assert "\r" not in stream.getvalue()


def _start(out: Path, n: int, jobs: int) -> subprocess.Popen:
    path = [str(HELPERS.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    return subprocess.Popen(
        [sys.executable, str(HELPERS), str(out), str(n), str(jobs)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(out: Path, count: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.glob("*.pdf"))) < count:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the run produced no PDFs"
        time.sleep(0.05)


@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGTERM, 2), (signal.SIGKILL, 1)])
def test_a_killed_run_leaves_only_complete_pdfs(tmp_path, sig, jobs):
    n = 80
    proc = _start(tmp_path, n, jobs)
    _wait_for(tmp_path, 3, proc)
    proc.send_signal(sig)
    proc.wait(60)
    assert proc.returncode != 0
    written = sorted(tmp_path.glob("*.pdf"))
    assert 3 <= len(written) < n
    assert not (tmp_path / "manifest.json").exists()
    if sig == signal.SIGTERM:
        assert not list(tmp_path.glob(".*")), "temporary files left behind"
    dirs = font_dirs()
    renderer = Renderer(school(), OPTIONS, dirs, Coverage.of_dirs(dirs))
    try:
        by_id = {s.id: s for s in roster(n)}
        for path in written:
            pdf = path.read_bytes()
            assert pdf.rstrip().endswith(b"%%EOF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 1
        for path in written[:2]:
            expected = renderer.render(scorer([by_id[path.stem]]).__next__()).pdf
            assert path.read_bytes() == expected
    finally:
        renderer.close()
    # The next run clears what a hard kill could leave (hidden temporary files) and completes.
    run = issue(school(), roster(3), scorer, OPTIONS, tmp_path, jobs=1)
    assert not run.failed and not list(tmp_path.glob(".*.part"))


def test_result_helper_is_consistent():
    res = result(Student("X", "A", "B"), current={"MA": 3})
    ma = res.subjects[0]
    assert ma.current_level == 3 and ma.levels[0].complete and ma.levels[1].complete


def test_a_file_that_cannot_be_written_stops_the_run_with_a_clear_error(tmp_path):
    from proficio.errors import Interrupted

    (tmp_path / "S-0000.pdf").mkdir()  # something in the way, even for root
    with pytest.raises(
        Interrupted, match=r"cannot write .*S-0000\.pdf: a folder is in the way \(EISDIR\)"
    ):
        issue(school(), roster(2), scorer, OPTIONS, tmp_path, jobs=1)
    assert not list(tmp_path.glob(".*.part"))
