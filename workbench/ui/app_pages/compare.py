"""Compare: the scan with word boxes coloured by flag category, beside the OCR and gold texts, diffed.

A click on the scan selects the line under the pointer (and outlines the word), as the Line box does.
"""

from __future__ import annotations

import streamlit as st

from workbench import views
from workbench.errors import WorkbenchError
from workbench.ocrlines import hit_test, ocr_lines
from workbench.ui import components

st.title("Compare")
doc_id = components.chosen_document_id()

collection = views.collection()
try:
    document = collection.document(doc_id)
    flags_by_page = components.document_flags(collection, document)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

top = st.columns([1, 2, 3])
number = top[0].number_input("Page", 1, document.page_count, key="page")
zoom = top[1].slider("Zoom (% of the scan's width)", 10, 100, 35, step=5, key="compare_zoom")
page = components.page_with_ocr(collection, document, number)

lines = page.lines
geometry = ocr_lines(page.ocr)


def on_scan_click() -> None:
    """Select the line (and word) under the click."""
    point = components.clicked_point("compare_scan")
    hit = hit_test(geometry, *point) if point is not None else None
    if hit is not None:
        st.session_state["compare_line"] = hit.line - 1
        st.session_state["compare_word"] = (number, hit.line, hit.word)


if not 0 <= st.session_state.get("compare_line", 0) < len(lines):
    st.session_state["compare_line"] = 0
line = top[2].selectbox(
    "Line", range(len(lines)), format_func=lambda i: f"{i + 1}: {lines[i][:70]}", key="compare_line"
)
flags = flags_by_page.get(number, [])

left, right = st.columns([2, 3])
with left:
    ref = document.pages[number - 1]
    if ref.scan is not None and ref.scan.exists():
        try:
            image = components.scan_image(str(ref.scan), ref.sha256)
            width = components.scaled_width(image.width, zoom)
            src = components.boxed_scan_data_url(
                str(collection.home), document.id, number, components.document_checksum(collection, document),
                str(ref.scan), ref.sha256, width,
            )
        except WorkbenchError as error:
            st.error(str(error))
        else:
            shape = geometry[line] if line is not None and line < len(geometry) else None
            marks = []
            if shape is not None and shape.box is not None:
                marks.append(components.BoxStyle(shape.box, components.SELECTED_COLOUR, 3))
                clicked = st.session_state.get("compare_word")
                if clicked and clicked[:2] == (number, shape.number) and clicked[2] is not None:
                    marks.append(components.BoxStyle(shape.words[clicked[2]].box, components.SELECTED_COLOUR, 2))
                crop = components.crop_around(image, shape.box, margin_x=30, margin_y=12)[0]
            else:
                crop = None
            components.clickable_scan("compare_scan", src, (image.width, image.height), width, marks, on_scan_click)
            st.caption("Click a line of the scan to select it.")
            if crop is not None:
                st.image(crop, caption=f"Line {line + 1} on the scan")
    else:
        st.info("No scan for this page: the text alone.")
    st.html(components.legend_html())
with right:
    if page.gold is None:
        st.caption("No gold for this document: the OCR alone, flags from the no-gold detectors.")
    st.html(components.diff_table_html(page.rows, selected=line + 1 if line is not None else None))
    if page.gold is not None and page.gold.markings:
        with st.expander("Markings in the gold (not body text)"):
            st.dataframe(
                [{"kind": m.kind.value, "placement": m.placement, "text": m.text} for m in page.gold.markings],
                hide_index=True,
            )
