"""The ``proficio`` console script's first code: runs the command line under a Ctrl-C guard.

Loading the commands imports click, YAML, JSON Schema and the pipeline (a few hundred
milliseconds), and click's own exit comes after the command's guard; a Ctrl-C in either would
otherwise print Python's traceback, or kill the process by the signal, instead of the one line
every other Ctrl-C gets.
"""

from __future__ import annotations

import signal
import sys


def _stopped() -> SystemExit:
    from .errors import stopped_by_ctrl_c

    print(f"Error: {stopped_by_ctrl_c().message}", file=sys.stderr)
    return SystemExit(130)


def run() -> None:
    try:
        from .cli import main

        main()
    except KeyboardInterrupt:
        raise _stopped() from None
    finally:
        # The command is over (its files written whole or not at all): nothing is left for a
        # Ctrl-C to stop, so one arriving while Python exits keeps the command's exit code.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
