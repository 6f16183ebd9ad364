"""Ctrl-C in the first half second of a command, while it loads: one line, never a traceback.

Each delay lands in another phase of the start (the command line's imports, reading the
content, validating); whatever the phase, the outcome is the one Ctrl-C message and exit 130, or
the command had already finished (exit 0). Delays start after Python's own start-up, which runs
before any Proficio code and is not ours to guard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STOPPED = (
    "Error: Stopped by Ctrl-C. No file is left half-written (each is written whole or not at "
    "all, so an earlier one is as it was); run the command again."
)


UP = "import sys; sys.stderr.write('up\\n'); sys.stderr.flush()\n"
"""Printed once Python itself has started (its own signal handling is in place) and what the
entry point imports before its guard (the lazy ``proficio`` package) is loaded: the delays count
from here, so a loaded machine's slow start-up cannot make the test flaky."""
ENTRIES = {
    "python -m proficio": "import runpy, proficio\n"
    + UP
    + "runpy.run_module('proficio', run_name='__main__')",
    "the console script's entry point": "from proficio.start import run\n" + UP + "run()",
}


@pytest.mark.parametrize("delay", [0.01, 0.05, 0.1, 0.2, 0.35])
@pytest.mark.parametrize("how", sorted(ENTRIES))
def test_ctrl_c_while_the_command_loads_is_one_line(delay: float, how: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRIES[how], "validate", "--content", str(ROOT / "content")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline() == "up\n"
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr
    if proc.returncode == 130:
        assert stderr.strip().splitlines() == [STOPPED]
    else:
        assert proc.returncode == 0, stderr
