"""The one writer and the one clock every stage uses."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from proficio.errors import UsageError
from proficio.support import clock
from proficio.support.files import atomic_text, remove_partials, write_bytes, write_text


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
