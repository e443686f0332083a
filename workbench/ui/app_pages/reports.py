"""Reports: accuracy and review charts for the selected document, and its HTML report."""

from __future__ import annotations

import altair as alt
import streamlit as st

from workbench import views
from workbench.errors import WorkbenchError
from workbench.ui import components

st.title("Reports")
doc_id = st.session_state.get("document")
if not doc_id:
    st.info("Choose a document in the sidebar.")
    st.stop()

collection = views.collection()
try:
    document = collection.document(doc_id)
    flags_by_page = components.document_flags(collection, document)
    report = components.document_report(collection, document)
    evaluation = components.flag_evaluation(collection, document)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
metrics = report.metrics
missing = metrics.get("missing", {})

if metrics.get("document"):
    figures = metrics["document"]
    corrected = (metrics.get("corrected") or {}).get("document") or {}
    columns = st.columns(4)
    columns[0].metric("CER", f"{100 * figures['cer']:.2f} %" if figures["cer"] is not None else "–",
                      delta=None if not corrected else f"{100 * (corrected['cer'] - figures['cer']):+.2f} pp corrected",
                      delta_color="inverse")
    columns[1].metric("WER", f"{100 * figures['wer']:.2f} %" if figures["wer"] is not None else "–",
                      delta=None if not corrected else f"{100 * (corrected['wer'] - figures['wer']):+.2f} pp corrected",
                      delta_color="inverse")
    columns[2].metric("Body CER", f"{100 * figures['body_cer']:.2f} %" if figures["body_cer"] is not None else "–")
    if metrics.get("review"):
        columns[3].metric("Flags decided", f"{metrics['review']['decided']} / {metrics['review']['flags']}")

st.subheader("CER and WER by page")
scores = views.score_rows(metrics)
if scores:
    chart = (
        alt.Chart(alt.Data(values=scores))
        .mark_bar()
        .encode(
            x=alt.X("page:O", title="page"),
            xOffset=alt.XOffset("version:N", sort=["raw OCR", "corrected"]),
            y=alt.Y("percent:Q", title="error rate (%)"),
            color=alt.Color("version:N", title=None, sort=["raw OCR", "corrected"]),
            column=alt.Column("measure:N", title=None),
            tooltip=["page:O", "measure:N", "version:N", alt.Tooltip("percent:Q", format=".2f")],
        )
        .properties(width=280, height=220)
    )
    st.altair_chart(chart, key="chart_scores")
    if missing.get("corrected"):
        st.caption(missing["corrected"])
else:
    st.caption(missing.get("pages", "No scores yet."))

left, right = st.columns(2)
with left:
    st.subheader("Flags by category")
    categories = views.category_rows(flags_by_page)
    if categories:
        st.altair_chart(
            alt.Chart(alt.Data(values=categories)).mark_bar().encode(
                y=alt.Y("category:N", sort="-x", title=None), x=alt.X("flags:Q"), color="source:N",
                tooltip=["category:N", "source:N", "flags:Q"],
            ),
            key="chart_categories",
        )
    else:
        st.caption("No flags: the document has no OCR yet, or the flaggers find nothing.")
with right:
    st.subheader("Top character confusions")
    confusions = views.confusion_rows(metrics)
    if confusions:
        st.altair_chart(
            alt.Chart(alt.Data(values=confusions)).mark_bar().encode(
                y=alt.Y("confusion:N", sort="-x", title="gold → OCR"), x="count:Q", tooltip=["confusion:N", "count:Q"],
            ),
            key="chart_confusions",
        )
    else:
        st.caption(missing.get("confusions", "No confusions."))

st.subheader("Flag precision and recall (no-gold flagger against the gold)")
quality = views.precision_recall_rows(evaluation)
if quality:
    st.dataframe(
        quality,
        hide_index=True,
        column_config={
            "precision": st.column_config.ProgressColumn("precision", format="%.0f%%", min_value=0, max_value=100),
            "recall": st.column_config.ProgressColumn("recall", format="%.0f%%", min_value=0, max_value=100),
        },
        key="table_flag_quality",
    )
else:
    st.caption("Needs gold: the no-gold flags are scored against the flags the gold gives.")

st.subheader("HTML report")
if st.button("Write the report", key="report_write", help="Writes reports/DOC/: index.html, metrics.json, CSV, charts"):
    try:
        written = components.write_report(collection, doc_id)
    except WorkbenchError as error:
        st.error(str(error))
    else:
        st.success(f"Written to {written.folder}")
html_path = collection.reports / doc_id / "index.html"
if html_path.exists():
    st.download_button("Open the HTML report", html_path.read_bytes(), file_name=f"{doc_id}-report.html",
                       mime="text/html", key="report_html")
    st.caption(f"{html_path}")
else:
    st.caption("Not written yet.")
