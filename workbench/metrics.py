"""Accuracy metrics of OCR against gold: CER, WER, bag-of-words error, character confusions.

Definitions (the README's "Metrics" section says the same):

    Both texts are first whitespace-folded (every run of spaces, tabs and line breaks is one space; the
    ends are stripped: the OCR keeps its lines, the gold is reading text) and put in Unicode NFC.

    CER  = Levenshtein distance between the grapheme-cluster sequences of gold and OCR, divided by the
           number of grapheme clusters of the gold. This is dinglehopper's character error rate on the
           folded texts (NFC, extended grapheme clusters, each insertion, deletion or substitution of a
           cluster costs 1). A folded space is a character like any other.
    WER  = the same on word sequences; words are cut at Unicode word boundaries (UAX #29) and pieces
           holding only whitespace, punctuation, symbols, marks or control/format characters are
           dropped, exactly as dinglehopper does ("55,000" and "don't" are one word, "well-known" two).
    Both follow dinglehopper on an empty gold: 0 when the OCR is empty too, infinity otherwise.
    Rates are fractions (0.05 is 5 %) and may exceed 1 when the OCR holds much text the gold lacks.

    substitutions / insertions / deletions
           the operations of one minimal alignment (distance = substitutions + insertions + deletions;
           which minimal alignment is rapidfuzz's choice, so the split, not the sum, may differ from
           other tools). `hits` = gold units aligned to an equal OCR unit.

    bag-of-words error
           the word order ignored: with G and O the multisets of gold and OCR words, missing = |G - O|
           (gold words the OCR lacks), spurious = |O - G|, and the error is max(missing, spurious) /
           |G|, the fewest word substitutions, insertions and deletions turning the bag G into the bag
           O, per gold word. It is never above the WER; the gap shows errors of reading order.

    confusions
           the edit blocks of the character alignment (adjacent replace/insert/delete runs merged, so
           "rn" read as "m" is one confusion "rn" -> "m"), counted and sorted most frequent first.

Comparison options. Every function takes `options: ComparisonOptions = DEFAULT` (keyword only;
`workbench.normalize`): the defaults are the definitions above, unchanged. With `no_gold_char` (the
ICDAR post-OCR sets mark gold text that is missing by "#"), the gold units holding it are not gold
(not in gold_length), and the OCR units the alignment puts against them (equal or substituted) or
inserts next to them are not counted either (not in ocr_length, not errors): the CER over the text
that has gold. For words, each run of the character in the gold is one unit for this purpose; in the
OCR it is punctuation, as always. The alignment is a minimal one in which a no-gold unit stands for
any number of OCR units (none included) at no cost; what is counted is read off it. Every result
records the options it was computed under.

Every function is pure and takes `(gold, ocr)` strings, except `measure`, which takes the texts' units
(`workbench.normalize.char_units` / `word_units`) for callers comparing one OCR text with several
references. Long texts use the anchored alignment of `workbench.align` (not quadratic); pass
`exact=True` to force the full quadratic computation.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from workbench.align import (
    CHAR_ANCHORING,
    WORD_ANCHORING,
    Anchoring,
    Opcode,
    align_units,
    encode,
    levenshtein,
    merge_edits,
    opcodes,
    segments,
)
from workbench.models import AlignOp, AlignTag
from workbench.normalize import DEFAULT, ComparisonOptions, Units, char_units, nfc, word_units

_WHITESPACE_RUN = re.compile(r"\s+")

# The version of the definitions above; reports cite it next to their figures. Bump it whenever a
# definition changes what a figure means (the folding, the units, the empty-gold rule, the pooling).
METRICS_VERSION = "1: dinglehopper 0.11 CER/WER on whitespace-folded NFC text"


@dataclass(frozen=True, slots=True)
class ErrorMeasure:
    """One error measure (characters or words) of OCR against gold, with the alignment it rests on.

    `distance` is the Levenshtein distance in units (grapheme clusters or words), `gold_length` and
    `ocr_length` the texts' lengths in those units, `rate` = distance / gold_length as a fraction (see
    `error_rate` for an empty gold). `ops` is the alignment as AlignOps whose offsets point into the
    original gold and OCR strings. `options` are the comparison options the texts were cut under;
    `unscored_gold` / `unscored_ocr` count the units left out as text without gold (0 unless
    `options.no_gold_char` is set): gold_length and ocr_length do not include them.
    """

    unit: str
    distance: int
    gold_length: int
    ocr_length: int
    hits: int
    substitutions: int
    insertions: int
    deletions: int
    rate: float
    ops: tuple[AlignOp, ...] = field(default=(), repr=False)
    options: ComparisonOptions = DEFAULT
    unscored_gold: int = 0
    unscored_ocr: int = 0


@dataclass(frozen=True, slots=True)
class BagOfWordsError:
    """Word errors with the order ignored: gold words the OCR lacks, OCR words the gold lacks, the rate.

    `options` are the comparison options the words were cut under.
    """

    gold_words: int
    ocr_words: int
    missing: int
    spurious: int
    rate: float
    options: ComparisonOptions = DEFAULT


@dataclass(frozen=True, slots=True)
class Confusion:
    """An OCR reading of gold text, and how often it occurs: `gold` read as `ocr` ("" = nothing)."""

    gold: str
    ocr: str
    count: int


def error_rate(distance: int, gold_length: int) -> float:
    """`distance / gold_length` as a fraction; 0 when distance is 0, infinity for an empty gold otherwise.

    The empty-gold rule is dinglehopper's.
    """
    if distance == 0:
        return 0.0
    if gold_length == 0:
        return math.inf
    return distance / gold_length


def _in_range(sorted_indices: Sequence[int], start: int, end: int) -> Sequence[int]:
    return sorted_indices[bisect.bisect_left(sorted_indices, start) : bisect.bisect_left(sorted_indices, end)]


def _tally(blocks: Iterable[Opcode], no_gold: frozenset[int]) -> tuple[Counter[str], set[int]]:
    """Units per tag of an alignment, and the OCR indices left out because they meet no-gold units.

    An OCR unit is left out when it is aligned (equal or replace) with a no-gold gold unit, or
    inserted right before or after one; no-gold gold units count nowhere.
    """
    counts: Counter[str] = Counter()
    unscored: set[int] = set()
    if not no_gold:
        # the common case, a gold without the no-gold character: units per tag, nothing left out
        for block in blocks:
            if block.tag == AlignTag.INSERT:
                counts["insert"] += block.b_end - block.b_start
            else:
                counts[block.tag] += block.a_end - block.a_start
        return counts, unscored
    marked = sorted(no_gold)
    for block in blocks:
        if block.tag == AlignTag.INSERT:
            if no_gold and (block.a_start - 1 in no_gold or block.a_start in no_gold):
                unscored.update(range(block.b_start, block.b_end))
            else:
                counts["insert"] += block.b_end - block.b_start
            continue
        inside = _in_range(marked, block.a_start, block.a_end) if no_gold else ()
        counts[block.tag] += block.a_end - block.a_start - len(inside)
        if block.tag != AlignTag.DELETE:
            # equal and replace blocks pair gold and OCR units one for one
            unscored.update(block.b_start + (i - block.a_start) for i in inside)
    return counts, unscored


# Steps of the no-gold alignment's traceback.
_DIAGONAL, _UP, _LEFT = 0, 1, 2


def _no_gold_steps(gold: np.ndarray, ocr: np.ndarray, wild: np.ndarray) -> list[tuple[str, int, int]]:
    """A minimal alignment of unit codes in which a `wild` gold unit matches any OCR run for free.

    Returns the steps (tag, gold index, OCR index) from the start; tags as rapidfuzz's opcodes. The
    Levenshtein table is filled a row at a time with numpy (the insertions of a row are a running
    minimum), so a page of 3,000 characters takes a tenth of a second.
    """
    m = len(ocr)
    columns = np.arange(m + 1)
    row = columns.astype(np.int64)
    back: list[np.ndarray] = []
    for i in range(len(gold)):
        if wild[i]:
            # D[i][j] = min over k <= j of D[i-1][k]: the unit takes OCR units k..j-1 at no cost
            best = np.minimum.accumulate(row)
            back.append(np.maximum.accumulate(np.where(row == best, columns, 0)))
            row = best
            continue
        through = np.empty(m + 1, dtype=np.int64)
        through[0] = row[0] + 1
        diagonal = row[:-1] + (ocr != gold[i])
        up = row[1:] + 1
        through[1:] = np.minimum(diagonal, up)
        new = np.minimum.accumulate(through - columns) + columns
        choice = np.full(m + 1, _LEFT, dtype=np.uint8)
        came = new == through
        choice[came] = _UP
        choice[1:][came[1:] & (diagonal <= up)] = _DIAGONAL
        back.append(choice)
        row = new
    steps: list[tuple[str, int, int]] = []
    i, j = len(gold), m
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
            steps.append(("insert", 0, j))
            continue
        if wild[i - 1]:
            k = int(back[i - 1][j])
            # the OCR units the unit took: the first paired with it, the others inserted beside it
            for taken in range(j - 1, k, -1):
                steps.append(("insert", i, taken))
            if j > k:
                steps.append(("replace" if ocr[k] != gold[i - 1] else "equal", i - 1, k))
            else:
                steps.append(("delete", i - 1, j))
            i, j = i - 1, k
            continue
        step = back[i - 1][j]
        if step == _DIAGONAL:
            i, j = i - 1, j - 1
            steps.append(("equal" if ocr[j] == gold[i] else "replace", i, j))
        elif step == _UP:
            i -= 1
            steps.append(("delete", i, j))
        else:
            j -= 1
            steps.append(("insert", i, j))
    steps.reverse()
    return steps


def _no_gold_opcodes(
    gold: Sequence[str], ocr: Sequence[str], no_gold: frozenset[int], *, exact: bool, anchoring: Anchoring
) -> list[Opcode]:
    """Opcode blocks of the alignment in which no-gold gold units take any OCR run at no cost.

    Long texts are cut at the anchors `workbench.align` uses (a run of no-gold units never matches
    the OCR, so anchors fall in text with gold), and each segment is aligned whole.
    """
    a, b = encode(gold, ocr)
    codes = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    ocr_codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    wild = np.zeros(len(a), dtype=bool)
    wild[list(no_gold)] = True
    blocks: list[Opcode] = []
    # the table keeps a traceback byte per cell: segments of at most 4,096 units keep that to 16 MB
    cut = replace(anchoring, above=min(anchoring.above, 4096))
    for a0, a1, b0, b1 in segments(a, b, exact=exact, anchoring=cut):
        for tag, i, j in _no_gold_steps(codes[a0:a1], ocr_codes[b0:b1], wild[a0:a1]):
            i, j = i + a0, j + b0
            a_end = i if tag == AlignTag.INSERT else i + 1
            b_end = j if tag == AlignTag.DELETE else j + 1
            last = blocks[-1] if blocks else None
            if last is not None and last.tag == tag and last.a_end == i and last.b_end == j:
                blocks[-1] = Opcode(tag, last.a_start, a_end, last.b_start, b_end)
            else:
                blocks.append(Opcode(tag, i, a_end, j, b_end))
    return blocks


def _alignment(
    gold: Units, ocr: Units, *, exact: bool, with_ops: bool = True
) -> tuple[list[Opcode], tuple[AlignOp, ...]]:
    anchoring = CHAR_ANCHORING if gold.kind == "char" else WORD_ANCHORING
    if not gold.no_gold:
        if not with_ops:
            return opcodes(gold.keys, ocr.keys, exact=exact, anchoring=anchoring), ()
        return align_units(gold, ocr, exact=exact, anchoring=anchoring)
    blocks = _no_gold_opcodes(gold.keys, ocr.keys, gold.no_gold, exact=exact, anchoring=anchoring)
    if not with_ops:
        return blocks, ()
    ops = []
    for block in blocks:
        gold_start, gold_end = gold.span(block.a_start, block.a_end)
        ocr_start, ocr_end = ocr.span(block.b_start, block.b_end)
        ops.append(AlignOp(block.tag, gold_start, gold_end, ocr_start, ocr_end))
    return blocks, tuple(ops)


def measure_distance(gold: Units, ocr: Units, *, exact: bool = False, hint: int | None = None) -> tuple[int, int]:
    """`(distance, gold_length)` of `measure(gold, ocr)`, from the distance alone where that gives it (no
    text without gold): a minimal alignment's edits are the Levenshtein distance, segment by segment of
    the same anchored cut, so no alignment is built. For callers that pool rates only; `hint` is the
    distance expected (`align.levenshtein`: faster when close, the same distance whatever it is)."""
    if gold.no_gold or (ocr.no_gold and ocr.kind == "word"):
        scored = measure(gold, ocr, exact=exact, with_ops=False)
        return scored.distance, scored.gold_length
    _check_comparable(gold, ocr)
    anchoring = CHAR_ANCHORING if gold.kind == "char" else WORD_ANCHORING
    return levenshtein(gold.keys, ocr.keys, exact=exact, anchoring=anchoring, hint=hint), len(gold)


def _check_comparable(gold: Units, ocr: Units) -> None:
    if gold.kind != ocr.kind:
        raise ValueError(f"cannot compare {gold.kind} units with {ocr.kind} units")
    if gold.options != ocr.options:
        raise ValueError(
            f"cannot compare units cut under different comparison options: gold {gold.options.version!r},"
            f" OCR {ocr.options.version!r}"
        )


def measure(gold: Units, ocr: Units, *, exact: bool = False, with_ops: bool = True) -> ErrorMeasure:
    """The error measure of OCR units against gold units of the same kind (chars, words or tokens).

    For callers that compare one text with several others and cut each text into units once
    (`workbench.evaluate` does); `character_error` and `word_error` are this on fresh units. The
    comparison options are the units' own (both must have been cut under the same options).
    `with_ops=False` leaves `ops` empty, for callers that need only the counts: mapping every block
    of the alignment back to offsets in the original texts is a large part of the cost.
    """
    _check_comparable(gold, ocr)
    if ocr.no_gold and ocr.kind == "word":
        # in the OCR the no-gold character is punctuation like any other, no word
        ocr = ocr.without(ocr.no_gold)
    blocks, ops = _alignment(gold, ocr, exact=exact, with_ops=with_ops)
    counts, unscored = _tally(blocks, gold.no_gold)
    distance = counts["replace"] + counts["insert"] + counts["delete"]
    gold_length = len(gold) - len(gold.no_gold)
    return ErrorMeasure(
        unit=gold.kind,
        distance=distance,
        gold_length=gold_length,
        ocr_length=len(ocr) - len(unscored),
        hits=counts["equal"],
        substitutions=counts["replace"],
        insertions=counts["insert"],
        deletions=counts["delete"],
        rate=error_rate(distance, gold_length),
        ops=ops,
        options=gold.options,
        unscored_gold=len(gold.no_gold),
        unscored_ocr=len(unscored),
    )


def character_error(
    gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False
) -> ErrorMeasure:
    """Character errors of `ocr` against `gold`: distance and counts in grapheme clusters, CER as a fraction."""
    return measure(char_units(gold, options=options), char_units(ocr, options=options), exact=exact)


def cer(gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False) -> float:
    """Character error rate: fraction of the gold's grapheme clusters (by default whitespace folded, NFC)."""
    if options.no_gold_char is not None:
        return character_error(gold, ocr, options=options, exact=exact).rate
    gold_units = char_units(gold, options=options)
    distance = levenshtein(gold_units.keys, char_units(ocr, options=options).keys, exact=exact)
    return error_rate(distance, len(gold_units))


