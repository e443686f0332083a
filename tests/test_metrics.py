"""CER, WER, bag-of-words and confusions: cross-checked with dinglehopper, and the laws they obey."""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.metrics import (
    Confusion,
    bag_of_words_error,
    cer,
    character_error,
    confusion_counts,
    confusions,
    error_rate,
    wer,
    word_error,
)
from workbench.normalize import DEFAULT, DINGLEHOPPER, ComparisonOptions, fold_whitespace

FIXTURE = Path(__file__).parent / "data" / "metrics" / "dinglehopper_pairs.json"
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))["pairs"]
PAIR_IDS = [pair["gold"][:24] or "(empty)" for pair in RECORDED]


def recorded_rate(value: float | None) -> float:
    return math.inf if value is None else value


def dinglehopper():
    """dinglehopper's CER and WER functions; the calling test is skipped without the test extra."""
    cer_module = pytest.importorskip("dinglehopper.character_error_rate", reason="dinglehopper not installed")
    wer_module = pytest.importorskip("dinglehopper.word_error_rate", reason="dinglehopper not installed")
    return cer_module.character_error_rate_n, wer_module.word_error_rate_n


def reference(gold: str, ocr: str) -> tuple[float, float]:
    """dinglehopper's CER and WER on the whitespace-folded texts: the independent computation."""
    character_error_rate_n, word_error_rate_n = dinglehopper()
    g, o = fold_whitespace(gold), fold_whitespace(ocr)
    return character_error_rate_n(g, o)[0], word_error_rate_n(g, o)[0]


def same(ours: float, theirs: float) -> bool:
    return (math.isinf(ours) and math.isinf(theirs)) or abs(ours - theirs) <= 1e-9


@pytest.mark.parametrize("pair", RECORDED, ids=PAIR_IDS)
def test_cer_and_wer_equal_dinglehoppers_recorded_values(pair):
    gold, ocr = pair["gold"], pair["ocr"]
    measure, words = character_error(gold, ocr), word_error(gold, ocr)
    assert (measure.gold_length, words.gold_length) == (pair["gold_clusters"], pair["gold_words"])
    assert same(cer(gold, ocr), recorded_rate(pair["cer"]))
    assert same(measure.rate, recorded_rate(pair["cer"]))
    assert same(wer(gold, ocr), recorded_rate(pair["wer"]))
    assert same(words.rate, recorded_rate(pair["wer"]))


@pytest.mark.parametrize("pair", RECORDED, ids=PAIR_IDS)
def test_recorded_values_are_dinglehoppers(pair):
    expected_cer, expected_wer = reference(pair["gold"], pair["ocr"])
    assert same(recorded_rate(pair["cer"]), expected_cer)
    assert same(recorded_rate(pair["wer"]), expected_wer)


def test_measures_carry_lengths_and_counts():
    measure = character_error("The treaty", "Tbe  treaty.")
    assert (measure.distance, measure.gold_length, measure.ocr_length) == (2, 10, 11)
    assert (measure.substitutions, measure.insertions, measure.deletions, measure.hits) == (1, 1, 0, 9)
    assert measure.rate == pytest.approx(0.2)
    words = word_error("The treaty of 1960", "The new treaty 1960")
    assert (words.distance, words.gold_length, words.deletions, words.insertions) == (2, 4, 1, 1)
    assert word_error("The treaty", "Tbe treaty").substitutions == 1


def test_empty_gold_follows_dinglehopper():
    assert error_rate(0, 0) == 0.0
    assert error_rate(3, 0) == math.inf
    assert cer("", "") == 0.0
    assert cer("", "x") == math.inf


GOLD_ALPHABET = [*"aeiou rnm.,-'5\n", "\u0301", "é", "ß", "\u00c5", "A\u030a", "日"]
texts = st.lists(st.sampled_from(GOLD_ALPHABET), max_size=25).map("".join)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(texts, texts)
def test_random_pairs_agree_with_dinglehopper(gold, ocr):
    expected_cer, expected_wer = reference(gold, ocr)
    assert same(cer(gold, ocr), expected_cer)
    assert same(wer(gold, ocr), expected_wer)


@given(texts)
def test_a_text_against_itself_has_no_error(text):
    assert cer(text, text) == 0.0
    assert wer(text, text) == 0.0
    assert bag_of_words_error(text, text).rate == 0.0


