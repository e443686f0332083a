"""The suggestion cost's bounded form: the cost exactly when within the bound, else above it; the fast
paths of the ranking (memoised cost, prefiltered candidate search, pruned ranking) against naive ones."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from workbench.flags.lexicon import Lexicon, _key_of, candidate_words, word_key
from workbench.flags.suggest import (
    COST_PER_EDIT,
    _confusion_variants,
    _general_candidates,
    _ocr_cost_within,
    _plain_key,
    _rank_keys,
    _repeated_set,
    confusion_variants,
    near_candidates,
    ocr_cost,
    suggest_token,
)

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
    return Flag(
        document=page.document,
        page=page.number,
        start=start,
        end=start + len(word),
        text=word,
        category=category or FlagCategory.MISREAD_WORD,
        suggestions=suggestions,
        confidence=0.6,
        source=FlagSource.HEURISTIC,
    )


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


def _reference_cost(read: str, meant: str) -> float:
    """The suggestion cost's table filled cell by cell without bound or memo: the naive reference."""
    from workbench.flags.suggest import _BY_READ, _MAX_LEN, CASE_COST

    n, m = len(read), len(meant)
    dist = [[math.inf] * (m + 1) for _ in range(n + 1)]
    dist[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = dist[i][j]
            if here == math.inf:
                continue
            if i < n:
                dist[i + 1][j] = min(dist[i + 1][j], here + 1)
            if j < m:
                dist[i][j + 1] = min(dist[i][j + 1], here + 1)
            if i < n and j < m:
                a, b = read[i], meant[j]
                step = 0.0 if a == b else CASE_COST if a.lower() == b.lower() else 1.0
                dist[i + 1][j + 1] = min(dist[i + 1][j + 1], here + step)
                if i + 1 < n and j + 1 < m and a == meant[j + 1] and read[i + 1] == b and a != b:
                    dist[i + 2][j + 2] = min(dist[i + 2][j + 2], here + 1)
            for length in range(1, min(_MAX_LEN, n - i) + 1):
                for target, cost in _BY_READ.get(read[i : i + length].lower(), ()):
                    if meant[j : j + len(target)].lower() == target:
                        dist[i + length][j + len(target)] = min(dist[i + length][j + len(target)], here + cost)
    return dist[n][m]


MIXED = GLYPHS + "RNMCDLIéèüßΣ"


@settings(max_examples=400, deadline=None)
@given(st.text(MIXED, max_size=9), st.text(MIXED, max_size=9), st.sampled_from([0.3, 1.0, 2.01]))
def test_the_memoised_cost_is_the_naive_tables_float_exactly_whatever_bound_asked_first(read, meant, bound):
    expected = _reference_cost(read, meant)
    bounded = _ocr_cost_within(read, meant, bound)  # memo filled within a bound first, then asked in full
    assert (bounded == expected) if expected <= bound else bounded > bound
    assert ocr_cost(read, meant) == expected
    assert COST_PER_EDIT * Levenshtein.distance(read, meant) <= expected + 1e-9


@settings(max_examples=300, deadline=None)
@given(
    st.text(MIXED, max_size=9),
    st.text(MIXED, max_size=9),
    st.sampled_from([0.0, 0.3, 1.0]),
    st.sampled_from([1.0, 2.01]),
)
def test_a_pair_asked_again_under_a_higher_bound_is_costed_within_the_widest_and_stays_exact(read, meant, low, high):
    from workbench.flags.suggest import _COSTS

    _COSTS.pop((read, meant), None)
    expected = _reference_cost(read, meant)
    first = _ocr_cost_within(read, meant, low, widest=2.01)
    again = _ocr_cost_within(read, meant, high, widest=2.01)
    for bound, value in ((low, first), (high, again)):
        assert (value == expected) if expected <= bound else value > bound
    if low < expected and low < high:  # asked again above the memo's bound: costed within the widest, once for all
        assert _COSTS[(read, meant)][1] == max(high, 2.01)


def _edited(word: str, edits: list[tuple[int, int, str]]) -> str:
    for kind, at, char in edits:
        at = at % (len(word) + 1)
        if kind == 0:
            word = word[:at] + char + word[at:]
        elif kind == 1:
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + char + word[at + 1 :]
    return word


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["en", "fr", "de"]),
    st.integers(0, 3000),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), st.sampled_from("aeilnorstuéü1'")), max_size=3),
)
def test_near_candidates_are_the_25_nearest_of_each_whole_bucket(language, rank, edits):
    """The signature prefilter drops only words farther than the distance: the same words, in the same order."""
    buckets = candidate_words(language)
    words = [w for length in sorted(buckets) for w in buckets[length]]
    key = _edited(words[(rank * 7919) % len(words)], edits)
    expected = []
    for length in range(max(1, len(key) - 2), len(key) + 3):
        expected += [
            w
            for w, _d, _i in process.extract(
                key, buckets.get(length, ()), scorer=Levenshtein.distance, score_cutoff=2, limit=25
            )
        ]
    assert near_candidates(key, language, 2) == tuple(expected)


