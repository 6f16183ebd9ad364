"""The forked second process is only ever a speed-up: same result, and the parent takes over
when the child cannot deliver."""

from __future__ import annotations

import os

import pytest

from proficio.support.forking import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="forking needs Linux, 2 cores, one thread")


def whose(parent: int) -> tuple[str, list[int]]:
    """Where it ran, and a value that must survive the trip back."""
    return ("child" if os.getpid() != parent else "parent"), list(range(5))


def dies_in_child(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)  # killed before it could write anything, as by the OOM killer
    return "done here"


def fails(parent: int) -> None:
    raise ValueError(f"broken content ({'child' if os.getpid() != parent else 'parent'})")


def test_the_result_comes_back_from_the_child() -> None:
    assert Forked(whose, os.getpid()).result() == ("child", [0, 1, 2, 3, 4])


def test_the_parent_does_the_work_when_the_child_dies() -> None:
    assert Forked(dies_in_child, os.getpid()).result() == "done here"


def test_an_error_is_raised_in_the_parent_as_in_a_serial_run() -> None:
    job = Forked(fails, os.getpid())
    with pytest.raises(ValueError, match=r"broken content \(parent\)"):
        job.result()


def test_a_result_is_collected_once() -> None:
    job = Forked(whose, os.getpid())
    assert job.result() is job.result()


def test_cancel_reaps_the_child() -> None:
    job = Forked(whose, os.getpid())
    job.cancel()
    assert job._child.exitcode is not None


def test_no_fork_for_typst_once_typst_has_run_here(tmp_path) -> None:
    """Typst leaves worker threads behind after a compile; a forked child that compiled again
    would wait for ever on their locks (seen: the site's summary PDFs after an in-process
    transcript). Checked in a fresh process, since this one may have run Typst already."""
    import subprocess
    import sys

    script = (
        "import pathlib, sys, typst\n"
        "from proficio.support.forking import can_fork\n"
        "before = can_fork(native=True)\n"
        "p = pathlib.Path(sys.argv[1]); p.write_text('Hello')\n"
        "typst.Compiler(str(p)).compile()\n"
        "print(before, can_fork(native=True), can_fork())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "a.typ")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "False", "True"]
