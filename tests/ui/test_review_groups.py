"""The Review page's learned groups (AppTest): a confusion the reviewers taught gathers the open flags it
explains, each shown with its line and ticked; the ticked ones are accepted as one action, Undo takes them
back together, an unticked one stays open, and a member decided meanwhile by another reviewer is refused
alone."""

from __future__ import annotations

import pytest

from tests.ui.conftest import NOISY_PAGES, make_document
from tests.ui.test_app import no_errors, open_review
from tests.ui.test_review_session import messages
from workbench import review
from workbench.store import open_store

# "li" read for "h" on every line: two decisions teach it, the other six flags then form one group.
PAGES = [
    ["The minister said tliat we must meet", "and tlie delegates agreed on a treaty."],
    ["The committee met wliere the embassy", "was, and tliey said the minister liad left."],
    ["Tlie ministers agreed that we sliould go", "to the conference witli the others."],
]


@pytest.fixture
def letters(ui_collection):
    make_document(ui_collection, "letters", PAGES, gold=False)
    return ui_collection


def teach(store) -> None:
    for state in review.flag_states(store, "letters", status="open")[:2]:  # tliat -> that, tlie -> the
        review.decide(store, "letters", state.key, action="accept", reviewer="ann", version=state.version)


def group_boxes(at):
    return [box for box in at.checkbox if box.key and box.key.startswith("review_group_")]


def test_a_taught_confusion_is_offered_as_a_group_and_accepted_as_one_action(letters):
    at = open_review(doc_id="letters")
    assert not group_boxes(at)  # nothing taught yet: no group
    store = open_store()
    teach(store)
    at.run()
    no_errors(at)
    boxes = group_boxes(at)
    assert len(boxes) == 6 and all(box.value for box in boxes)
    liad = next(box for box in boxes if box.key.endswith("2:70-74:misread_word:heuristic"))
    liad.uncheck().run()
    at.button(key="review_group_accept_1").click().run()
    no_errors(at)
    assert "5 suggestion(s) of the group li → h accepted at once" in messages(at)
    states = {s.flag.text: s for s in review.flag_states(store, "letters")}
    assert states["liad"].decision is None  # unticked: still open
    batch = {states[w].decision.batch for w in ("wliere", "tliey", "Tlie", "sliould", "witli")}
    assert len(batch) == 1 and None not in batch  # one batch
    at.button(key="review_undo").click().run()
    no_errors(at)
    assert "5 decisions at once" in messages(at)
    assert [s.flag.text for s in review.flag_states(store, "letters", status="decided")] == ["tliat", "tlie"]


def test_a_member_decided_meanwhile_by_another_reviewer_is_refused_alone(letters):
    store = open_store()
    open_review(doc_id="letters")  # the page syncs the flags
    teach(store)
    at = open_review(doc_id="letters")
    assert len(group_boxes(at)) == 6
    witli = next(s for s in review.flag_states(store, "letters") if s.flag.text == "witli")
    review.decide(store, "letters", witli.key, action="keep_ocr", reviewer="bob", version=witli.version)
    at.button(key="review_group_accept_1").click().run()
    no_errors(at)
    said = messages(at)
    assert "5 suggestion(s)" in said and "Refused:" in said and "witli" in said
    kept = review.flag_state(store, "letters", witli.key).decision
    assert (kept.action.value, kept.reviewer) == ("keep_ocr", "bob")  # never overwritten


def test_deletions_the_reviewers_accepted_are_offered_as_a_deletion_group(ui_collection):
    make_document(ui_collection, "noisy", NOISY_PAGES, gold=False)
    store = open_store()
    at = open_review(doc_id="noisy")
    assert not group_boxes(at)
    for state in review.flag_states(store, "noisy", status="open", page=1):
        review.decide(store, "noisy", state.key, action="accept", text="", reviewer="ann", version=state.version)
    at.run()
    no_errors(at)
    boxes = group_boxes(at)
    assert len(boxes) == 4 and all(box.value for box in boxes)
    assert any("4 open stray char flags suggest deleting their text" in md.value for md in at.markdown)
    at.button(key="review_group_accept_1").click().run()
    no_errors(at)
    assert "4 suggestion(s) of the group stray char → deleted accepted at once" in messages(at)
    assert all(s.decision.text == "" for s in review.flag_states(store, "noisy"))
