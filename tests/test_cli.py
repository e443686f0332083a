"""The command line: help lists every command, errors are one line with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PIL import Image

from workbench.cli import COMMAND_MODULES, COMMANDS, build_parser, main


def test_help_lists_every_registered_command():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    help_text = parser.format_help()
    assert len(commands) >= len(COMMAND_MODULES)
    for name in commands:
        assert name in help_text


def test_each_command_is_found_in_the_module_that_registers_it():
    for module in COMMAND_MODULES:
        registered = build_parser(only=module)._subparsers._group_actions[0].choices
        assert {name for name, owner in COMMANDS.items() if owner == module} == set(registered)
    assert set(COMMANDS) == set(build_parser()._subparsers._group_actions[0].choices)


def test_a_command_starts_without_loading_the_other_commands():
    probe = "import sys; from workbench.cli import main; main(['settings']); print('workbench.report' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")


def test_console_entry_point_help_runs():
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=True
    )
    assert "documents" in result.stdout and "add" in result.stdout


def test_add_with_missing_file_is_one_line_error(tmp_collection, tmp_path, capsys):
    status = main(["add", "doc", str(tmp_path / "missing.png"), "--title", "t"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().count("\n") == 0
    assert "missing.png: file not found" in err


def test_add_then_documents_lists_it(tmp_collection, tmp_path, capsys):
    page = tmp_path / "p.png"
    Image.new("L", (50, 50), 255).save(page)
    assert main(["add", "memo", str(page), "--title", "A memo"]) == 0
    assert main(["documents"]) == 0
    assert "memo\t1 pages\tgold: -\tA memo" in capsys.readouterr().out


def test_scans_given_after_the_options_are_scans_too(tmp_collection, tmp_path, capsys):
    pages = [tmp_path / f"p{n}.png" for n in (1, 2, 3)]
    for page in pages:
        Image.new("L", (50, 50), 255).save(page)
    assert main(["add", "memo", str(pages[0]), "--title", "A memo", str(pages[1]), str(pages[2])]) == 0
    assert main(["documents"]) == 0
    assert "memo\t3 pages\tgold: -\tA memo" in capsys.readouterr().out


def test_an_unknown_option_after_the_scans_is_still_refused(tmp_collection, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["add", "memo", "--title", "A memo", "p.png", "--colour"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: p.png --colour" in capsys.readouterr().err


def test_settings_lists_every_setting(capsys):
    from workbench.settings import SETTINGS

    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SETTINGS)
