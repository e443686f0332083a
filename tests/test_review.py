"""Review decisions: the four decisions, the derived state, conflicts between reviewers, batches and their
undo, undo/redo, page status and validation, progress, scripted acceptance and gold errata.
Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from tests.test_postgres import BACKENDS, backend_url
from workbench import goldrevision, review
from workbench.errors import ReviewConflict, ReviewError
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, FlagSource
from workbench.review import PageStatus
from workbench.store import open_store

DOC = "memo"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, monkeypatch):
    opened = open_store(backend_url(request, tmp_path, monkeypatch))
    yield opened
    opened.close()


def flag(start, text="teh", suggestions=("the",), *, page=1, category=FlagCategory.MISREAD_WORD, confidence=0.9):
    return Flag(
        document=DOC,
        page=page,
        start=start,
        end=start + len(text),
        text=text,
        category=category,
        suggestions=tuple(suggestions),
        confidence=confidence,
        source=FlagSource.HEURISTIC,
    )


@pytest.fixture
def flags(store):
    made = [
        flag(0),
        flag(10),
        flag(20),
        flag(30, "adn", ("and",)),
        flag(5, "teh", page=2),
        flag(40, "CONFIDENTIAL", ("",), category=FlagCategory.STAMP_NOISE, confidence=0.6),
    ]
    review.sync_flags(store, DOC, made)
    return made


# -- the four decisions ------------------------------------------------------------------------------------


def test_accept_takes_the_top_suggestion_by_default(store, flags):
    decision = review.decide(store, DOC, flags[0].key, action="accept", reviewer=" ann ", version=0, note="obvious")
    assert (decision.action, decision.text, decision.reviewer, decision.note) == (
        DecisionAction.ACCEPT, "the", "ann", "obvious"
    )
    assert decision.time.endswith("Z") and decision.id is not None
    state = review.flag_state(store, DOC, flags[0].key)
    assert state.status == "decided" and state.reading == "the" and state.version == 1


def test_keep_edit_and_gold_wrong_are_recorded_with_their_text(store, flags):
    review.decide(store, DOC, flags[0].key, action="keep_ocr", reviewer="ann", version=0)
    review.decide(store, DOC, flags[1].key, action="edit", text="thy", reviewer="ann", version=0)
    review.decide(store, DOC, flags[2].key, action="gold_wrong", text="teh", reviewer="ann", version=0, note="sic")
    states = {s.key: s for s in review.flag_states(store, DOC)}
    assert states[flags[0].key].decision.action is DecisionAction.KEEP_OCR
    assert states[flags[0].key].reading is None
    assert states[flags[1].key].reading == "thy"
    assert states[flags[2].key].decision.action is DecisionAction.GOLD_WRONG
    assert states[flags[2].key].decision.note == "sic"


def test_accepting_text_that_is_not_a_suggestion_is_refused(store, flags):
    with pytest.raises(ReviewError, match="not one of its suggestions"):
        review.decide(store, DOC, flags[0].key, action="accept", text="tea", reviewer="ann", version=0)


def test_edit_and_gold_wrong_need_text(store, flags):
    with pytest.raises(ReviewError, match="type your reading first"):
        review.decide(store, DOC, flags[0].key, action="edit", reviewer="ann", version=0)
    with pytest.raises(ReviewError, match="type what the gold should read first"):
        review.decide(store, DOC, flags[0].key, action="gold_wrong", reviewer="ann", version=0)


def test_empty_reviewer_is_refused(store, flags):
    with pytest.raises(ReviewError, match="reviewer name is required"):
        review.decide(store, DOC, flags[0].key, action="accept", reviewer="  ", version=0)
    assert review.decision_history(store, DOC) == []


def test_unknown_flag_is_refused(store, flags):
    with pytest.raises(ReviewError, match="no flag 'nope'"):
        review.decide(store, DOC, "nope", action="accept", reviewer="ann", version=0)


def test_stale_flag_keeps_its_decision_but_takes_no_new_one(store, flags):
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    review.sync_flags(store, DOC, flags[2:])
    assert flags[0].key not in {s.key for s in review.flag_states(store, DOC)}
    assert review.current_decisions(store, DOC)[flags[0].key].text == "the"
    with pytest.raises(ReviewError, match="no longer applies"):
        review.decide(store, DOC, flags[1].key, action="accept", reviewer="ann", version=0)


# -- conflicts ---------------------------------------------------------------------------------------------


def test_second_reviewer_from_the_same_state_is_refused_with_the_first_decision(store, flags):
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    with pytest.raises(ReviewConflict) as caught:
        review.decide(store, DOC, flags[0].key, action="edit", text="tho", reviewer="bob", version=0)
    message = str(caught.value)
    assert "\n" not in message
    assert "ann accepted “the” on " in message and "not saved" in message
    assert "version" not in message and flags[0].key not in message  # plain words, no internal names
    assert [d.reviewer for d in review.decision_history(store, DOC, flags[0].key)] == ["ann"]


def test_two_reviewers_racing_on_one_flag_end_with_one_decision_and_one_refusal(store, flags):
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def reviewer(name: str, text: str):
        barrier.wait()
        try:
            outcomes[name] = review.decide(store, DOC, flags[3].key, action="edit", text=text, reviewer=name, version=0)
        except ReviewConflict as conflict:
            outcomes[name] = conflict

    threads = [threading.Thread(target=reviewer, args=a) for a in (("ann", "and"), ("bob", "an"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [n for n, o in outcomes.items() if isinstance(o, ReviewConflict)]
    won = [n for n, o in outcomes.items() if not isinstance(o, ReviewConflict)]
    assert len(refused) == 1 and len(won) == 1
    assert f"{won[0]} corrected it to" in str(outcomes[refused[0]])
    history = review.decision_history(store, DOC, flags[3].key)
    assert [d.reviewer for d in history] == won
    assert review.flag_state(store, DOC, flags[3].key).version == 1


# -- undo and redo -----------------------------------------------------------------------------------------


def test_undo_and_redo_are_new_events_and_nothing_is_deleted(store, flags):
    key = flags[0].key
    first = review.decide(store, DOC, key, action="accept", reviewer="ann", version=0)
    second = review.decide(store, DOC, key, action="edit", text="thee", reviewer="bob", version=1, override=True,
                           note="the line reads thee")
    undone = review.undo(store, DOC, key, reviewer="bob", version=2)
    assert undone.action is DecisionAction.UNDO and undone.ref == second.id
    assert review.flag_state(store, DOC, key).decision.id == first.id  # back to the decision before
    redone = review.redo(store, DOC, key, reviewer="bob", version=3, override=True, note="thee after all")
    assert (redone.action, redone.text, redone.ref) == (DecisionAction.EDIT, "thee", undone.id)
    state = review.flag_state(store, DOC, key)
    assert state.reading == "thee" and state.redo is None
    review.undo(store, DOC, key, reviewer="ann", version=4, override=True, note="back to the gold")
    review.undo(store, DOC, key, reviewer="ann", version=5)
    assert review.flag_state(store, DOC, key).status == "open"
    history = review.decision_history(store, DOC, key)
    assert [d.action.value for d in history] == ["accept", "edit", "undo", "edit", "undo", "undo"]


def test_a_new_decision_clears_what_redo_would_restore(store, flags):
    key = flags[0].key
    review.decide(store, DOC, key, action="accept", reviewer="ann", version=0)
    review.undo(store, DOC, key, reviewer="ann", version=1)
    assert review.flag_state(store, DOC, key).redo.text == "the"
    review.decide(store, DOC, key, action="keep_ocr", reviewer="ann", version=2)
    with pytest.raises(ReviewError, match="nothing to redo"):
        review.redo(store, DOC, key, reviewer="ann", version=3)


def test_undo_on_an_open_flag_is_refused(store, flags):
    with pytest.raises(ReviewError, match="nothing to undo"):
        review.undo(store, DOC, flags[0].key, reviewer="ann", version=0)


def test_undo_from_a_stale_version_is_a_conflict(store, flags):
    key = flags[0].key
    review.decide(store, DOC, key, action="accept", reviewer="ann", version=0)
    with pytest.raises(ReviewConflict):
        review.undo(store, DOC, key, reviewer="bob", version=0)


# -- the queue --------------------------------------------------------------------------------------------


def event(key, action, event_id, *, text=None, ref=None):
    return Decision(DOC, key, DecisionAction(action), text, "ann", "2026-11-26T13:00:00Z", id=event_id, ref=ref)


def test_queue_folds_decisions_and_filters_plain_flags():
    flags = [flag(10, "tbe", page=1), flag(0, "Tbe", page=1, confidence=0.4), flag(5, "tbe", page=2),
             flag(9, "GDS", page=2, category=FlagCategory.STAMP_NOISE)]
    keys = [f.key for f in sorted(flags, key=lambda f: (f.page, f.start))]
    events = [
        event(keys[0], "accept", 1, text="the"),
        event(keys[2], "keep_ocr", 2),
        event(keys[2], "undo", 3, ref=2),  # withdrawn: open again
    ]
    open_only = review.queue(flags, events, review.QueueFilter(status=review.FlagStatus.OPEN))
    assert [s.key for s in open_only.items] == keys[1:]  # page and span order, the decided one left out
    assert (open_only.flags, open_only.decided, open_only.fraction) == (4, 1, 0.25)
    # A plain flag's version is the number of its events, as the store counts them.
    assert {s.key: s.version for s in open_only.states}[keys[2]] == 2
    # The flag itself first, then the other open "tbe"; the decided "Tbe" differs in case anyway.
    assert [s.key for s in open_only.alike(flags[0])] == [keys[1], keys[2]]
    where = review.QueueFilter.of
    assert [s.key for s in review.queue(flags, events, where(status="decided")).items] == [keys[0]]
    assert len(review.queue(flags, events).items) == 4
    assert [s.flag.page for s in review.queue(flags, events, where(pages=2)).items] == [2, 2]
    assert [s.flag.text for s in review.queue(flags, events, where(categories=["stamp_noise"])).items] == ["GDS"]
    assert review.queue(flags, events, where(max_confidence=0.5)).items[0].flag.text == "Tbe"
    with pytest.raises(ReviewError, match="unknown flag status"):
        where(status="maybe")


def test_apply_to_all_decides_exactly_what_the_queue_counted_with_both_flag_sources(store):
    """Gold and no-gold flags of the same OCR text both in the store: the count the Review page shows
    (the queue of the reviewed source) is the size of the batch. Occurrences used to ignore the source,
    so the batch also took the other source's flags: 4 decided where the button said 2."""
    gold = [replace(flag(start), source=FlagSource.GOLD) for start in (0, 10)]
    heuristic = [flag(start) for start in (0, 10)]  # same spans and text, the no-gold flagger's
    review.sync_flags(store, DOC, gold + heuristic)
    shown = review.queue(gold, [], review.QueueFilter(source=FlagSource.GOLD)).alike(gold[0], reading="the")
    batch = review.apply_to_all(store, DOC, gold[0].key, action="accept", text="the", reviewer="ann")
    assert len(batch) == len(shown) == 2
    assert {d.flag_key for d in batch.decisions} == {f.key for f in gold}
    assert all(review.flag_state(store, DOC, f.key).status is review.FlagStatus.OPEN for f in heuristic)


