"""The report's charts: matplotlib (Agg backend) drawn to SVG text, deterministic from run to run.

Every chart function takes plain figures (already computed by the metric and flag code) and returns the
SVG as a string, or None when there is nothing to draw. Text is drawn as glyph paths, so a label taken
from OCR (a confusion like `<` -> `«`) can never become markup inside the SVG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Fixed ids and no timestamp, so that the same figures give byte-identical SVG files.
_RC = {
    "svg.hashsalt": "workbench-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_BLUE = "#3b6ea8"
_ORANGE = "#d9822b"
_GREEN = "#3f8f4f"
_GREY = "#8a8a8a"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _label(text: str) -> str:
    """A label safe for matplotlib: `$` would start mathtext, and whitespace must stay visible."""
    shown = text.replace("\n", "↵").replace("\t", "⇥").replace(" ", "␣")
    return shown.replace("$", r"\$") if shown else "∅"


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
    with plt.rc_context(_RC):
        slot = max(0.9, 0.085 * max(len(str(label)) for label in labels))  # inches per label, room for its text
        figure, axes = plt.subplots(figsize=(max(4.0, slot * len(labels) + 2), 2.8))
        width = 0.8 / len(series)
        for index, (name, values, colour) in enumerate(series):
            xs = [x + (index - (len(series) - 1) / 2) * width for x in range(len(labels))]
            heights = [math.nan if v is None else 100 * v for v in values]
            axes.bar(xs, heights, width=width, label=name, color=colour)
        axes.set_xticks(range(len(labels)), [_label(str(label)) for label in labels])
        axes.set_xlabel(xlabel)
        axes.set_ylabel("CER (%)")
        axes.legend(frameon=False, ncols=len(series), loc="upper left", bbox_to_anchor=(0, 1.15))
        return _svg(figure)


def flags_by_category_svg(
    categories: Sequence[str],
    *,
    counts: Sequence[int],
    predicted: Sequence[int] | None = None,
) -> str | None:
    """Horizontal bars: errors per category (gold) and, when given, what the no-gold flagger raised."""
    if not categories or (not any(counts) and not any(predicted or ())):
        return None
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(6.0, 0.45 * len(categories) + 1.0))
        ys = list(range(len(categories)))
        height = 0.4 if predicted is not None else 0.7
        axes.barh([y - (height / 2 if predicted is not None else 0) for y in ys], counts, height=height,
                  color=_BLUE, label="errors (gold)")
        if predicted is not None:
            axes.barh([y + height / 2 for y in ys], predicted, height=height, color=_GREY,
                      label="no-gold flags")
            axes.legend(frameon=False, loc="lower right")
        axes.set_yticks(ys, [c.replace("_", " ").replace("$", r"\$") for c in categories])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_xlabel("count")
        return _svg(figure)


def confusions_svg(pairs: Sequence[tuple[str, str]], *, counts: Sequence[int]) -> str | None:
    """Horizontal bars of the most frequent character confusions, labelled `gold → OCR`."""
    if not pairs:
        return None
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(5.0, 0.3 * len(pairs) + 1.0))
        ys = list(range(len(pairs)))
        axes.barh(ys, counts, color=_ORANGE)
        axes.set_yticks(ys, [f"{_label(gold)} → {_label(ocr)}" for gold, ocr in pairs])
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("times")
        return _svg(figure)
