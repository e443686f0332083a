"""`workbench app` starts `streamlit run` on the entry script and passes every further option on."""

from __future__ import annotations

import subprocess
import sys

from workbench.cli import app as app_command
from workbench.cli import build_parser, main


def test_app_passes_streamlit_options_through(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command: calls.append(command) or 0)
    assert main(["app", "--server.port", "8599", "--server.headless", "true"]) == 0
    (command,) = calls
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4].endswith("workbench/ui/app.py")
    assert command[5:] == [*app_command.STREAMLIT_DEFAULTS, "--server.port", "8599", "--server.headless", "true"]


def test_app_sends_no_usage_statistics_and_shows_no_deploy_button_unless_told_otherwise():
    from streamlit.web import cli as streamlit_cli

    def options(args):
        command = app_command.streamlit_command(args)
        return streamlit_cli.main_run.make_context("run", command[4:]).params

    default = options([])
    assert default["browser_gatherUsageStats"] is False
    assert default["client_toolbarMode"] == "viewer"  # viewer mode has no Deploy button
    assert options(["--client.toolbarMode", "developer"])["client_toolbarMode"] == "developer"


def test_app_help_goes_to_streamlit_and_the_entry_script_exists():
    args = build_parser().parse_args(["app", "--help"])
    assert args.streamlit_args == ["--help"]
    assert app_command.ENTRY.is_file()
