"""Where a reviewer is in the queue (`place_in_queue`): pure, over flags and decision events."""

from __future__ import annotations

from workbench.models import Decision, DecisionAction, Flag, FlagCategory
from workbench.review.queue import QueueFilter, place_in_queue, queue


def flag(start: int, text: str = "teh") -> Flag:
    return Flag("memo", 1, start, start + len(text), text, FlagCategory.MISREAD_WORD, ("the",))


FLAGS = [flag(0), flag(10), flag(20), flag(30, "adn")]
KEYS = [f.key for f in FLAGS]
OPEN = QueueFilter.of(status="open")


def decided(*indexes: int) -> list[Decision]:
    return [
        Decision("memo", KEYS[i], DecisionAction.ACCEPT, "the", "ann", "2026-12-02T13:00:00Z", id=n + 1)
        for n, i in enumerate(indexes)
    ]


def walk(*indexes: int, where: QueueFilter = OPEN):
    return queue(FLAGS, decided(*indexes), where.but(status=None))


def test_the_current_flag_stays_whatever_its_status():
    assert place_in_queue(walk(1), OPEN, KEYS[1]) == KEYS[1]  # decided, reached by Previous: it stays


def test_after_a_decision_the_next_open_flag_after_it():
    assert place_in_queue(walk(1, 2), OPEN, KEYS[1], after=KEYS[1]) == KEYS[3]
    assert place_in_queue(walk(1, 2, 3), OPEN, KEYS[3], after=KEYS[3]) == KEYS[0]  # none after: the first open
    assert place_in_queue(walk(0, 1, 2, 3), OPEN, KEYS[3], after=KEYS[3]) == KEYS[3]  # none open: stays


def test_a_new_session_or_a_flag_the_filters_dropped_lands_at_or_after_its_place():
    assert place_in_queue(walk(), OPEN, None) == KEYS[0]
    assert place_in_queue(walk(), OPEN, "1:99-100:gone:gold") == KEYS[0]
    narrower = QueueFilter.of(status="open", keys=KEYS[2:])
    assert place_in_queue(walk(where=narrower), narrower, KEYS[1]) == KEYS[2]


def test_changed_filters_land_on_a_flag_they_admit():
    assert place_in_queue(walk(1), OPEN, KEYS[1], refiltered=True) == KEYS[2]
    assert place_in_queue(walk(1), OPEN, KEYS[2], refiltered=True) == KEYS[2]


def test_an_empty_walk_has_no_place():
    assert place_in_queue(queue([], []), OPEN, KEYS[0]) is None


def test_an_unknown_category_is_named_with_the_known_ones():
    import pytest

    from workbench.errors import ReviewError

    with pytest.raises(ReviewError, match=r"unknown flag category 'nope' \(one of stamp_noise, "):
        QueueFilter.of(categories=["nope"])
