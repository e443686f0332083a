"""Alignment of OCR text with gold at character and word level (rapidfuzz Levenshtein), robust to line breaks.

The contract other modules code against (names are stable):

    align_chars(gold, ocr) -> tuple[AlignOp, ...]
        Grapheme-cluster alignment of the whitespace-folded NFC texts, with every offset pointing into the
        ORIGINAL strings given (e.g. the OCR page text as stored, lines kept). The ops are rapidfuzz
        opcodes: consecutive, covering both texts' content from its first to its last non-whitespace
        character; tag "equal", "replace" (same number of clusters on both sides), "insert" (OCR text
        with no gold: gold_start == gold_end) or "delete" (gold text the OCR lost: ocr_start == ocr_end).
        Whitespace differences (a line break against a space, two spaces against one) are "equal".

    align_words(gold, ocr, *, unit="word") -> tuple[WordAlignOp, ...]
        The same at word level: unit="word" uses the words the WER counts (punctuation dropped),
        unit="token" uses whitespace-separated tokens (punctuation kept: "Japan," vs "Japan."). Each op
        carries the words on both sides and the character span they cover in each original text; for an
        empty side the span is the empty gap where the words belong (the end of the previous word).

    merge_edits(ops) -> tuple[AlignOp | WordAlignOp, ...]
        The ops with every run of consecutive non-equal ops merged into one ("rn" -> "m" is one
        "replace" rather than a replace and a delete; "security" -> "secur ity" one word op). The tag of
        a merged run is "replace" when both sides are non-empty, else "insert" or "delete".

    apply_ops(ops, gold, ocr) -> str
        The OCR rebuilt from the gold through the ops (equal spans from the gold, the rest from the OCR).
        A law the tests check: fold_whitespace(nfc(apply_ops(...))) == fold_whitespace(nfc(ocr)).

    levenshtein(a, b) / opcodes(a, b)
        The engine under all of the above, on sequences of units (str or tuples of strings).

Long texts. A plain Levenshtein is quadratic (1 MB against 1 MB: 34 s in rapidfuzz). Above
`anchoring.above` units, `levenshtein` and `opcodes` cut both texts at anchors and align segment by
segment: every `segment_length` units or so, an anchor is a run of `anchor_length` units of the gold
found in the OCR within +-`window` units of where the previous anchor's offset predicts it, and found
nowhere else within +-`unique_within` units in either text; the cut goes through the middle of the
anchor.
CHAR_ANCHORING (32-character anchors) serves grapheme clusters, WORD_ANCHORING (8-word anchors) words.

Exactness. The result is an alignment of the whole texts, so its cost is an upper bound of the exact
distance, and it IS the exact distance whenever some optimal alignment passes through the anchors'
middles (an optimal alignment that touches an anchor's diagonal before and after its middle can be
rerouted along it at no cost). In theory a pathological text can defeat this (a repeated phrase taken
for the true place); on OCR text, where an error-free run of 32 characters unique in its neighbourhood
marks the same place in both texts, the bench (bench/bench_metrics.py) shows equality with
dinglehopper's exact figure on a 1 MB pair, and tests compare the fast path with an exact computation
on long generated pairs and on the real gold cut with anchors far smaller than the defaults.
Pass `exact=True` to skip the anchors (quadratic).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from workbench.models import AlignOp, AlignTag
from workbench.normalize import Units, char_units, token_units, word_units


@dataclass(frozen=True, slots=True)
class Anchoring:
    """How long texts are cut: anchors of `anchor_length` units, about every `segment_length` units,
    found within +-`window` units of where the previous anchor predicts them and nowhere else within
    +-`unique_within` units in either text; texts of at most `above` units (either) are aligned whole."""

    anchor_length: int
    segment_length: int
    window: int
    unique_within: int
    above: int


# A 32-character run without error, unique within +-4096 characters, marks the same place in both.
CHAR_ANCHORING = Anchoring(
    anchor_length=32, segment_length=4096, window=1024, unique_within=4096, above=16384
)
# Words: OCR misreads far more words than characters, so anchors are shorter (8 words) to be found,
# and the windows narrower so that a paragraph repeated a page later does not hide every anchor.
WORD_ANCHORING = Anchoring(anchor_length=8, segment_length=1024, window=128, unique_within=512, above=4096)

# Codes for units longer than one code point: the supplementary private-use planes first, then the
# other supplementary planes (any code point not in the texts will do; there are ~1M of them).
_SPARE_CODES = (range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE), range(0x10000, 0xF0000))


@dataclass(frozen=True, slots=True)
class Opcode:
    """One block of an alignment in unit indices: a[a_start:a_end] -> b[b_start:b_end]."""

    tag: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True, slots=True)
class WordAlignOp:
    """One block of a word alignment: gold words -> OCR words, with their spans in the original texts.

    `gold_start`/`gold_end` and `ocr_start`/`ocr_end` are character offsets into the texts given to
    `align_words`; an empty side has an empty span at the gap where its words belong.
    """

    tag: AlignTag
    gold_start: int
    gold_end: int
    ocr_start: int
    ocr_end: int
    gold_words: tuple[str, ...]
    ocr_words: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.tag, AlignTag):
            object.__setattr__(self, "tag", AlignTag(self.tag))


def encode(a: Sequence[str], b: Sequence[str]) -> tuple[str, str]:
    """Two unit sequences as two strings with one character per unit, equal units equal characters.

    Strings pass through. Units of one code point keep it; longer units (combining sequences, words)
    get spare code points (private-use first) that occur in neither input; ValueError past ~1M
    distinct ones. rapidfuzz is fastest on strings, and the
    anchor search needs `str.find`.
    """
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    # The distinct units in order of first appearance (a, then b): codes are handed out in that order,
    # and one dict lookup per unit (in C, through `map`) then encodes both sequences.
    distinct = dict.fromkeys(itertools.chain(a, b))
    used = {u for u in distinct if len(u) == 1}
    longer = [u for u in distinct if len(u) != 1]
    first = _SPARE_CODES[0]
    if len(longer) <= len(first) and not any(first.start <= ord(u) < first.stop for u in used):
        # the common case: the first spare block is free and large enough, its codes taken in order
        fresh = map(chr, first)
    else:
        fresh = (chr(c) for block in _SPARE_CODES for c in block if chr(c) not in used)
    codes = dict(zip(longer, fresh, strict=False))  # fresh may run out: checked next
    if len(codes) < len(longer):
        raise ValueError("too many distinct multi-character units to align")
    codes.update((u, u) for u in used)
    return (
        a if isinstance(a, str) else "".join(map(codes.__getitem__, a)),
        b if isinstance(b, str) else "".join(map(codes.__getitem__, b)),
    )


def segments(
    a: str, b: str, *, exact: bool = False, anchoring: Anchoring = CHAR_ANCHORING
) -> list[tuple[int, int, int, int]]:
    """Cut points of the anchored alignment: (a_start, a_end, b_start, b_end) per segment, in order.

    One segment (the whole texts) when `exact` or when either text is at most `anchoring.above` long.
    """
    k, step, window = anchoring.anchor_length, anchoring.segment_length, anchoring.window
    if exact or len(a) <= anchoring.above or len(b) <= anchoring.above:
        return [(0, len(a), 0, len(b))]
    half = k // 2
    cuts = [(0, 0)]
    ia, ib = 0, 0
    probe = step
    while probe + k + step <= len(a):
        gram = a[probe : probe + k]
        expected = ib + (probe - ia)
        # Found within +-window of where it is expected, and nowhere else within +-unique_within in
        # either text: a repeated phrase near the true place must not be taken for it.
        wide = anchoring.unique_within
        lo, hi = max(ib, expected - wide), min(len(b), expected + wide + k)
        found = b.find(gram, lo, hi)
        if (
            found >= 0
            and abs(found - expected) <= window
            and b.find(gram, found + 1, hi) < 0
            and a.find(gram, max(ia, probe - wide), probe + k - 1) < 0
            and a.find(gram, probe + 1, min(len(a), probe + wide + k)) < 0
        ):
            ia, ib = probe + half, found + half
            cuts.append((ia, ib))
            probe = ia + step
        else:
            probe += max(1, half)
    cuts.append((len(a), len(b)))
    return [(a0, a1, b0, b1) for (a0, b0), (a1, b1) in itertools.pairwise(cuts)]


def levenshtein(
    a: Sequence[str],
    b: Sequence[str],
    *,
    exact: bool = False,
    anchoring: Anchoring = CHAR_ANCHORING,
    hint: int | None = None,
) -> int:
    """Levenshtein distance between two unit sequences (insert, delete, substitute all cost 1).

    Anchored above `anchoring.above` units (see the module docstring); `exact=True` forces the full
    quadratic computation. `hint` is about the distance expected (a close text's, say): rapidfuzz then
    computes each segment in a band about that wide, widened until the distance fits, which takes a
    third of the time on a page with few errors; the distance is the same with any hint.
    """
    a, b = encode(a, b)
    return sum(
        Levenshtein.distance(a[a0:a1], b[b0:b1], score_hint=hint)
        for a0, a1, b0, b1 in segments(a, b, exact=exact, anchoring=anchoring)
    )


def opcodes(
    a: Sequence[str], b: Sequence[str], *, exact: bool = False, anchoring: Anchoring = CHAR_ANCHORING
) -> list[Opcode]:
    """A minimal-cost alignment of two unit sequences as consecutive blocks covering both.

    Blocks are rapidfuzz opcodes: adjacent blocks have different tags, "replace" blocks have the same
    length on both sides. Anchored as `levenshtein` is.
    """
    a, b = encode(a, b)
    blocks: list[Opcode] = []
    for a0, a1, b0, b1 in segments(a, b, exact=exact, anchoring=anchoring):
        # as_list(): rapidfuzz's opcodes as plain tuples, far cheaper to read than its Opcode objects
        for tag, s0, s1, d0, d1 in Levenshtein.opcodes(a[a0:a1], b[b0:b1]).as_list():
            if s0 == s1 and d0 == d1:
                continue
            if blocks and blocks[-1].tag == tag:
                last = blocks.pop()
                blocks.append(Opcode(tag, last.a_start, s1 + a0, last.b_start, d1 + b0))
            else:
                blocks.append(Opcode(tag, s0 + a0, s1 + a0, d0 + b0, d1 + b0))
    return blocks


_TAGS = {tag.value: tag for tag in AlignTag}


def _to_align_ops(blocks: list[Opcode], gold: Units, ocr: Units) -> tuple[AlignOp, ...]:
    gold_spans = gold.spans([b.a_start for b in blocks], [b.a_end for b in blocks])
    ocr_spans = ocr.spans([b.b_start for b in blocks], [b.b_end for b in blocks])
    return tuple(
        AlignOp(_TAGS[block.tag], g0, g1, o0, o1)
        for block, (g0, g1), (o0, o1) in zip(blocks, gold_spans, ocr_spans, strict=True)
    )


def align_units(
    gold: Units, ocr: Units, *, exact: bool = False, anchoring: Anchoring = CHAR_ANCHORING
) -> tuple[list[Opcode], tuple[AlignOp, ...]]:
    """The alignment of two unit sequences, as unit-index blocks and as AlignOps in original offsets."""
    blocks = opcodes(gold.keys, ocr.keys, exact=exact, anchoring=anchoring)
    return blocks, _to_align_ops(blocks, gold, ocr)


def align_chars(gold: str, ocr: str, *, exact: bool = False) -> tuple[AlignOp, ...]:
    """Character (grapheme cluster) alignment turning `gold` into `ocr`, offsets into the given strings."""
    return align_units(char_units(gold), char_units(ocr), exact=exact)[1]


_WORD_UNITS = {"word": word_units, "token": token_units}


def align_words(gold: str, ocr: str, *, unit: str = "word", exact: bool = False) -> tuple[WordAlignOp, ...]:
    """Word alignment turning `gold` into `ocr`; `unit` is "word" (as the WER counts) or "token"."""
    try:
        cut = _WORD_UNITS[unit]
    except KeyError:
        raise ValueError(f"unknown word unit {unit!r} (use 'word' or 'token')") from None
    gold_units, ocr_units = cut(gold), cut(ocr)
    blocks = opcodes(gold_units.keys, ocr_units.keys, exact=exact, anchoring=WORD_ANCHORING)
    ops = []
    for block in blocks:
        gold_start, gold_end = gold_units.span(block.a_start, block.a_end)
        ocr_start, ocr_end = ocr_units.span(block.b_start, block.b_end)
        ops.append(
            WordAlignOp(
                block.tag,
                gold_start,
                gold_end,
                ocr_start,
                ocr_end,
                tuple(gold_units.keys[block.a_start : block.a_end]),
                tuple(ocr_units.keys[block.b_start : block.b_end]),
            )
        )
    return tuple(ops)


def merge_edits(ops: Sequence[AlignOp | WordAlignOp]) -> tuple[AlignOp | WordAlignOp, ...]:
    """`ops` with each run of consecutive non-equal ops merged into one op spanning the run."""
    merged: list[AlignOp | WordAlignOp] = []
    for op in ops:
        last = merged[-1] if merged else None
        if last is None or op.tag == AlignTag.EQUAL or last.tag == AlignTag.EQUAL:
            merged.append(op)
            continue
        gold_empty = last.gold_start == last.gold_end and op.gold_start == op.gold_end
        ocr_empty = last.ocr_start == last.ocr_end and op.ocr_start == op.ocr_end
        tag = "delete" if ocr_empty else "insert" if gold_empty else "replace"
        if isinstance(op, WordAlignOp):
            joined = WordAlignOp(tag, last.gold_start, op.gold_end, last.ocr_start, op.ocr_end,
                                 last.gold_words + op.gold_words, last.ocr_words + op.ocr_words)
        else:
            joined = AlignOp(tag, last.gold_start, op.gold_end, last.ocr_start, op.ocr_end)
        merged[-1] = joined
    return tuple(merged)


def apply_ops(ops: Sequence[AlignOp], gold: str, ocr: str) -> str:
    """The text the ops describe: equal blocks taken from `gold`, the others from `ocr`.

    Between consecutive blocks the original texts may hold whitespace the folding ignored; the OCR's
    is kept, so the result equals `ocr` up to whitespace folding and NFC.
    """
    pieces = []
    previous_ocr_end = None
    for op in ops:
        if previous_ocr_end is not None:
            pieces.append(ocr[previous_ocr_end : op.ocr_start])
        pieces.append(gold[op.gold_start : op.gold_end] if op.tag == AlignTag.EQUAL else ocr[op.ocr_start : op.ocr_end])
        previous_ocr_end = op.ocr_end
    return "".join(pieces)
