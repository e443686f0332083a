"""Character and word alignment of OCR with gold: laws, offsets into the original texts, long texts."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import align
from workbench.align import align_chars, align_words, apply_ops, levenshtein, merge_edits, opcodes, segments
from workbench.normalize import char_units, fold_whitespace, nfc

ALPHABET = [*"abcde rnm.,-\n", "e\u0301", "é", "\u0308"]
texts = st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join)


def naive_levenshtein(a, b) -> int:
    """Textbook dynamic programming, the reference the fast path is compared with."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def inject_errors(text: str, *, rate: float, seed: int) -> str:
    """`text` with random substitutions, deletions and insertions at about `rate` per character."""
    rng = random.Random(seed)
    out = []
    for char in text:
        roll = rng.random()
        if roll < rate / 3:
            out.append(rng.choice("il1I0O.,rnm"))
        elif roll < 2 * rate / 3:
            continue
        elif roll < rate:
            out.append(char + rng.choice("abc.,' \n"))
        else:
            out.append(char)
    return "".join(out)


def long_text(words: int, *, seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = ["security", "treaty", "Japan", "United", "States", "the", "of", "and", "bases", "Okinawa",
                  "defense", "policy", "1974,", "nuclear", "forces", "Pacific", "(SECRET)", "agreement"]
    lines, line = [], []
    for _ in range(words):
        line.append(rng.choice(vocabulary))
        if len(line) == 9:
            lines.append(" ".join(line))
            line = []
    return "\n".join([*lines, " ".join(line)])


def test_line_breaks_in_the_ocr_are_not_errors():
    gold = "The treaty of mutual cooperation and security"
    ocr = "The treaty of mutual\ncooperation  and\nsecurity\n"
    assert align_chars(gold, ocr) == (align.AlignOp("equal", 0, len(gold), 0, len(ocr.rstrip())),)


def test_ops_point_into_the_original_ocr_text():
    gold = "forces in Japan\nremain"
    ocr = "  forces in\nJapam remain"
    edits = [op for op in align_chars(gold, ocr) if op.tag != "equal"]
    assert [(op.tag, gold[op.gold_start : op.gold_end], ocr[op.ocr_start : op.ocr_end]) for op in edits] == [
        ("replace", "n", "m")
    ]
    assert edits[0].ocr_start == ocr.index("Japam") + 4


def test_insert_and_delete_ops_are_empty_on_one_side():
    ops = align_chars("abc", "aXbc")
    assert [op for op in ops if op.tag == "insert"] == [align.AlignOp("insert", 1, 1, 1, 2)]
    ops = align_chars("abc", "ac")
    assert [op for op in ops if op.tag == "delete"] == [align.AlignOp("delete", 1, 2, 1, 1)]


def test_combining_marks_are_one_character():
    gold, ocr = "cafe\u0301 x", "café y"
    ops = align_chars(gold, ocr)
    assert [op.tag for op in ops] == ["equal", "replace"]
    assert ops[0] == align.AlignOp("equal", 0, 6, 0, 5)


def test_word_alignment_carries_words_and_their_spans():
    gold = "the security treaty of 1960"
    ocr = "the secur ity\ntreaty 1960."
    ops = align_words(gold, ocr)
    for op in ops:
        assert gold[op.gold_start : op.gold_end].split() == list(op.gold_words)
        assert ocr[op.ocr_start : op.ocr_end].split() == list(op.ocr_words)
    delete = next(op for op in ops if op.tag == "delete")
    assert delete.gold_words == ("of",)
    assert delete.ocr_start == delete.ocr_end == ocr.index("treaty") + len("treaty")
    edits = [op for op in merge_edits(ops) if op.tag != "equal"]
    assert [(op.tag, op.gold_words, op.ocr_words) for op in edits] == [
        ("replace", ("security",), ("secur", "ity")),
        ("delete", ("of",), ()),
    ]
    assert ocr[edits[0].ocr_start : edits[0].ocr_end] == "secur ity"


def test_merge_edits_joins_a_replace_and_a_delete():
    ops = merge_edits(align_chars("modern", "modem"))
    assert [(op.tag, "modern"[op.gold_start : op.gold_end], "modem"[op.ocr_start : op.ocr_end]) for op in ops] == [
        ("equal", "mode", "mode"),
        ("replace", "rn", "m"),
    ]


def test_token_alignment_keeps_punctuation():
    ops = align_words("Japan, and", "Japan. and", unit="token")
    assert [(op.tag, op.gold_words, op.ocr_words) for op in ops] == [
        ("replace", ("Japan,",), ("Japan.",)),
        ("equal", ("and",), ("and",)),
    ]
    assert [op.tag for op in align_words("Japan, and", "Japan. and")] == ["equal"]


def test_unknown_word_unit_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unknown word unit 'line'"):
        align_words("a", "b", unit="line")


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_the_ops_turn_the_gold_into_the_ocr(gold, ocr):
    ops = align_chars(gold, ocr)
    assert fold_whitespace(nfc(apply_ops(ops, gold, ocr))) == fold_whitespace(nfc(ocr))
    for op in ops:
        if op.tag == "equal":
            assert nfc(fold_whitespace(gold[op.gold_start : op.gold_end])) == nfc(
                fold_whitespace(ocr[op.ocr_start : op.ocr_end])
            )
        if op.tag == "insert":
            assert op.gold_start == op.gold_end
        if op.tag == "delete":
            assert op.ocr_start == op.ocr_end
    # the ops are consecutive on both sides
    for before, after in itertools.pairwise(ops):
        assert before.gold_end == after.gold_start
        assert before.ocr_end == after.ocr_start


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_distance_is_the_textbook_levenshtein_and_symmetric(a, b):
    ua, ub = char_units(a).keys, char_units(b).keys
    assert levenshtein(ua, ub) == naive_levenshtein(list(ua), list(ub)) == levenshtein(ub, ua)


@settings(max_examples=200, deadline=None)
@given(texts, texts, st.sampled_from([0, 1, 3, 40, 10_000]))
def test_a_distance_hint_never_changes_the_distance(a, b, hint):
    ua, ub = char_units(a).keys, char_units(b).keys
    assert levenshtein(ua, ub, hint=hint) == levenshtein(ua, ub)


def test_a_hint_far_below_a_long_distance_still_gives_it():
    gold = long_text(7000, seed=8)
    ocr = inject_errors(gold, rate=0.2, seed=9)
    ug, uo = char_units(gold).keys, char_units(ocr).keys
    assert levenshtein(ug, uo, hint=1) == levenshtein(ug, uo) == levenshtein(ug, uo, exact=True, hint=1)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_opcode_cost_is_the_distance(a, b):
    ua, ub = char_units(a).keys, char_units(b).keys
    cost = sum(max(o.a_end - o.a_start, o.b_end - o.b_start) for o in opcodes(ua, ub) if o.tag != "equal")
    assert cost == levenshtein(ua, ub)


def test_short_texts_are_one_segment():
    assert segments("a" * 1000, "b" * 1000) == [(0, 1000, 0, 1000)]


def test_anchored_long_alignment_equals_the_exact_one():
    # ~48 000 characters: long enough to be cut at anchors, short enough for the exact quadratic check.
    # At 20 % errors, 32 characters in a row without error are rare: fewer anchors, longer segments.
    for seed, rate, at_least in ((1, 0.02, 8), (2, 0.08, 8), (3, 0.2, 2)):
        gold = long_text(7000, seed=seed)
        ocr = inject_errors(gold, rate=rate, seed=seed)
        ug, uo = char_units(gold).keys, char_units(ocr).keys
        assert len(segments(ug, uo)) >= at_least
        assert levenshtein(ug, uo) == levenshtein(ug, uo, exact=True)
        blocks = opcodes(ug, uo)
        assert blocks[0].a_start == blocks[0].b_start == 0
        assert (blocks[-1].a_end, blocks[-1].b_end) == (len(ug), len(uo))
        assert fold_whitespace(apply_ops(align_chars(gold, ocr), gold, ocr)) == fold_whitespace(ocr)


def test_anchors_are_not_fooled_by_repeated_text():
    page = long_text(800, seed=5)
    gold = "\n".join([page] * 12)
    ocr = inject_errors(gold, rate=0.05, seed=6)
    ug, uo = char_units(gold).keys, char_units(ocr).keys
    assert levenshtein(ug, uo) == levenshtein(ug, uo, exact=True)


def test_word_sequences_are_anchored_with_word_sized_anchors():
    from workbench.align import WORD_ANCHORING, encode
    from workbench.normalize import word_units

    gold = long_text(9000, seed=21)
    ocr = inject_errors(gold, rate=0.03, seed=22)
    ug, uo = word_units(gold).keys, word_units(ocr).keys
    assert len(segments(*encode(ug, uo), anchoring=WORD_ANCHORING)) > 3
    assert levenshtein(ug, uo, anchoring=WORD_ANCHORING) == levenshtein(ug, uo, exact=True)


def test_small_anchors_on_real_gold_text_still_give_the_exact_distance():
    # Anchors of 16 characters every 256 put ~30 cuts into the 11 KB gold; errors up to 20 %.
    from pathlib import Path

    from workbench.align import Anchoring

    gold_dir = Path(__file__).resolve().parents[1] / "transcripts" / "gold" / "us-japan-1974"
    gold = "\n".join(path.read_text(encoding="utf-8") for path in sorted(gold_dir.glob("page-*.txt")))
    small = Anchoring(anchor_length=16, segment_length=256, window=64, unique_within=256, above=512)
    for seed in range(24):
        ocr = inject_errors(gold, rate=(0.01, 0.03, 0.1, 0.2)[seed % 4], seed=seed)
        ug, uo = char_units(gold).keys, char_units(ocr).keys
        assert len(segments(ug, uo, anchoring=small)) > 10
        assert levenshtein(ug, uo, anchoring=small) == levenshtein(ug, uo, exact=True)


def test_encoding_survives_more_distinct_words_than_private_use_codes():
    from workbench.align import encode

    words = [f"w{i}" for i in range(140_000)]  # more than the 131 068 private-use code points
    a, b = encode(words, [*words[1:], "a"])
    assert len(set(a)) == len(words)
    assert a[1:] == b[:-1] and b[-1] == "a"


WORDY = [*"ab ,.-'\n", "5", "55,000", "don't", "e\u0301"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDY), max_size=20).map("".join),
    st.lists(st.sampled_from(WORDY), max_size=20).map("".join),
    st.sampled_from(["word", "token"]),
)
def test_word_ops_turn_the_gold_words_into_the_ocr_words(gold, ocr, unit):
    from workbench.normalize import token_units, word_units

    cut = word_units if unit == "word" else token_units
    ops = align_words(gold, ocr, unit=unit)
    assert [w for op in ops for w in op.gold_words] == list(cut(gold).keys)
    assert [w for op in ops for w in op.ocr_words] == list(cut(ocr).keys)
    for op in ops:
        if op.tag == "equal":
            assert op.gold_words == op.ocr_words
        assert (op.gold_start == op.gold_end) == (not op.gold_words)
        assert (op.ocr_start == op.ocr_end) == (not op.ocr_words)