def test_alike_with_a_reading_keeps_only_flags_that_offer_it(store):
    flags = [flag(0, suggestions=("the",)), flag(10, suggestions=("tea",)), flag(20, suggestions=("the", "tea"))]
    review.sync_flags(store, DOC, flags)
    assert {s.key for s in review.occurrences(store, DOC, flags[0].key, reading="the")} == {
        flags[0].key, flags[2].key
    }
    assert len(review.occurrences(store, DOC, flags[0].key)) == 3


def test_progress_counts_what_the_queue_counts(store, flags):
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    done = review.progress(store, DOC, pages=[1, 2])
    whole = review.stored_queue(store, DOC)
    assert (done.flags, done.decided) == (whole.flags, whole.decided) == (6, 1)
    assert [(p.page, p.flags, p.decided) for p in done.pages] == [(1, 5, 1), (2, 1, 0)]


# -- batches -----------------------------------------------------------------------------------------------


def test_apply_to_all_identical_occurrences_logs_each_and_undoes_as_one(store, flags):
    group = review.occurrences(store, DOC, flags[0].key, reading="the")
    assert group[0].key == flags[0].key
    assert {s.key for s in group} == {flags[0].key, flags[1].key, flags[2].key, flags[4].key}
    batch = review.apply_to_all(store, DOC, flags[0].key, action="accept", text="the", reviewer="ann")
    assert len(batch) == 4 and batch.id is not None
    assert {d.batch for d in batch.decisions} == {batch.id}
    assert review.flag_state(store, DOC, flags[3].key).status == "open"  # "adn" is not identical

    undone = review.undo_batch(store, batch.id, reviewer="ann")
    assert len(undone) == 4 and undone.id != batch.id
    assert {d.ref for d in undone.decisions} == {d.id for d in batch.decisions}
    assert all(review.flag_state(store, DOC, s.key).status == "open" for s in group)
    assert len(review.decision_history(store, DOC)) == 8


