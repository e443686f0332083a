"""The line diff of a page: gold and OCR cut into aligned segments, then laid out as OCR lines.

One rule for every place that shows a page side by side: the Compare and Review pages of the app and the
HTML report all draw `page_lines` (or `lines` of `segments`), so a page looks the same everywhere.

The cutting follows the alignment ops of `workbench.align` (no second diff here); each differing segment
carries the categories of the flags that cover it. `lines` then shows each OCR line beside the gold
aligned with it, labelled with the part of the gold page it holds (the body, or a marking's kind).
Segments and pieces hold raw text: escaping is the renderer's job, so no fragment is ever trusted as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.align import align_chars
from workbench.models import AlignOp, AlignTag, Flag, GoldPage

BODY = "body"  # the label of a line whose gold is body text, not a marking

# Shown in place of whitespace inside a highlighted fragment, where a bare space or newline is invisible.
_VISIBLE = {" ": "␣", "\t": "⇥", "\n": "↵"}


@dataclass(frozen=True, slots=True)
class Segment:
    """One aligned stretch of a page: `tag` is equal/replace/insert/delete, as in AlignOp."""

    tag: str
    gold: str
    ocr: str
    categories: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        return self.tag != AlignTag.EQUAL


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
        if out and out[-1].tag == AlignTag.EQUAL:
            previous = out.pop()
            gold_part, ocr_part = previous.gold + gold_part, previous.ocr + ocr_part
        out.append(Segment("equal", gold_part, ocr_part))

    gold_at = ocr_at = 0
    for op in ops:
        equal(gold[gold_at : op.gold_start], ocr[ocr_at : op.ocr_start])
        gold_part = gold[op.gold_start : op.gold_end]
        ocr_part = ocr[op.ocr_start : op.ocr_end]
        if op.tag == AlignTag.EQUAL:
            equal(gold_part, ocr_part)
        else:
            out.append(Segment(op.tag, gold_part, ocr_part, _covering(flags, op.ocr_start, op.ocr_end)))
        gold_at, ocr_at = op.gold_end, op.ocr_end
    equal(gold[gold_at:], ocr[ocr_at:])
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Piece:
    """A fragment of one side of a line: its text, whether it differs, and the categories it carries."""

    tag: str
    text: str
    categories: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        """The text as the line view displays it: on one line, whitespace of a difference made visible."""
        if self.tag == AlignTag.EQUAL or self.text.strip():
            return self.text.replace("\n", " ")
        return "".join(_VISIBLE.get(char, char) for char in self.text)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the OCR text beside the stretch of gold aligned with it."""

    number: int
    gold: tuple[Piece, ...]
    ocr: tuple[Piece, ...]
    label: str = BODY  # the region of the line's first gold character: body or a marking's kind

    @property
    def gold_text(self) -> str:
        """The gold aligned with the line, on one line (line breaks as spaces)."""
        return "".join(p.text for p in self.gold).replace("\n", " ")

    @property
    def blank(self) -> bool:
        """True when neither side holds anything but whitespace (a paragraph gap)."""
        return not any(p.text.strip() for p in (*self.gold, *self.ocr))


def _cut_after(text: str, visible: int) -> int:
    """The index in `text` just past its first `visible` non-whitespace characters and the whitespace after."""
    index = 0
    while visible and index < len(text):
        if not text[index].isspace():
            visible -= 1
        index += 1
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def lines(cut: Sequence[Segment], *, regions: Sequence[Region] = ()) -> tuple[Line, ...]:
    """The page as OCR lines, each beside the gold aligned with it: the gold is broken where the OCR breaks.

    An equal stretch spanning an OCR line break is cut in the gold after as many non-whitespace characters
    (equal stretches agree on them); a difference stays whole on the line where it starts, its OCR text
    running on to the next lines. Every character of both texts is on exactly one line. With `regions`
    (`gold_regions`), each line is labelled with the region of its first non-space gold character.
    """
    out: list[Line] = []
    gold: list[Piece] = []
    ocr: list[Piece] = []
    gold_at = 0  # offset in the gold text of the next gold piece
    first: list[int | None] = [None]  # offset of the current line's first non-space gold character

    def add_gold(piece: Piece) -> None:
        nonlocal gold_at
        if first[0] is None:
            stripped = len(piece.text) - len(piece.text.lstrip())
            if stripped < len(piece.text):
                first[0] = gold_at + stripped
        gold.append(piece)
        gold_at += len(piece.text)

    def close() -> None:
        label = _label_at(regions, first[0]) if first[0] is not None else BODY
        out.append(Line(len(out) + 1, tuple(gold), tuple(ocr), label))
        gold.clear()
        ocr.clear()
        first[0] = None

    for segment in cut:
        if segment.tag == AlignTag.EQUAL:
            rest_gold, rest_ocr = segment.gold, segment.ocr
            while "\n" in rest_ocr:
                end = rest_ocr.index("\n") + 1
                at = _cut_after(rest_gold, sum(1 for char in rest_ocr[:end] if not char.isspace()))
                add_gold(Piece("equal", rest_gold[:at]))
                ocr.append(Piece("equal", rest_ocr[:end]))
                close()
                rest_gold, rest_ocr = rest_gold[at:], rest_ocr[end:]
            add_gold(Piece("equal", rest_gold))
            ocr.append(Piece("equal", rest_ocr))
            continue
        add_gold(Piece(segment.tag, segment.gold, segment.categories))
        parts = segment.ocr.split("\n")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            text = part if last else part + "\n"
            if text:
                ocr.append(Piece(segment.tag, text, segment.categories if index == 0 else ()))
            if not last:
                close()
    if any(p.text for p in (*gold, *ocr)):
        close()
    return tuple(
        Line(line.number, tuple(p for p in line.gold if p.text), tuple(p for p in line.ocr if p.text), line.label)
        for line in out
    )


@dataclass(frozen=True, slots=True)
class Region:
    """A stretch of a page's gold text and what it is: the body, or the kind of a marking."""

    start: int
    end: int
    label: str


def gold_regions(page: GoldPage) -> tuple[Region, ...]:
    """Where the body and each marking stand in `page.full_text`, in reading order (`GoldPage.parts`,
    which `full_text` joins by single line breaks)."""
    regions, position = [], 0
    for text, label in page.parts:
        regions.append(Region(position, position + len(text), label))
        position += len(text) + 1
    return tuple(regions)


def _label_at(regions: Sequence[Region], position: int) -> str:
    for region in regions:
        if region.start <= position < region.end:
            return region.label
    return BODY


def page_lines(ocr: str, gold: GoldPage | None = None, *, flags: Sequence[Flag] = ()) -> tuple[Line, ...]:
    """A page's OCR text as lines beside its aligned full gold page (markings included), differences
    labelled by the categories of `flags`; without gold, the OCR lines alone."""
    if gold is None:
        return lines(segments("", ocr, ()))
    full = gold.full_text
    return lines(segments(full, ocr, align_chars(full, ocr), flags), regions=gold_regions(gold))
