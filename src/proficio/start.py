"""The ``proficio`` console script's first code: loads the command line under a Ctrl-C guard.

Loading the commands imports click, YAML, JSON Schema and the pipeline (a few hundred
milliseconds); a Ctrl-C in that time would otherwise print Python's traceback instead of the
one line every other Ctrl-C gets.
"""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from .cli import main
    except KeyboardInterrupt:
        from .errors import stopped_by_ctrl_c

        print(f"Error: {stopped_by_ctrl_c().message}", file=sys.stderr)
        raise SystemExit(130) from None
    main()
