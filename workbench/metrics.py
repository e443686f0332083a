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

Every function is pure and takes `(gold, ocr)` strings, except `measure`, which takes the texts' units
(`workbench.normalize.char_units` / `word_units`) for callers comparing one OCR text with several
references. Long texts use the anchored alignment of `workbench.align` (not quadratic); pass
`exact=True` to force the full quadratic computation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.align import CHAR_ANCHORING, WORD_ANCHORING, align_units, levenshtein, merge_edits
from workbench.models import AlignOp
from workbench.normalize import Units, char_units, nfc, word_units

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
    original gold and OCR strings.
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


@dataclass(frozen=True, slots=True)
class BagOfWordsError:
    """Word errors with the order ignored: gold words the OCR lacks, OCR words the gold lacks, the rate."""

    gold_words: int
    ocr_words: int
    missing: int
    spurious: int
    rate: float


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


def measure(gold: Units, ocr: Units, *, exact: bool = False) -> ErrorMeasure:
    """The error measure of OCR units against gold units of the same kind (chars, words or tokens).

    For callers that compare one text with several others and cut each text into units once
    (`workbench.evaluate` does); `character_error` and `word_error` are this on fresh units.
    """
    if gold.kind != ocr.kind:
        raise ValueError(f"cannot compare {gold.kind} units with {ocr.kind} units")
    anchoring = CHAR_ANCHORING if gold.kind == "char" else WORD_ANCHORING
    blocks, ops = align_units(gold, ocr, exact=exact, anchoring=anchoring)
    counts = Counter()
    for block in blocks:
        counts[block.tag] += max(block.a_end - block.a_start, block.b_end - block.b_start)
    distance = counts["replace"] + counts["insert"] + counts["delete"]
    return ErrorMeasure(
        unit=gold.kind,
        distance=distance,
        gold_length=len(gold),
        ocr_length=len(ocr),
        hits=counts["equal"],
        substitutions=counts["replace"],
        insertions=counts["insert"],
        deletions=counts["delete"],
        rate=error_rate(distance, len(gold)),
        ops=ops,
    )


def character_error(gold: str, ocr: str, *, exact: bool = False) -> ErrorMeasure:
    """Character errors of `ocr` against `gold`: distance and counts in grapheme clusters, CER as a fraction."""
    return measure(char_units(gold), char_units(ocr), exact=exact)


def cer(gold: str, ocr: str, *, exact: bool = False) -> float:
    """Character error rate: fraction of the gold's grapheme clusters (whitespace folded, NFC)."""
    gold_units = char_units(gold)
    return error_rate(levenshtein(gold_units.keys, char_units(ocr).keys, exact=exact), len(gold_units))


def word_error(gold: str, ocr: str, *, exact: bool = False) -> ErrorMeasure:
    """Word errors of `ocr` against `gold`: distance and counts in words, WER as a fraction."""
    return measure(word_units(gold), word_units(ocr), exact=exact)


def wer(gold: str, ocr: str, *, exact: bool = False) -> float:
    """Word error rate: fraction of the gold's words (dinglehopper's word segmentation)."""
    gold_units = word_units(gold)
    distance = levenshtein(gold_units.keys, word_units(ocr).keys, exact=exact, anchoring=WORD_ANCHORING)
    return error_rate(distance, len(gold_units))


def bag_of_words_error(gold: str | Units, ocr: str | Units) -> BagOfWordsError:
    """The order-free word error: max(gold words missing, OCR words spurious) per gold word.

    Takes texts, or their `word_units` when the caller has them already.
    """
    gold_bag = Counter((word_units(gold) if isinstance(gold, str) else gold).keys)
    ocr_bag = Counter((word_units(ocr) if isinstance(ocr, str) else ocr).keys)
    missing = sum((gold_bag - ocr_bag).values())
    spurious = sum((ocr_bag - gold_bag).values())
    gold_words = sum(gold_bag.values())
    return BagOfWordsError(
        gold_words=gold_words,
        ocr_words=sum(ocr_bag.values()),
        missing=missing,
        spurious=spurious,
        rate=error_rate(max(missing, spurious), gold_words),
    )


def confusion_counts(gold: str, ocr: str, *, exact: bool = False) -> Counter[tuple[str, str]]:
    """(gold text, OCR text) of every edit block of the character alignment, counted.

    Adjacent non-equal blocks are merged into one edit. Both sides are given with whitespace runs as
    one space and in NFC; "" stands for nothing (an insertion's gold side, a deletion's OCR side).
    """
    return confusion_counts_from_ops(character_error(gold, ocr, exact=exact).ops, gold, ocr)


def confusion_counts_from_ops(ops: Iterable[AlignOp], gold: str, ocr: str) -> Counter[tuple[str, str]]:
    """`confusion_counts` from an existing character alignment of `gold` and `ocr` (offsets into them)."""
    counts: Counter[tuple[str, str]] = Counter()
    for op in merge_edits(tuple(ops)):
        if op.tag != "equal":
            counts[_shown(gold[op.gold_start : op.gold_end]), _shown(ocr[op.ocr_start : op.ocr_end])] += 1
    return counts


def _shown(text: str) -> str:
    return nfc(_WHITESPACE_RUN.sub(" ", text))


def top_confusions(counts: Counter[tuple[str, str]], *, top: int | None = None) -> tuple[Confusion, ...]:
    """The `top` most frequent confusions of `counts` (all when None), ties in (gold, ocr) order."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Confusion(g, o, n) for (g, o), n in ranked[:top])


def confusions(gold: str, ocr: str, *, top: int | None = None, exact: bool = False) -> tuple[Confusion, ...]:
    """The most frequent OCR-for-gold readings (see `confusion_counts`), most frequent first."""
    return top_confusions(confusion_counts(gold, ocr, exact=exact), top=top)
