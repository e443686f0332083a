"""The `workbench` command line: a thin layer over the package.

Each command lives in its own module here with `register(subparsers)`; the module's `run(args)` calls
the package and prints. Errors from the package (WorkbenchError) become one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
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
    "correct",
    "search",
    "report",
    "app",
)


# Which module registers each command: a run loads only its command's module (and what that imports), so
# `workbench compare` does not pay for the report's plotting or the simulator's image libraries. A test
# checks this table against what the modules register.
COMMANDS: dict[str, str] = {
    "documents": "documents",
    "add": "documents",
    "settings": "documents",
    "synth": "synth",
    "ocr": "ocr",
    "import-ocr": "ocr",
    "evaluate": "evaluate",
    "compare": "compare",
    "flag": "flag",
    "review": "review",
    "correct": "correct",
    "search": "search",
    "page-status": "review",
    "export": "review",
    "rules": "review",
    "gold-errata": "review",
    "gold-revise": "review",
    "db": "review",
    "report": "report",
    "app": "app",
}


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every command registered, or only the commands of module `only`."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Check and correct OCR of typewritten archival documents.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES if only is None else (only,) if only else ():
        importlib.import_module(f"workbench.cli.{name}").register(commands)
    return parser


def _command_module(argv: list[str]) -> str | None:
    """The module of the command `argv` names (its first word), None for --help, --version or no command."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return COMMANDS.get(first) if first is not None and argv and argv[0] == first else None


def _modules_for(argv: list[str]) -> str | None:
    """What `build_parser(only=...)` needs for `argv`: the command's module, "" (none) for a bare --version,
    None (all) otherwise, so that --help lists every command."""
    if argv == ["--version"]:
        return ""
    return _command_module(argv)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """`argv` parsed; words left after the options go to the command's list of trailing positionals, if it
    names one (`set_defaults(trailing=(dest, type))`), so `add DOC --title T scan.tif` reads as it is typed."""
    args, stray = parser.parse_known_args(argv)
    if stray:
        trailing = getattr(args, "trailing", None)
        if trailing is None or any(word.startswith("-") for word in stray):
            parser.error(f"unrecognized arguments: {' '.join(stray)}")
        dest, kind = trailing
        setattr(args, dest, [*getattr(args, dest), *map(kind, stray)])
    return args


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_modules_for(argv))
    args = _parse(parser, argv)
    try:
        status = args.run(args)
        sys.stdout.flush()  # inside the try: a reader that went away (`| head -1`) is seen here
    except BrokenPipeError:
        # The reader closed the pipe: stop quietly, and point stdout at /dev/null so that the interpreter's
        # own flush at exit does not raise again (the recipe of Python's signal documentation).
        with contextlib.suppress(OSError, ValueError):  # stdout is no file (a test's capture): no flush to come
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except WorkbenchError as error:
        print(f"workbench {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
