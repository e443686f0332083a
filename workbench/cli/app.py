"""`workbench app`: start the Streamlit workbench, passing further options on to `streamlit run`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "ui" / "app.py"

# Streamlit options every start of the workbench gets, before the user's own (a later option wins, so
# `workbench app --client.toolbarMode developer` still works). Archives often run closed networks and
# their reviewers are no app developers: no usage statistics leave the machine, and the toolbar offers
# no Deploy button or developer menu. Set here rather than in a .streamlit/config.toml, which Streamlit
# reads only from the folder it is started in.
# A failure the pages did not foresee shows a short notice, never a traceback with server paths.
STREAMLIT_DEFAULTS = (
    "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none",
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add `app` to the command line."""
    app = commands.add_parser(
        "app",
        help="start the reviewer workbench in the browser (further options go to `streamlit run`)",
        description="Start the Streamlit workbench. Options after `app` go to `streamlit run`, "
        "e.g. `workbench app --server.port 8599 --server.headless true`.",
        # Every option after `app` belongs to `streamlit run` (even --help), so none is parsed here.
        prefix_chars="+",
        add_help=False,
    )
    app.add_argument("streamlit_args", nargs=argparse.REMAINDER, metavar="STREAMLIT_OPTION",
                     help="options for `streamlit run`")
    app.set_defaults(run=run_app)


def streamlit_command(streamlit_args: list[str]) -> list[str]:
    """The `streamlit run` command line for the workbench entry script: the workbench's defaults
    (`STREAMLIT_DEFAULTS`), then `streamlit_args`, which override them."""
    return [sys.executable, "-m", "streamlit", "run", str(ENTRY), *STREAMLIT_DEFAULTS, *streamlit_args]


def run_app(args: argparse.Namespace) -> int:
    command = streamlit_command(list(args.streamlit_args))
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130
