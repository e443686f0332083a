"""The report's charts: bar charts written as SVG text, with a fixed layout, deterministic from run to run.

Every chart function takes plain figures (already computed by the metric and flag code) and returns the
SVG as a string, or None when there is nothing to draw. The SVG is written here element by element (no
plotting library: matplotlib took about a second a report to lay out and draw the same three charts), so
the same figures give the same bytes. Labels are SVG text: every label taken from OCR (a confusion like
`<` -> `«`) goes through `_xml_text`, which escapes markup and replaces the characters XML cannot hold, so
it can never become markup inside the SVG.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from html import escape

_FONT = "DejaVu Sans, Verdana, sans-serif"
_FONT_SIZE = 9.0  # points, as the SVG's user unit
# Estimated advance of one character as a fraction of the font size (DejaVu Sans averages about 0.6):
# the layout is fixed from these estimates, never measured from drawn text.
_CHAR_EM = 0.62
_WIDE_CHAR_EM = 1.0  # East Asian wide and full-width characters
_POINTS_PER_INCH = 72.0
_TICK = 3.5  # tick length, points
_PAD = 4.0  # space between a tick and its label, and around the figure's edges
_LEGEND_ROW = 16.0  # height of the legend row above the plot
_MOST_TICKS = 6  # value ticks at most on the value axis

_BLUE = "#3b6ea8"
_ORANGE = "#d9822b"
_GREEN = "#3f8f4f"
_GREY = "#8a8a8a"
_AXIS = "#262626"
_GRID = "#e4e4e4"


def _label(text: str) -> str:
    """A label with its whitespace made visible; '∅' for nothing."""
    shown = text.replace("\n", "↵").replace("\t", "⇥").replace(" ", "␣")
    return shown if shown else "∅"


def _xml_char(char: str) -> str:
    """`char`, or a visible stand-in when XML 1.0 cannot hold it: a C0 control becomes its Control
    Pictures symbol (U+2400 + code), DEL U+2421, a surrogate or noncharacter U+FFFD."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def _xml_text(text: str) -> str:
    """`text` safe as SVG character data or an attribute value: & < > " ' escaped, and every character
    XML 1.0 cannot hold (C0 controls but tab and line breaks, which labels show as symbols anyway, DEL,
    surrogates, U+FFFE/U+FFFF) replaced by a visible stand-in."""
    if not text.isprintable():  # the only characters that can be unsafe are not printable
        text = "".join(
            _xml_char(c)
            if ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF or ord(c) in (0xFFFE, 0xFFFF)
            else c
            for c in text
        )
    return escape(text, quote=True)


def _text_width(text: str) -> float:
    """Estimated width of `text` in points at the chart's font size."""
    wide = sum(1 for c in text if not c.isascii() and unicodedata.east_asian_width(c) in "WF")
    return _FONT_SIZE * (_CHAR_EM * (len(text) - wide) + _WIDE_CHAR_EM * wide)


def _number(value: float) -> str:
    """A coordinate as written in the SVG: two decimals, no trailing zeros (so runs give the same bytes)."""
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if shown == "-0" else shown


def _ticks(top: float, *, integer: bool = False) -> tuple[list[float], str]:
    """Value-axis ticks from 0 to at least `top` at a round step (1, 2, 2.5 or 5 times a power of ten; whole
    numbers only when `integer`), at most _MOST_TICKS of them, and the format that shows the step exactly."""
    if not top > 0 or not math.isfinite(top):
        top = 1.0
    rough = top / (_MOST_TICKS - 1)
    power = 10.0 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough * (1 - 1e-9))
    if integer:
        step = max(1.0, math.ceil(step))
    count = max(1, math.ceil(top / step - 1e-9))
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * step:
        decimals += 1
    return [step * i for i in range(count + 1)], f".{decimals}f"


