"""The drawing and HTML helpers of the UI: pure functions, no Streamlit."""

from __future__ import annotations

from PIL import Image

from workbench.linediff import Line, Piece
from workbench.models import Box
from workbench.ui import components
from workbench.ui.components import BoxStyle


def test_draw_boxes_outlines_on_a_copy_and_leaves_the_scan_untouched():
    scan = Image.new("L", (100, 60), 255)
    drawn = components.draw_boxes(scan, [BoxStyle(Box(10, 10, 50, 30), "#ff0000", width=2)])
    assert drawn.mode == "RGB"
    assert drawn.getpixel((10, 20)) == (255, 0, 0)  # left edge
    assert drawn.getpixel((30, 20)) == (255, 255, 255)  # inside stays clear
    assert scan.getpixel((10, 20)) == 255
    rgb = Image.new("RGB", (20, 20), "white")
    assert components.draw_boxes(rgb, [BoxStyle(Box(0, 0, 5, 5), "#000000")]) is not rgb
    assert rgb.getpixel((0, 0)) == (255, 255, 255)


def test_draw_boxes_skips_empty_boxes():
    scan = Image.new("RGB", (20, 20), "white")
    drawn = components.draw_boxes(scan, [BoxStyle(Box(5, 5, 5, 9), "#000000")])
    assert drawn.tobytes() == scan.tobytes()


def test_crop_around_is_clipped_to_the_page_and_reports_its_region():
    scan = Image.new("L", (300, 200), 255)
    crop, region = components.crop_around(scan, Box(10, 20, 40, 35), margin_x=50, margin_y=30)
    assert region == Box(0, 0, 90, 65)
    assert crop.size == (90, 65)
    assert components.shift_box(Box(10, 20, 40, 35), region) == Box(10, 20, 40, 35)
    _, inner = components.crop_around(scan, Box(200, 100, 220, 120), margin_x=10, margin_y=10)
    assert inner == Box(190, 90, 230, 130)
    assert components.shift_box(Box(200, 100, 220, 120), inner) == Box(10, 10, 30, 30)


def test_scaled_width_follows_the_zoom_and_never_vanishes():
    assert components.scaled_width(2550, 40) == 1020
    assert components.scaled_width(100, 1) == 50


def test_diff_html_escapes_ocr_text_and_marks_each_kind_of_difference():
    rows = [
        Line(1, (Piece("delete", "a & b", ("missing_text",)),), (Piece("insert", "<script>alert(1)</script>"),)),
        Line(2, (Piece("equal", "the "), Piece("replace", "m")), (Piece("equal", "the "), Piece("replace", "rn")),
             label="declassification_stamp"),
    ]
    out = components.diff_table_html(rows, selected=2)
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<span class="wb-ins">' in out and '<span class="wb-del" title="missing text">a &amp; b</span>' in out
    assert '<span class="wb-sub">rn</span>' in out
    assert 'class="wb-marking wb-selected" id="line-2"' in out
    assert "declassification stamp" in out


def test_context_and_legend_html_escape_everything():
    out = components.context_html("x <b>", "<i>", "</b>")
    assert "<b>" not in out.split("</style>")[1] and "&lt;i&gt;" in out
    legend = components.legend_html({"<evil>": "red"})
    assert "&lt;evil&gt;" in legend
    assert "misread word" in components.legend_html()


def test_blank_ocr_lines_are_left_out_unless_selected():
    rows = [
        Line(1, (), (Piece("equal", "text\n"),)),
        Line(2, (), (Piece("equal", "\n"),)),
        Line(3, (Piece("delete", "lost"),), ()),
    ]
    out = components.diff_table_html(rows)
    assert 'id="line-1"' in out and 'id="line-2"' not in out and 'id="line-3"' in out
    assert 'id="line-2"' in components.diff_table_html(rows, selected=2)


def test_opening_a_document_snapshots_only_the_reviewed_flag_set(copied_collection):
    from workbench import review
    from workbench.store import open_store

    document = copied_collection.document("us-japan-1974")
    store = open_store()
    review.refresh_flags(copied_collection, store, document.id, use_gold=False)
    heuristic = [f for f in store.flags(document.id) if f.flag.source.value == "heuristic"]
    assert heuristic

    by_page = components.document_flags(copied_collection, document)

    assert all(f.source.value == "gold" for flags in by_page.values() for f in flags)
    stored = store.flags(document.id)
    assert {f.flag.key for f in stored if f.flag.source.value == "gold" and not f.stale} == {
        f.key for flags in by_page.values() for f in flags
    }
    assert not any(f.stale for f in stored if f.flag.source.value == "heuristic")