@given(texts)
def test_nfc_and_nfd_give_the_same_cer(text):
    nfd = unicodedata.normalize("NFD", text)
    nfc = unicodedata.normalize("NFC", text)
    reference_text = "a\u00e9 ro"
    assert cer(nfd, reference_text) == cer(nfc, reference_text)
    assert cer(reference_text, nfd) == cer(reference_text, nfc)
    assert cer(nfd, nfc) == 0.0


@given(texts, texts)
def test_distance_is_symmetric_and_counts_add_up(a, b):
    forward, backward = character_error(a, b), character_error(b, a)
    assert forward.distance == backward.distance
    assert forward.distance == forward.substitutions + forward.insertions + forward.deletions
    assert forward.gold_length == forward.hits + forward.substitutions + forward.deletions
    assert forward.ocr_length == forward.hits + forward.substitutions + forward.insertions
    assert word_error(a, b).distance == word_error(b, a).distance


@given(texts, texts)
def test_bag_of_words_error_is_never_above_the_wer(a, b):
    assert bag_of_words_error(a, b).rate <= wer(a, b) + 1e-12


def test_bag_of_words_ignores_order():
    result = bag_of_words_error("security treaty of 1960", "1960 treaty of security")
    assert (result.missing, result.spurious, result.rate) == (0, 0, 0.0)
    assert wer("security treaty of 1960", "1960 treaty of security") == 0.5
    result = bag_of_words_error("the the treaty", "the treaty treaty stamp")
    assert (result.gold_words, result.ocr_words, result.missing, result.spurious) == (3, 4, 1, 2)
    assert result.rate == pytest.approx(2 / 3)


def test_confusions_merge_adjacent_edits_and_rank_by_count():
    gold = "modern modern Japan 1974"
    ocr = "modem modem Japau 1974."
    assert confusions(gold, ocr) == (
        Confusion("rn", "m", 2),
        Confusion("", ".", 1),
        Confusion("n", "u", 1),
    )
    assert confusions(gold, ocr, top=1) == (Confusion("rn", "m", 2),)


def test_confusions_show_whitespace_as_one_space_and_in_nfc():
    counts = confusion_counts("cafe\u0301 au", "cafe\u0301\n\nau!")
    assert counts == {("", "!"): 1}
    assert confusion_counts("ab", "a\n\nb") == {("", " "): 1}


def test_long_texts_give_the_exact_figures():
    from tests.test_align import inject_errors, long_text

    gold = long_text(6000, seed=11)
    ocr = inject_errors(gold, rate=0.05, seed=12)
    fast, exact = character_error(gold, ocr), character_error(gold, ocr, exact=True)
    assert fast.distance == exact.distance
    assert word_error(gold, ocr).distance == word_error(gold, ocr, exact=True).distance


def test_the_definitions_declare_a_version():
    from workbench import metrics

    assert metrics.METRICS_VERSION.split(":")[0].isdigit()


def test_measure_compares_units_cut_once_and_refuses_mixed_kinds():
    from workbench.metrics import measure
    from workbench.normalize import char_units, word_units

    ocr = word_units("The treaty of 196O")
    assert measure(word_units("The treaty of 1960"), ocr) == word_error("The treaty of 1960", "The treaty of 196O")
    assert bag_of_words_error(word_units("of The"), ocr).missing == 0
    with pytest.raises(ValueError, match="cannot compare char units with word units"):
        measure(char_units("The"), ocr)


# --- comparison options -------------------------------------------------------------------------

ALL_OPTIONS = [
    DEFAULT,
    DINGLEHOPPER,
    ComparisonOptions(case_insensitive=True),
    ComparisonOptions(remove_accents=True),
    ComparisonOptions(ignore_punctuation=True),
    ComparisonOptions(fold_equivalents=True),
    ComparisonOptions(no_gold_char="#"),
    ComparisonOptions(fold_whitespace=False, case_insensitive=True, ignore_punctuation=True, no_gold_char="#"),
]
option_texts = st.lists(st.sampled_from([*GOLD_ALPHABET, "A", "Q", "#", "ﬁ", "\u2014", "  "]), max_size=20).map(
    "".join
)


