"""``python -m skilltide`` is the ``skilltide`` command."""

import sys


def main() -> None:
    """Console-script entry point. Loading the CLI takes a second or two: Ctrl-C in that time
    ends with one line and status 130, not a KeyboardInterrupt traceback from an import."""
    try:
        from skilltide.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted (Ctrl-C) before the command started\n")
        raise SystemExit(130) from None
    cli_main()


if __name__ == "__main__":
    main()