def word_error(gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False) -> ErrorMeasure:
    """Word errors of `ocr` against `gold`: distance and counts in words, WER as a fraction."""
    return measure(word_units(gold, options=options), word_units(ocr, options=options), exact=exact)


def wer(gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False) -> float:
    """Word error rate: fraction of the gold's words (dinglehopper's word segmentation)."""
    if options.no_gold_char is not None:
        return word_error(gold, ocr, options=options, exact=exact).rate
    gold_units = word_units(gold, options=options)
    ocr_keys = word_units(ocr, options=options).keys
    distance = levenshtein(gold_units.keys, ocr_keys, exact=exact, anchoring=WORD_ANCHORING)
    return error_rate(distance, len(gold_units))


def bag_of_words_error(
    gold: str | Units, ocr: str | Units, *, options: ComparisonOptions = DEFAULT, exact: bool = False
) -> BagOfWordsError:
    """The order-free word error: max(gold words missing, OCR words spurious) per gold word.

    Takes texts (cut under `options`), or their `word_units` when the caller has them already (then
    the units' own options apply). With a no-gold character, the OCR words the word alignment puts
    against text without gold are left out of the OCR's bag (see the module docstring).
    """
    gold_units = word_units(gold, options=options) if isinstance(gold, str) else gold
    ocr_units = word_units(ocr, options=options) if isinstance(ocr, str) else ocr
    gold_keys, ocr_keys = gold_units.keys, ocr_units.keys
    if ocr_units.no_gold:
        ocr_keys = ocr_units.without(ocr_units.no_gold).keys
    if gold_units.no_gold:
        blocks = _no_gold_opcodes(gold_keys, ocr_keys, gold_units.no_gold, exact=exact, anchoring=WORD_ANCHORING)
        _, unscored = _tally(blocks, gold_units.no_gold)
        gold_keys = [key for i, key in enumerate(gold_keys) if i not in gold_units.no_gold]
        ocr_keys = [key for i, key in enumerate(ocr_keys) if i not in unscored]
    gold_bag, ocr_bag = Counter(gold_keys), Counter(ocr_keys)
    # |G - O| and |O - G| from the one intersection |G & O|, counted over the gold's distinct words (without
    # building the two differences: a third of the cost of a page's scores was here)
    gold_words, ocr_words = len(gold_keys), len(ocr_keys)
    common = sum(min(count, ocr_bag[word]) for word, count in gold_bag.items())
    missing, spurious = gold_words - common, ocr_words - common
    return BagOfWordsError(
        gold_words=gold_words,
        ocr_words=ocr_words,
        missing=missing,
        spurious=spurious,
        rate=error_rate(max(missing, spurious), gold_words),
        options=gold_units.options,
    )