def test_apply_to_all_with_a_changed_occurrence_writes_nothing(store, flags):
    shown = {s.key: s.version for s in review.occurrences(store, DOC, flags[0].key, reading="the")}
    review.decide(store, DOC, flags[2].key, action="keep_ocr", reviewer="bob", version=0)
    with pytest.raises(ReviewConflict, match="bob"):
        review.apply_to_all(store, DOC, flags[0].key, action="accept", reviewer="ann", expected=shown)
    assert [d.reviewer for d in review.decision_history(store, DOC)] == ["bob"]


def test_undoing_a_batch_after_one_flag_was_decided_again_is_refused_whole(store, flags):
    batch = review.apply_to_all(store, DOC, flags[0].key, action="accept", reviewer="ann")
    review.decide(store, DOC, flags[1].key, action="edit", text="thy", reviewer="bob", version=1, override=True,
                  note="the scan reads thy")
    with pytest.raises(ReviewError, match="was changed after that action"):
        review.undo_batch(store, batch.id, reviewer="ann")
    assert all(d.action is not DecisionAction.UNDO for d in review.decision_history(store, DOC))


def test_undo_last_takes_back_the_reviewers_latest_action(store, flags):
    batch = review.apply_to_all(store, DOC, flags[0].key, action="accept", reviewer="ann")
    single = review.decide(store, DOC, flags[3].key, action="accept", reviewer="ann", version=0)
    review.decide(store, DOC, flags[5].key, action="accept", reviewer="bob", version=0)
    first = review.undo_last(store, DOC, reviewer="ann")
    assert [d.ref for d in first.decisions] == [single.id]
    second = review.undo_last(store, DOC, reviewer="ann")
    assert {d.ref for d in second.decisions} == {d.id for d in batch.decisions}
    with pytest.raises(ReviewError, match="no decision still in force"):
        review.undo_last(store, DOC, reviewer="ann")
    assert review.flag_state(store, DOC, flags[5].key).status == "decided"


# -- filters and progress ----------------------------------------------------------------------------------


def test_flag_states_filter_by_page_category_confidence_and_status(store, flags):
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    assert len(review.flag_states(store, DOC, page=2)) == 1
    assert [s.key for s in review.flag_states(store, DOC, categories=["stamp_noise"])] == [flags[5].key]
    assert [s.key for s in review.flag_states(store, DOC, max_confidence=0.7)] == [flags[5].key]
    assert len(review.flag_states(store, DOC, min_confidence=0.7)) == 5
    assert [s.key for s in review.flag_states(store, DOC, status="decided")] == [flags[0].key]
    assert len(review.flag_states(store, DOC, status="open")) == 5


