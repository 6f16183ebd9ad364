"""The one writer and the one clock every stage uses."""

from __future__ import annotations

import errno
import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from proficio.errors import ProficioError, UsageError
from proficio.support import clock
from proficio.support.files import (
    LOCK_NAME,
    atomic_text,
    atomic_texts,
    cannot_write,
    folder_holder,
    folder_lock,
    remove_partials,
    write_bytes,
    write_text,
)


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    write_text(target, "old\r\n", private=True)
    with pytest.raises(RuntimeError), atomic_text(target, private=True) as f:
        f.write("half of the new")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def test_student_data_is_private_and_public_files_follow_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_bytes(tmp_path / "S1.pdf", b"%PDF", private=True)
        write_text(tmp_path / "framework.json", "{}", private=False)
    finally:
        os.umask(previous)
    assert (tmp_path / "S1.pdf").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "framework.json").stat().st_mode & 0o777 == 0o644


def test_remove_partials_takes_only_the_given_runs_leftovers(tmp_path: Path) -> None:
    (tmp_path / ".a.pdf.run1abc.part").write_bytes(b"")
    (tmp_path / ".b.pdf.run2def.part").write_bytes(b"")
    (tmp_path / "c.pdf").write_bytes(b"")
    assert remove_partials(tmp_path, "run1") == 1
    assert remove_partials(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pdf"]


def test_the_clock_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1782777600 ")
    assert clock.now() == datetime(2026, 6, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 6, 30)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert clock.pinned() is None
    assert clock.today() == date.today()


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "1e9", "253402300800", "١٢٣"])
def test_a_bad_source_date_epoch_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError, match="whole seconds since 1970-01-01 UTC") as caught:
        clock.today()
    assert caught.value.exit_code == 2


def test_a_name_of_255_bytes_is_written_though_its_temporary_name_would_be_longer(
    tmp_path: Path,
) -> None:
    target = tmp_path / ("%E5%AD%A6" * 27 + "x" * 8 + ".pdf")  # 255 bytes, NAME_MAX
    write_bytes(target, b"%PDF", private=True, tag="12345-678901234567")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_files_written_together_are_all_kept_when_one_fails(tmp_path: Path) -> None:
    paths = [tmp_path / "targets.csv", tmp_path / "scores.jsonl"]
    for p in paths:
        write_text(p, "old\n", private=True)
    with pytest.raises(RuntimeError), atomic_texts(paths, private=True) as (a, b):
        a.write("new\n")
        b.write("half")
        raise RuntimeError("disk full")
    assert [p.read_text() for p in paths] == ["old\n", "old\n"]
    with atomic_texts(paths, private=True) as (a, b):
        a.write("new\n")
        b.write("new\n")
    assert [p.read_text() for p in paths] == ["new\n", "new\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.jsonl", "targets.csv"]


def test_a_folder_is_held_by_one_run_at_a_time(tmp_path: Path) -> None:
    out = tmp_path / "build" / "clr"
    refused: list[str] = []

    def second_run() -> None:
        try:
            with folder_lock(out):
                pass
        except ProficioError as exc:
            refused.append(exc.message)

    with folder_lock(out):
        with folder_lock(out):  # the same run, nested: goes on
            assert (out / LOCK_NAME).read_text() == f"{os.getpid()}\n"
        assert folder_holder(out) == f" (pid {os.getpid()})"
        thread = threading.Thread(target=second_run)
        thread.start()
        thread.join()
    assert refused == [
        f"Another proficio run is writing to {out} (pid {os.getpid()}). Wait for it or choose "
        "another --out."
    ]
    assert folder_holder(out) is None
    assert not (tmp_path / "build").exists()  # made for the run, empty: removed


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "Cannot write out: the disk is full (ENOSPC). Free space or choose another --out."),
        (errno.EROFS, "Cannot write out: it is on a read-only file system (EROFS). Choose another --out."),
        (errno.EACCES, "Cannot write out: permission denied (EACCES). Make it writable for you or choose another --out."),
        (errno.EISDIR, "Cannot write out/a.pdf: a folder is in the way (EISDIR). Move it away or choose another --out."),
    ],
)  # fmt: skip
def test_a_write_that_fails_says_where_why_and_what_to_do(
    code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    error = cannot_write(Path("out"), OSError(code, os.strerror(code)), file=Path("out/a.pdf"))
    assert error.message == message and error.exit_code == 1


def test_records_made_by_filling_their_dict_only_while_that_is_right() -> None:
    """The fast constructors of evidence rows and target results fall back to the real one
    for a dataclass with slots, a ``__post_init__``, or other fields."""
    from dataclasses import dataclass

    from proficio.evidence import checker
    from proficio.scoring import standing
    from proficio.support.records import fills_dict

    @dataclass(frozen=True)
    class Plain:
        a: int
        b: int

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int
        b: int

    @dataclass(frozen=True)
    class Checked:
        a: int
        b: int

        def __post_init__(self) -> None:
            pass

    assert fills_dict(Plain, ("a", "b"))
    assert not fills_dict(Plain, ("b", "a"))
    assert not fills_dict(Slotted, ("a", "b"))
    assert not fills_dict(Checked, ("a", "b"))
    assert checker._FAST and standing._FAST  # the shipped records take the fast path
