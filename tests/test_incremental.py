"""Incremental re-issue (``proficio.reissue``): a run into a folder with a manifest renders only
the students whose inputs changed, keeps the others' files once re-hashed, and leaves exactly
what a full ``--force`` run into an empty folder leaves."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proficio.cli import main
from proficio.content.loader import load_school
from proficio.dev.synthetic import write_evidence, write_roster, write_school
from proficio.evidence import load
from proficio.interop.clr import MANIFEST as CLR_MANIFEST
from proficio.transcripts import run as transcript_run
from proficio.transcripts.bulk import shard_of

ISSUED = "2026-06-12"
STUDENTS = 4


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic school (a few targets), four students and their evidence."""
    folder = tmp_path_factory.mktemp("incremental")
    write_school(folder / "content", targets=8, languages=("en", "es"), seed=3)
    school = load_school(folder / "content")
    roster = write_roster(folder / "roster.csv", STUDENTS, seed=3, languages=school.languages)
    write_evidence(
        folder / "evidence.csv", school, roster, targets_per_student=5, rows_per_student=8, seed=3
    )
    return folder


@pytest.fixture
def work(data: Path, tmp_path: Path) -> Path:
    """A private copy of the data a test may change."""
    for name in ("content", "roster.csv", "evidence.csv"):
        src = data / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        else:
            shutil.copyfile(src, tmp_path / name)
    return tmp_path


def ids(work: Path) -> list[str]:
    with (work / "roster.csv").open(encoding="utf-8") as f:
        return [row["student_id"] for row in csv.DictReader(f)]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def transcripts(work: Path, out: Path, *extra: str) -> str:
    return invoke(
        "transcripts", "--content", str(work / "content"), "--roster", str(work / "roster.csv"),
        "--evidence", str(work / "evidence.csv"), "--out", str(out), "--issue-date", ISSUED,
        "--jobs", "1", "--issues", str(work / "issues.csv"), *extra,
    )  # fmt: skip


def counts(output: str) -> tuple[int, int]:
    m = re.search(r"Rendered (\d+), unchanged (\d+) \(kept\)", output)
    assert m, output
    return int(m.group(1)), int(m.group(2))


def stamps(out: Path, pattern: str = "*.pdf") -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a re-written file gets a new inode (it is
    written beside and renamed over), a kept one keeps both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(out.glob(pattern))}


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {name for name, stamp in after.items() if before.get(name) != stamp}


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != ".proficio.lock"}


def same_as_full_run(work: Path, out: Path, *extra: str) -> None:
    """``out`` holds byte for byte what a ``--force`` run into an empty folder writes."""
    fresh = work / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    transcripts(work, fresh, "--force", *extra)
    assert files(out) == files(fresh)