def _naive_ranking(key: str, lexicon: Lexicon) -> list[tuple[str, float, float]]:
    """Every candidate costed in full (the naive reference of _rank_keys' pruned loop)."""
    pool = {v for v in confusion_variants(key) if lexicon.zipf(v) > 0 or lexicon.count(v) > 1}
    for length in range(max(1, len(key) - 2), len(key) + 3):
        pool.update(
            w
            for w, _d, _i in process.extract(
                key,
                candidate_words(lexicon.language).get(length, ()),
                scorer=Levenshtein.distance,
                score_cutoff=2,
                limit=25,
            )
        )
        pool.update(
            w
            for w in lexicon.document
            if len(w) == length and lexicon.document[w] > 1 and Levenshtein.distance(key, w) <= 2
        )
    pool.discard(key)
    config = lexicon.config
    ranked = []
    for word in pool:
        cost = _reference_cost(key, word)
        if cost > 2.01:
            continue
        bonus = config.document_bonus if lexicon.count(word) > 1 else 0.0
        ranked.append((word, cost, cost - config.frequency_weight * lexicon.zipf(word) - bonus))
    ranked.sort(key=lambda s: (s[2], s[0]))
    return ranked[:10]


@pytest.mark.parametrize(
    "key",
    [
        "tbe",
        "tlie",
        "governrnent",
        "rnilitary",
        "aud",
        "ofthe",
        "japancse",
        "sccurity",
        "cornmittee",
        "wlth",
        "bascs",
        "treatv",
        "i",
        "ab",
    ],
)
def test_the_pruned_ranking_is_the_naive_ranking(key):
    lexicon = Lexicon.for_texts(
        [
            "The committee met the minister of Japan; the committee and the security treaty"
            " bases, the bases and the treaty, security"
        ]
    )
    assert _rank_keys(key, lexicon, 2) == _naive_ranking(key, lexicon)


def test_the_long_s_read_as_f_is_a_cheap_confusion_in_every_language():
    german = Lexicon.for_texts(["x"], language="de")
    english = Lexicon.for_texts(["x"], language="en")
    assert ocr_cost("fich", "sich") < 1.0 and ocr_cost("Preuffen", "Preussen") < 1.0
    assert suggest_token("fich", german, limit=1)[0].text == "sich"
    assert suggest_token("Preuffen", german, limit=1)[0].text == "Preussen"
    assert suggest_token("moft", english, limit=1)[0].text == "most"


def _naive_variants(word: str, depth: int) -> frozenset[str]:
    """Every string `depth` confusions or fewer undo in `word`, level by level: the naive reference."""
    from workbench.flags.suggest import _BY_READ, _MAX_LEN

    frontier, seen = {word}, {word}
    for _ in range(depth):
        grown = {
            text[:i] + target + text[i + length :]
            for text in frontier
            for i in range(len(text))
            for length in range(1, _MAX_LEN + 1)
            for target, _cost in _BY_READ.get(text[i : i + length], ())
        }
        frontier = grown - seen
        seen |= grown
    return frozenset(seen)


@settings(max_examples=300, deadline=None)
@given(st.text(MIXED.lower(), max_size=9), st.integers(0, 2))
def test_confusion_variants_are_the_naive_levels_of_undone_confusions(word, depth):
    assert _confusion_variants(word, depth) == _naive_variants(word, depth)


@settings(max_examples=300, deadline=None)
@given(st.text(MIXED + "-’", min_size=1, max_size=9))
def test_every_variant_of_a_plain_key_is_its_own_lexicon_key_without_an_apostrophe(token):
    key = word_key(token)
    assume(_plain_key(key))
    for variant in _confusion_variants(key, 2):
        assert _key_of(variant) == variant and "'" not in variant


REPEATING = "tbe tbe rnilitary rnilitary cornmittee cornmittee xylom xylom the the committee Japan Japan"


@pytest.mark.parametrize("key", ["tbe", "tlie", "rnilitary", "cornmittee", "xylorn", "japanese", "i", "sccurity"])
def test_a_plain_keys_candidates_are_its_attested_variants_and_its_near_words(key):
    lexicon = Lexicon.for_texts([REPEATING])
    assert _plain_key(key)
    variants = _confusion_variants(key, 2)
    expected = {v for v in variants if lexicon.attested(v)} | set(near_candidates(key, lexicon.language, 2))
    assert set(_general_candidates(key, lexicon, 2)) | (variants & _repeated_set(lexicon)) == expected


def test_the_candidates_kept_across_documents_carry_no_document_s_own_words():
    first = Lexicon.for_texts([REPEATING])  # reads "xylom" (no word) twice: a candidate of "xylorn" here only
    second = Lexicon.for_texts(["The committee met the minister of Japan"])
    for lexicon in (first, second, first, second):
        for key in ("xylorn", "tbal"):
            assert _rank_keys(key, lexicon, 2) == _naive_ranking(key, lexicon)
    assert "xylom" in [word for word, _cost, _score in _rank_keys("xylorn", first, 2)]
    assert "xylom" not in [word for word, _cost, _score in _rank_keys("xylorn", second, 2)]
