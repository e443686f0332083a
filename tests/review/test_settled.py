"""Flags inside a line a reviewer transcribed are settled by that line edit: the queue and the corrected
transcript follow one rule (`review.lines.settles`). Pure: flags, decision events and line edits in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.models import Decision, DecisionAction, Flag, FlagCategory
from workbench.review.lines import edited_lines
from workbench.review.pages import progress_of
from workbench.review.queue import QueueFilter, place_in_queue, queue
from workbench.review.state import FlagStatus, describe_settled
from workbench.store import LineEdit
from workbench.transcript import correct_page

TEXT = "Teh cat sat\nadn slept\nthe end"
EDITED_AT = "2026-12-02T10:00:00.000Z"


def flag_at(needle: str, text: str = TEXT) -> Flag:
    start = text.index(needle)
    return Flag("memo", 1, start, start + len(needle), needle, FlagCategory.MISREAD_WORD, ("x",))


def line_edit(line: int, new: str, text: str = TEXT, *, id: int = 100) -> LineEdit:
    ocr = text.split("\n")[line - 1]
    return LineEdit("memo", 1, line, DecisionAction.EDIT, ocr, ocr, new, "ann", EDITED_AT, id=id)


def decision(flag: Flag, time: str, *, id: int = 1) -> Decision:
    return Decision("memo", flag.key, DecisionAction.ACCEPT, flag.suggestions[0], "bob", time, id=id)


def lines_of(*edits: LineEdit, text: str = TEXT) -> dict:
    applied, _ = edited_lines(text, edits)
    return {1: applied} if applied else {}


TEH, ADN = flag_at("Teh"), flag_at("adn")


def test_a_flag_inside_an_edited_line_is_settled_and_one_on_another_line_stays_open():
    walk = queue([TEH, ADN], [], lines=lines_of(line_edit(1, "The cat sat")))
    teh, adn = walk.states
    assert teh.status is FlagStatus.DECIDED and teh.settled_by is not None and teh.settled_by.line == 1
    assert teh.decision is None and teh.applied is None
    assert adn.status is FlagStatus.OPEN and adn.settled_by is None
    assert (walk.flags, walk.decided, walk.settled) == (2, 1, 1)
    opened = queue([TEH, ADN], [], QueueFilter.of(status="open"), lines=lines_of(line_edit(1, "The cat sat")))
    assert [s.key for s in opened.items] == [ADN.key]
    assert "settled by ann's text of line 1" in describe_settled(teh.settled_by)


def test_without_the_line_edit_in_force_the_flag_is_open_again():
    walk = queue([TEH, ADN], [], lines={})
    assert [s.status for s in walk.states] == [FlagStatus.OPEN, FlagStatus.OPEN]
    assert walk.decided == 0


def test_a_settled_flag_is_no_place_to_land_after_a_decision_and_no_occurrence_for_apply_to_all():
    teh_again = Flag("memo", 1, TEXT.index("the end"), TEXT.index("the end") + 3, "Teh", FlagCategory.MISREAD_WORD,
                     ("x",))
    lines = lines_of(line_edit(1, "The cat sat"))
    walk = queue([TEH, ADN, teh_again], [], lines=lines)
    assert place_in_queue(walk, QueueFilter.of(status="open"), ADN.key, after=ADN.key) == teh_again.key
    assert [s.key for s in walk.alike(teh_again)] == [teh_again.key]  # the settled "Teh" is not offered


def test_a_decision_made_after_the_edit_on_a_word_it_kept_applies_and_one_before_is_set_aside():
    cat = flag_at("cat")
    edit = line_edit(1, "Teh cat sat down")  # kept "Teh" and "cat" as read
    later, earlier = "2026-12-03T09:00:00.000Z", "2026-12-01T09:00:00.000Z"
    walk = queue([TEH, cat], [decision(TEH, later, id=1), decision(cat, earlier, id=2)], lines=lines_of(edit))
    teh, cat_state = walk.states
    assert teh.settled_by is None and teh.applied is not None  # the later decision applies too
    assert cat_state.settled_by is not None and cat_state.applied is None  # the earlier one is set aside
    done = progress_of(walk, document="memo", events=[], status_events=[])
    assert (done.decided, done.settled, done.by_action) == (2, 1, {"accept": 1})
    assert (done.pages[0].decided, done.pages[0].settled) == (2, 1)


def test_a_line_edit_whose_ocr_changed_settles_nothing():
    stale = LineEdit("memo", 1, 1, DecisionAction.EDIT, "Teh cat sits", "Teh cat sits", "The cat sat", "ann", EDITED_AT)
    assert lines_of(stale) == {}
    assert queue([TEH], [], lines=lines_of(stale)).states[0].status is FlagStatus.OPEN


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text(alphabet="ab ", min_size=1, max_size=6), min_size=1, max_size=4),
    st.dictionaries(st.integers(1, 4), st.text(alphabet="abx ", min_size=1, max_size=6), max_size=4),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3), st.booleans()), max_size=6),
)
def test_the_queue_settles_exactly_the_decisions_the_transcript_sets_aside(lines, typed, spans):
    text = "\n".join(lines)
    edits = [line_edit(n, t, text, id=n) for n, t in typed.items() if n <= len(lines)]
    flags, events = [], []
    for number, (start, length, later) in enumerate(spans):
        start = min(start, len(text))
        end = min(start + length, len(text))
        flag = Flag("memo", 1, start, end, text[start:end], FlagCategory.MISREAD_WORD, ("y",))
        if flag.key in {f.key for f in flags}:
            continue
        flags.append(flag)
        time = "2026-12-03T09:00:00.000Z" if later else "2026-12-01T09:00:00.000Z"
        events.append(decision(flag, time, id=number + 1))
    walk = queue(flags, events, lines=lines_of(*edits, text=text))
    corrected = correct_page(text, [(s.flag, s.decision) for s in walk.states], line_edits=edits)
    assert {s.key for s in walk.states if s.settled_by is not None} == {s.flag.key for s in corrected.settled}


def test_accepting_every_open_flag_leaves_a_line_the_reviewer_typed_as_typed(tmp_path, monkeypatch):
    from workbench import review
    from workbench.store import open_store

    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "review.db"))
    store = open_store()
    cat = flag_at("cat")
    review.sync_flags(store, "memo", [TEH, cat, ADN])
    lines = lines_of(line_edit(1, "Teh cat sat down"))  # the reviewer kept "Teh" and "cat" as read
    batch = review.accept_all(store, "memo", reviewer="bob", lines=lines)
    assert [d.flag_key for d in batch.decisions] == [ADN.key]
