"""Search: every hit of a word, phrase or pattern across the collection, with its line on the scan; select
hits, preview the replacement line by line, apply it as one batch of line edits, undo it as one.

The search, the preview and the conflict check are `workbench.search`'s: a line another reviewer changed
since the preview is refused (that line only) and named here.
"""

from __future__ import annotations

import streamlit as st

from workbench import review, search, views
from workbench.errors import WorkbenchError
from workbench.search import SearchMode, SearchQuery
from workbench.ui import components

HITS_PER_VIEW = 25  # hits drawn at once, each with its crop
MODES = {
    "Plain text": SearchMode.PLAIN, "Regular expression": SearchMode.REGEX, "Fuzzy (within K edits)": SearchMode.FUZZY
}

st.title("Search")
reviewer = components.require_reviewer("every line you replace")

collection = views.collection()
try:
    documents = collection.document_ids()
    store = components.review_store()
except WorkbenchError as error:
    st.error(str(error))
    st.stop()


def run_search() -> None:
    """Search with the widgets' values; the hits replace the previous ones, their selection is cleared."""
    _forget_checkboxes()
    st.session_state["search_selected"] = set()
    st.session_state.pop("search_plan", None)
    mode = MODES[st.session_state.get("search_mode", "Plain text")]
    query = SearchQuery(
        st.session_state.get("search_pattern", ""), mode,
        edits=int(st.session_state.get("search_edits", 1)) if mode is SearchMode.FUZZY else 0,
        documents=tuple(st.session_state.get("search_documents") or ()) or None,
        ignore_case=bool(st.session_state.get("search_ignore_case")),
    )
    try:
        st.session_state["search_result"] = search.search(collection, store, query)
    except WorkbenchError as error:
        st.session_state.pop("search_result", None)
        st.session_state["search_message"] = ("error", str(error))


def chosen() -> set[int]:
    """The numbers of the hits selected, kept apart from the checkboxes: only one view of them is drawn at
    a time, and Streamlit forgets the state of a checkbox that is not drawn."""
    return st.session_state.setdefault("search_selected", set())


def selected(result: search.SearchResult) -> list[int]:
    numbers = chosen()
    return [h.number for h in result.hits if h.number in numbers]


def toggle(number: int) -> None:
    (chosen().add if st.session_state.get(f"search_hit_{number}") else chosen().discard)(number)
    st.session_state.pop("search_plan", None)


def _forget_checkboxes() -> None:
    for key in [k for k in st.session_state if str(k).startswith("search_hit_")]:
        del st.session_state[key]


def select_all(result: search.SearchResult, value: bool) -> None:
    st.session_state["search_selected"] = {h.number for h in result.hits} if value else set()
    _forget_checkboxes()  # drawn again from the selection
    st.session_state.pop("search_plan", None)


def preview(result: search.SearchResult) -> None:
    """The replacement of the selected hits, line by line, before anything is written."""
    try:
        st.session_state["search_plan"] = search.plan_replace(
            result, st.session_state.get("search_replacement", ""), hits=selected(result)
        )
    except WorkbenchError as error:
        st.session_state["search_message"] = ("error", str(error))


def apply() -> None:
    """Write the previewed plan as one batch; then search again, so the hits show the lines as they read."""
    plan = st.session_state.pop("search_plan", None)
    if plan is None:
        return
    try:
        done = search.apply_plan(collection, store, plan, reviewer=reviewer)
    except WorkbenchError as error:
        st.session_state["search_message"] = ("error", str(error))
        return
    if done.batch is not None:
        st.session_state["search_last_batch"] = done.batch
    refused = "".join(f"\n- {r.reason}" for r in done.refused)
    kind = "warning" if done.refused else "success"
    st.session_state["search_message"] = (
        kind, f"Replaced on {len(done.applied)} line(s) as one batch; {len(done.refused)} refused.{refused}"
    )
    run_search_keeping_message()


def run_search_keeping_message() -> None:
    message = st.session_state.get("search_message")
    run_search()
    if message is not None and "search_message" not in st.session_state:
        st.session_state["search_message"] = message