def test_progress_counts_decisions_reviewers_and_pages(store, flags):
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    review.decide(store, DOC, flags[4].key, action="keep_ocr", reviewer="bob", version=0)
    review.set_page_status(store, DOC, 2, "in_review", reviewer="cy")
    result = review.progress(store, DOC, pages=[1, 2, 3])
    assert (result.flags, result.decided, result.open) == (6, 2, 4)
    assert result.by_action == {"accept": 1, "keep_ocr": 1}
    assert result.reviewers == ("ann", "bob", "cy")
    assert [(p.page, p.flags, p.decided, p.status) for p in result.pages] == [
        (1, 5, 1, PageStatus.NOT_REVIEWED),
        (2, 1, 1, PageStatus.IN_REVIEW),
        (3, 0, 0, PageStatus.NOT_REVIEWED),
    ]
    assert result.fraction == pytest.approx(2 / 6)


def test_scripted_accept_filters_by_category_and_confidence(store, flags):
    batch = review.accept_all(store, DOC, reviewer="bot", categories=["stamp_noise"])
    assert [d.flag_key for d in batch.decisions] == [flags[5].key]
    batch = review.accept_all(store, DOC, reviewer="bot", min_confidence=0.8)
    assert len(batch) == 5 and all(d.action is DecisionAction.ACCEPT for d in batch.decisions)
    assert review.progress(store, DOC).open == 0
    assert len(review.accept_all(store, DOC, reviewer="bot")) == 0


def test_scripted_accept_leaves_flags_without_suggestion_open(store):
    review.sync_flags(store, DOC, [flag(0, "xq", ())])
    assert len(review.accept_all(store, DOC, reviewer="bot")) == 0
    assert review.progress(store, DOC).open == 1


# -- page status -------------------------------------------------------------------------------------------


def test_page_goes_through_review_and_is_validated_by_another_reviewer(store, flags):
    assert review.page_state(store, DOC, 1).status is PageStatus.NOT_REVIEWED
    review.set_page_status(store, DOC, 1, "in_review", reviewer="ann")
    review.set_page_status(store, DOC, 1, "reviewed", reviewer="ann", despite_open_flags=True)
    with pytest.raises(ReviewError, match="ann marked it reviewed, so another reviewer must validate it"):
        review.set_page_status(store, DOC, 1, "validated", reviewer="ann", despite_open_flags=True)
    state = review.set_page_status(store, DOC, 1, "validated", reviewer="bob", despite_open_flags=True)
    assert (state.status, state.reviewer, state.reviewed_by, state.seq) == (PageStatus.VALIDATED, "bob", "ann", 3)


def test_reviewed_or_validated_with_open_flags_needs_a_confirmation(store, flags):
    from workbench.review.pages import OpenFlagsLeft

    review.set_page_status(store, DOC, 1, "in_review", reviewer="ann")
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    with pytest.raises(OpenFlagsLeft, match="page 1 still has 4 of 5 flags open") as caught:
        review.set_page_status(store, DOC, 1, "reviewed", reviewer="ann")
    assert (caught.value.open_flags, caught.value.flags) == (4, 5)
    assert review.page_state(store, DOC, 1).status is PageStatus.IN_REVIEW  # nothing was logged
    marked = review.set_page_status(store, DOC, 1, "reviewed", reviewer="ann", despite_open_flags=True)
    assert marked.open_flags == 4  # the status event records what was confirmed
    assert [p.open_when_set for p in review.progress(store, DOC, pages=[1]).pages] == [4]
    with pytest.raises(OpenFlagsLeft):
        review.set_page_status(store, DOC, 1, "validated", reviewer="bob")
    # A page whose flags are all decided needs no confirmation.
    review.set_page_status(store, DOC, 2, "in_review", reviewer="ann")
    review.decide(store, DOC, flags[4].key, action="keep_ocr", reviewer="ann", version=0)
    done = review.set_page_status(store, DOC, 2, "reviewed", reviewer="ann")
    assert (done.status, done.open_flags) == (PageStatus.REVIEWED, 0)


def test_page_status_cannot_skip_a_step(store):
    with pytest.raises(ReviewError, match="page 1 is not reviewed: it cannot be marked validated"):
        review.set_page_status(store, DOC, 1, "validated", reviewer="bob")
    with pytest.raises(ReviewError, match="unknown page status"):
        review.set_page_status(store, DOC, 1, "done", reviewer="bob")


def test_reopened_page_needs_a_new_review_before_validation(store):
    for status, who in (("in_review", "ann"), ("reviewed", "ann"), ("in_review", "bob"), ("reviewed", "bob")):
        review.set_page_status(store, DOC, 1, status, reviewer=who)
    with pytest.raises(ReviewError, match="bob marked it reviewed"):
        review.set_page_status(store, DOC, 1, "validated", reviewer="bob")
    assert review.set_page_status(store, DOC, 1, "validated", reviewer="ann").status is PageStatus.VALIDATED