def confusion_counts(
    gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False
) -> Counter[tuple[str, str]]:
    """(gold text, OCR text) of every edit block of the character alignment, counted.

    Adjacent non-equal blocks are merged into one edit. Both sides are given with whitespace runs as
    one space and in NFC; "" stands for nothing (an insertion's gold side, a deletion's OCR side).
    The sides are the original texts: under `options` only what the options do not fold is an edit.
    """
    ops = character_error(gold, ocr, options=options, exact=exact).ops
    return confusion_counts_from_ops(ops, gold, ocr, options=options)


def confusion_counts_from_ops(
    ops: Iterable[AlignOp], gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT
) -> Counter[tuple[str, str]]:
    """`confusion_counts` from an existing character alignment of `gold` and `ocr` (offsets into them).

    With `options.no_gold_char`, edits holding the character on the gold side, or inserted right
    next to it, are left out: they are readings of text without gold.
    """
    counts: Counter[tuple[str, str]] = Counter()
    char = options.no_gold_char
    for op in merge_edits(tuple(ops)):
        if op.tag == AlignTag.EQUAL:
            continue
        if char is not None:
            # an insertion has an empty gold side: what matters is the gold right around it
            around = (max(0, op.gold_start - 1), op.gold_end + 1) if op.gold_start == op.gold_end else None
            if char in gold[slice(*around) if around else slice(op.gold_start, op.gold_end)]:
                continue
        counts[_shown(gold[op.gold_start : op.gold_end]), _shown(ocr[op.ocr_start : op.ocr_end])] += 1
    return counts


def _shown(text: str) -> str:
    if text.isascii() and text.isprintable() and "  " not in text:
        # printable ASCII holds no whitespace but the space, and is its own NFC: nothing to fold
        return text
    return nfc(_WHITESPACE_RUN.sub(" ", text))


def top_confusions(counts: Counter[tuple[str, str]], *, top: int | None = None) -> tuple[Confusion, ...]:
    """The `top` most frequent confusions of `counts` (all when None), ties in (gold, ocr) order."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Confusion(g, o, n) for (g, o), n in ranked[:top])


def confusions(
    gold: str, ocr: str, *, top: int | None = None, options: ComparisonOptions = DEFAULT, exact: bool = False
) -> tuple[Confusion, ...]:
    """The most frequent OCR-for-gold readings (see `confusion_counts`), most frequent first."""
    return top_confusions(confusion_counts(gold, ocr, options=options, exact=exact), top=top)
