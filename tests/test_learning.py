"""Learning from decisions (workbench.learning): the confusions and confirmed words the decisions in force
teach, the flags they raise, drop and re-rank, and undo unlearning them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import MAIN_DOC
from tests.flags.helpers import ocr_page as flag_page
from tests.ui.conftest import make_document
from workbench import review
from workbench.flags.heuristic import heuristic_flags
from workbench.learning import Learned, learn, learned_for, substitutions
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, FlagSource
from workbench.review.lines import edit_line
from workbench.review.state import FlagState
from workbench.store import open_store

PAGES = [
    ["The minister said that we mest meet", "and that they mest agree on the treaty."],
    ["The committee met at the embassy and", "the treaty bet the minister of state said no."],
]


@pytest.fixture
def memo(tmp_collection):
    make_document(tmp_collection, "memo", PAGES, gold=False)
    store = open_store()
    yield tmp_collection, store
    store.close()


def open_flags(store, text: str) -> list[FlagState]:
    return [s for s in review.flag_states(store, "memo", status="open") if s.flag.text == text]


def decided(text: str, action: DecisionAction, reading: str | None, *, key: str | None = None) -> FlagState:
    flag = Flag(document="d", page=1, start=0, end=len(text), text=text, category=FlagCategory.MISREAD_WORD,
                suggestions=(), confidence=0.6, source=FlagSource.HEURISTIC)
    decision = Decision(document="d", flag_key=key or flag.key, action=action, text=reading, reviewer="ann",
                        time="2026-12-02T00:00:00Z")
    return FlagState(flag=flag, version=1, decision=decision)


def test_the_model_counts_substitutions_of_accepted_and_edited_flags_and_line_edits():
    model = learn(
        [
            decided("tlie", DecisionAction.ACCEPT, "the"),
            decided("rnodern", DecisionAction.EDIT, "modern"),
            decided("Tliat", DecisionAction.ACCEPT, "That"),
            decided("Ohira", DecisionAction.KEEP_OCR, None),
        ]
    )
    assert dict(model.confusions) == {("li", "h"): 2, ("rn", "m"): 1}
    assert (model.kept, model.typed) == ({"ohira"}, {"modern"})  # kept as read, and typed in an edit
    assert model.count("LI", "h") == 2


def test_line_edits_teach_their_substitutions_and_the_words_the_reviewer_typed():
    from workbench.store import LineEdit

    edit = LineEdit(document="d", page=1, line=1, action=DecisionAction.EDIT, ocr="tbe Shimoda talks",
                    before="tbe Shimoda talks", text="the Shimoda talks", reviewer="ann", time="t")
    model = learn([], [edit])
    assert dict(model.confusions) == {("b", "h"): 1}
    assert model.typed == {"the"}


def test_nothing_learned_leaves_the_flagger_as_it_was():
    page = flag_page("The committee met at the embassy and discussed the\nquestion of tlie treaty bet no.\n")
    assert not learn([])
    assert heuristic_flags([page], learned=learn([])) == heuristic_flags([page])


def test_a_confusion_learned_often_enough_raises_a_flag_with_its_word_first():
    # a word of the line read with some doubt: it does not look clean, so the learned correction comes first
    page = flag_page("The committee met at the embassy and discussed the\nquestion of the treaty bet the minister.\n",
                     conf={"question": 88.0})
    assert not any(f.text == "bet" for f in heuristic_flags([page]))
    once = Learned(confusions=((("e", "u"), 1),))
    assert not any(f.text == "bet" for f in heuristic_flags([page], learned=once))
    twice = Learned(confusions=((("e", "u"), 2),))
    raised = [f for f in heuristic_flags([page], learned=twice) if f.text == "bet"]
    assert [f.suggestions[0] for f in raised] == ["but"]
    abbreviation = flag_page("The committee met at the embassy and discussed the\nquestion of the PRC treaty today.\n")
    learned_c = Learned(confusions=((("c", "o"), 2),))
    assert heuristic_flags([abbreviation], learned=learned_c) == heuristic_flags([abbreviation])  # not "PRO"


def test_a_common_word_typed_elsewhere_does_not_hide_a_misreading_but_one_kept_as_read_does():
    page = flag_page("The committee met at the embassy and discussed the\nquestion of cur treaty with the minister.\n",
                     conf={"question": 88.0})  # no line that looks clean: the ranking is the flagger's alone
    static = heuristic_flags([page])
    assert [f.suggestions[0] for f in static if f.text == "cur"] == ["our"]
    assert heuristic_flags([page], learned=Learned(typed=frozenset({"cur"}))) == static
    assert not [f for f in heuristic_flags([page], learned=Learned(kept=frozenset({"cur"}))) if f.text == "cur"]
    rare = flag_page(page.text.replace("cur", "mest"))  # no word of the language: typing it confirms it
    assert [f for f in heuristic_flags([rare]) if f.text == "mest"]
    assert not [f for f in heuristic_flags([rare], learned=Learned(typed=frozenset({"mest"}))) if f.text == "mest"]


def test_suggestions_are_ranked_by_the_learned_confusions():
    page = flag_page("The committee met at the embassy and discussed the\nquestion of hcld treaty with the minister.\n",
                     conf={"hcld": 80.0})
    static = next(f for f in heuristic_flags([page]) if f.text == "hcld")
    assert static.suggestions[:2] == ("held", "hold")  # nearly as common: the static ranker's coin toss
    taught = Learned(confusions=((("c", "o"), 3),))  # reviewers have read c for o three times
    reranked = next(f for f in heuristic_flags([page], learned=taught) if f.text == "hcld")
    assert reranked.suggestions[:2] == ("hold", "held")
    assert set(reranked.suggestions) == set(static.suggestions)
    once = Learned(confusions=((("c", "o"), 1),))  # below min_learned_count: the order is the static one
    assert next(f for f in heuristic_flags([page], learned=once) if f.text == "hcld") == static


def test_a_learned_flag_goes_when_the_decision_that_taught_it_is_undone(memo):
    collection, store = memo
    review.refresh_flags(collection, store, "memo", use_gold=False)
    assert not open_flags(store, "bet")
    taught = []
    for state in open_flags(store, "mest"):
        taught.append(review.decide(store, "memo", state.key, action="edit", text="must", reviewer="ann",
                                    version=state.version))
    assert len(taught) == 2
    assert learned_for(store, "memo").count("e", "u") == 2
    review.refresh_flags(collection, store, "memo", use_gold=False)
    raised = open_flags(store, "bet")
    assert [s.flag.suggestions[0] for s in raised] == ["but"] and raised[0].flag.page == 2
    review.undo(store, "memo", taught[-1].flag_key, reviewer="ann", version=1)
    result = review.refresh_flags(collection, store, "memo", use_gold=False)
    assert not open_flags(store, "bet") and result.stale


def test_a_word_kept_as_read_is_no_longer_flagged_on_other_pages(memo):
    collection, store = memo
    review.refresh_flags(collection, store, "memo", use_gold=False)
    first = open_flags(store, "mest")[0]
    assert len(open_flags(store, "mest")) == 2
    review.decide(store, "memo", first.key, action="keep_ocr", reviewer="ann", version=first.version)
    review.refresh_flags(collection, store, "memo", use_gold=False)
    assert open_flags(store, "mest") == []
    states = [s for s in review.flag_states(store, "memo") if s.flag.text == "mest"]
    assert [s.key for s in states] == [first.key]  # the decided flag itself stays, with its decision


def test_the_app_flags_learn_from_a_decision_and_unlearn_on_undo(memo):
    from workbench.ui import components

    collection, store = memo
    document = collection.document("memo")

    def texts():
        return [f.text for flags in components.document_flags(collection, document).values() for f in flags]

    assert "bet" not in texts() and texts().count("mest") == 2
    first = open_flags(store, "mest")[0]
    review.decide(store, "memo", first.key, action="keep_ocr", reviewer="ann", version=first.version)
    assert texts().count("mest") == 1  # the decided flag stays; the other occurrence is confirmed
    assert open_flags(store, "mest") == []
    review.undo(store, "memo", first.key, reviewer="ann", version=1)
    assert texts().count("mest") == 2 and len(open_flags(store, "mest")) == 2


def test_a_line_edit_confirms_the_words_it_types(memo):
    collection, store = memo
    review.refresh_flags(collection, store, "memo", use_gold=False)
    line = PAGES[0][0]
    edit_line(store, "memo", 1, 1, ocr=line, before=line, text=line.replace("we mest", "we mest indeed"),
              reviewer="ann", version=0)
    assert "indeed" in learned_for(store, "memo").confirmed


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)


@given(st.lists(st.tuples(WORD, st.integers(min_value=0), st.sampled_from("abcdefghijklmnopqrstuvwxyz")),
                max_size=8))
def test_law_one_substitution_per_decision_is_counted_as_a_naive_count_of_them(cases):
    states, expected = [], Counter()
    for word, position, letter in cases:
        index = position % len(word)
        if word[index] == letter:
            continue
        states.append(decided(word, DecisionAction.ACCEPT, word[:index] + letter + word[index + 1 :],
                              key=f"k{len(states)}"))
        expected[(word[index], letter)] += 1
    assert dict(learn(states).confusions) == dict(expected)


def test_adjacent_edits_merge_into_one_substitution_and_rewrites_are_left_out():
    assert substitutions("tlie", "the") == [("li", "h")]
    assert substitutions("rnodern", "modern") == [("rn", "m")]
    assert substitutions("Tbe", "the") == [("b", "h")]  # case is not a confusion
    assert substitutions("onthe", "on the") == []  # a lost space is no glyph substitution
    assert substitutions("cat", "elephant") == []  # a rewrite, not a confusion


def test_what_was_learned_reaches_flags_computed_in_batch(memo):
    from workbench.batch import Batch, Where
    from workbench.flags import flag_document

    collection, _store = memo
    taught = Learned(confusions=((("e", "u"), 2),), kept=frozenset({"mest"}))
    alone = flag_document(collection, "memo", use_gold=False, learned=taught)
    assert "bet" in [f.text for f in alone] and "mest" not in [f.text for f in alone]
    with Batch(Where(jobs=2)) as batch:
        assert flag_document(collection, "memo", use_gold=False, learned=taught, batch=batch) == alone


def test_revising_the_flags_already_computed_gives_what_flagging_again_with_learning_gives(repo_collection):
    from workbench.flags import flag_document
    from workbench.learning import revise_flags
    from workbench.ocr.store import load_ocr_pages

    document = repo_collection.document(MAIN_DOC)
    static = flag_document(repo_collection, document, use_gold=False)
    gold = flag_document(repo_collection, document, use_gold=True)
    counts = Counter(pair for g in gold if g.suggestions and g.suggestions[0]
                     for pair in substitutions(g.text, g.suggestions[0]))
    taught = Learned(confusions=tuple(sorted(counts.items())), kept=frozenset({"to"}), typed=frozenset({"mest"}))
    again = flag_document(repo_collection, document, use_gold=False, learned=taught)
    assert again != static  # the oracle's confusions change the flags
    assert revise_flags(load_ocr_pages(repo_collection, document), static, taught) == again


def test_on_a_line_that_looks_clean_keep_as_read_ranks_above_the_learned_correction():
    text = "The committee met at the embassy and discussed the\nquestion of the treaty bet the minister.\n"
    twice = Learned(confusions=((("e", "u"), 2),))
    clean = [f for f in heuristic_flags([flag_page(text)], learned=twice) if f.text == "bet"]
    assert [f.suggestions[:2] for f in clean] == [("bet", "but")]  # every word read at 95: keep first
    doubted = [f for f in heuristic_flags([flag_page(text, conf={"the": 60.0})], learned=twice) if f.text == "bet"]
    assert [f.suggestions[0] for f in doubted] == ["but"]


def test_accepting_keep_as_read_teaches_the_word_as_kept():
    model = learn([decided("Shimoda", DecisionAction.ACCEPT, "Shimoda")])
    assert model.kept == {"shimoda"} and not model.confusions


COLLECTION = {
    "memo": PAGES,
    "letter": [["The delegates said that we mest wait", "for the answer of the embassy today."]],
    "note": [["The ministers agreed that we mest go", "to the conference in the autumn."]],
}


@pytest.fixture
def several(tmp_collection):
    for doc, pages in COLLECTION.items():
        if doc != "memo":
            make_document(tmp_collection, doc, pages, gold=False)
    make_document(tmp_collection, "memo", PAGES, gold=False)
    store = open_store()
    for doc in COLLECTION:
        review.refresh_flags(tmp_collection, store, doc, use_gold=False)
    yield tmp_collection, store
    store.close()


def _decide_all(store, doc: str, text: str, action: str, reading: str | None = None) -> None:
    for state in review.flag_states(store, doc, status="open"):
        if state.flag.text == text:
            review.decide(store, doc, state.key, action=action, text=reading, reviewer="ann", version=state.version)


def test_a_confusion_counts_once_for_each_other_document_that_taught_it(several):
    collection, store = several
    target = [["The committee met at the embassy and", "the treaty bet the minister of state said no."]]
    make_document(collection, "minutes", target, gold=False)
    review.refresh_flags(collection, store, "minutes", use_gold=False)
    _decide_all(store, "memo", "mest", "edit", "must")  # memo: e -> u twice, one document
    assert learned_for(store, "memo").count("e", "u") == 2
    assert learned_for(store, "minutes").count("e", "u") == 1  # weighted below a document's own
    assert learned_for(store, "minutes", collection=False).count("e", "u") == 0
    review.refresh_flags(collection, store, "minutes", use_gold=False)
    assert not [s for s in review.flag_states(store, "minutes", status="open") if s.flag.text == "bet"]
    _decide_all(store, "letter", "mest", "edit", "must")  # a second document teaches it
    review.refresh_flags(collection, store, "minutes", use_gold=False)
    raised = [s for s in review.flag_states(store, "minutes", status="open") if s.flag.text == "bet"]
    assert [s.flag.suggestions[0] for s in raised] == ["but"]
    review.undo(store, "letter", next(s.key for s in review.flag_states(store, "letter") if s.flag.text == "mest"),
                reviewer="ann", version=1)
    review.refresh_flags(collection, store, "minutes", use_gold=False)  # undone there, unlearned here
    assert not [s for s in review.flag_states(store, "minutes", status="open") if s.flag.text == "bet"]


def test_a_word_kept_in_enough_other_documents_is_no_longer_flagged_here(several):
    collection, store = several

    def open_mest():
        return [s for s in review.flag_states(store, "memo", status="open") if s.flag.text == "mest"]

    assert len(open_mest()) == 2
    _decide_all(store, "letter", "mest", "keep_ocr")
    review.refresh_flags(collection, store, "memo", use_gold=False)
    assert len(open_mest()) == 2  # one other document's keep is not enough
    _decide_all(store, "note", "mest", "keep_ocr")
    review.refresh_flags(collection, store, "memo", use_gold=False)
    assert open_mest() == []


def test_accepting_the_top_suggestion_everywhere_changes_no_line_that_looks_clean():
    from workbench.transcript import correct_page

    text = "The committee met at the embassy and discussed the\nquestion of the treaty bet the minister.\n"
    twice = Learned(confusions=((("e", "u"), 2),))

    def accepted_everywhere(page) -> str:  # what accepting every top suggestion at once makes of the page
        decided = [
            (f, Decision(document="doc", flag_key=f.key, action=DecisionAction.ACCEPT, text=f.suggestions[0],
                         reviewer="ann", time="2026-12-02T00:00:00Z"))
            for f in heuristic_flags([page], learned=twice) if f.suggestions
        ]
        return correct_page(page.text, decided).text

    assert "treaty bet the" in accepted_everywhere(flag_page(text))  # every word read at 95: kept as read
    assert "treaty but the" in accepted_everywhere(flag_page(text, conf={"question": 88.0}))


def test_a_word_corrected_once_raises_a_flag_on_its_other_occurrences_and_undo_removes_it(tmp_collection):
    pages = [["The minister said bet we must meet", "and that they must agree on the treaty."],
             ["The committee met at the embassy and", "the treaty bet the minister of state said no."]]
    make_document(tmp_collection, "memo", pages, gold=False)
    store = open_store()
    review.refresh_flags(tmp_collection, store, "memo", use_gold=False)
    assert not open_flags(store, "bet")  # a word of the language: the static flagger lets it be
    line = pages[0][0]
    edit_line(store, "memo", 1, 1, ocr=line, before=line, text=line.replace("bet", "but"), reviewer="ann",
              version=0)
    assert learned_for(store, "memo").remembered("Bet") == {"but": 1}  # one e -> u: below min_learned_count
    review.refresh_flags(tmp_collection, store, "memo", use_gold=False)
    raised = [s for s in open_flags(store, "bet") if s.flag.page == 2]  # page 1's: on the line edited already
    assert [s.flag.suggestions[0] for s in raised] == ["but"]
    review.undo_line(store, "memo", 1, 1, reviewer="ann", version=1)
    review.refresh_flags(tmp_collection, store, "memo", use_gold=False)
    assert not open_flags(store, "bet")
    store.close()


def test_a_word_corrected_in_another_document_raises_its_flag_here(several):
    collection, store = several
    make_document(collection, "minutes", [["The committee met at the embassy and", "the treaty bet the minister."]],
                  gold=False)
    review.refresh_flags(collection, store, "minutes", use_gold=False)
    assert not [s for s in review.flag_states(store, "minutes", status="open") if s.flag.text == "bet"]
    line = "The minister said bet we must meet"
    make_document(collection, "cable", [[line]], gold=False)
    review.refresh_flags(collection, store, "cable", use_gold=False)
    edit_line(store, "cable", 1, 1, ocr=line, before=line, text=line.replace("bet", "but"), reviewer="ann", version=0)
    assert learned_for(store, "minutes").remembered("bet") == {"but": 1}
    review.refresh_flags(collection, store, "minutes", use_gold=False)
    raised = [s for s in review.flag_states(store, "minutes", status="open") if s.flag.text == "bet"]
    assert [s.flag.suggestions[0] for s in raised] == ["but"]


def test_corrected_words_pair_tokens_replaced_one_for_one_and_leave_rewrites_out():
    from workbench.learning import corrected_words

    assert corrected_words("said tlie treaty,", "said the treaty.") == [("tlie", "the")]
    assert corrected_words("the cat sat", "a dog sat") == []  # retyped, not misread
    assert corrected_words("to morrow", "tomorrow") == []  # a split token is no misread word


# -- learned groups ----------------------------------------------------------------------------------------


def open_state(text: str, suggestions: tuple[str, ...], start: int, *, page: int = 1) -> FlagState:
    flag = Flag(document="d", page=page, start=start, end=start + len(text), text=text,
                category=FlagCategory.MISREAD_WORD, suggestions=suggestions, confidence=0.6,
                source=FlagSource.HEURISTIC)
    return FlagState(flag=flag, version=0)


def test_flags_whose_top_suggestion_a_taught_confusion_explains_form_one_group():
    from workbench.flags.config import ENGLISH
    from workbench.learning import group_flags

    states = [
        open_state("wliere", ("where", "were"), 0),
        open_state("tliey", ("they",), 10),
        open_state("Tlie", ("Tlie", "The"), 20),  # keep-as-read first (a line that looks clean): no member
        open_state("hcld", ("held", "hold"), 30),  # its top suggestion is no li -> h
        open_state("sliould", ("should",), 5, page=2),
        open_state("witli", ("with",), 15, page=2),
    ]
    taught = Learned(confusions=((("li", "h"), 2),))
    (group,) = group_flags(states, taught, ENGLISH)
    assert [m.state.flag.text for m in group.members] == ["wliere", "tliey", "sliould", "witli"]
    assert [m.suggestion for m in group.members] == ["where", "they", "should", "with"]
    assert (group.label, group.taught) == ("li → h", 2)
    assert group.describe() == "4 open flags read “li” where the reviewers wrote “h” (taught 2 times)"
    assert group_flags(states, Learned(confusions=((("li", "h"), 1),)), ENGLISH) == ()  # taught once: too few
    assert group_flags(states[:2] + states[2:4], taught, ENGLISH) == ()  # fewer than group_min_size
    decision = Decision(document="d", flag_key=states[1].key, action=DecisionAction.ACCEPT, text="they",
                        reviewer="ann", time="t")
    with_decided = [states[0], replace(states[1], decision=decision), *states[2:]]
    (left,) = group_flags(with_decided, taught, ENGLISH)
    assert [m.state.flag.text for m in left.members] == ["wliere", "sliould", "witli"]  # a decided one is none


def noise_state(text: str, start: int, *, category=FlagCategory.STRAY_CHAR, page: int = 1, decision=None):
    flag = Flag(document="d", page=page, start=start, end=start + len(text), text=text, category=category,
                suggestions=("",), confidence=0.6, source=FlagSource.HEURISTIC)
    return FlagState(flag=flag, version=0, decision=decision)


def decided_as(state: FlagState, action: DecisionAction, text: str | None) -> FlagState:
    return replace(state, decision=Decision(document="d", flag_key=state.key, action=action, text=text,
                                            reviewer="ann", time="t"))


def test_deletions_are_learned_per_category_from_flags_suggesting_them():
    deleted = [decided_as(noise_state("~", 0), DecisionAction.ACCEPT, ""),
               decided_as(noise_state("'", 5), DecisionAction.EDIT, ""),  # typed as nothing: deleted too
               decided_as(noise_state("2", 9), DecisionAction.EDIT, "a"),  # the noise was a misread letter
               decided_as(noise_state(";", 12), DecisionAction.KEEP_OCR, None),
               decided_as(noise_state("Rms 4", 20, category=FlagCategory.STAMP_NOISE), DecisionAction.ACCEPT, "")]
    model = learn(deleted)
    assert model.deletions == (("stamp_noise", 1, 1), ("stray_char", 2, 4))
    assert model.deletion_record(FlagCategory.STRAY_CHAR) == (2, 4)
    elsewhere = learn(deleted[:2])
    assert learn([], elsewhere=[elsewhere, elsewhere]).deletion_record(FlagCategory.STRAY_CHAR) == (4, 4)
    assert learn([]).deletion_record(FlagCategory.STRAY_CHAR) == (0, 0)


def test_a_confusion_dropping_letters_forms_no_group_while_one_dropping_punctuation_does():
    from workbench.flags.config import ENGLISH
    from workbench.learning import group_flags

    dropped_letter = [open_state("soin", ("son",), 0), open_state("pain", ("pan",), 10),
                      open_state("stain", ("stan",), 20)]
    taught = Learned(confusions=((("", "e"), 3), (("a", ""), 3), (("i", ""), 3), ((".", ""), 3)))
    assert group_flags(dropped_letter, taught, ENGLISH) == ()  # "i" -> "" explains suggestions of any word
    added_letter = [open_state("hav", ("have",), 0), open_state("giv", ("give",), 10), open_state("liv", ("live",), 20)]
    assert group_flags(added_letter, taught, ENGLISH) == ()
    dropped_stop = [open_state("nom.", ("nom",), 0), open_state("va.", ("va",), 10), open_state("Il.", ("Il",), 20)]
    (group,) = group_flags(dropped_stop, taught, ENGLISH)
    assert group.label == ". → " and len(group.members) == 3


def test_flags_of_a_category_whose_deletion_the_reviewers_keep_accepting_form_a_deletion_group():
    from workbench.flags.config import ENGLISH
    from workbench.learning import group_flags

    open_noise = [noise_state("~", 30), noise_state("»", 40), noise_state("|", 2, page=2),
                  noise_state("CONF", 50, category=FlagCategory.STAMP_NOISE)]
    taught = learn([*(decided_as(noise_state("'", 3 * i), DecisionAction.ACCEPT, "") for i in range(4)),
                    decided_as(noise_state("2", 19), DecisionAction.EDIT, "a")])
    (group,) = group_flags(open_noise, taught, ENGLISH)  # four of five deleted: at least group_min_share
    assert group.category is FlagCategory.STRAY_CHAR and group.confusions == ()
    assert [m.state.flag.text for m in group.members] == ["~", "»", "|"]
    assert {m.suggestion for m in group.members} == {""}
    assert group.label == "stray char → deleted"
    assert group.describe() == ("3 open stray char flags suggest deleting their text (the reviewers deleted 4 of "
                                "the 5 such flags decided)")
    mostly_kept = learn([decided_as(noise_state("'", 0), DecisionAction.ACCEPT, ""),
                         decided_as(noise_state("`", 5), DecisionAction.ACCEPT, ""),
                         *(decided_as(noise_state(";", 9 + i), DecisionAction.KEEP_OCR, None) for i in range(2))])
    assert group_flags(open_noise, mostly_kept, ENGLISH) == ()  # half deleted: below group_min_share
    once = learn([decided_as(noise_state("'", 0), DecisionAction.ACCEPT, "")])
    assert group_flags(open_noise, once, ENGLISH) == ()  # deleted once: too few
    assert group_flags(open_noise[:2], taught, ENGLISH) == ()  # fewer than group_min_size open


def test_a_top_suggestion_is_explained_only_when_every_differing_stretch_was_taught():
    from workbench.learning import explained_by

    counts = {("li", "h"): 2, ("rn", "m"): 3}
    assert explained_by("tlie", "the", counts, 2) == (("li", "h"),)
    assert explained_by("rnernber", "member", counts, 2) == (("rn", "m"),)  # twice the same confusion
    assert explained_by("tliern", "them", counts, 2) == (("li", "h"), ("rn", "m"))
    assert explained_by("tlie", "thee", counts, 2) == ()  # a second stretch nobody taught
    assert explained_by("Tlie", "tlie", counts, 2) == ()  # case alone is no confusion
    assert explained_by("onthe", "on the", counts, 2) == ()


def test_a_taught_confusion_forms_a_group_and_undoing_the_teaching_dissolves_it(tmp_collection):
    pages = [["The minister said tliat we must meet", "and tlie delegates agreed on a treaty."],
             ["The committee met wliere the embassy", "was, and tliey said the minister liad left."]]
    make_document(tmp_collection, "letters", pages, gold=False)
    store = open_store()
    review.refresh_flags(tmp_collection, store, "letters", use_gold=False)
    assert review.learned_groups(store, "letters") == ()
    first, second = review.flag_states(store, "letters", status="open")[:2]
    review.decide(store, "letters", first.key, action="accept", text="that", reviewer="ann", version=0)
    assert review.learned_groups(store, "letters") == ()  # taught once
    review.decide(store, "letters", second.key, action="accept", text="the", reviewer="ann", version=0)
    review.refresh_flags(tmp_collection, store, "letters", use_gold=False)
    (group,) = review.learned_groups(store, "letters")
    assert [m.state.flag.text for m in group.members] == ["wliere", "tliey", "liad"]
    review.undo(store, "letters", second.key, reviewer="ann", version=1)
    review.refresh_flags(tmp_collection, store, "letters", use_gold=False)
    assert review.learned_groups(store, "letters") == ()  # unlearned
    store.close()
