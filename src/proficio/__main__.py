import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command loads: one line, as for Ctrl-C later
    from .errors import stopped_by_ctrl_c

    print(f"Error: {stopped_by_ctrl_c().message}", file=sys.stderr)
    raise SystemExit(130) from None

main()
