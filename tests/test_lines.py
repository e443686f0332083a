"""Line edits (workbench.review.lines): logged with who, when, before and after; conflicts between reviewers
refused naming the other reviewer's text; undo and redo as events; the log append-only in the database.
Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.test_postgres import BACKENDS, backend_url
from workbench import review
from workbench.errors import ReviewError, StoreError
from workbench.models import DecisionAction
from workbench.review import LineConflict
from workbench.schema import line_edits_table
from workbench.store import LineEdit, LineVersionConflict, open_store

DOC = "memo"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, monkeypatch):
    """The review store on SQLite and on PostgreSQL."""
    return open_store(backend_url(request, tmp_path, monkeypatch))


def edit(store, text, *, line=2, version=0, reviewer="ann", before="Novembcr 1974", page=1):
    return review.edit_line(
        store, DOC, page, line, ocr="Novembcr 1974", before=before, text=text, reviewer=reviewer, version=version
    )


def test_an_edit_is_logged_with_reviewer_time_before_and_after(store):
    made = edit(store, "November 1974")
    assert made.id is not None and made.action is DecisionAction.EDIT
    (stored,) = store.line_edits(DOC)
    assert stored == made
    assert (stored.reviewer, stored.before, stored.text, stored.ocr) == (
        "ann", "Novembcr 1974", "November 1974", "Novembcr 1974"
    )
    assert stored.time.endswith("Z")
    state = review.line_state(store, DOC, 1, 2)
    assert state.text == "November 1974" and state.version == 1


def test_an_edit_from_a_stale_version_is_refused_with_the_other_reviewers_text(store):
    edit(store, "November 1974", reviewer="ann")
    with pytest.raises(LineConflict) as refused:
        edit(store, "Nov. 1974", reviewer="bob", version=0)
    assert "ann made it read 'November 1974'" in str(refused.value)
    assert "not saved" in str(refused.value)
    assert refused.value.current.text == "November 1974" and refused.value.version == 1
    assert [e.text for e in store.line_edits(DOC)] == ["November 1974"]


def test_two_reviewers_racing_on_one_line_let_exactly_one_through(store):
    outcomes = []

    def attempt(name):
        try:
            edit(store, f"{name}'s line", reviewer=name)
            outcomes.append("saved")
        except LineConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("ann", "bob", "cy")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "saved"]
    assert len(store.line_edits(DOC)) == 1


def test_the_unique_line_version_index_refuses_what_the_count_missed(store):
    first = LineEdit(DOC, 1, 1, DecisionAction.EDIT, "a", "a", "b", "ann", "2026-12-02T10:00:00.000Z")
    store.append_line_edits([first])
    with store.write() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(line_edits_table.insert().values(
            document=DOC, page=1, line=1, action="edit", ocr="a", before="a", text="c", reviewer="bob",
            time="2026-12-02T10:00:01.000Z", note="", version=0,
        ))
    with pytest.raises(LineVersionConflict):
        store.append_line_edits([first])


def test_a_batch_of_line_edits_is_all_or_nothing(store):
    good = LineEdit(DOC, 1, 1, DecisionAction.EDIT, "a", "a", "b", "ann", "t", batch="b1")
    stale = LineEdit(DOC, 1, 2, DecisionAction.EDIT, "c", "c", "d", "ann", "t", version=3, batch="b1")
    with pytest.raises(LineVersionConflict):
        store.append_line_edits([good, stale])
    assert store.line_edits(DOC) == []
    store.append_line_edits([good, LineEdit(DOC, 1, 2, DecisionAction.EDIT, "c", "c", "d", "ann", "t", batch="b1")])
    assert [e.line for e in store.line_edits(DOC, batch="b1")] == [1, 2]


def test_undo_falls_back_to_the_edit_before_and_redo_brings_it_back(store):
    edit(store, "November 1974", reviewer="ann")
    edit(store, "November 1974.", reviewer="bob", version=1, before="November 1974")
    undone = review.undo_line(store, DOC, 1, 2, reviewer="ann", version=2)
    assert undone.action is DecisionAction.UNDO and undone.before == "November 1974."
    assert review.line_state(store, DOC, 1, 2).text == "November 1974"
    review.undo_line(store, DOC, 1, 2, reviewer="ann", version=3)
    state = review.line_state(store, DOC, 1, 2)
    assert state.edit is None and state.redo.text == "November 1974" and state.version == 4
    review.redo_line(store, DOC, 1, 2, reviewer="ann", version=4)
    assert review.line_state(store, DOC, 1, 2).text == "November 1974"
    assert len(store.line_edits(DOC)) == 5  # nothing deleted: every step is an event


def test_undo_of_a_line_never_edited_and_from_a_stale_version_are_refused(store):
    with pytest.raises(ReviewError, match="no edit to undo"):
        review.undo_line(store, DOC, 1, 2, reviewer="ann", version=0)
    edit(store, "November 1974")
    with pytest.raises(LineConflict):
        review.undo_line(store, DOC, 1, 2, reviewer="ann", version=0)
    with pytest.raises(ReviewError, match="nothing to redo"):
        review.redo_line(store, DOC, 1, 2, reviewer="ann", version=1)


@pytest.mark.parametrize("text", ["two\nlines", "form\ffeed", "carriage\rreturn", "sep\u2028arator"])
def test_a_line_edit_is_one_line(store, text):
    with pytest.raises(ReviewError, match="one line"):
        edit(store, text)
    assert store.line_edits(DOC) == []


def test_a_reviewer_name_and_line_numbers_from_one_are_required(store):
    with pytest.raises(ReviewError, match="reviewer name"):
        edit(store, "x", reviewer="  ")
    with pytest.raises(ReviewError, match="start at 1"):
        edit(store, "x", line=0)


def test_edits_in_force_by_page_in_line_order_without_undone_ones(store):
    edit(store, "November 1974", line=3, page=2)
    edit(store, "Top line", line=1, page=2)
    edit(store, "gone", line=1, page=1)
    review.undo_line(store, DOC, 1, 1, reviewer="ann", version=1)
    in_force = review.edits_in_force(store, DOC)
    assert list(in_force) == [2]
    assert [e.line for e in in_force[2]] == [1, 3]


def test_other_languages_are_kept_as_typed(store):
    edit(store, "Déclassifié le 12 novembre — Ελληνικά")
    assert review.line_state(store, DOC, 1, 2).text == "Déclassifié le 12 novembre — Ελληνικά"


def test_the_database_refuses_to_update_or_delete_line_edits(store):
    edit(store, "November 1974")
    for statement in (sa.update(line_edits_table).values(text="rewritten"), sa.delete(line_edits_table)):
        # SQLite's trigger aborts with a constraint error, passed on as such; PostgreSQL's raises, a StoreError
        with pytest.raises((sa.exc.IntegrityError, StoreError), match="append-only"), store.write() as conn:
            conn.execute(statement)
    assert [e.text for e in store.line_edits(DOC)] == ["November 1974"]


def test_a_pages_records_in_one_read_are_what_the_separate_reads_give(store):
    from workbench.models import Flag, FlagCategory
    from workbench.transcript import switch_rule

    flags = [
        Flag(DOC, page, start, start + 3, "teh", FlagCategory.MISREAD_WORD, ("the",))
        for page in (1, 2) for start in (0, 10, 20)
    ]
    review.sync_flags(store, DOC, flags)
    for target in (flags[0], flags[2], flags[3]):  # two decided flags on page 1, one on page 2
        review.decide(store, DOC, target.key, action="accept", reviewer="ann", version=0, text="the")
    review.undo(store, DOC, flags[2].key, reviewer="ann", version=1)
    edit(store, "November 1974")
    edit(store, "November 1974", page=2)
    switch_rule(store, DOC, "join_hyphenation", False, reviewer="ann")
    records = store.page_records(DOC, 1)
    assert [s.flag.key for s in records.flags] == [flags[0].key, flags[2].key]  # the flags with events only
    decided_keys = {flags[0].key, flags[2].key}
    assert list(records.decisions) == [d for d in store.decisions(DOC) if d.flag_key in decided_keys]
    assert list(records.line_edits) == store.line_edits(DOC, page=1)
    assert list(records.rule_settings) == store.rule_settings(DOC)
    assert store.page_records(DOC, 3).flags == () and store.page_records("other", 1).line_edits == ()
