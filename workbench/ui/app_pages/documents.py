"""Documents: the collection, the selected document's pages, running OCR, adding a document by upload."""

from __future__ import annotations

import streamlit as st

from workbench import settings, views
from workbench.errors import WorkbenchError

st.title("Documents")
collection = views.collection()

rows = views.document_rows(collection)
if rows:
    st.dataframe(
        [
            {
                "document": r.id,
                "title": r.title,
                "pages": r.pages,
                "scan variant": r.variant,
                "gold": "yes" if r.gold else "no",
                "scans": "yes" if r.scans else "no",
                "OCR": "yes" if r.ocr else "no",
            }
            for r in rows
        ],
        hide_index=True,
        key="documents_table",
    )

doc_id = st.session_state.get("document")
if doc_id:
    try:
        document = collection.document(doc_id)
        st.subheader(f"{document.title}")
        st.caption(f"{document.id} · {document.date} · {document.provenance}")
        st.dataframe(
            [
                {
                    "page": p.number,
                    "scan": "yes" if p.scan_present else "no",
                    "OCR": "yes" if p.ocr else "no",
                    "status": p.status,
                    "CER": None if p.cer is None else round(100 * p.cer, 2),
                    "open flags": p.open_flags,
                }
                for p in views.page_rows(collection, document)
            ],
            hide_index=True,
            column_config={"CER": st.column_config.NumberColumn("CER %", format="%.2f")},
            key="pages_table",
        )
    except WorkbenchError as error:
        st.error(str(error))

with st.expander("Add a document", expanded=not rows):
    limit = settings.get("WORKBENCH_UPLOAD_MAX_MB")
    with st.form("add_document", clear_on_submit=False):
        new_id = st.text_input("Document id (lowercase letters, digits, '.', '_', '-')", key="add_id")
        title = st.text_input("Title", key="add_title")
        date = st.text_input("Date", key="add_date")
        provenance = st.text_input("Provenance", key="add_provenance")
        scans = st.file_uploader(
            f"Page images or a PDF, in page order (at most {limit} MB each)",
            type=sorted(s.lstrip(".") for s in views.SCAN_SUFFIXES),
            accept_multiple_files=True,
            key="add_scans",
        )
        gold = st.file_uploader(
            "Gold text, one .txt per page (optional)", type=["txt"], accept_multiple_files=True, key="add_gold"
        )
        submitted = st.form_submit_button("Add document", key="add_submit")
    if submitted:
        try:
            added = views.add_uploaded_document(
                collection,
                new_id,
                title=title,
                scans=[views.Upload(f.name, f.getvalue()) for f in scans or []],
                gold=[views.Upload(f.name, f.getvalue()) for f in gold or []],
                date=date,
                provenance=provenance,
            )
        except WorkbenchError as error:
            st.error(str(error))
        else:
            st.success(f"Added {added.id}: {added.page_count} page(s).")
