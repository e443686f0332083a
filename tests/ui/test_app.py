"""Every page of the Streamlit app, driven through its widgets with AppTest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

ENTRY = Path(__file__).resolve().parents[2] / "workbench" / "ui" / "app.py"


def app(**state) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=30)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def png(width: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, 60), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_documents_page_lists_the_collection(repo_collection):
    at = app()
    no_errors(at)
    assert at.title[0].value == "Documents"
    listed = at.dataframe[0].value
    assert "us-japan-1974" in list(listed["document"])
    assert at.sidebar.selectbox(key="document").value in repo_collection.document_ids()
    pages = at.dataframe[1].value
    assert list(pages["page"]) == list(range(1, len(pages) + 1))


def test_documents_page_adds_an_uploaded_document(copied_collection):
    at = app()
    at.text_input(key="add_id").input("memo-1975")
    at.text_input(key="add_title").input("A memo")
    at.file_uploader(key="add_scans").set_value([("p2.png", png(90), "image/png"), ("p1.png", png(80), "image/png")])
    at.file_uploader(key="add_gold").set_value([("p1.txt", b"First page", "text/plain"),
                                                ("p2.txt", b"Second page", "text/plain")])
    at.button(key="add_submit").click().run()
    no_errors(at)
    assert "Added memo-1975: 2 page(s)." in [s.value for s in at.success]
    document = copied_collection.document("memo-1975")
    assert Image.open(document.pages[0].scan).width == 80
    assert copied_collection.has_gold(document)


def test_documents_page_reports_a_bad_upload_in_one_line(copied_collection):
    at = app()
    at.text_input(key="add_id").input("memo-bad")
    at.text_input(key="add_title").input("Broken")
    at.file_uploader(key="add_scans").set_value([("scan.png", b"not an image", "image/png")])
    at.button(key="add_submit").click().run()
    assert not at.exception
    assert any("scan.png" in e.value and "not an image" in e.value for e in at.error)
    assert "memo-bad" not in copied_collection.document_ids()


@pytest.mark.parametrize("page", ["compare", "review", "reports", "export"])
def test_every_page_renders_without_exception(page):
    at = app()
    at.switch_page(f"app_pages/{page}.py").run()
    no_errors(at)