def test_page_status_from_an_old_state_is_a_conflict(store):
    seen = review.page_state(store, DOC, 1).seq
    review.set_page_status(store, DOC, 1, "in_review", reviewer="ann")
    with pytest.raises(ReviewConflict, match=r"ann marked it in review on .* since you opened it"):
        review.set_page_status(store, DOC, 1, "in_review", reviewer="bob", seq=seen)


# -- gold errata -------------------------------------------------------------------------------------------


def test_gold_errata_lists_decisions_marking_the_gold_wrong(store, flags):
    review.decide(store, DOC, flags[3].key, action="gold_wrong", text="adn", reviewer="ann", version=0, note="typo")
    review.decide(store, DOC, flags[0].key, action="accept", reviewer="ann", version=0)
    errata = review.gold_errata(store, DOC)
    assert [(e.flag.key, e.gold_reading, e.proposed, e.decision.note) for e in errata] == [
        (flags[3].key, "and", "adn", "typo")
    ]
    review.undo(store, DOC, flags[3].key, reviewer="ann", version=1)
    assert review.gold_errata(store, DOC) == []


# -- gold revisions and the command line -------------------------------------------------------------------

GOLD_BODY = "The Treaty of Mutal Cooperation is really the basis.\n\nIt stands.\n"
OCR_TEXT = "The Treaty of Mutual Cooperation is the basis.\nCONFIDENTIAL\nIt stands.\n"


@pytest.fixture
def gold_document(store, tmp_collection):
    """A one-page document with gold, OCR and two gold flags whose gold reading is wrong."""
    from workbench.corpus import write_manifest
    from workbench.models import Document, OcrPage, PageRef
    from workbench.ocr.store import save_ocr_page

    tmp_collection.document_dir(DOC).mkdir(parents=True)
    write_manifest(Document(DOC, "A memo", (PageRef(DOC, 1),), gold=DOC), tmp_collection.manifest_path(DOC))
    gold_dir = tmp_collection.gold_dir(DOC)
    gold_dir.mkdir(parents=True)
    (gold_dir / "page-001.txt").write_text(GOLD_BODY, encoding="utf-8")
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, OCR_TEXT))
    mutual = OCR_TEXT.index("Mutual")
    after_is = OCR_TEXT.index(" is ") + 3
    flags = [
        Flag(DOC, 1, mutual, mutual + 6, "Mutual", FlagCategory.MISREAD_WORD, ("Mutal",)),
        Flag(DOC, 1, after_is, after_is, "", FlagCategory.MISSING_TEXT, (" really",)),
    ]
    review.sync_flags(store, DOC, flags)
    return tmp_collection, flags


def test_gold_revise_writes_a_new_revision_and_keeps_the_old_pages(store, gold_document, capsys):
    from workbench.cli import main

    collection, flags = gold_document
    review.decide(store, DOC, flags[0].key, action="gold_wrong", text="Mutual", reviewer="ann", version=0,
                  note="typo in the gold")
    review.decide(store, DOC, flags[1].key, action="gold_wrong", text="", reviewer="ann", version=0)
    assert main(["gold-errata", DOC]) == 0
    listing = capsys.readouterr().out
    assert "'Mutal'\t'Mutual'\tann" in listing and "pending\ttypo in the gold" in listing

    assert main(["gold-revise", DOC, "--reviewer", "bob"]) == 0
    assert "revision 1 written" in capsys.readouterr().out
    gold_dir = collection.gold_dir(DOC)
    assert (gold_dir / "page-001.txt").read_text() == "The Treaty of Mutual Cooperation is the basis.\n\nIt stands.\n"
    assert (gold_dir / "revisions" / "r1" / "page-001.txt").read_text() == GOLD_BODY
    record = json.loads((gold_dir / "revisions" / "r1" / "revision.json").read_text())
    assert record["reviewer"] == "bob" and [e["now"] for e in record["errata"]] == ["Mutual", ""]
    # The gold folder still loads as gold: the revisions folder is not mistaken for pages.
    assert collection.gold_pages(collection.document(DOC))[0].body.startswith("The Treaty of Mutual")

    assert main(["gold-errata", DOC]) == 0
    assert capsys.readouterr().out.count("\tr1\t") == 2
    assert main(["gold-revise", DOC, "--reviewer", "bob"]) == 2
    assert "no gold errata waiting" in capsys.readouterr().err


def test_gold_revise_refuses_a_reading_it_cannot_find(store, gold_document):
    collection, flags = gold_document
    stray = Flag(DOC, 1, 0, 3, "The", FlagCategory.MISREAD_WORD, ("Teh",))
    review.sync_flags(store, DOC, [*flags, stray])
    review.decide(store, DOC, stray.key, action="gold_wrong", text="The", reviewer="ann", version=0)
    with pytest.raises(ReviewError, match="cannot find the gold reading 'Teh'"):
        goldrevision.revise_gold(collection, store, DOC, reviewer="bob")
    assert (collection.gold_dir(DOC) / "page-001.txt").read_text() == GOLD_BODY
    assert store.gold_revisions(DOC) == []


