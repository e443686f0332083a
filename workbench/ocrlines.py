"""The lines of an OCR page: where each sits in the page's text, its words and their boxes on the scan, and
which line and word lie under a point of the scan (a click on the Compare or Transcribe page).

Line L (1-based) is the L-th line of the page's OCR text file (`transcripts/ocr/DOC/page-NNN.txt`), the
numbering `workbench correct` and the Transcribe page use. A word belongs to the line its first character
is on. Pure geometry: no Streamlit, no store.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.models import Box, OcrPage, OcrWord

_LINE_BREAK = re.compile("\n")


def ocr_line_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every line of an OCR text, line breaks excluded: line L (1-based) is item L - 1."""
    spans, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _union(boxes: Sequence[Box]) -> Box | None:
    if not boxes:
        return None
    return Box(
        min(b.left for b in boxes), min(b.top for b in boxes), max(b.right for b in boxes),
        max(b.bottom for b in boxes),
    )


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of an OCR page: its number (from 1), [start, end) in the page text, its text, its words
    in reading order, and the box around those of them that have a box (None: the OCR gave no boxes)."""

    number: int
    start: int
    end: int
    text: str
    words: tuple[OcrWord, ...] = ()
    box: Box | None = None


def ocr_lines(page: OcrPage) -> tuple[OcrLine, ...]:
    """The page's lines, each with its words and their box."""
    spans = ocr_line_spans(page.text)
    starts = [start for start, _ in spans]
    words: list[list[OcrWord]] = [[] for _ in spans]
    for word in sorted(page.words, key=lambda w: w.start):
        index = _line_index(starts, word.start)
        if index is not None:
            words[index].append(word)
    return tuple(
        OcrLine(
            number=index + 1, start=start, end=end, text=page.text[start:end], words=tuple(words[index]),
            box=_union([w.box for w in words[index] if w.box is not None]),
        )
        for index, (start, end) in enumerate(spans)
    )


def _line_index(starts: Sequence[int], offset: int) -> int | None:
    """The index of the line holding text offset `offset` (binary search over the lines' starts)."""
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if lo > 0 else None


@dataclass(frozen=True, slots=True)
class Hit:
    """What lies under a point of the scan: a line (its number, from 1) and the word of it nearest the
    point (its index in `OcrLine.words`, None when the line has no word with a box)."""

    line: int
    word: int | None = None


def _distance(box: Box, x: float, y: float) -> tuple[float, float]:
    """How far (x, y) lies outside `box`, vertically and horizontally (0 inside)."""
    dy = max(box.top - y, 0.0, y - box.bottom)
    dx = max(box.left - x, 0.0, x - box.right)
    return dy, dx


def hit_test(lines: Sequence[OcrLine], x: float, y: float) -> Hit | None:
    """The line and word under point (x, y) of the scan, in the scan's pixels.

    A point inside a word's box hits that word; a point between words or lines hits the nearest line (by
    vertical distance, then horizontal) and its nearest word, as long as it is within one typical line
    height of it. None when no line has a box or the point is farther from all of them (a margin).
    """
    boxed = [line for line in lines if line.box is not None]
    if not boxed:
        return None
    for line in boxed:
        for index, word in enumerate(line.words):
            box = word.box
            if box is not None and box.left <= x < box.right and box.top <= y < box.bottom:
                return Hit(line.number, index)
    reach = statistics.median(line.box.height for line in boxed)
    nearest = min(boxed, key=lambda line: _distance(line.box, x, y))
    dy, dx = _distance(nearest.box, x, y)
    if dy > reach or dx > 4 * reach:
        return None
    candidates = [(i, w.box) for i, w in enumerate(nearest.words) if w.box is not None]
    if not candidates:
        return Hit(nearest.number)
    index, _ = min(candidates, key=lambda item: _distance(item[1], x, y)[::-1])
    return Hit(nearest.number, index)


def low_confidence_words(line: OcrLine, threshold: float) -> tuple[int, ...]:
    """Indexes of the line's words the engine read with less than `threshold` confidence (0-100)."""
    return tuple(i for i, w in enumerate(line.words) if w.conf is not None and w.conf < threshold)