class _Svg:
    """An SVG document being written: elements appended in drawing order, then `text()`."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x: float, y: float, width: float, height: float, fill: str) -> None:
        self.parts.append(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" height="{_number(height)}" '
            f'fill="{fill}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = _AXIS) -> None:
        self.parts.append(
            f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" '
            f'stroke="{stroke}" stroke-width="0.8"/>'
        )

    def label(self, x: float, y: float, text: str, *, anchor: str = "middle", rotate: bool = False) -> None:
        """`text` (any text: it is escaped here) with its baseline at y, anchored at x."""
        turn = f' transform="rotate(-90 {_number(x)} {_number(y)})"' if rotate else ""
        self.parts.append(
            f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}"{turn}>{_xml_text(text)}</text>'
        )

    def bars(self, colour: str, rects: Sequence[tuple[float, float, float, float]]) -> None:
        """One series' bars, each (x, y, width, height), in a group of its colour."""
        self.parts.append(f'<g fill="{colour}">')
        self.parts.extend(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" height="{_number(height)}"/>'
            for x, y, width, height in rects
        )
        self.parts.append("</g>")

    def axes(self, left: float, top: float, right: float, bottom: float, xlabel: str) -> None:
        """The left and bottom axis lines of the plot area, and the label under it."""
        self.line(left, top, left, bottom)
        self.line(left, bottom, right, bottom)
        self.label((left + right) / 2, self.height - _PAD, xlabel)

    def legend(self, x: float, y: float, entries: Sequence[tuple[str, str]]) -> None:
        """Coloured squares with their names in one row from (x, y), y being the row's middle."""
        for name, colour in entries:
            self.rect(x, y - 4, 8, 8, colour)
            self.label(x + 11, y + 3.2, name, anchor="start")
            x += 11 + _text_width(name) + 12

    def text(self) -> str:
        head = (
            '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_number(self.width)}pt" '
            f'height="{_number(self.height)}pt" viewBox="0 0 {_number(self.width)} {_number(self.height)}" '
            f'font-family="{_FONT}" font-size="{_number(_FONT_SIZE)}" fill="{_AXIS}">\n'
            f'<rect width="{_number(self.width)}" height="{_number(self.height)}" fill="#ffffff"/>\n'
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"


def _legend_width(entries: Sequence[tuple[str, str]]) -> float:
    return sum(11 + _text_width(name) + 12 for name, _ in entries)


def cer_bars_svg(
    labels: Sequence[int | str],
    *,
    full: Sequence[float | None],
    body: Sequence[float | None],
    corrected: Sequence[float | None] | None = None,
    xlabel: str = "page",
) -> str | None:
    """Grouped bars of CER (percent) per page or document: full page, body and, when given, the corrected
    text's body. A None rate (infinite: OCR text against an empty gold) gets no bar rather than a wrong one."""
    if not labels:
        return None
    series = [("full page", full, _BLUE), ("body", body, _ORANGE)]
    if corrected is not None:
        series.append(("body, corrected", corrected, _GREEN))
    shown = [_label(str(label)) for label in labels]
    heights = [[None if v is None else 100 * v for v in values] for _, values, _ in series]
    top = max((h for row in heights for h in row if h is not None and math.isfinite(h)), default=0.0)
    ticks, form = _ticks(top)
    tick_texts = [format(t, form) for t in ticks]
    # inches per label, room for its text (as before: the figure widens with the pages)
    slot = max(0.9, 0.085 * max(len(text) for text in shown)) * _POINTS_PER_INCH
    left = _PAD + _FONT_SIZE + _PAD + max(map(_text_width, tick_texts)) + _PAD + _TICK
    width = max(4.0 * _POINTS_PER_INCH, left + slot * len(labels) + _PAD * 3)
    height = 2.8 * _POINTS_PER_INCH
    top_y = _PAD + _LEGEND_ROW + _PAD
    bottom_y = height - (_PAD + _FONT_SIZE + _PAD + _FONT_SIZE + _PAD + _TICK)
    right_x = width - _PAD * 3
    svg = _Svg(max(width, left + _legend_width([(n, c) for n, _, c in series])), height)
    y_of = _scale(0.0, ticks[-1], bottom_y, top_y)
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        if tick:
            svg.line(left, y, right_x, y, _GRID)
        svg.line(left - _TICK, y, left, y)
        svg.label(left - _TICK - _PAD, y + _FONT_SIZE * 0.35, text, anchor="end")
    step = (right_x - left) / len(labels)
    bar = step * 0.8 / len(series)
    for index, (_name, _values, colour) in enumerate(series):
        offset = (index - (len(series) - 1) / 2 - 0.5) * bar
        svg.bars(colour, [
            (left + step * (x + 0.5) + offset, y_of(h), bar, bottom_y - y_of(h))
            for x, h in enumerate(heights[index]) if h is not None and math.isfinite(h) and h > 0
        ])
    for x, text in enumerate(shown):
        centre = left + step * (x + 0.5)
        svg.line(centre, bottom_y, centre, bottom_y + _TICK)
        svg.label(centre, bottom_y + _TICK + _PAD + _FONT_SIZE * 0.8, text)
    svg.axes(left, top_y, right_x, bottom_y, xlabel)
    svg.label(_PAD + _FONT_SIZE, (top_y + bottom_y) / 2, "CER (%)", rotate=True)
    svg.legend(left, _PAD + _LEGEND_ROW / 2, [(name, colour) for name, _, colour in series])
    return svg.text()


def _scale(low: float, high: float, start: float, end: float):
    """The map from values in [low, high] to coordinates in [start, end]."""
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (end - start)


def _horizontal_bars(
    names: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], str]],
    *,
    width_inches: float,
    row_inches: float,
    xlabel: str,
    legend: bool,
) -> str:
    """Horizontal bars of counts, one row per name (first at the top), one bar per series in each row."""
    top = max((count for _, counts, _ in series for count in counts), default=0)
    ticks, form = _ticks(float(top), integer=True)
    tick_texts = [format(t, form) for t in ticks]
    left = _PAD + max(map(_text_width, names)) + _PAD + _TICK
    right_margin = _PAD + _text_width(tick_texts[-1]) / 2
    width = max(width_inches * _POINTS_PER_INCH, left + 160 + right_margin)
    entries = [(name, colour) for name, _, colour in series]
    if legend:
        width = max(width, left + _legend_width(entries) + right_margin)
    height = (row_inches * len(names) + 1.0) * _POINTS_PER_INCH
    top_y = _PAD + (_LEGEND_ROW + _PAD if legend else _FONT_SIZE)
    bottom_y = height - (_PAD + _FONT_SIZE + _PAD + _FONT_SIZE + _PAD + _TICK)
    right_x = width - right_margin
    svg = _Svg(width, height)
    x_of = _scale(0.0, ticks[-1], left, right_x)
    for tick, text in zip(ticks, tick_texts, strict=True):
        x = x_of(tick)
        if tick:
            svg.line(x, top_y, x, bottom_y, _GRID)
        svg.line(x, bottom_y, x, bottom_y + _TICK)
        svg.label(x, bottom_y + _TICK + _PAD + _FONT_SIZE * 0.8, text)
    row = (bottom_y - top_y) / len(names)
    bar = row * (0.8 if len(series) > 1 else 0.7) / len(series)
    for index, (_name, counts, colour) in enumerate(series):
        offset = (index - (len(series) - 1) / 2 - 0.5) * bar
        svg.bars(colour, [
            (left, top_y + row * (y + 0.5) + offset, x_of(count) - left, bar)
            for y, count in enumerate(counts) if count > 0
        ])
    for y, name in enumerate(names):
        middle = top_y + row * (y + 0.5)
        svg.line(left - _TICK, middle, left, middle)
        svg.label(left - _TICK - _PAD, middle + _FONT_SIZE * 0.35, name, anchor="end")
    svg.axes(left, top_y, right_x, bottom_y, xlabel)
    if legend:
        svg.legend(left, _PAD + _LEGEND_ROW / 2, entries)
    return svg.text()


def flags_by_category_svg(
    categories: Sequence[str],
    *,
    counts: Sequence[int],
    predicted: Sequence[int] | None = None,
) -> str | None:
    """Horizontal bars: errors per category (gold) and, when given, what the no-gold flagger raised."""
    if not categories or (not any(counts) and not any(predicted or ())):
        return None
    series = [("errors (gold)", counts, _BLUE)]
    if predicted is not None:
        series.append(("no-gold flags", predicted, _GREY))
    return _horizontal_bars(
        [c.replace("_", " ") for c in categories], series, width_inches=6.0, row_inches=0.45, xlabel="count",
        legend=predicted is not None,
    )


def confusions_svg(pairs: Sequence[tuple[str, str]], *, counts: Sequence[int]) -> str | None:
    """Horizontal bars of the most frequent character confusions, labelled `gold → OCR`."""
    if not pairs:
        return None
    return _horizontal_bars(
        [f"{_label(gold)} → {_label(ocr)}" for gold, ocr in pairs], [("times", counts, _ORANGE)],
        width_inches=5.0, row_inches=0.3, xlabel="times", legend=False,
    )