def test_options_are_keyword_only_and_recorded_in_every_result():
    options = ComparisonOptions(case_insensitive=True)
    with pytest.raises(TypeError):
        cer("a", "A", options)  # type: ignore[misc]
    assert character_error("a", "A", options=options).options == options
    assert word_error("a", "A", options=options).options == options
    assert bag_of_words_error("a", "A", options=options).options == options
    assert character_error("a", "A").options == DEFAULT


def test_each_option_forgives_what_it_names():
    assert cer("The Paper", "the paper", options=ComparisonOptions(case_insensitive=True)) == 0
    assert wer("Café", "Cafe", options=ComparisonOptions(remove_accents=True)) == 0
    assert cer("Japan, the U.S.", "Japan the US", options=ComparisonOptions(ignore_punctuation=True)) == 0
    assert cer("ﬁnd it’s", "find it's", options=ComparisonOptions(fold_equivalents=True)) == 0
    assert cer("a  b", "a b") == 0
    assert cer("a  b", "a b", options=ComparisonOptions(fold_whitespace=False)) == pytest.approx(1 / 4)
    # and nothing else
    assert cer("The Paper", "the paper") == pytest.approx(2 / 9)
    assert cer("Paper", "Pager", options=ComparisonOptions(case_insensitive=True)) == pytest.approx(1 / 5)


def test_no_gold_spans_do_not_count():
    options = ComparisonOptions(no_gold_char="#")
    assert cer("ab##cd", "abxycd", options=options) == 0
    assert cer("ab##cd", "abxycd") == pytest.approx(2 / 6)
    measure = character_error("ab##cd", "abxyzcd", options=options)
    assert (measure.distance, measure.gold_length, measure.unscored_gold, measure.unscored_ocr) == (0, 4, 2, 3)
    assert (measure.hits, measure.ocr_length) == (4, 4)
    assert cer("ab#cd", "abcd", options=options) == 0  # the OCR may read nothing there
    assert cer("ab#cd", "xbqcd", options=options) == pytest.approx(1 / 4)  # the rest still counts
    assert cer("###", "anything", options=options) == 0  # no gold at all: nothing to get wrong
    assert wer("Tokyo ### Japan", "Tokyo foo bar Japan", options=options) == 0
    assert wer("Tokyo ### Japan", "Tokio foo bar Japan", options=options) == pytest.approx(1 / 2)
    bag = bag_of_words_error("Tokyo ### Japan", "Japan foo Tokyo", options=options)
    assert (bag.gold_words, bag.ocr_words, bag.rate) == (2, 2, 0)
    assert confusions("ab##cd ef", "abxycd eg", options=options) == (Confusion("f", "g", 1),)


def test_the_no_gold_character_in_the_ocr_is_only_a_character():
    options = ComparisonOptions(no_gold_char="#")
    assert cer("abcd", "ab#cd", options=options) == pytest.approx(1 / 4)
    assert wer("Tokyo Japan", "Tokyo # Japan", options=options) == 0  # punctuation, no word


@settings(max_examples=60, deadline=None)
@given(option_texts, st.sampled_from(ALL_OPTIONS))
def test_options_never_make_identical_texts_differ(text, options):
    assert cer(text, text, options=options) == 0
    assert wer(text, text, options=options) == 0
    assert bag_of_words_error(text, text, options=options).rate == 0
    assert confusions(text, text, options=options) == ()


@settings(max_examples=60, deadline=None)
@given(option_texts, option_texts, st.sampled_from(ALL_OPTIONS))
def test_fast_rates_equal_the_measures_under_every_option(gold, ocr, options):
    chars, words = character_error(gold, ocr, options=options), word_error(gold, ocr, options=options)
    assert same(cer(gold, ocr, options=options), chars.rate)
    assert same(wer(gold, ocr, options=options), words.rate)
    for measure in (chars, words):
        assert measure.hits + measure.substitutions + measure.deletions == measure.gold_length
        assert measure.hits + measure.substitutions + measure.insertions == measure.ocr_length


ascii_texts = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20)


@settings(max_examples=80, deadline=None)
@given(ascii_texts, ascii_texts)
def test_case_insensitive_cer_is_never_above_the_case_sensitive_cer_on_ascii(gold, ocr):
    assert cer(gold, ocr, options=ComparisonOptions(case_insensitive=True)) <= cer(gold, ocr)


