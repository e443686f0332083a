"""Report charts: SVG that parses, draws what it is given, is the same bytes for the same figures, and
shows any label (OCR text included) as text, never as markup."""

from __future__ import annotations

import itertools

import lxml.etree
import pytest

from workbench.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(svg: str) -> lxml.etree._Element:
    return lxml.etree.fromstring(svg.encode("utf-8"))


def _texts(svg: str) -> list[str]:
    return [element.text for element in _parsed(svg).iter(f"{SVG}text")]


def _bars(svg: str) -> list[lxml.etree._Element]:
    """The bars: the rectangles inside the coloured groups."""
    return [rect for group in _parsed(svg).iter(f"{SVG}g") for rect in group.iter(f"{SVG}rect")]


@pytest.mark.parametrize(
    "label",
    ["<script>alert(1)</script>", "&amp;", "a & b", '"quoted" \'x\'', "]]>", "<!-- x -->", "\x00\x0c\x1b\x7f",
     "\ud800", "\ufffe", "\u202e\u0301"],
)
def test_an_ocr_label_is_text_in_well_formed_svg_never_markup(label):
    svg = charts.confusions_svg([(label, "x"), ("y", label)], counts=[2, 1])
    root = _parsed(svg)  # well-formed XML, whatever the label holds
    assert {element.tag for element in root.iter()} <= {f"{SVG}{tag}" for tag in ("svg", "rect", "line", "text", "g")}
    assert "<script" not in svg and "<!-- x" not in svg
    shown = [text for text in _texts(svg) if "→" in text]
    assert len(shown) == 2
    if label.isprintable():
        seen = label.replace(" ", "␣")  # confusions show spaces
        assert shown == [f"{seen} → x", f"y → {seen}"]  # escaped in the file, the same text when read
    else:
        assert all("\x00" not in text and "\ud800" not in text for text in shown)


def test_whitespace_in_a_confusion_is_made_visible():
    svg = charts.confusions_svg([(" ", ""), ("\n", "\t")], counts=[3, 1])
    assert [t for t in _texts(svg) if "→" in t] == ["␣ → ∅", "↵ → ⇥"]


def test_cer_bars_draw_one_bar_per_rate_and_none_for_an_infinite_or_zero_rate():
    svg = charts.cer_bars_svg([1, 2, 3], full=[0.1, None, 0.0], body=[0.2, 0.05, 0.3], corrected=[0.01, 0.02, 0.03])
    assert len(_bars(svg)) == 1 + 3 + 3
    texts = _texts(svg)
    assert {"1", "2", "3", "CER (%)", "page", "full page", "body", "body, corrected"} <= set(texts)
    heights = [float(rect.get("height")) for rect in _bars(svg)]
    full, body = heights[0], heights[1:4]
    assert body[2] > body[0] > full > body[1] > 0  # 30 % > 20 % > 10 % > 5 %


def test_value_ticks_are_round_and_reach_the_largest_value():
    svg = charts.cer_bars_svg(["a", "b"], full=[0.0734, 0.01], body=[0.02, 0.0])
    ticks = [float(t) for t in _texts(svg) if t.replace(".", "").isdigit() and t not in ("a", "b")]
    assert ticks[0] == 0 and ticks[-1] >= 7.34 and len(ticks) <= 6
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() in (1, 2, 2.5, 5)


def test_counts_get_whole_number_ticks_and_the_legend_names_both_flaggers():
    svg = charts.flags_by_category_svg(["misread_word", "stray_char"], counts=[3, 0], predicted=[1, 2])
    texts = _texts(svg)
    assert {"misread word", "stray char", "errors (gold)", "no-gold flags", "count"} <= set(texts)
    ticks = [t for t in texts if t.isdigit()]
    assert ticks == ["0", "1", "2", "3"]
    assert len(_bars(svg)) == 3  # the zero count draws no bar


def test_nothing_to_draw_is_none():
    assert charts.cer_bars_svg([], full=[], body=[]) is None
    assert charts.flags_by_category_svg(["stray_char"], counts=[0], predicted=[0]) is None
    assert charts.confusions_svg([], counts=[]) is None


def test_the_same_figures_give_the_same_bytes():
    def draw() -> list[str]:
        return [
            charts.cer_bars_svg(list(range(1, 101)), full=[i / 997 for i in range(100)], body=[None] * 100),
            charts.flags_by_category_svg(["a", "b"], counts=[5, 7]),
            charts.confusions_svg([("é", "e")], counts=[4]),
        ]

    assert draw() == draw()