def test_syncing_one_source_leaves_the_other_sources_flags_live(store, flags):
    heuristic_only = [f for f in flags if f.source is FlagSource.HEURISTIC][:2]
    gold = Flag(DOC, 1, 0, 3, "teh", FlagCategory.MISREAD_WORD, ("the",), source=FlagSource.GOLD)
    review.sync_flags(store, DOC, [gold], sources=[FlagSource.GOLD])
    review.sync_flags(store, DOC, heuristic_only, sources=[FlagSource.HEURISTIC])
    live = {s.key for s in review.flag_states(store, DOC)}
    assert live == {gold.key, *(f.key for f in heuristic_only)}
    assert [s.key for s in review.flag_states(store, DOC, source="gold")] == [gold.key]


def test_cli_page_status_and_review_progress(store, gold_document, capsys):
    from workbench.cli import main

    assert main(["page-status", DOC, "1", "in_review", "--reviewer", "ann"]) == 0
    assert main(["page-status", DOC, "1", "reviewed", "--reviewer", "ann"]) == 2
    assert "page 1 still has 2 of 2 flags open" in capsys.readouterr().err
    assert main(["page-status", DOC, "1", "reviewed", "--reviewer", "ann", "--despite-open-flags"]) == 0
    assert "2 flags open" in capsys.readouterr().out
    assert main(["page-status", DOC, "1", "validated", "--reviewer", "ann", "--despite-open-flags"]) == 2
    assert "another reviewer must validate it" in capsys.readouterr().err
    assert main(["page-status", DOC, "1", "validated", "--reviewer", "bob", "--despite-open-flags"]) == 0
    capsys.readouterr()
    assert main(["review", DOC]) == 0
    out = capsys.readouterr().out
    assert "0/2 flags decided" in out and "page 1\t0/2 decided\tvalidated" in out


def test_cli_db_reports_the_store_and_its_revision(store, capsys):
    from workbench.cli import main
    from workbench.store import head_revision

    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f"schema revision: {head_revision()} (latest: {head_revision()})" in out
    assert store.backend in out


RACER = """
import sys
from workbench import goldrevision, review
from workbench.errors import ReviewConflict
from workbench.store import open_store

url, key, name = sys.argv[1:4]
store = open_store(url)
version = review.flag_state(store, "memo", key).version
print("ready", flush=True)
sys.stdin.readline()
try:
    review.decide(store, "memo", key, action="edit", text=name, reviewer=name, version=version)
    print("won", flush=True)
except ReviewConflict as conflict:
    print("refused", conflict, flush=True)
"""


def test_two_reviewer_processes_racing_on_one_flag_end_with_one_decision_and_one_refusal(store, flags):
    import subprocess
    import sys
    from pathlib import Path

    key = flags[3].key
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, store.url, key, name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
        )
        for name in ("ann", "bob")
    ]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready"
    for racer in racers:  # both read version 0; now let them go as close together as we can
        racer.stdin.write("go\n")
        racer.stdin.flush()
    outcomes = [racer.communicate(timeout=60)[0].strip() for racer in racers]
    assert sorted(o.split()[0] for o in outcomes) == ["refused", "won"]
    winner = ("ann", "bob")[[o.split()[0] for o in outcomes].index("won")]
    assert f"{winner} corrected it to" in next(o for o in outcomes if o.startswith("refused"))
    assert [d.reviewer for d in review.decision_history(store, DOC, key)] == [winner]


def test_cli_review_needs_a_reviewer_and_filters_need_accept(store, gold_document, capsys):
    from workbench.cli import main

    assert main(["review", DOC, "--accept"]) == 2
    assert capsys.readouterr().err.strip() == "workbench review: error: a reviewer name is required " \
        "(it is recorded with every decision)"
    assert main(["review", DOC, "--category", "stamp_noise"]) == 2
    assert "choose flags for --accept" in capsys.readouterr().err
    assert main(["review", DOC, "--no-gold"]) == 2
    assert "--no-gold chooses the flags of --accept, --sync or the learned groups" in capsys.readouterr().err
    assert review.decision_history(store, DOC) == []


# -- overrides and disputes --------------------------------------------------------------------------------


def test_deciding_over_another_reviewer_needs_an_override_with_a_note(store, flags):
    from workbench.review.decisions import OverrideNeeded

    key = flags[0].key
    review.decide(store, DOC, key, action="accept", reviewer="ann", version=0)
    with pytest.raises(OverrideNeeded, match=r"ann accepted “the” on .* override it and give a note"):
        review.decide(store, DOC, key, action="keep_ocr", reviewer="bob", version=1)
    with pytest.raises(OverrideNeeded, match="needs a note"):
        review.decide(store, DOC, key, action="keep_ocr", reviewer="bob", version=1, override=True, note=" ")
    with pytest.raises(OverrideNeeded):
        review.undo(store, DOC, key, reviewer="bob", version=1)
    assert [d.reviewer for d in review.decision_history(store, DOC, key)] == ["ann"]  # nothing written
    review.decide(store, DOC, key, action="edit", text="the", reviewer="bob", version=1)  # agreeing is no override
    assert review.flag_state(store, DOC, key).dispute is None


