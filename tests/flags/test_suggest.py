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


def _context(page):
    from workbench.flags.context import page_context
    from workbench.flags.lexicon import Lexicon

    return page_context(page, Lexicon.for_pages([page]))


def _word_flag(page, word: str, suggestions: tuple[str, ...], category=None):
    from workbench.models import Flag, FlagCategory, FlagSource

    start = page.text.index(word)
    return Flag(document=page.document, page=page.number, start=start, end=start + len(word), text=word,
                category=category or FlagCategory.MISREAD_WORD, suggestions=suggestions, confidence=0.6,
                source=FlagSource.HEURISTIC)


TEXT = "The committee met at the embassy and discussed the\nquestion of the treaty bet the minister.\n"


def test_keep_as_read_ranks_first_only_on_a_line_that_looks_clean():
    from tests.flags.helpers import ocr_page
    from workbench.flags.suggest import keep_first
    from workbench.models import FlagCategory, OcrPage

    page = ocr_page(TEXT)  # every word read with confidence 95
    flag = _word_flag(page, "bet", ("but", "best"))
    assert keep_first(_context(page), [flag])[0].suggestions == ("bet", "but", "best")
    doubted = ocr_page(TEXT, conf={"minister.": 80.0})  # one word of the line below clean_line_conf
    revised = keep_first(_context(doubted), [_word_flag(doubted, "bet", ("but", "best"))])
    assert revised[0].suggestions == ("but", "best")
    other = _word_flag(page, "minister.", ("minister",), FlagCategory.CASE_OR_PUNCTUATION)
    assert keep_first(_context(page), [flag, other])[0].suggestions == ("but", "best")  # another flag on the line
    on_first_line = _word_flag(page, "embassy", ("embassy,",))
    assert keep_first(_context(page), [flag, on_first_line])[0].suggestions == ("bet", "but", "best")
    imported = OcrPage(document="doc", number=1, text=TEXT)  # OCR as text: confidences unknown, never clean
    assert keep_first(_context(imported), [_word_flag(imported, "bet", ("but",))])[0].suggestions == ("but",)
    stamp = _word_flag(page, "bet", ("",), FlagCategory.STAMP_NOISE)  # no word reading: left alone
    assert keep_first(_context(page), [stamp]) == [stamp]


def test_keep_first_is_idempotent_and_takes_keep_out_where_the_line_is_not_clean():
    from tests.flags.helpers import ocr_page
    from workbench.flags.suggest import keep_first

    page = ocr_page(TEXT)
    once = keep_first(_context(page), [_word_flag(page, "bet", ("but",))])
    assert keep_first(_context(page), once) == once
    doubted = ocr_page(TEXT, conf={"the": 50.0})
    stale = _word_flag(doubted, "bet", ("but", "bet"))  # keep ranked somewhere by an earlier revision
    assert keep_first(_context(doubted), [stale])[0].suggestions == ("but",)
