"""Scoring predicted flags against gold flags: the matching rule, rates, and suggestion accuracy."""

from __future__ import annotations

import pytest

from workbench.flags import evaluate_flags
from workbench.flags.evaluate import spans_match
from workbench.models import Flag, FlagCategory, FlagSource

C = FlagCategory


def flag(start, end, category=C.MISREAD_WORD, suggestions=("x",), *, page=1, text=None, source=FlagSource.GOLD):
    return Flag(
        "doc",
        page,
        start,
        end,
        text if text is not None else "t" * (end - start),
        category,
        suggestions,
        1.0,
        (),
        source,
    )


def test_span_overlap_and_empty_span_rules():
    assert spans_match(flag(0, 4), flag(3, 6))
    assert not spans_match(flag(0, 4), flag(4, 6))  # touching non-empty spans share no character
    assert spans_match(flag(5, 5, C.MISSING_TEXT), flag(0, 5))  # insertion point at the end of a span
    assert spans_match(flag(5, 5, C.MISSING_TEXT), flag(5, 9))
    assert not spans_match(flag(5, 5, C.MISSING_TEXT), flag(6, 9))
    assert spans_match(flag(5, 5, C.MISSING_TEXT), flag(6, 6, C.MISSING_TEXT))


def test_precision_recall_f1_overall_and_per_category():
    gold = [flag(0, 4), flag(10, 14, C.STAMP_NOISE, ("",)), flag(20, 24, C.STRAY_CHAR, ("",)), flag(0, 4, page=2)]
    predicted = [flag(1, 3), flag(10, 20, C.STAMP_NOISE, ("",)), flag(30, 34, C.STRAY_CHAR, ("",))]
    result = evaluate_flags(predicted, gold)
    assert (result.overall.gold, result.overall.gold_found) == (4, 2)
    assert (result.overall.predicted, result.overall.predicted_correct) == (3, 2)
    assert result.overall.recall == pytest.approx(0.5)
    assert result.overall.precision == pytest.approx(2 / 3)
    assert result.overall.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    stamp = result.by_category["stamp_noise"]
    assert (stamp.recall, stamp.precision) == (1.0, 1.0)
    stray = result.by_category["stray_char"]
    assert (stray.recall, stray.precision) == (0.0, 0.0)
    assert result.by_category["missing_text"].recall is None
    assert result.category_agreement == 1.0


def test_top1_and_top3_read_suggestions_over_the_union_of_spans():
    gold = [
        flag(0, 5, suggestions=("the,",), text="tlie,"),
        flag(10, 13, suggestions=("our",), text="cur"),
        flag(20, 24, suggestions=("arms",), text="anns"),
    ]
    predicted = [
        flag(0, 4, suggestions=("the", "tie"), text="tlie", source=FlagSource.HEURISTIC),  # inside the gold span
        flag(10, 13, suggestions=("cut", "car", "our"), text="cur", source=FlagSource.HEURISTIC),
        flag(20, 24, suggestions=(), text="anns", source=FlagSource.HEURISTIC),
    ]
    result = evaluate_flags(predicted, gold)
    assert result.misread_found == 3
    assert (result.top1_correct, result.top3_correct) == (1, 2)
    assert result.top1 == pytest.approx(1 / 3)


def test_no_flags_at_all_gives_undefined_rates_not_errors():
    result = evaluate_flags([], [])
    assert result.overall.recall is None and result.overall.precision is None and result.top1 is None
    assert result.to_dict()["overall"]["f1"] is None
