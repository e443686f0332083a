"""The fold of a flag's events: who disputes a flag, and when a dispute is settled (pure, no store)."""

from __future__ import annotations

from workbench.models import Decision, DecisionAction
from workbench.review.state import agrees, derive_state, describe_decision, overrides, plain_time

KEY = "1:0-3:misread_word:gold"


def made(event_id: int, reviewer: str, action: str, text: str | None = None, *, ref: int | None = None) -> Decision:
    return Decision("memo", KEY, DecisionAction(action), text, reviewer, f"2026-12-02T13:{event_id:02d}:00.000Z",
                    note="", id=event_id, ref=ref)


def test_deciding_over_another_reviewer_with_a_different_reading_opens_a_dispute():
    ann, bob = made(1, "ann", "accept", "the"), made(2, "bob", "keep_ocr")
    fold = derive_state([ann, bob])
    assert fold.current == bob
    assert fold.dispute is not None and fold.dispute.reviewers == ("ann", "bob")
    assert (fold.dispute.earlier, fold.dispute.later) == (ann, bob)


def test_the_same_reading_by_another_reviewer_agrees_and_opens_none():
    accepted, typed = made(1, "ann", "accept", "the"), made(2, "bob", "edit", "the")
    assert agrees(accepted, typed) and not overrides("bob", accepted, typed)
    assert derive_state([accepted, typed]).dispute is None
    assert not agrees(made(1, "ann", "edit", "the"), made(2, "bob", "gold_wrong", "the"))  # a gold erratum differs


def test_one_reviewer_changing_their_own_mind_is_no_dispute():
    assert derive_state([made(1, "ann", "accept", "the"), made(2, "ann", "keep_ocr")]).dispute is None


def test_a_third_reviewer_settles_a_dispute():
    events = [made(1, "ann", "accept", "the"), made(2, "bob", "keep_ocr"), made(3, "carol", "accept", "the")]
    assert derive_state(events).dispute is None


def test_the_first_reviewer_agreeing_settles_it_and_overriding_back_keeps_it():
    ann, bob = made(1, "ann", "accept", "the"), made(2, "bob", "keep_ocr")
    assert derive_state([ann, bob, made(3, "ann", "keep_ocr")]).dispute is None
    back = derive_state([ann, bob, made(3, "ann", "accept", "the")])
    assert back.dispute is not None and back.dispute.reviewers == ("bob", "ann")


def test_withdrawing_ones_own_override_settles_and_undoing_the_others_opens_one():
    ann, bob = made(1, "ann", "accept", "the"), made(2, "bob", "keep_ocr")
    withdrawn = derive_state([ann, bob, made(3, "bob", "undo", ref=2)])
    assert withdrawn.current == ann and withdrawn.dispute is None
    undone_by_other = derive_state([ann, made(2, "bob", "undo", ref=1)])
    assert undone_by_other.current is None and undone_by_other.dispute.reviewers == ("ann", "bob")


def test_decisions_are_described_in_plain_words():
    text = describe_decision(made(7, "bob", "keep_ocr"))
    assert text == "bob kept the OCR on 2 Dec 2026, 13:07 UTC"
    assert plain_time("not a time") == "not a time"
    assert describe_decision(made(8, "ann", "accept", "")).startswith("ann deleted it on ")