def add_evidence(work: Path, student: str) -> None:
    """One new dated row for ``student`` at the end of the export (a nightly score)."""
    with (work / "evidence.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    mine = next(r for r in rows if r["student_id"] == student)
    with (work / "evidence.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            [student, mine["target"], "3", "2026-06-01", "Nightly check", "quiz", "", ""]
        )


def insert_evidence_above(work: Path, student: str) -> None:
    """A new row for ``student`` as the first data row: every other row moves down a line."""
    lines = (work / "evidence.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(line.split(",")[1] for line in lines[1:] if line.startswith(student + ","))
    new = f"{student},{target},2,2026-06-02,Early check,quiz,,\n"
    (work / "evidence.csv").write_text("".join([lines[0], new, *lines[1:]]), encoding="utf-8")


def test_evidence_of_one_student(work: Path) -> None:
    out = work / "out"
    assert counts(transcripts(work, out)) == (STUDENTS, 0)
    first = files(out)
    before = stamps(out)
    (out / ".S000001.pdf.1-2abcdefgh.part").write_bytes(b"left by a killed run")
    assert counts(transcripts(work, out)) == (0, STUDENTS)
    assert stamps(out) == before and files(out) == first  # the manifest too: same bytes

    student = ids(work)[1]
    add_evidence(work, student)
    assert counts(transcripts(work, out)) == (1, STUDENTS - 1)
    assert changed(before, stamps(out)) == {f"{student}.pdf"}
    same_as_full_run(work, out)
    invoke("verify-manifests", str(out))

    # A row added above the others moves their lines, not their documents.
    before = stamps(out)
    other = ids(work)[2]
    insert_evidence_above(work, other)
    assert counts(transcripts(work, out)) == (1, STUDENTS - 1)
    assert changed(before, stamps(out)) == {f"{other}.pdf"}
    same_as_full_run(work, out)


def test_evidence_digest_ignores_file_and_line_but_not_order(work: Path) -> None:
    school = load_school(work / "content")
    a = load([work / "roster.csv"], [work / "evidence.csv"], school).evidence
    text = (work / "evidence.csv").read_text(encoding="utf-8")
    header, *rows = text.splitlines(keepends=True)
    student = ids(work)[0]
    others = [r for r in rows if not r.startswith(student + ",")]
    mine = [r for r in rows if r.startswith(student + ",")]
    moved = work / "moved.csv"
    moved.write_text("".join([header, *others, *mine]), encoding="utf-8")
    b = load([work / "roster.csv"], [moved], school).evidence
    assert a.digest(student) == b.digest(student)  # other file, other lines, same rows
    swapped = work / "swapped.csv"
    swapped.write_text("".join([header, *others, *mine[1:], mine[0]]), encoding="utf-8")
    c = load([work / "roster.csv"], [swapped], school).evidence
    assert a.digest(student) != c.digest(student)  # the order breaks same-date ties
    assert a.digest(student) != a.digest(ids(work)[1])


def test_one_roster_field(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    before = stamps(out)
    with (work / "roster.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[3][rows[0].index("preferred_name")] = "Kit"
    with (work / "roster.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    assert counts(transcripts(work, out)) == (1, STUDENTS - 1)
    assert changed(before, stamps(out)) == {f"{rows[3][0]}.pdf"}
    same_as_full_run(work, out)


def test_one_target_title_renders_everyone(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    before = stamps(out)
    level = next((work / "content" / "subjects").rglob("level-1.yaml"))
    text = level.read_text(encoding="utf-8")
    title = re.search(r"  - code: \S+\n    title:\n      en: (I can [^\n']+)\.\n", text)
    assert title, text[:2000]  # the first target's English title
    level.write_text(text.replace(title.group(1), title.group(1) + " and revise it", 1), "utf-8")
    assert counts(transcripts(work, out)) == (STUDENTS, 0)  # the content is every document's
    assert changed(before, stamps(out)) == set(before)
    same_as_full_run(work, out)


def test_the_template_renders_everyone(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = work / "out"
    transcripts(work, out)
    before = stamps(out)
    shipped = transcript_run.template_files()
    upgraded = [(n, b + b"\n// a later version\n" if n == "common.typ" else b) for n, b in shipped]
    monkeypatch.setattr(transcript_run, "template_files", lambda: upgraded)
    assert counts(transcripts(work, out)) == (STUDENTS, 0)
    assert changed(before, stamps(out)) == set(before)
    assert counts(transcripts(work, out)) == (0, STUDENTS)


def test_options_and_force(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    before = stamps(out)
    assert counts(transcripts(work, out, "--paper", "a4")) == (STUDENTS, 0)
    assert changed(before, stamps(out)) == set(before)
    same_as_full_run(work, out, "--paper", "a4")
    assert counts(transcripts(work, out, "--paper", "a4")) == (0, STUDENTS)
    assert counts(transcripts(work, out, "--paper", "a4", "--detail", "topics")) == (STUDENTS, 0)
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    assert data["detail"] == "topics" and data["paper"] == "a4"
    before = stamps(out)
    output = transcripts(work, out, "--paper", "a4", "--detail", "topics", "--force")
    assert "Rendered" not in output and "Issued 4 transcripts" in output
    assert changed(before, stamps(out)) == set(before)


def test_hand_edited_and_deleted_files_are_made_again(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    full = files(out)
    before = stamps(out)
    edited, deleted, same_size = (f"{sid}.pdf" for sid in ids(work)[:3])
    with (out / edited).open("ab") as f:
        f.write(b"%% edited\n")
    (out / deleted).unlink()
    data = bytearray((out / same_size).read_bytes())  # one byte changed, same size
    data[100] ^= 1
    (out / same_size).write_bytes(bytes(data))
    stamped = stamps(out)
    assert counts(transcripts(work, out)) == (3, STUDENTS - 3)
    assert changed(stamped, stamps(out)) == {edited, deleted, same_size}
    assert changed(before, stamps(out)) == {edited, deleted, same_size}
    assert files(out) == full
    invoke("verify-manifests", str(out))


def test_old_manifest_and_removed_students(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    full = (out / "manifest.json").read_bytes()
    data["format"] = 1
    for doc in data["documents"]:
        del doc["inputs"]
    (out / "manifest.json").write_text(json.dumps(data, indent=1), "utf-8")
    assert counts(transcripts(work, out)) == (STUDENTS, 0)  # no hashes: nothing is known
    assert (out / "manifest.json").read_bytes() == full

    gone = ids(work)[-1]
    lines = (work / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (work / "roster.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    output = transcripts(work, out)
    assert counts(output) == (0, STUDENTS - 1) and "Removed 1 file" in output
    assert not (out / f"{gone}.pdf").exists()
    invoke("verify-manifests", str(out), "--roster", str(work / "roster.csv"), "--content",
           str(work / "content"))  # fmt: skip
    same_as_full_run(work, out)


def test_a_students_run_removes_no_one(work: Path) -> None:
    out = work / "out"
    transcripts(work, out)
    first = ids(work)[0]
    assert counts(transcripts(work, out, "--students", first)) == (0, 1)
    assert len(list(out.glob("*.pdf"))) == STUDENTS


def test_shards(work: Path) -> None:
    dirs = [work / "shard-1", work / "shard-2"]
    for i, d in enumerate(dirs, 1):
        assert counts(transcripts(work, d, "--shard", f"{i}/2"))[1] == 0
    before = [stamps(d) for d in dirs]
    student = ids(work)[0]
    add_evidence(work, student)
    home = shard_of(student, 2)
    for i, d in enumerate(dirs, 1):
        rendered, kept = counts(transcripts(work, d, "--shard", f"{i}/2"))
        assert rendered == (1 if i == home else 0)
        assert kept == len(before[i - 1]) - rendered
        assert changed(before[i - 1], stamps(d)) == ({f"{student}.pdf"} if i == home else set())
    invoke("verify-manifests", *map(str, dirs))
    for i, d in enumerate(dirs, 1):
        fresh = work / f"fresh-{i}"
        transcripts(work, fresh, "--shard", f"{i}/2", "--force")
        assert files(d) == files(fresh)


def test_progress_reports(work: Path) -> None:
    out = work / "out"
    assert counts(transcripts(work, out, "--kind", "progress")) == (STUDENTS, 0)
    student = ids(work)[3]
    add_evidence(work, student)
    before = stamps(out)
    assert counts(transcripts(work, out, "--kind", "progress")) == (1, STUDENTS - 1)
    assert changed(before, stamps(out)) == {f"{student}.pdf"}
    same_as_full_run(work, out, "--kind", "progress")


def export_clr(work: Path, out: Path, *extra: str) -> str:
    return invoke(
        "export-clr", "--content", str(work / "content"), "--roster", str(work / "roster.csv"),
        "--evidence", str(work / "evidence.csv"), "--out", str(out), "--issued", ISSUED,
        "--issues", str(work / "issues.csv"), *extra,
    )  # fmt: skip


def test_clr_records(work: Path) -> None:
    out = work / "clr"
    assert counts(export_clr(work, out)) == (STUDENTS, 0)
    assert (out / CLR_MANIFEST).is_file()
    before = stamps(out, "*.json")
    assert counts(export_clr(work, out)) == (0, STUDENTS)
    assert stamps(out, "*.json") == before
    student = ids(work)[2]
    add_evidence(work, student)
    assert counts(export_clr(work, out)) == (1, STUDENTS - 1)
    assert changed(before, stamps(out, "*.json")) == {f"{student}.json"}
    victim = out / f"{ids(work)[0]}.json"
    victim.write_text(victim.read_text("utf-8").replace("Proficient", "Exemplary"), "utf-8")
    assert counts(export_clr(work, out)) == (1, STUDENTS - 1)
    fresh = work / "clr-fresh"
    export_clr(work, fresh, "--force")
    assert files(out) == files(fresh)
    assert counts(export_clr(work, out, "--issued", "2026-06-13")) == (STUDENTS, 0)
    gone = ids(work)[-1]
    lines = (work / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (work / "roster.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    output = export_clr(work, out, "--issued", "2026-06-13")
    assert counts(output) == (0, STUDENTS - 1) and "Removed 1 record of" in output
    assert not (out / f"{gone}.json").exists()
    listed = json.loads((out / CLR_MANIFEST).read_text("utf-8"))["documents"]
    assert [d["student_id"] for d in listed] == sorted(ids(work))


def test_signed_clr_records_are_kept_only_with_the_same_key(work: Path) -> None:
    keys = []
    for name in ("a.pem", "b.pem"):
        key = Ed25519PrivateKey.generate()
        (work / name).write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        keys.append(str(work / name))
    out = work / "clr"
    assert counts(export_clr(work, out, "--sign-key", keys[0])) == (STUDENTS, 0)
    assert counts(export_clr(work, out, "--sign-key", keys[0])) == (0, STUDENTS)
    before = stamps(out, "*.jwt")
    assert counts(export_clr(work, out, "--sign-key", keys[1])) == (STUDENTS, 0)
    assert changed(before, stamps(out, "*.jwt")) == set(before)
    output = export_clr(work, out)  # unsigned now: .json records, the .jwt ones removed
    assert counts(output) == (STUDENTS, 0) and f"Removed {STUDENTS} records" in output
    assert not list(out.glob("*.jwt"))


def test_the_run_hash_follows_what_prints_not_where_or_when(work: Path, data: Path) -> None:
    """The school's digest is the same from another checkout folder and changes with a title;
    the signer counts by certificate, not by the moment of signing."""
    from datetime import UTC, date, datetime

    from proficio import reissue
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import font_dirs
    from proficio.transcripts.signing import Identity

    here, there = load_school(work / "content"), load_school(data / "content")
    assert here.root != there.root
    assert reissue.school_digest(here) == reissue.school_digest(there)
    target = next(t for *_, t in here.iter_targets())
    target.title = {**target.title, "en": target.title["en"] + " again"}
    assert reissue.school_digest(here) != reissue.school_digest(there)

    options = Options(issued=date(2026, 6, 12))
    dirs = font_dirs()

    def signer(cert: bytes, hour: int) -> Identity:
        return Identity(b"key", cert, (), datetime(2026, 6, 12, hour, tzinfo=UTC))

    base = transcript_run.run_digest(there, options, dirs, None)
    one = transcript_run.run_digest(there, options, dirs, signer(b"cert A", 1))
    assert one == transcript_run.run_digest(there, options, dirs, signer(b"cert A", 9))
    assert len({base, one, transcript_run.run_digest(there, options, dirs, signer(b"B", 1))}) == 3
    other = Options(issued=date(2026, 6, 13))
    assert transcript_run.run_digest(there, other, dirs, None) != base


def test_proficio_build_keeps_the_example_transcripts_it_already_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``proficio build`` issues the example school's transcripts as a nightly run does: the
    second build of unchanged inputs renders none and leaves the same bytes."""
    from proficio.cli.transcripts import build_example_transcripts

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781265600")  # 2026-06-12
    content = Path(__file__).resolve().parent.parent / "content"
    out = tmp_path / "transcripts"
    build_example_transcripts(content, out)
    first = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert len(first) == 48 and counts(capsys.readouterr().out) == (48, 0)
    build_example_transcripts(content, out)
    assert counts(capsys.readouterr().out) == (0, 48)
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == first
