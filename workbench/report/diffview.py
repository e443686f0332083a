"""The side-by-side view of a page: gold and OCR cut into aligned segments, differences marked.

The cutting follows the alignment ops of `workbench.align` (no second diff here); each differing segment
carries the categories of the gold-derived flags that cover it. The segments hold raw text: escaping is the
template's job, so no fragment is ever trusted as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.models import AlignOp, Flag

# Shown in place of whitespace inside a highlighted fragment, where a bare space or newline is invisible.
_VISIBLE = {" ": "␣", "\t": "⇥", "\n": "↵\n"}


@dataclass(frozen=True, slots=True)
class Segment:
    """One aligned stretch of a page: `tag` is equal/replace/insert/delete, as in AlignOp."""

    tag: str
    gold: str
    ocr: str
    categories: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        return self.tag != "equal"

    @property
    def gold_shown(self) -> str:
        """The gold fragment as displayed: whitespace made visible when it is part of a difference."""
        return _visible(self.gold) if self.differs else self.gold

    @property
    def ocr_shown(self) -> str:
        """The OCR fragment as displayed: whitespace made visible when it is part of a difference."""
        return _visible(self.ocr) if self.differs else self.ocr


def _visible(text: str) -> str:
    if text.strip():
        return text
    return "".join(_VISIBLE.get(char, char) for char in text)


def _covering(flags: Sequence[Flag], start: int, end: int) -> tuple[str, ...]:
    """Categories of the flags over OCR span [start, end); an empty span is covered by a flag touching it."""
    found: list[str] = []
    for flag in flags:
        if start == end or flag.start == flag.end:
            hit = flag.start <= end and start <= flag.end
        else:
            hit = flag.start < end and start < flag.end
        if hit and flag.category.value not in found:
            found.append(flag.category.value)
    return tuple(found)


def segments(gold: str, ocr: str, ops: Iterable[AlignOp], flags: Sequence[Flag] = ()) -> tuple[Segment, ...]:
    """Both whole texts cut along `ops` (gold -> OCR), differences labelled by the categories of `flags`.

    `align_chars` ops skip whitespace the folding ignored (between ops, and before the first and after the
    last); that text is kept here as equal stretches, each side with its own whitespace, so that every
    character of both texts appears exactly once. Adjacent equal stretches are merged.
    """
    out: list[Segment] = []

    def equal(gold_part: str, ocr_part: str) -> None:
        if not gold_part and not ocr_part:
            return
        if out and out[-1].tag == "equal":
            previous = out.pop()
            gold_part, ocr_part = previous.gold + gold_part, previous.ocr + ocr_part
        out.append(Segment("equal", gold_part, ocr_part))

    gold_at = ocr_at = 0
    for op in ops:
        equal(gold[gold_at : op.gold_start], ocr[ocr_at : op.ocr_start])
        gold_part = gold[op.gold_start : op.gold_end]
        ocr_part = ocr[op.ocr_start : op.ocr_end]
        if op.tag == "equal":
            equal(gold_part, ocr_part)
        else:
            out.append(Segment(op.tag, gold_part, ocr_part, _covering(flags, op.ocr_start, op.ocr_end)))
        gold_at, ocr_at = op.gold_end, op.ocr_end
    equal(gold[gold_at:], ocr[ocr_at:])
    return tuple(out)