def test_an_override_is_disputed_for_everyone_until_settled(store, flags):
    key = flags[0].key
    review.decide(store, DOC, key, action="accept", reviewer="ann", version=0)
    review.decide(store, DOC, key, action="keep_ocr", reviewer="bob", version=1, override=True, note="scan says teh")
    state = review.flag_state(store, DOC, key)
    assert state.dispute.reviewers == ("ann", "bob") and state.dispute.later.note == "scan says teh"
    assert [s.key for s in review.stored_queue(store, DOC, review.QueueFilter(disputed=True)).items] == [key]
    assert review.progress(store, DOC).disputed == 1
    with pytest.raises(ReviewError, match=r"bob kept the OCR .* The flag is disputed"):
        review.undo_last(store, DOC, reviewer="ann")  # ann is told why, not "nothing to undo"
    review.decide(store, DOC, key, action="accept", reviewer="carol", version=2, override=True, note="gold agrees")
    assert review.flag_state(store, DOC, key).dispute is None
    assert review.progress(store, DOC).disputed == 0


def test_cli_decides_one_flag_and_overrides_only_with_a_note(store, gold_document, capsys):
    from workbench.cli import main

    _, flags = gold_document
    key = flags[0].key
    assert main(["review", DOC, "--decide", "keep_ocr", "--flag", key, "--reviewer", "ann"]) == 0
    assert "page 1, “Mutual” (misread word): ann kept the OCR" in capsys.readouterr().out
    assert main(["review", DOC, "--decide", "accept", "--flag", key, "--reviewer", "bob"]) == 2
    err = capsys.readouterr().err
    assert "ann kept the OCR" in err and "override" in err and "\n" not in err.strip()
    assert main(["review", DOC, "--decide", "accept", "--flag", key, "--reviewer", "bob", "--override"]) == 2
    assert "needs a note" in capsys.readouterr().err
    assert main(["review", DOC, "--decide", "accept", "--flag", key, "--reviewer", "bob", "--override",
                 "--note", "the gold reads Mutal"]) == 0
    out = capsys.readouterr().out
    assert "1 disputed" in out and f"[{key}] is disputed: ann kept the OCR" in out and "the gold reads Mutal" in out
    assert main(["review", DOC, "--list", "disputed"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith(f"{key}\tpage 1, “Mutual” (misread word)\tdisputed: bob accepted “Mutal”")
    assert main(["review", DOC, "--list", "open"]) == 0
    assert capsys.readouterr().out.startswith(f"{flags[1].key}\tpage 1, a gap (missing text)\topen\n")


# -- learned groups ----------------------------------------------------------------------------------------


@pytest.fixture
def taught(store):
    """Two accepted "li" -> "h" corrections and four open flags whose top suggestion that confusion
    explains, one of them keep-as-read first (a line that looks clean), so three make the group."""
    made = [
        flag(0, "tlie", ("the",)),
        flag(10, "tliat", ("that",)),
        flag(20, "wliere", ("where", "were")),
        flag(30, "tliey", ("they",)),
        flag(40, "Tlie", ("Tlie", "The")),
        flag(5, "sliould", ("should",), page=2),
    ]
    review.sync_flags(store, DOC, made)
    for item in made[:2]:
        review.decide(store, DOC, item.key, action="accept", reviewer="ann", version=0)
    return made


def the_group(store):
    (group,) = review.learned_groups(store, DOC)
    return group


def test_a_learned_group_is_accepted_as_one_batch_and_undone_as_one(store, taught):
    group = the_group(store)
    assert [m.state.flag.text for m in group.members] == ["wliere", "tliey", "sliould"]
    done = review.accept_group(store, DOC, group, reviewer="bob")
    assert done.refused == () and len(done.batch) == 3 and done.batch.id is not None
    assert {d.batch for d in done.batch.decisions} == {done.batch.id}
    assert [d.text for d in done.batch.decisions] == ["where", "they", "should"]
    assert review.learned_groups(store, DOC) == ()  # nothing left open to group
    undone = review.undo_last(store, DOC, reviewer="bob")
    assert len(undone) == 3
    assert [s.flag.text for s in review.flag_states(store, DOC, status="decided")] == ["tlie", "tliat"]
    assert the_group(store).keys == group.keys  # open again, grouped again


def test_an_unticked_member_of_a_group_stays_open(store, taught):
    group = the_group(store)
    tliey = next(m.key for m in group.members if m.state.flag.text == "tliey")
    done = review.accept_group(store, DOC, group, reviewer="bob", untick=[tliey])
    assert len(done.batch) == 2 and tliey not in {d.flag_key for d in done.batch.decisions}
    assert review.flag_state(store, DOC, tliey).decision is None
    with pytest.raises(ReviewError, match="is not a flag of the group"):
        review.accept_group(store, DOC, group, reviewer="bob", untick=["1:0-4:misread_word:heuristic"])


def test_a_deletion_group_is_taught_by_deletions_accepted_and_undoing_them_unlearns_it(store):
    noise = [flag(start, text, ("",), category=FlagCategory.STRAY_CHAR) for start, text in
             ((0, "~"), (4, "»"), (8, "|"), (12, "¢"), (16, "`"))]
    review.sync_flags(store, DOC, noise)
    assert review.learned_groups(store, DOC) == ()  # nothing decided: nothing learned
    for item in noise[:2]:
        review.decide(store, DOC, item.key, action="accept", text="", reviewer="ann", version=0)
    (group,) = review.learned_groups(store, DOC)
    assert group.label == "stray char → deleted" and group.keys == tuple(item.key for item in noise[2:])
    done = review.accept_group(store, DOC, group, reviewer="bob")
    assert [d.text for d in done.batch.decisions] == ["", "", ""]
    review.undo_last(store, DOC, reviewer="bob")
    review.undo_last(store, DOC, reviewer="ann")  # one deletion left: taught once, too few
    assert review.learned_groups(store, DOC) == ()


def test_a_group_member_decided_meanwhile_by_another_reviewer_is_refused_alone(store, taught):
    group = the_group(store)
    where = group.members[0]
    review.decide(store, DOC, where.key, action="keep_ocr", reviewer="cy", version=where.state.version)
    done = review.accept_group(store, DOC, group, reviewer="bob")
    assert [r.key for r in done.refused] == [where.key]
    assert "another reviewer changed this flag" in done.refused[0].reason
    assert len(done.batch) == 2
    kept = review.flag_state(store, DOC, where.key).decision
    assert (kept.action, kept.reviewer) == (DecisionAction.KEEP_OCR, "cy")  # never overwritten


def test_a_member_decided_while_the_batch_is_written_is_refused_alone(store, taught, monkeypatch):
    from workbench.review import decisions

    group = the_group(store)
    late = group.members[1]
    checked = decisions._refused

    def then_someone_decides(store_, document, choice, state):  # after the check, before the write
        reason = checked(store_, document, choice, state)
        if choice.key == late.key:
            review.decide(store_, DOC, late.key, action="edit", text="thev", reviewer="cy", version=state.version)
        return reason

    monkeypatch.setattr(decisions, "_refused", then_someone_decides)
    done = review.accept_group(store, DOC, group, reviewer="bob")
    assert [r.key for r in done.refused] == [late.key] and len(done.batch) == 2
    assert review.flag_state(store, DOC, late.key).decision.reviewer == "cy"


def test_cli_lists_learned_groups_and_accepts_one_but_the_flags_left_out(store, tmp_collection, capsys):
    from tests.ui.conftest import make_document
    from workbench.cli import main

    pages = [["The minister said tliat we must meet", "and tlie delegates agreed on a treaty."],
             ["The committee met wliere the embassy", "was, and tliey said the minister liad left."]]
    make_document(tmp_collection, "letters", pages, gold=False)
    review.refresh_flags(tmp_collection, store, "letters", use_gold=False)
    for state in review.flag_states(store, "letters", status="open")[:2]:
        review.decide(store, "letters", state.key, action="accept", reviewer="ann", version=state.version)
    assert main(["review", "letters", "--groups", "--json"]) == 0
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert group["confusions"] == [{"read": "li", "meant": "h"}] and group["taught"] == 2
    assert [(m["reads"], m["suggestion"], m["line"]) for m in group["members"]] == [
        ("wliere", "where", 1), ("tliey", "they", 2), ("liad", "had", 2)]
    liad = group["members"][2]["key"]
    assert main(["review", "letters", "--accept-group", "1", "--except", liad]) == 2
    assert "a reviewer name is required" in capsys.readouterr().err
    assert main(["review", "letters", "--accept-group", "2", "--reviewer", "bob"]) == 2
    assert capsys.readouterr().err.strip() == (
        "workbench review: error: review letters: no learned group 2 (it has groups 1 to 1; see --groups)")
    assert main(["review", "letters", "--accept-group", "1", "--reviewer", "bob", "--except", liad]) == 0
    assert "bob accepted 2 of the 3 flags of group 1 (li → h) as one action; 1 left open" in capsys.readouterr().out
    assert review.flag_state(store, "letters", liad).decision is None
    assert main(["review", "letters", "--undo-last", "--reviewer", "bob"]) == 0
    assert "undid 2 decision(s)" in capsys.readouterr().out
    assert main(["review", "letters", "--groups"]) == 0
    assert "group 1: 3 open flags read “li” where the reviewers wrote “h”" in capsys.readouterr().out
    assert main(["review", "letters", "--json"]) == 2
    assert "--json belongs to --groups" in capsys.readouterr().err


def test_cli_lists_a_deletion_group_with_the_category_it_deletes(store, tmp_collection, capsys):
    from tests.ui.conftest import NOISY_PAGES, make_document
    from workbench.cli import main

    make_document(tmp_collection, "noisy", NOISY_PAGES, gold=False)
    review.refresh_flags(tmp_collection, store, "noisy", use_gold=False)
    for state in review.flag_states(store, "noisy", status="open", page=1):
        review.decide(store, "noisy", state.key, action="accept", text="", reviewer="ann", version=state.version)
    assert main(["review", "noisy", "--groups", "--json"]) == 0
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert (group["deletes"], group["taught"], group["decided"], group["confusions"]) == ("stray_char", 2, 2, [])
    assert [(m["reads"], m["suggestion"]) for m in group["members"]] == [("|", ""), ("¢", ""), ("»", ""), ("~", "")]
    assert main(["review", "noisy", "--groups"]) == 0
    assert ("group 1: 4 open stray char flags suggest deleting their text (the reviewers deleted 2 of the 2 such "
            "flags decided)") in capsys.readouterr().out
