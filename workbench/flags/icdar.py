"""The ICDAR 2017/2019 post-OCR competition's error-detection measure (task 1), so our figures stand beside theirs.

As the organisers' evaluation tool defines it (evalTool_ICDAR2017.py, reused for 2019):
  - a token is a run of the OCR text between single spaces (punctuation included: "football?");
  - the OCR and the gold are character-aligned, "@" padding the side that has no character;
  - a token is erroneous when its OCR differs from the gold aligned with it, the neighbouring space on
    each side included (so a lost or added space makes the token erroneous), "@" removed;
  - tokens whose aligned gold holds "#" (no gold there) are ignored, and so is every token the OCR
    writes with a hyphen ("-" inside or at an edge): the organisers left hyphenation out of task 1;
  - a system names the tokens it believes erroneous; a named token counts unless its own aligned gold
    (the token and the space after it, not the one before: the tool's `task1_eval` reads the two sides
    differently) holds "#", so a named token whose only "#" is the space before it is a false positive;
  - precision, recall and F-measure are counted over tokens, per file, 0 when undefined; a set's figure
    is the mean over its files weighted by their NbTokens (the tool's CSV column for that weighting: the
    gold's space-separated tokens without "#", counted by its get_errors_stats).
The corpus here gives the OCR and the gold without their published alignment, so the alignment is
recomputed (Levenshtein opcodes, workbench.align); where several alignments are optimal, a token's
verdict may differ from the organisers' own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.align import opcodes
from workbench.models import Flag

PAD = "@"
IGNORE = "#"
_HYPHEN_TOKEN = re.compile(r"[^ ]*(( ?-[^ ])|([^ ]- ?))[^ ]*")


@dataclass(frozen=True, slots=True)
class DetectionScore:
    """Task-1 counts of one file (or summed over files): tokens scored, erroneous, flagged, both."""

    tokens: int
    erroneous: int
    flagged: int
    true_positive: int
    weight: int = 0  # the file's NbTokens: gold tokens without "#", what the tool weights its mean by

    @property
    def precision(self) -> float:
        """Share of flagged tokens that are erroneous (0 when nothing was flagged, as the tool has it)."""
        return self.true_positive / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        """Share of erroneous tokens that were flagged (0 when none is erroneous)."""
        return self.true_positive / self.erroneous if self.erroneous else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def aligned_texts(ocr: str, gold: str) -> tuple[str, str]:
    """OCR and gold character-aligned to one length, "@" where a side has no character."""
    ocr_a, gold_a, _ = _align(ocr, gold)
    return ocr_a, gold_a


def _align(ocr: str, gold: str) -> tuple[str, str, list[int]]:
    """The aligned texts and, for each character of `ocr`, its index in the aligned OCR."""
    ocr_out: list[str] = []
    gold_out: list[str] = []
    position: list[int] = []
    at = 0
    for op in opcodes(gold, ocr):
        g, o = gold[op.a_start : op.a_end], ocr[op.b_start : op.b_end]
        width = max(len(g), len(o))
        gold_out.append(g + PAD * (width - len(g)))
        ocr_out.append(o + PAD * (width - len(o)))
        position.extend(range(at, at + len(o)))
        at += width
    return "".join(ocr_out), "".join(gold_out), position


def _flagged_starts(ocr: str, flags: Iterable[Flag]) -> set[int]:
    """Offsets (into `ocr`) of the first character of every token a flag touches."""
    starts = [0] + [m.end() for m in re.finditer(" ", ocr)]
    ends = [s + len(t) for s, t in zip(starts, ocr.split(" "), strict=True)]
    flagged = set()
    for flag in flags:
        for start, end in zip(starts, ends, strict=True):
            # missing text (an empty span): the token it follows or precedes
            empty = flag.start == flag.end
            hit = start <= flag.start <= end if empty else start < flag.end and flag.start < end
            if hit and end > start:
                flagged.add(start)
    return flagged


def detection_score(ocr: str, gold: str, flags: Iterable[Flag]) -> DetectionScore:
    """Task-1 counts of `flags` (spans into `ocr`) against `gold`, as the module docstring defines them.

    Line breaks count as spaces (the competition's texts have none; ours may).
    """
    ocr = ocr.replace("\n", " ")
    gold = gold.replace("\n", " ")
    ocr_a, gold_a, position = _align(ocr, gold)
    gold_h = list(gold_a)
    for match in _HYPHEN_TOKEN.finditer(ocr_a):
        gold_h[match.start() : match.end()] = IGNORE * (match.end() - match.start())
    gold_h = "".join(gold_h)

    erroneous: set[int] = set()
    scored: set[int] = set()
    nameable: set[int] = set()  # tokens a system may name: no "#" in their own gold and the space after
    start = 0
    for boundary in [m.start() for m in re.finditer(" ", ocr_a)] + [len(ocr_a)]:
        end = boundary + 1  # the following space is part of the comparison
        truth = gold_h[max(0, start - 1) : end].replace(PAD, "")
        seen = ocr_a[max(0, start - 1) : end].replace(PAD, "")
        if IGNORE not in gold_h[start:end]:
            nameable.add(start)
        if IGNORE not in truth:
            scored.add(start)
            if seen != truth:
                erroneous.add(start)
        start = end
    flagged = set()
    for original in _flagged_starts(ocr, flags):
        aligned = position[original - 1] + 1 if original > 0 else 0
        if aligned in nameable:
            flagged.add(aligned)
    return DetectionScore(
        tokens=len(scored),
        erroneous=len(erroneous),
        flagged=len(flagged),
        true_positive=len(flagged & erroneous),
        weight=sum(1 for token in gold_a.split(" ") if IGNORE not in token.replace(PAD, "")),
    )


def weighted_mean(scores: Sequence[DetectionScore]) -> dict[str, float]:
    """The competition's set figure: per-file precision, recall and F weighted by the files' NbTokens."""
    total = sum(s.weight for s in scores)
    if not total:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    return {name: sum(getattr(s, name) * s.weight for s in scores) / total for name in ("precision", "recall", "f1")}


def summed(scores: Sequence[DetectionScore]) -> DetectionScore:
    """The counts of several files added up (micro-averaged precision, recall and F)."""
    return DetectionScore(
        tokens=sum(s.tokens for s in scores),
        erroneous=sum(s.erroneous for s in scores),
        flagged=sum(s.flagged for s in scores),
        true_positive=sum(s.true_positive for s in scores),
        weight=sum(s.weight for s in scores),
    )
