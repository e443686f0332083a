"""The suggestion cost's bounded form: the cost exactly when within the bound, else above it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.flags.suggest import _ocr_cost_within, ocr_cost

GLYPHS = "abcdehilmnorstuvw10|'.,"


@settings(max_examples=400, deadline=None)
@given(st.text(GLYPHS, max_size=9), st.text(GLYPHS, max_size=9), st.sampled_from([0.0, 0.3, 1.0, 2.01, 3.5]))
def test_a_bounded_cost_is_the_full_cost_within_the_bound_and_above_it_otherwise(read, meant, bound):
    full = ocr_cost(read, meant)
    bounded = _ocr_cost_within(read, meant, bound)
    if full <= bound:
        assert bounded == full
    else:
        assert bounded > bound
