"""Reports: accuracy and review charts for the selected document, and its HTML report."""

from __future__ import annotations

import altair as alt
import streamlit as st

from workbench import review, views
from workbench.errors import WorkbenchError
from workbench.ui import components

st.title("Reports")
doc_id = components.chosen_document_id()

collection = views.collection()
try:
    document = collection.document(doc_id)
    flags_by_page = components.document_flags(collection, document)
    raw = components.evaluation(collection, document)
    corrected = views.corrected_evaluation(collection, components.review_store(), document)
    flag_quality = components.flag_evaluation(collection, document)
    done = review.progress(
        components.review_store(), doc_id, pages=[p.number for p in document.pages],
        lines=components.edited_lines(collection, document),
    )
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

if raw is None:
    st.info(f"{doc_id} has no gold (or not every page has OCR yet): no CER or WER; flags and review only.")
else:
    figures, after = raw["document"], (corrected or {}).get("document")

    def rate(value: float | None) -> str:
        return "–" if value is None else f"{100 * value:.2f} %"

    def change(name: str) -> str | None:
        if not after or after[name] is None or figures[name] is None:
            return None
        return f"{100 * (after[name] - figures[name]):+.2f} pp corrected"

    columns = st.columns(4)
    columns[0].metric("CER", rate(figures["cer"]), delta=change("cer"), delta_color="inverse")
    columns[1].metric("WER", rate(figures["wer"]), delta=change("wer"), delta_color="inverse")
    columns[2].metric("Body CER", rate(figures["body_cer"]), delta=change("body_cer"), delta_color="inverse")
columns = st.columns(4) if raw is None else columns
columns[3].metric("Flags decided", f"{done.decided} / {done.flags}")

st.subheader("CER and WER by page")
scores = views.score_rows(raw, corrected)
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
    if corrected is None:
        st.caption("No review decision changes the text yet: the corrected transcript is the raw OCR.")
else:
    st.caption("Needs gold and OCR of every page.")

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
    confusions = views.confusion_rows(raw)
    if confusions:
        st.altair_chart(
            alt.Chart(alt.Data(values=confusions)).mark_bar().encode(
                y=alt.Y("confusion:N", sort="-x", title="gold → OCR"), x="count:Q", tooltip=["confusion:N", "count:Q"],
            ),
            key="chart_confusions",
        )
    else:
        st.caption("No confusions: no gold, or the OCR equals it.")

st.subheader("Flag precision and recall (no-gold flagger against the gold)")
quality = views.precision_recall_rows(flag_quality)
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
        with st.spinner("Writing the report (it scores every flagger, so it takes a few seconds)"):
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
    with st.expander("Read the HTML report here"):
        # The workbench wrote this file itself with an autoescaping template, so it is trusted content.
        st.iframe(html_path, height=900)
else:
    st.caption("Not written yet.")
