"""Ctrl-C in the first half second of a command, while it loads: one line, never a traceback.

Each delay lands in another phase of the start (the command line's imports, reading the
content, validating); whatever the phase, the outcome is the one Ctrl-C message and exit 130, or
the command had already finished (exit 0). Delays start after Python's own start-up, which runs
before any Proficio code and is not ours to guard.
"""

from __future__ import annotations

import os
import shutil
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


def _commands() -> list[list[str]]:
    found = [[sys.executable, "-m", "proficio"]]
    script = shutil.which("proficio")
    if script:
        found.append([script])
    return found


@pytest.mark.parametrize("delay", [0.08, 0.15, 0.25, 0.35, 0.5])
@pytest.mark.parametrize("how", ["python -m proficio", "the proficio script"])
def test_ctrl_c_while_the_command_loads_is_one_line(delay: float, how: str) -> None:
    commands = _commands()
    if how == "the proficio script" and len(commands) < 2:
        pytest.skip("the proficio console script is not installed")
    command = commands[0] if how == "python -m proficio" else commands[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [*command, "validate", "--content", str(ROOT / "content")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr
    if proc.returncode == 130:
        assert stderr.strip().splitlines() == [STOPPED]
    else:
        assert proc.returncode == 0, stderr