def undo() -> None:
    """Undo the last replace made on this page, every line of it at once."""
    batch = st.session_state.get("search_last_batch")
    if batch is None:
        return
    try:
        undone = review.undo_line_batch(store, batch, reviewer=reviewer)
    except WorkbenchError as error:
        st.session_state["search_message"] = ("error", str(error))
        return
    st.session_state.pop("search_last_batch", None)
    st.session_state["search_message"] = ("success", f"Undone: the last replace, on {len(undone)} line(s).")
    run_search_keeping_message()


with st.form("search_form", border=False):
    row = st.columns([4, 2, 1])
    row[0].text_input("Search for", key="search_pattern", placeholder="a word, a phrase or a pattern")
    row[1].selectbox("Match", list(MODES), key="search_mode")
    row[2].number_input("Edits (fuzzy)", 0, search.MAX_FUZZY, 1, key="search_edits")
    row = st.columns([4, 2, 1])
    row[0].multiselect("Documents (none chosen: all)", documents, key="search_documents")
    row[1].checkbox("Ignore case", key="search_ignore_case")
    row[2].form_submit_button("Search", key="search_run", type="primary", on_click=run_search)

kind, message = st.session_state.pop("search_message", (None, None))
if kind is not None:
    getattr(st, kind)(message)
if st.session_state.get("search_last_batch"):
    st.button("Undo the last replace", key="search_undo", on_click=undo,
              help="Withdraw every line edit of your last replace on this page at once (logged like any edit)")

result: search.SearchResult | None = st.session_state.get("search_result")
if result is None:
    st.caption("Searches the lines as they read now: the OCR with the reviewers' line edits and decisions applied.")
    st.stop()

st.subheader(f"{len(result)} hit(s) in {result.pages} page(s) of {len(result.documents)} document(s)")
if result.without_ocr:
    unread = sorted({doc for doc, _ in result.without_ocr})
    st.info(f"{len(result.without_ocr)} page(s) have no OCR yet and were not searched ({', '.join(unread)}): "
            "run OCR on the Documents page.")
if not result.hits:
    st.stop()

buttons = st.columns([1, 1, 4])
buttons[0].button("Select all", key="search_select_all", on_click=select_all, args=(result, True))
buttons[1].button("Select none", key="search_select_none", on_click=select_all, args=(result, False))
views_count = (len(result.hits) + HITS_PER_VIEW - 1) // HITS_PER_VIEW
shown = 1
if views_count > 1:
    shown = buttons[2].number_input(f"Hits shown, {HITS_PER_VIEW} at a time", 1, views_count, 1, key="search_view")
for hit in result.hits[(shown - 1) * HITS_PER_VIEW : shown * HITS_PER_VIEW]:
    left, right = st.columns([3, 2])
    with left:
        st.checkbox(f"{hit.number}. {hit.where}" + (" (edited)" if hit.edited else ""), key=f"search_hit_{hit.number}",
                    value=hit.number in chosen(), on_change=toggle, args=(hit.number,))
        st.html(components.context_html(hit.line_text[: hit.start], hit.text, hit.line_text[hit.end :]))
    with right:
        try:
            scan = search.scan_path(collection, hit)
            box = search.line_box(collection, hit) if scan is not None else None
            if box is not None:
                sha = collection.document(hit.document).pages[hit.page - 1].sha256
                image = components.scan_image(str(scan), sha)
                st.image(components.crop_around(image, box, margin_x=30, margin_y=12)[0])
            else:
                st.caption("No image for this line (no scan, or no word boxes).")
        except WorkbenchError as error:
            st.caption(str(error))

st.divider()
picked = selected(result)
st.text_input("Replace with", key="search_replacement",
              help="The text each selected hit becomes; with a regular expression, \\1 is its first group")
st.button(f"Preview the replacement of {len(picked)} hit(s)", key="search_preview", on_click=preview,
          args=(result,), disabled=not picked)
plan: search.ReplacePlan | None = st.session_state.get("search_plan")
if plan is not None:
    st.markdown(f"**Preview: {plan.hits} hit(s) on {len(plan.changes)} line(s)**, nothing written yet")
    st.dataframe(
        [{"line": c.where, "now reads": c.before, "will read": c.after} for c in plan.changes],
        hide_index=True, width="stretch",
    )
    st.button(f"Apply to {len(plan.changes)} line(s) as one batch", key="search_apply", type="primary",
              on_click=apply, disabled=not plan.changes)
