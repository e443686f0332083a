"""The pages on a damaged review store and with errors that name server files: one line each, no traceback,
no server path (issue 15, items 6 and 10)."""

from __future__ import annotations

import re

import pytest

from tests.test_reliability import damaged_store
from tests.ui.test_app import app
from workbench import errors, views

SERVER_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s/]+/)+")


@pytest.mark.parametrize("page", ["export", "reports", "documents", "review", "compare"])
def test_a_damaged_store_is_one_line_without_server_paths_on_every_page(ui_collection, tmp_path, monkeypatch, page):
    monkeypatch.setenv("WORKBENCH_DB", str(damaged_store(tmp_path / "damaged.db", everything=True)))
    at = app(document="memo-1975", reviewer="ann")
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.error]
    assert shown == ["cannot read the review store (database disk image is malformed)"]


def test_public_messages_name_no_server_paths(ui_collection):
    home = ui_collection.home
    assert views.public_message(f"{home}/scans/memo-1975/page-001.png: corrupt image") == (
        "scans/memo-1975/page-001.png: corrupt image"
    )
    assert views.public_message("/tmp/workbench-upload-x/scan-001-a.pdf: not a readable PDF") == (
        "scan-001-a.pdf: not a readable PDF"
    )
    assert views.public_message("sqlite:////srv/wb/workbench.db: cannot write the review store (locked)") == (
        "cannot write the review store (locked)"
    )
    untouched = 'reviewer =HYPERLINK("http://evil/x") wrote 1/2'
    assert views.public_message(untouched) == untouched


def test_errors_read_publicly_only_where_the_app_asked_for_it(ui_collection):
    import threading

    error = errors.ScanError(f"{ui_collection.home}/scans/a/page-001.png: corrupt image")
    seen = {}

    def in_the_app():
        errors.show_publicly(views.public_message)
        seen["app"] = str(error)

    thread = threading.Thread(target=in_the_app)
    thread.start()
    thread.join()
    assert seen["app"] == "scans/a/page-001.png: corrupt image"
    assert str(error) == errors.full_message(error) == f"{ui_collection.home}/scans/a/page-001.png: corrupt image"
    assert not SERVER_PATH.search(seen["app"])
