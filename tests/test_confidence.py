"""Bootstrap intervals of pooled error rates: seeded, narrowing with pages, and honest at the edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.confidence import (
    RateInterval,
    finite_population_correction,
    pooled_rate_interval,
    sample_estimate,
)


def pages(count: int, *, rate: float = 0.04, seed: int = 1) -> tuple[list[int], list[int]]:
    """`count` pages of 1,500-3,000 gold characters with errors drawn at `rate`."""
    generator = np.random.default_rng(seed)
    lengths = generator.integers(1500, 3000, count)
    return generator.binomial(lengths, rate).tolist(), lengths.tolist()


def test_the_rate_is_pooled_as_evaluate_pools_it():
    interval = pooled_rate_interval([10, 0], [100, 900])
    assert interval.rate == pytest.approx(10 / 1000)
    assert (interval.pages, interval.confidence, interval.resamples, interval.seed) == (2, 0.95, 2000, 0)


def test_seeded_runs_repeat_exactly_and_other_seeds_differ():
    distances, lengths = pages(30)
    assert pooled_rate_interval(distances, lengths, seed=7) == pooled_rate_interval(distances, lengths, seed=7)
    assert pooled_rate_interval(distances, lengths, seed=7) != pooled_rate_interval(distances, lengths, seed=8)


def test_the_interval_narrows_with_more_pages():
    widths = []
    for count in (10, 40, 160):
        interval = pooled_rate_interval(*pages(count))
        widths.append(interval.high - interval.low)
    assert widths[0] > widths[1] > widths[2] > 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 400)), min_size=2, max_size=30))
def test_the_interval_contains_the_point_estimate(page_counts):
    distances, lengths = zip(*page_counts, strict=True)
    interval = pooled_rate_interval(distances, lengths, resamples=300)
    assert interval.low <= interval.rate <= interval.high


def test_one_page_collapses_the_interval_and_says_so():
    interval = pooled_rate_interval([41], [1000])
    assert interval.low == interval.rate == interval.high == pytest.approx(0.041)
    assert interval.degenerate
    assert interval.describe() == "4.1% (one page: no interval)"


def test_zero_pages_and_zero_gold_follow_the_empty_gold_rule():
    empty = pooled_rate_interval([], [])
    assert (empty.rate, empty.pages, empty.degenerate) == (0.0, 0, True)
    assert empty.describe() == "no pages: no rate"
    assert math.isinf(pooled_rate_interval([0, 3], [0, 0]).rate)
    assert pooled_rate_interval([0, 0], [0, 0]).rate == 0.0
    # a page without gold among pages with gold: resamples drawing only it still have a rate
    mixed = pooled_rate_interval([0, 5, 3], [0, 100, 80], resamples=500)
    assert math.isfinite(mixed.high) and mixed.low <= mixed.rate <= mixed.high


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="differ in length"):
        pooled_rate_interval([1], [1, 2])
    with pytest.raises(ValueError, match="confidence"):
        pooled_rate_interval([1], [2], confidence=95)
    with pytest.raises(ValueError, match="population_pages"):
        sample_estimate([1, 2], [10, 10], population_pages=1)


def test_describe_gives_sample_size_rate_and_interval():
    distances, lengths = pages(40, rate=0.041)
    estimate = sample_estimate(distances, lengths, population_pages=2000)
    interval = estimate.interval
    text = estimate.describe()
    assert text.startswith("40 of 2,000 pages checked: CER ")
    low, rate, high = (f"{100 * value:.1f}" for value in (interval.low, interval.rate, interval.high))
    assert text == f"40 of 2,000 pages checked: CER {rate}% ({low}-{high}%)"
    assert sample_estimate([41], [1000], population_pages=5).describe() == (
        "1 of 5 pages checked: CER 4.1% (one page: no interval)"
    )
    assert sample_estimate([], [], population_pages=5, label="WER").describe() == "0 of 5 pages checked: no WER"


def test_finite_population_correction_narrows_large_samples_only():
    distances, lengths = pages(40)
    plain = pooled_rate_interval(distances, lengths)
    huge = sample_estimate(distances, lengths, population_pages=1_000_000).interval
    half = sample_estimate(distances, lengths, population_pages=80).interval
    everything = sample_estimate(distances, lengths, population_pages=40)
    assert huge.high - huge.low == pytest.approx(plain.high - plain.low, rel=1e-3)
    assert half.high - half.low < 0.75 * (plain.high - plain.low)
    assert half.low <= half.rate <= half.high
    assert everything.interval.degenerate and everything.correction == 0
    assert everything.describe().endswith("(every page: exact)")
    assert finite_population_correction(10, 10) == 0 and finite_population_correction(1, 1) == 1


def test_interval_is_a_frozen_record():
    interval = pooled_rate_interval([1, 2], [10, 10])
    assert isinstance(interval, RateInterval)
    with pytest.raises(AttributeError):
        interval.rate = 0.5  # type: ignore[misc]
