"""Documents: the collection, the selected document's pages, running OCR, adding a document by upload."""

from __future__ import annotations

import streamlit as st

from workbench import review, settings, uploads, views
from workbench.errors import WorkbenchError
from workbench.ocr.run import run_ocr
from workbench.ui import components

st.title("Documents")
collection = views.collection()
if message := st.session_state.pop("documents_message", None):
    st.success(message)

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
        about = (document.id, document.variant, document.date, document.provenance)
        st.caption(" · ".join(part for part in about if part))
        if st.button("Run OCR", key="run_ocr", help="Tesseract on every page; pages read before come from the cache"):
            bar = st.progress(0.0, text=f"OCR of {doc_id}: starting")

            def show(step) -> None:
                bar.progress(step.done / step.total, text=f"page {step.page}: {step.status} ({step.done}/{step.total})")

            run = run_ocr(collection, document, progress=show)
            for failure in run.failures:
                st.error(failure.message)
            st.success(
                f"OCR of {doc_id}: {len(run.read)} page(s) read, {len(run.cached)} from the cache, "
                f"{len(run.failures)} failed, in {run.seconds:.1f} s."
            )
        flags = components.document_flags(collection, document)
        scores = components.evaluation(collection, document)
        progress = review.progress(
            components.review_store(), doc_id, pages=[p.number for p in document.pages],
            lines=components.edited_lines(collection, document),
        )
        st.dataframe(
            [
                {
                    "page": p.number,
                    "scan": "yes" if p.scan_present else "no",
                    "OCR": "yes" if p.ocr else "no",
                    "status": p.status,
                    "CER": None if p.cer is None else 100 * p.cer,
                    "open flags": p.open_flags,
                }
                for p in views.page_rows(
                    collection, document, progress=progress, cer=views.page_cer(scores)
                )
            ],
            hide_index=True,
            column_config={"CER": st.column_config.NumberColumn("CER %", format="%.2f")},
            key="pages_table",
        )
        if not flags:
            st.caption("No flags yet: they are computed once the document has OCR.")
    except WorkbenchError as error:
        st.error(str(error))

with st.expander("Add a document", expanded=not rows):
    limit = settings.get("WORKBENCH_UPLOAD_MAX_MB")
    with st.form("add_document", clear_on_submit=False):
        new_id = st.text_input("Document id (lowercase letters, digits, '.', '_', '-')", key="add_id")
        title = st.text_input("Title", key="add_title")
        date = st.text_input("Date", key="add_date")
        provenance = st.text_input("Provenance", key="add_provenance")
        lang = st.text_input("Language (Tesseract codes, e.g. eng, fra, eng+deu; optional)", key="add_lang")
        scans = st.file_uploader(
            f"Page images or a PDF, in page order (optional; at most {limit} MB each)",
            type=sorted(s.lstrip(".") for s in uploads.SCAN_SUFFIXES),
            accept_multiple_files=True,
            key="add_scans",
        )
        ocr = st.file_uploader(
            "OCR made elsewhere: hOCR, ALTO, PAGE XML or plain text (optional; without scans the pages come from it)",
            type=sorted(s.lstrip(".") for s in uploads.OCR_SUFFIXES),
            accept_multiple_files=True,
            key="add_ocr",
        )
        gold = st.file_uploader(
            "Gold text: one .txt per page, or pages separated by form feeds (optional)",
            type=["txt"], accept_multiple_files=True, key="add_gold",
        )
        submitted = st.form_submit_button("Add document", key="add_submit")
    if submitted:
        try:
            added = uploads.add_uploaded_document(
                collection,
                new_id,
                title=title,
                scans=[uploads.Upload(f.name, f.getvalue()) for f in scans or []],
                ocr=[uploads.Upload(f.name, f.getvalue()) for f in ocr or []],
                gold=[uploads.Upload(f.name, f.getvalue()) for f in gold or []],
                lang=lang,
                date=date,
                provenance=provenance,
            )
        except WorkbenchError as error:
            st.error(str(error))
        else:
            # The sidebar's selector is already drawn in this run: select the new document on the next one.
            st.session_state["select_document"] = added.id
            st.session_state["documents_message"] = f"Added {added.id}: {added.page_count} page(s)."
            st.rerun()
