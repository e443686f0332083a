"""Export: the corrected transcript (plain text, JSON, ALTO) and the document's reports, as downloads."""

from __future__ import annotations

import streamlit as st

from workbench import exporters, transcript, views
from workbench.errors import WorkbenchError
from workbench.ocr.store import has_ocr
from workbench.ui import components

st.title("Export")
doc_id = components.chosen_document_id()

collection = views.collection()
try:
    document = collection.document(doc_id)
    if not has_ocr(collection, document):
        st.info(f"{doc_id} has no OCR yet: run OCR on the Documents page, then review, then export.")
        st.stop()
    store = components.review_store()
    rules = transcript.rules_for(store, doc_id)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

RULE_LABELS = {
    transcript.Rule.DROP_STAMP_NOISE: "Drop stamp noise read into the text",
    transcript.Rule.JOIN_HYPHENATION: "Join words broken by a line-end hyphen",
}
reviewer = st.session_state.get("reviewer", "")


def switch(rule: transcript.Rule) -> None:
    """Log the reviewer's switch of `rule` (the toggle's new value); the export below follows it."""
    try:
        transcript.switch_rule(store, doc_id, rule, st.session_state[f"export_rule_{rule.value}"], reviewer=reviewer)
    except WorkbenchError as error:
        st.session_state["export_message"] = str(error)


st.markdown("**Automatic rules** (each switch is logged with your name)")
columns = st.columns(len(RULE_LABELS))
for column, (rule, label) in zip(columns, RULE_LABELS.items(), strict=True):
    # Set from the store on every run: another reviewer may have switched it since this page was drawn.
    st.session_state[f"export_rule_{rule.value}"] = rules.enabled(rule)
    column.toggle(label, key=f"export_rule_{rule.value}", disabled=not reviewer, on_change=switch, args=(rule,))
if not reviewer:
    st.caption("Give your name on the Review page to switch a rule.")
if message := st.session_state.pop("export_message", None):
    st.error(message)

files = {"txt": (f"{doc_id}.txt", "text/plain"), "json": (f"{doc_id}.json", "application/json"),
         "alto": (f"{doc_id}.alto.xml", "application/xml")}
try:
    # The formats offered here only: hOCR is written back into imported files alone (`--into-source`).
    exports = {fmt: exporters.export(collection, store, doc_id, format=fmt) for fmt in files}
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

corrected = exports["txt"].corrected
st.caption(f"{corrected.changes} change(s) from review decisions applied to the OCR of {document.page_count} page(s).")
columns = st.columns(len(files))
for column, (fmt, (name, mime)) in zip(columns, files.items(), strict=True):
    content = exports[fmt].content
    column.download_button(
        f"Corrected transcript ({fmt.upper()})",
        content if isinstance(content, bytes) else content.encode("utf-8"),
        file_name=name, mime=mime, key=f"export_{fmt}",
    )

st.subheader("Corrected text")
# Set through the session state: a keyed widget ignores a changed `value`, and the text changes with each decision.
st.session_state["export_text"] = corrected.text
st.text_area("Corrected transcript", height=420, disabled=True, key="export_text", label_visibility="collapsed")

st.subheader("Reports")
report_files = views.report_files(collection, doc_id)
if not report_files:
    st.caption("No report written yet: write one on the Reports page (or run `workbench report`).")
for path in report_files:
    st.download_button(f"{path.name}", path.read_bytes(), file_name=f"{doc_id}-{path.name}",
                       key=f"export_report_{path.name}")
