"""The ICDAR post-OCR task-1 detection measure (workbench.flags.icdar) on snippets written for these tests."""

from __future__ import annotations

import pytest

from workbench.flags.icdar import detection_score, summed, weighted_mean
from workbench.models import Flag, FlagCategory, FlagSource


def flag_over(ocr: str, word: str) -> Flag:
    """A flag over the first occurrence of `word` in `ocr`."""
    start = ocr.index(word)
    return Flag(
        document="doc",
        page=1,
        start=start,
        end=start + len(word),
        text=word,
        category=FlagCategory.MISREAD_WORD,
        suggestions=(),
        confidence=0.6,
        boxes=(),
        source=FlagSource.HEURISTIC,
    )


def test_a_misread_token_is_erroneous_and_naming_it_is_a_true_positive():
    ocr, gold = "the miller tooke his staffe", "the miller tooke his staff"
    score = detection_score(ocr, gold, [flag_over(ocr, "staffe")])
    assert (score.tokens, score.erroneous, score.flagged, score.true_positive) == (5, 1, 1, 1)
    assert score.precision == score.recall == score.f1 == 1.0


def test_spaces_belong_to_the_comparison():
    # a lost space: the run-together token is erroneous; an added one: both halves are
    assert detection_score("went forthto seeke", "went forth to seeke", []).erroneous == 1
    split = detection_score("went for th to seeke", "went forth to seeke", [])
    assert split.erroneous == 2 and split.recall == 0.0 and split.precision == 0.0


def test_tokens_with_a_hyphen_are_left_out():
    ocr, gold = "a well-knowne man came", "a well-known man came"
    score = detection_score(ocr, gold, [flag_over(ocr, "well-knowne")])
    assert (score.tokens, score.erroneous, score.flagged) == (3, 0, 0)


def test_tokens_whose_gold_is_unknown_are_left_out():
    ocr, gold = "he rode tbrougb the towne", "he rode ####### the towne"
    score = detection_score(ocr, gold, [flag_over(ocr, "tbrougb")])
    assert score.erroneous == 0 and score.flagged == 0
    assert score.weight == 4  # the tool's NbTokens counts the gold tokens without "#"


def test_a_named_token_after_unknown_gold_is_a_false_positive_as_the_tool_counts_it():
    # the gold has no text for the space before "towne": the token is not scored as erroneous or not,
    # but a system naming it still pays for it (the tool checks only the token and the space after it)
    ocr, gold = "he rode through the towne", "he rode through the#towne"
    score = detection_score(ocr, gold, [flag_over(ocr, "towne")])
    assert (score.erroneous, score.flagged, score.true_positive) == (0, 1, 0)


def test_the_set_figure_weights_each_file_by_its_gold_tokens():
    short = detection_score("tbe end", "the end", [])  # F 0 over 2 gold tokens
    long_ocr = "and so they went home againe to their house"
    long = detection_score(long_ocr, "and so they went home again to their house", [flag_over(long_ocr, "againe")])
    assert long.f1 == 1.0 and short.f1 == 0.0
    assert weighted_mean([short, long])["f1"] == pytest.approx(9 / 11)
    assert summed([short, long]).weight == 11