@settings(max_examples=60, deadline=None)
@given(option_texts, option_texts)
def test_no_gold_exclusion_changes_nothing_without_the_character(gold, ocr):
    gold = gold.replace("#", "")
    options = ComparisonOptions(no_gold_char="#")
    assert character_error(gold, ocr, options=options).distance == character_error(gold, ocr).distance
    assert same(wer(gold, ocr, options=options), wer(gold, ocr))


def test_measure_refuses_units_cut_under_different_options():
    from workbench.metrics import measure
    from workbench.normalize import char_units

    with pytest.raises(ValueError, match="different comparison options"):
        measure(char_units("a"), char_units("A", options=ComparisonOptions(case_insensitive=True)))


def test_default_options_keep_the_metrics_version():
    from workbench import metrics

    assert metrics.METRICS_VERSION.startswith("1:")


def naive_no_gold_distance(gold: str, ocr: str, char: str = "#") -> int:
    """The reference: Levenshtein where a gold `char` takes any run of OCR characters for free."""
    previous = list(range(len(ocr) + 1))
    for g in gold:
        if g == char:
            current = [min(previous[: j + 1]) for j in range(len(ocr) + 1)]
        else:
            current = [previous[0] + 1]
            for j, o in enumerate(ocr, start=1):
                current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (g != o)))
        previous = current
    return previous[-1]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab#", max_size=12), st.text(alphabet="abx#", max_size=12))
def test_no_gold_alignment_is_minimal(gold, ocr):
    measure = character_error(gold, ocr, options=ComparisonOptions(no_gold_char="#"))
    assert measure.distance == naive_no_gold_distance(gold, ocr)
    assert measure.unscored_gold == gold.count("#")


def test_no_gold_exclusion_holds_on_long_texts():
    from tests.test_align import inject_errors, long_text

    # about 9,000 characters: the alignment is cut at an anchor into two segments
    gold = long_text(1300, seed=5)
    ocr = inject_errors(gold, rate=0.03, seed=6)
    marked = gold[:6000] + "#" * 40 + gold[6040:]
    options = ComparisonOptions(no_gold_char="#")
    measure = character_error(marked, ocr, options=options)
    assert measure.unscored_gold == 40
    assert measure.distance <= character_error(gold, ocr).distance


# -- the fast paths of scoring give what the plain definitions give -------------------------------------------

# Text in the style of a typewritten memo's OCR: letters, digits, punctuation, quotes and dashes, accents
# (composed and combining), private-use letters, a no-gold mark, and line breaks and runs of spaces.
_MEMO_PIECES = ["Embassy", "Tokyo", "U.S.", "55,000", "don't", "well-known", "SECRET", "—", "“", "”", "’",
                "é", "e\u0301", "\ue1ac", "#", "_", "§", "1974", "(", ")", ";", ":", " ", "  ", "\n", "\t", "ﬁ"]
memo_texts = st.lists(st.sampled_from(_MEMO_PIECES), max_size=60).map("".join)
memo_options = st.sampled_from([DEFAULT, DINGLEHOPPER, ComparisonOptions(no_gold_char="#"),
                                ComparisonOptions(case_insensitive=True, ignore_punctuation=True),
                                ComparisonOptions(fold_equivalents=True, private_use_letters=True)])


def _reference_words(text: str, options: ComparisonOptions) -> list[tuple[int, int]]:
    """Word spans the slow way: every piece between two word boundaries, kept when it holds a word character."""
    from itertools import pairwise

    from workbench.normalize import _PRIVATE_USE, _WORD_BOUNDARY, _is_word, comparison_text

    body = comparison_text(text, options=options).text
    shadow = _PRIVATE_USE.sub("a", body) if options.private_use_letters else body
    cuts = sorted({0, len(body), *(m.start() for m in _WORD_BOUNDARY.finditer(shadow))})
    return [(a, b) for a, b in pairwise(cuts) if a < b and _is_word(body[a:b])]


@settings(max_examples=300, deadline=None)
@given(memo_texts, memo_options)
def test_word_cut_of_non_ascii_text_is_the_piece_by_piece_cut(text, options):
    from workbench.normalize import comparison_text, word_units

    units = word_units(text, options=options)
    expected = _reference_words(text, options)
    if not comparison_text(text, options=options).text.isascii() and options.no_gold_char is None:
        assert list(zip(units.starts, units.ends, strict=True)) == expected
    body = comparison_text(text, options=options).text
    assert list(units.keys) == [unicodedata.normalize("NFC", body[a:b]) for a, b in zip(units.starts, units.ends,
                                                                                          strict=True)]


