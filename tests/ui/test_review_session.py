"""The Review page as a session: the place in the URL, overrides and disputes, page status with open flags,
apply-to-all with its preview, the place kept after decisions, batches and Undo, keys 1-3 (AppTest)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import make_document
from tests.ui.test_app import app, no_errors, open_review, store_decisions
from workbench import review
from workbench.store import open_store
from workbench.ui.session import REVIEWER_COOKIE, _cookie_script


@pytest.fixture
def twice(ui_collection):
    """`twice`: one page whose gold flags are a misread word ("dgo"), the same misread word three times
    ("teh" for "the"), and another misread word ("cta")."""
    make_document(ui_collection, "twice", [["a dgo", "teh cat and teh dog", "the teh end", "a cta"]], gold=True)
    gold = ui_collection.gold_dir("twice")
    gold.mkdir(parents=True)
    (gold / "page-001.txt").write_text("a dog\nthe cat and the dog\nthe the end\na cat\n", encoding="utf-8")
    return ui_collection


def shown(at) -> review.FlagState:
    return review.flag_state(open_store(), at.session_state["document"], at.session_state["review_key"])


def messages(at) -> str:
    return " ".join(m.value for m in [*at.success, *at.warning, *at.error, *at.info])


def test_the_url_names_the_flag_and_a_new_session_opens_it(twice):
    at = open_review(doc_id="twice")
    first = at.session_state["review_key"]
    at.button(key="review_next").click().run()
    second = at.session_state["review_key"]
    assert second != first and at.query_params["flag"] == second
    # A reload: a new session with the URL the browser shows (the reviewer comes from the cookie there).
    reloaded = app(document="twice", reviewer="ann")
    reloaded.query_params["flag"] = second
    reloaded.query_params["review_filter_status"] = "all"
    reloaded.switch_page("app_pages/review.py").run()
    no_errors(reloaded)
    assert reloaded.session_state["review_key"] == second
    assert reloaded.selectbox(key="review_filter_status").value == "all"


def test_the_reviewer_cookie_holds_any_name_safely():
    script = _cookie_script('Zoë "</script><b>"')
    assert script.count("</script>") == 1 and "<b>" not in script  # the name cannot end the script
    assert f"{REVIEWER_COOKIE}=Zo%C3%AB%20%22%3C%2Fscript%3E%3Cb%3E%22; path=/; SameSite=Strict" in script
    assert "max-age" not in script  # a session cookie: it goes when the browser closes
    assert "max-age=0" in _cookie_script("", max_age=0)


def test_giving_a_name_writes_the_session_cookie_and_change_reviewer_clears_it(ui_collection):
    at = app(document="memo-1975")
    at.switch_page("app_pages/review.py").run()
    at.text_input(key="reviewer_name").input("Ann Archivist")
    at.button(key="reviewer_start").click().run()
    no_errors(at)
    assert any("workbench_reviewer=Ann%20Archivist" in h.proto.body for h in at.get("html"))
    at.button(key="reviewer_change").click().run()
    assert not at.session_state["reviewer"]
    assert any("max-age=0" in h.proto.body for h in at.get("html"))
    assert "reviewer_name" in [t.key for t in at.text_input]  # asks again


def test_deciding_over_another_reviewer_needs_an_override_with_a_note_and_shows_a_dispute(ui_collection):
    at = open_review(doc_id="notes", reviewer="bob")
    state = shown(at)
    review.decide(open_store(), "notes", state.key, action="accept", reviewer="ann", version=state.version)
    at.run()
    assert at.session_state["review_key"] == state.key  # still here: Previous and Next walk decided flags too
    assert "decided: ann accepted “notes”" in " ".join(c.value for c in at.caption)
    at.button(key="review_keep").click().run()
    assert "override it and give a note" in messages(at)
    at.checkbox(key=f"review_override_{state.key}").check().run()
    at.button(key="review_keep").click().run()
    assert "needs a note" in messages(at)
    at.checkbox(key=f"review_override_{state.key}").check()
    at.text_input(key=f"review_note_{state.key}").input("the scan reads nctes, a typist's slip kept")
    at.button(key="review_keep").click().run()
    no_errors(at)
    decided = store_decisions("notes")[state.key]
    assert (decided.reviewer, decided.action.value) == ("bob", "keep_ocr")
    # Both reviewers see the dispute; the first is told on every page of the queue.
    first = open_review(doc_id="notes", reviewer="ann")
    first.selectbox(key="review_filter_status").select("disputed").run()
    assert first.session_state["review_key"] == state.key
    text = messages(first)
    assert "1 flag(s) you decided are disputed" in text and "a typist's slip kept" in text
    assert "1 disputed" in first.get("progress")[0].proto.text


def test_reviewed_with_open_flags_needs_the_confirmation(ui_collection):
    at = open_review()
    at.selectbox(key="review_page_status").select("in_review")
    at.button(key="review_set_page_status").click().run()
    at.selectbox(key="review_page_status").select("reviewed").run()
    open_flags = sum(1 for s in review.flag_states(open_store(), "memo-1975", page=1) if s.decision is None)
    confirm_key = f"review_status_confirm_1_reviewed_{open_flags}"
    confirm = at.checkbox(key=confirm_key)
    assert f"with {open_flags} of {open_flags} flags open" in confirm.label
    at.button(key="review_set_page_status").click().run()
    assert f"still has {open_flags} of {open_flags} flags open" in messages(at)
    assert review.page_state(open_store(), "memo-1975", 1).status.value == "in_review"
    at.checkbox(key=confirm_key).check()
    at.button(key="review_set_page_status").click().run()
    no_errors(at)
    assert f"Page 1 is now reviewed, with {open_flags} flags open." in messages(at)
    assert review.page_state(open_store(), "memo-1975", 1).open_flags == open_flags


def test_apply_to_all_lists_every_occurrence_then_keeps_the_place(twice):
    at = open_review(doc_id="twice")
    at.button(key="review_next").click().run()
    at.button(key="review_next").click().run()  # the second "teh": the batch starts in the middle
    assert shown(at).flag.text == "teh"
    at.button(key="review_apply_all").click().run()
    no_errors(at)
    assert not store_decisions("twice")  # a preview writes nothing
    listed = [m.value for m in at.markdown if m.value.startswith("page ")]
    assert listed == ["page 1, line 2", "page 1, line 2", "page 1, line 3"]
    assert len(at.image) == 1 + 3  # the flag's crop, then one crop per occurrence
    at.button(key="review_apply_cancel").click().run()
    assert not [m for m in at.markdown if m.value.startswith("page ")] and not store_decisions("twice")
    at.button(key="review_apply_all").click().run()
    at.button(key="review_apply_confirm").click().run()
    no_errors(at)
    assert len(store_decisions("twice")) == 3
    assert "accepted “the” in all 3 places" in messages(at)
    assert shown(at).flag.text == "cta"  # the next open flag after the one the batch started on, not flag 1


def test_undo_returns_to_the_undone_flag_and_previous_reaches_decided_flags(twice):
    at = open_review(doc_id="twice")
    first = at.session_state["review_key"]
    at.button(key="review_accept").click().run()
    second = at.session_state["review_key"]
    assert second != first
    at.button(key="review_keep").click().run()
    assert at.session_state["review_key"] not in (first, second)
    at.button(key="review_prev").click().run()
    assert at.session_state["review_key"] == second  # a decided flag, reached by Previous
    at.button(key="review_next").click().run()
    at.button(key="review_undo").click().run()
    no_errors(at)
    assert at.session_state["review_key"] == second and second not in store_decisions("twice")
    assert "Undone: your last decision, on page 1, “teh” (misread word)." in messages(at)


def test_keys_one_to_three_accept_that_suggestion(ui_collection):
    at = open_review(doc_id="notes")
    state = shown(at)
    assert state.flag.suggestions[:3] == ("notes", "note", "noted")
    assert [at.button(key=f"review_pick_{n}").proto.shortcut for n in (1, 2, 3)] == ["1", "2", "3"]
    at.button(key="review_pick_2").click().run()
    no_errors(at)
    assert store_decisions("notes")[state.key].text == "note"
    assert "you accepted “note”" in messages(at)


def test_messages_speak_plain_words(ui_collection):
    at = open_review()
    state = shown(at)
    review.decide(open_store(), "memo-1975", state.key, action="keep_ocr", reviewer="bob", version=state.version)
    at.button(key="review_accept").click().run()
    text = messages(at)
    assert "bob kept the OCR" in text
    for internal in (state.key, "keep_ocr", "version", "misread_word", "stamp_noise"):
        assert internal not in text


def test_a_flag_inside_a_line_edited_on_transcribe_shows_as_settled_and_the_undo_reopens_it(twice):
    from workbench.transcript import correct_line

    at = open_review(doc_id="twice")
    dgo = shown(at)
    assert dgo.flag.text == "dgo" and "· open" in " ".join(c.value for c in at.caption)
    correct_line(twice, open_store(), "twice", 1, 1, "a dog", reviewer="bob")
    at.run()
    no_errors(at)
    assert at.session_state["review_key"] == dgo.key  # the current flag stays, now settled
    captions = " ".join(c.value for c in at.caption)
    assert "settled by bob's text of line 1" in captions and "· open" not in captions
    assert "1 settled by line edits" in at.get("progress")[0].proto.text
    assert at.button(key="review_keep_all").disabled  # a settled flag is no start for apply-to-all
    at.button(key="review_next").click().run()
    at.button(key="review_prev").click().run()
    assert at.session_state["review_key"] == dgo.key  # Previous reaches it like a decided flag
    review.undo_line(open_store(), "twice", 1, 1, reviewer="bob", version=1)
    at.run()
    no_errors(at)
    assert at.session_state["review_key"] == dgo.key
    assert "· open" in " ".join(c.value for c in at.caption)
    assert "settled by line edits" not in at.get("progress")[0].proto.text
    assert dgo.key in {s.key for s in review.flag_states(open_store(), "twice", status="open")}
