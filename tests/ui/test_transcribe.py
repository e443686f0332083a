"""The Transcribe page through its widgets (AppTest): line after line, saved as line edits, refused when
another reviewer changed the line first (their text shown, the typed text kept), on documents without gold
and without scans."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from workbench.store import open_store
from workbench.transcript import correct_document, correct_line

ENTRY = Path(__file__).resolve().parents[2] / "workbench" / "ui" / "app.py"


def transcribe(doc_id: str = "notes", reviewer: str = "ann", **url) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.session_state["document"] = doc_id
    at.session_state["reviewer"] = reviewer
    for key, value in url.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/transcribe.py").run()
    no_errors(at)
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def field(at: AppTest):
    return at.text_input(key=at.session_state["transcribe_field"])


def test_the_page_shows_the_line_its_image_its_neighbours_and_its_low_confidence_words(ui_collection):
    at = transcribe()
    assert at.title[0].value == "Transcribe"
    assert field(at).value == "Handwritten nctes of the meeting"
    assert len(at.image) == 1  # the line's crop from its word boxes
    after = next(h.value for h in at.html if "wb-context" in h.value)
    assert "on 12 Novembcr 1974." in after
    assert any("OCR of this line" in m.value for m in at.markdown)
    assert at.query_params["page"] == "1" and at.query_params["line"] == "1"


def test_saving_a_line_logs_an_edit_moves_on_and_the_export_shows_it(ui_collection):
    at = transcribe()
    field(at).input("Handwritten notes of the meeting")
    at.button(key="transcribe_save").click().run()
    no_errors(at)
    assert "Line 1 saved." in [s.value for s in at.success]
    assert at.session_state["transcribe_line"] == 2 and field(at).value == "on 12 Novembcr 1974."
    assert at.query_params["line"] == "2"
    (made,) = open_store().line_edits("notes")
    assert (made.line, made.reviewer, made.before, made.text) == (
        1, "ann", "Handwritten nctes of the meeting", "Handwritten notes of the meeting"
    )
    assert correct_document(ui_collection, open_store(), "notes").text.startswith("Handwritten notes of")
    at.switch_page("app_pages/export.py").run()
    no_errors(at)
    assert "Handwritten notes of the meeting" in at.text_area(key="export_text").value


def test_an_unchanged_line_moves_on_without_an_edit_and_previous_goes_back(ui_collection):
    at = transcribe()
    at.button(key="transcribe_save").click().run()
    assert at.session_state["transcribe_line"] == 2
    assert open_store().line_edits("notes") == []
    at.button(key="transcribe_prev").click().run()
    no_errors(at)
    assert at.session_state["transcribe_line"] == 1


def test_restore_puts_the_line_back(ui_collection):
    at = transcribe()
    field(at).input("something else")
    at.button(key="transcribe_restore").click().run()
    no_errors(at)
    assert field(at).value == "Handwritten nctes of the meeting"


def test_a_stale_edit_is_refused_with_the_other_text_shown_and_the_typed_text_kept(ui_collection):
    at = transcribe()
    correct_line(ui_collection, open_store(), "notes", 1, 1, "Handwritten notes of the meeting.", reviewer="bob")
    field(at).input("Handwritten notes of the meeting!")
    at.button(key="transcribe_save").click().run()
    no_errors(at)
    assert any("another reviewer changed this line first" in w.value for w in at.warning)
    assert "Handwritten notes of the meeting." in [c.value for c in at.code]
    assert field(at).value == "Handwritten notes of the meeting!"  # kept
    assert at.session_state["transcribe_line"] == 1
    assert [e.text for e in open_store().line_edits("notes")] == ["Handwritten notes of the meeting."]
    at.button(key="transcribe_save").click().run()  # saved deliberately over theirs, now that it was seen
    no_errors(at)
    assert [e.text for e in open_store().line_edits("notes")][-1] == "Handwritten notes of the meeting!"


def test_undo_withdraws_the_edit(ui_collection):
    at = transcribe()
    field(at).input("Handwritten notes of the meeting")
    at.button(key="transcribe_save").click().run()
    at.button(key="transcribe_prev").click().run()
    at.button(key="transcribe_undo").click().run()
    no_errors(at)
    assert field(at).value == "Handwritten nctes of the meeting"
    assert [e.action.value for e in open_store().line_edits("notes")] == ["edit", "undo"]


def test_the_place_comes_from_the_url(ui_collection):
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.session_state["document"] = "memo-1975"
    at.session_state["reviewer"] = "ann"
    at.query_params["page"] = "1"
    at.query_params["line"] = "3"
    at.run()
    at.switch_page("app_pages/transcribe.py").run()
    no_errors(at)
    assert field(at).value == "to recognise an arned attack <script>"


def test_a_document_without_scans_is_transcribed_from_the_text_alone(ui_collection, tmp_path):
    for page in ui_collection.document("notes").pages:
        os.remove(page.scan)
    shutil.rmtree(ui_collection.document_dir("memo-1975"))
    at = transcribe()
    assert any("No scan for this page" in i.value for i in at.info)
    assert len(at.image) == 0
    field(at).input("Handwritten notes of the meeting")
    at.button(key="transcribe_save").click().run()
    no_errors(at)
    assert open_store().line_edits("notes")[0].text == "Handwritten notes of the meeting"


def test_words_read_with_low_confidence_are_marked(ui_collection):
    from dataclasses import replace

    from workbench.ocr.store import load_ocr_page, save_ocr_page

    page = load_ocr_page(ui_collection, "notes", 1)
    words = tuple(replace(w, conf=31.0) if w.text == "nctes" else w for w in page.words)
    save_ocr_page(ui_collection, replace(page, words=words))
    at = transcribe()
    marked = next(h.value for h in at.html if "wb-low" in h.value and "<span" in h.value)
    assert '<span class="wb-low" title="read with low confidence">nctes</span>' in marked
    assert "meeting" in marked and '">meeting<' not in marked  # read with confidence: not marked


def test_past_the_last_line_is_the_next_page_and_before_the_first_the_previous(ui_collection):
    at = transcribe("memo-1975", line="3")
    assert field(at).value == "to recognise an arned attack <script>"
    at.button(key="transcribe_save").click().run()
    no_errors(at)
    assert (at.session_state["page"], at.session_state["transcribe_line"]) == (2, 1)
    assert field(at).value == "Second page text."
    at.button(key="transcribe_prev").click().run()
    no_errors(at)
    assert (at.session_state["page"], at.session_state["transcribe_line"]) == (1, 3)
    assert field(at).value == "to recognise an arned attack <script>"


def test_another_document_starts_at_its_first_line(ui_collection):
    at = transcribe("memo-1975", line="3")
    assert at.session_state["transcribe_line"] == 3
    at.session_state["document"] = "notes"
    at.run()
    no_errors(at)
    assert (at.session_state["page"], at.session_state["transcribe_line"]) == (1, 1)
    assert field(at).value == "Handwritten nctes of the meeting"
