"""The `workbench` command line: a thin layer over the package.

Each command lives in its own module here with `register(subparsers)`; the module's `run(args)` calls
the package and prints. Errors from the package (WorkbenchError) become one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workbench import __version__
from workbench.errors import WorkbenchError

# The order here is the order `workbench --help` lists them in: the data flow, then tools.
COMMAND_MODULES = (
    "documents",
    "synth",
    "ocr",
    "evaluate",
    "compare",
    "flag",
    "review",
    "report",
    "app",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Check and correct OCR of typewritten archival documents.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"workbench.cli.{name}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
    except WorkbenchError as error:
        print(f"workbench {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
