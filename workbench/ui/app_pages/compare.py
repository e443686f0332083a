"""Compare: the scan with word boxes coloured by flag category, beside the OCR and gold texts, diffed."""

from __future__ import annotations

import streamlit as st

from workbench import views
from workbench.errors import WorkbenchError
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
try:
    page = components.compare_page(
        str(collection.home), document.id, number, components.document_checksum(collection, document)
    )
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
if page.ocr is None:
    st.warning(f"Page {number} has no OCR yet: run OCR on the Documents page.")
    st.stop()

lines = page.lines
line = top[2].selectbox(
    "Line", range(len(lines)), format_func=lambda i: f"{i + 1}: {lines[i][:70]}", key="compare_line"
)
flags = flags_by_page.get(number, [])

left, right = st.columns([2, 3])
with left:
    scan = document.pages[number - 1].scan
    if scan is not None and scan.exists():
        try:
            image = components.scan_image(str(scan), document.pages[number - 1].sha256)
        except WorkbenchError as error:
            st.error(str(error))
        else:
            drawn = components.draw_boxes(image, views.page_box_styles(page.ocr, flags, selected_line=line))
            st.image(drawn, width=components.scaled_width(image.width, zoom))
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
