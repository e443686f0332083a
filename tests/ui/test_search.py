"""The Search page through its widgets (AppTest): hits across documents with their crops, a selection
previewed and applied as one batch, a line changed meanwhile refused and named, the batch undone as one."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from workbench import transcript
from workbench.store import open_store

ENTRY = Path(__file__).resolve().parents[2] / "workbench" / "ui" / "app.py"


def search_page(reviewer: str = "ann") -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.session_state["reviewer"] = reviewer
    at.run()
    at.switch_page("app_pages/search.py").run()
    no_errors(at)
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def find(at: AppTest, pattern: str, mode: str = "Plain text") -> AppTest:
    at.text_input(key="search_pattern").input(pattern)
    at.selectbox(key="search_mode").select(mode)
    at.button(key="search_run").click().run()
    no_errors(at)
    return at


def hit_labels(at: AppTest) -> list[str]:
    return [c.label for c in at.checkbox if str(c.key).startswith("search_hit_")]


def test_hits_across_documents_with_their_line_on_the_scan(ui_collection):
    at = find(search_page(), "the")
    assert at.title[0].value == "Search"
    assert at.subheader[0].value == "2 hit(s) in 3 page(s) of 2 document(s)"
    assert hit_labels(at) == ["1. memo-1975 page 1 line 2", "2. notes page 1 line 1"]
    assert len(at.image) == 2  # each hit's line cropped from its scan
    assert any('<span class="wb-sub">the</span>' in h.value for h in at.html)
    fuzzy = find(search_page(), "November", "Fuzzy (within K edits)")
    assert hit_labels(fuzzy) == ["1. notes page 1 line 2"]


def test_a_bad_pattern_is_one_line_on_the_page(ui_collection):
    at = search_page()
    at.text_input(key="search_pattern").input("(open")
    at.selectbox(key="search_mode").select("Regular expression")
    at.button(key="search_run").click().run()
    assert not at.exception
    assert "not a regular expression" in at.error[0].value


def test_preview_then_apply_the_selected_hits_then_undo_as_one(ui_collection):
    at = find(search_page(), "the")
    at.checkbox(key="search_ignore_case").check()
    at = find(at, "the")
    assert len(hit_labels(at)) == 3  # The and the on memo's line 2, the on notes' line 1
    at.checkbox(key="search_hit_2").check()
    at.checkbox(key="search_hit_3").check()
    at.text_input(key="search_replacement").input("THE")
    at.run()
    at.button(key="search_preview").click().run()
    no_errors(at)
    preview = at.dataframe[0].value
    assert list(preview["line"]) == ["memo-1975 page 1 line 2", "notes page 1 line 1"]
    assert list(preview["will read"]) == ["The Treaty commits THE US and Japan", "Handwritten nctes of THE meeting"]
    assert not open_store().line_edits("notes")  # a preview writes nothing
    at.button(key="search_apply").click().run()
    no_errors(at)
    assert "Replaced on 2 line(s) as one batch; 0 refused." in at.success[0].value
    edits = open_store().line_edits("memo-1975") + open_store().line_edits("notes")
    assert [e.text for e in edits] == list(preview["will read"]) and len({e.batch for e in edits}) == 1
    # Searched again: the lines as they read now (the hit left out, and THE, which ignores case).
    assert hit_labels(at) == [
        "1. memo-1975 page 1 line 2 (edited)", "2. memo-1975 page 1 line 2 (edited)", "3. notes page 1 line 1 (edited)"
    ]
    assert "THE" in [h.value.split('wb-sub">')[1].split("<")[0] for h in at.html if 'wb-sub">' in h.value]
    at.button(key="search_undo").click().run()
    no_errors(at)
    assert "Undone: the last replace, on 2 line(s)." in at.success[0].value
    assert hit_labels(at) == ["1. memo-1975 page 1 line 2", "2. memo-1975 page 1 line 2", "3. notes page 1 line 1"]


def test_a_line_another_reviewer_changed_after_the_preview_is_refused_alone(ui_collection):
    at = find(search_page(), "the")
    at.button(key="search_select_all").click().run()
    at.text_input(key="search_replacement").input("THE")
    at.button(key="search_preview").click().run()
    transcript.correct_line(ui_collection, open_store(), "notes", 1, 1, "Handwritten notes of the meeting",
                            reviewer="bob")
    at.button(key="search_apply").click().run()
    no_errors(at)
    (warning,) = at.warning
    assert "Replaced on 1 line(s) as one batch; 1 refused." in warning.value
    assert "notes page 1 line 1 was changed since the preview (bob made it read" in warning.value
    (bobs,) = open_store().line_edits("notes")
    assert bobs.reviewer == "bob"


def test_a_selection_is_kept_across_the_views_of_a_long_result(ui_collection):
    from tests.ui.conftest import make_document

    make_document(ui_collection, "long", [[f"tlie line {n}" for n in range(1, 31)]], gold=False)
    at = find(search_page(), "tlie")
    assert len(hit_labels(at)) == 25  # one view at a time
    at.checkbox(key="search_hit_2").check().run()
    at.number_input(key="search_view").set_value(2).run()
    no_errors(at)
    assert hit_labels(at)[0] == "26. long page 1 line 26"
    at.checkbox(key="search_hit_30").check().run()
    at.number_input(key="search_view").set_value(1).run()
    assert at.checkbox(key="search_hit_2").value  # still selected after the other view
    at.text_input(key="search_replacement").input("the").run()
    at.button(key="search_preview").click().run()
    no_errors(at)
    assert list(at.dataframe[0].value["line"]) == ["long page 1 line 2", "long page 1 line 30"]
