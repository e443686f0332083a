"""Confidence intervals for pooled error rates (CER, WER): a seeded percentile bootstrap over pages.

The rate is pooled as `workbench.evaluate` pools it: the sum of the pages' distances over the sum of
their gold lengths (long pages weigh more). The bootstrap draws pages with replacement (the page is
the unit that was sampled and whose errors cluster), recomputes the pooled rate for each resample,
and takes the (1 - confidence) / 2 and (1 + confidence) / 2 percentiles. The same seed gives the
same interval.

`sample_estimate` is for an archive that checked only some of its pages against gold: the pooled
rate of the sample estimates the rate of the whole collection, and the interval says how far off it
may be. When the sample is a large share of the collection, the pages not drawn are fewer than an
infinite population would have, so the interval is narrowed by the finite-population correction
(see `sample_estimate`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.metrics import error_rate


@dataclass(frozen=True, slots=True)
class RateInterval:
    """A pooled error rate with its bootstrap interval, as fractions (0.05 is 5 %).

    `low` <= `rate` <= `high` need not hold exactly for a percentile interval, but does for the
    rates of ordinary pages; with fewer than two pages (or no gold) the interval is the rate itself.
    `pages` is the number of pages pooled; `confidence`, `resamples` and `seed` say how it was drawn.
    """

    rate: float
    low: float
    high: float
    pages: int
    confidence: float
    resamples: int
    seed: int

    @property
    def degenerate(self) -> bool:
        """True when the interval has collapsed to the rate (fewer than two pages, or no variation)."""
        return self.low == self.high

    def describe(self) -> str:
        """The rate and interval as text: "4.1% (3.2-5.3%)", or with why it has no width."""
        if self.pages == 0:
            return "no pages: no rate"
        if self.pages == 1:
            return f"{_percent(self.rate)} (one page: no interval)"
        return f"{_percent(self.rate)} ({_range(self.low, self.high)})"


@dataclass(frozen=True, slots=True)
class SampleEstimate:
    """The error rate of a collection estimated from the pages of it that have gold.

    `interval` is the bootstrap interval of the sample's pooled rate, narrowed by the
    finite-population correction `correction` (1 when the sample is a small share, 0 when every page
    was checked). `label` names the rate in `describe()` ("CER", "WER").
    """

    interval: RateInterval
    population_pages: int
    correction: float
    label: str = "CER"

    @property
    def sample_pages(self) -> int:
        """The number of pages checked against gold."""
        return self.interval.pages

    def describe(self) -> str:
        """E.g. "40 of 2,000 pages checked: CER 4.1% (3.2-5.3%)"."""
        interval = self.interval
        head = f"{self.sample_pages:,} of {self.population_pages:,} pages checked"
        if interval.pages == 0:
            return f"{head}: no {self.label}"
        if interval.pages == 1:
            return f"{head}: {self.label} {_percent(interval.rate)} (one page: no interval)"
        if self.sample_pages == self.population_pages:
            return f"{head}: {self.label} {_percent(interval.rate)} (every page: exact)"
        return f"{head}: {self.label} {_percent(interval.rate)} ({_range(interval.low, interval.high)})"


def _percent(value: float) -> str:
    return "inf" if math.isinf(value) else f"{100 * value:.1f}%"


def _range(low: float, high: float) -> str:
    if math.isinf(low) or math.isinf(high):
        return f"{_percent(low)}-{_percent(high)}"
    return f"{100 * low:.1f}-{100 * high:.1f}%"


def _check(distances: Sequence[int], gold_lengths: Sequence[int], confidence: float, resamples: int) -> None:
    if len(distances) != len(gold_lengths):
        raise ValueError(f"distances ({len(distances)}) and gold_lengths ({len(gold_lengths)}) differ in length")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence} is not between 0 and 1")
    if resamples < 1:
        raise ValueError(f"resamples: {resamples} must be at least 1")
    if any(d < 0 for d in distances) or any(n < 0 for n in gold_lengths):
        raise ValueError("distances and gold_lengths must not be negative")


def pooled_rate_interval(
    distances: Sequence[int],
    gold_lengths: Sequence[int],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> RateInterval:
    """The pooled rate sum(distances) / sum(gold_lengths) with a percentile bootstrap interval over pages.

    `distances[i]` and `gold_lengths[i]` are page i's edit distance and gold length in units
    (grapheme clusters or words). Zero pages give rate 0 and a collapsed interval; one page, or
    pages whose resamples all give one rate, a collapsed interval (`degenerate`); no gold at all
    follows `error_rate` (0 when there is no error, infinity otherwise). A resample whose pages
    hold no gold is given the rate `error_rate` gives it.
    """
    _check(distances, gold_lengths, confidence, resamples)
    d = np.asarray(distances, dtype=np.float64)
    n = np.asarray(gold_lengths, dtype=np.float64)
    pages = len(d)
    rate = error_rate(int(d.sum()), int(n.sum()))
    if pages < 2 or math.isinf(rate):
        return RateInterval(rate, rate, rate, pages, confidence, resamples, seed)
    generator = np.random.default_rng(seed)
    # one matrix of page draws: resamples x pages indices, the pooled rate per row
    draws = generator.integers(0, pages, size=(resamples, pages))
    sum_d, sum_n = d[draws].sum(axis=1), n[draws].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(sum_n > 0, sum_d / sum_n, np.where(sum_d > 0, np.inf, 0.0))
    tail = (1 - confidence) / 2
    # Sorted order statistics instead of np.quantile, which interpolates and so subtracts infinities
    # (a resample of pages whose gold is empty but whose OCR is not): the bounds are then infinite, not NaN.
    ordered = np.sort(rates)
    low = ordered[math.floor(tail * (resamples - 1))]
    high = ordered[math.ceil((1 - tail) * (resamples - 1))]
    return RateInterval(rate, float(low), float(high), pages, confidence, resamples, seed)


def finite_population_correction(sample_pages: int, population_pages: int) -> float:
    """sqrt((N - n) / (N - 1)): how much narrower an interval is when n of N pages were drawn.

    1 for an infinite population, 0 when every page was checked; 1 when N <= 1.
    """
    if population_pages <= 1:
        return 1.0
    return math.sqrt(max(0, population_pages - sample_pages) / (population_pages - 1))


def sample_estimate(
    distances: Sequence[int],
    gold_lengths: Sequence[int],
    *,
    population_pages: int,
    label: str = "CER",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> SampleEstimate:
    """The collection's rate estimated from a random sample of its pages that were checked against gold.

    The bootstrap interval of the sample's pooled rate (`pooled_rate_interval`) is moved towards the
    rate by the finite-population correction f = sqrt((N - n) / (N - 1)) for n sampled of N pages:
    low' = rate - f * (rate - low), high' = rate + f * (high - rate). The bootstrap treats the pages
    as drawn from an endless supply; when the sample is a large share of the collection (say more
    than 5 %), the pages left unseen are fewer and the rate of the whole is known better. With every
    page checked the interval is the rate itself. The sample must be drawn at random (not the
    easiest pages) for the interval to mean anything.
    """
    if population_pages < len(distances):
        raise ValueError(f"population_pages: {population_pages} is fewer than the {len(distances)} pages sampled")
    interval = pooled_rate_interval(
        distances, gold_lengths, confidence=confidence, resamples=resamples, seed=seed
    )
    correction = finite_population_correction(interval.pages, population_pages)
    if not interval.degenerate and not math.isinf(interval.rate):
        rate = interval.rate
        interval = RateInterval(
            rate,
            rate - correction * (rate - interval.low),
            rate + correction * (interval.high - rate),
            interval.pages,
            confidence,
            resamples,
            seed,
        )
    return SampleEstimate(interval, population_pages, correction, label)