@settings(max_examples=200, deadline=None)
@given(memo_texts, memo_options)
def test_char_and_word_units_together_are_the_units_cut_apart(text, options):
    from workbench.normalize import char_and_word_units, char_units, word_units

    chars, words = char_and_word_units(text, options=options)
    alone_chars, alone_words = char_units(text, options=options), word_units(text, options=options)
    assert (tuple(chars.keys), chars.starts, chars.ends, chars.no_gold) == (
        tuple(alone_chars.keys), alone_chars.starts, alone_chars.ends, alone_chars.no_gold)
    assert (words.keys, words.starts, words.ends, words.no_gold) == (
        alone_words.keys, alone_words.starts, alone_words.ends, alone_words.no_gold)


@settings(max_examples=200, deadline=None)
@given(memo_texts, st.data())
def test_spans_at_once_are_each_span(text, data):
    from workbench.normalize import char_units, word_units

    for units in (char_units(text), word_units(text)):
        n = len(units)
        pairs = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted), max_size=12))
        firsts, lasts = [a for a, _ in pairs], [b for _, b in pairs]
        assert units.spans(firsts, lasts) == [units.span(a, b) for a, b in pairs]


@settings(max_examples=200, deadline=None)
@given(memo_texts, memo_texts, memo_options)
def test_distance_alone_is_the_measured_distance(gold, ocr, options):
    from workbench.metrics import measure, measure_distance
    from workbench.normalize import char_and_word_units

    gold_chars, gold_words = char_and_word_units(gold, options=options)
    ocr_chars, ocr_words = char_and_word_units(ocr, options=options)
    for g, o in ((gold_chars, ocr_chars), (gold_words, ocr_words)):
        measured = measure(g, o)
        assert measure_distance(g, o) == (measured.distance, measured.gold_length)
        without = measure(g, o, with_ops=False)
        assert without.ops == () and (without.distance, without.substitutions, without.insertions,
                                      without.deletions, without.hits) == (
            measured.distance, measured.substitutions, measured.insertions, measured.deletions, measured.hits)


def test_units_longer_than_one_character_are_coded_apart_and_in_order():
    from workbench.align import encode

    a, b = encode(("Tokyo", "x", "Embassy"), ("Embassy", "Tokyo", "\U000f0000"))
    assert a[1] == "x" and len(set(a)) == 3 and b[0] == a[2] and b[1] == a[0]
    assert b[2] == "\U000f0000" and "\U000f0000" not in a  # a code in use is never handed out


def _tally_by_units(blocks):
    """The naive count the fast path of `_tally` must equal: every unit of every block, one at a time."""
    from collections import Counter

    counts = Counter()
    for block in blocks:
        if block.tag == "insert":
            for _ in range(block.b_start, block.b_end):
                counts["insert"] += 1
        else:
            for _ in range(block.a_start, block.a_end):
                counts[block.tag] += 1
    return counts


@given(texts, texts)
def test_the_tally_without_text_lacking_gold_counts_every_unit_of_the_alignment(gold, ocr):
    from workbench.align import opcodes
    from workbench.metrics import _tally
    from workbench.normalize import char_units, word_units

    for cut in (char_units, word_units):
        blocks = opcodes(cut(gold).keys, cut(ocr).keys)
        counts, unscored = _tally(blocks, frozenset())
        assert +counts == +_tally_by_units(blocks) and unscored == set()


WORDS = st.lists(st.sampled_from(["the", "tlie", "Japan", "Japon", "über", "ü", "traité", "1974", "a"]), max_size=30)


@given(WORDS, WORDS)
def test_the_bag_of_words_error_counts_the_multiset_differences(gold, ocr):
    from collections import Counter

    scored = bag_of_words_error(" ".join(gold), " ".join(ocr))
    gold_bag, ocr_bag = Counter(gold), Counter(ocr)
    assert (scored.missing, scored.spurious) == (sum((gold_bag - ocr_bag).values()), sum((ocr_bag - gold_bag).values()))
    assert (scored.gold_words, scored.ocr_words) == (len(gold), len(ocr))
