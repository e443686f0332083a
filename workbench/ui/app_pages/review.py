"""Review: the flag queue, the current flag on the scan and in its lines, and the reviewer's decisions."""

from __future__ import annotations

import streamlit as st

from workbench import review, views
from workbench.errors import ReviewConflict, WorkbenchError
from workbench.models import DecisionAction, FlagCategory
from workbench.ocr.store import has_ocr
from workbench.ui import components

st.title("Review")
doc_id = components.chosen_document_id()

reviewer = components.reviewer_name_widget()
if not reviewer:
    st.info("Give your name once for this session; it is recorded with every decision.")
    st.stop()

collection = views.collection()
try:
    document = collection.document(doc_id)
    if not has_ocr(collection, document):
        st.info(f"{doc_id} has no OCR yet: run OCR on the Documents page; its flags come from the OCR.")
        st.stop()
    store = components.review_store()
except WorkbenchError as error:
    st.error(str(error))
    st.stop()


def act(kind: str, key: str, version: int, text_key: str | None = None) -> None:
    """Run one review action against the flag version the reviewer saw; report the outcome on the rerun.

    The text comes from the widget named `text_key` as it is at the click (a callback's arguments were
    bound when the page was last drawn, before the reviewer typed).
    """
    text = st.session_state.get(text_key) if text_key else None
    try:
        if kind == "undo":
            batch = review.undo_last(store, doc_id, reviewer=reviewer)
            message = f"Undid {len(batch)} decision(s)."
        elif kind == "apply_all":
            action = DecisionAction(st.session_state.get("review_all_action", DecisionAction.ACCEPT.value))
            # Exactly the occurrences the button counted, at the versions shown: any change meanwhile is a
            # conflict, never a silently larger batch.
            shown = st.session_state.get("review_alike", {})
            batch = review.apply_to_all(store, doc_id, key, action=action, reviewer=reviewer, text=text,
                                        expected=shown)
            message = f"{action.value} applied to {len(batch)} identical flag(s)."
        else:
            review.decide(store, doc_id, key, action=kind, reviewer=reviewer, version=version, text=text)
            message = f"{kind.replace('_', ' ')}: saved."
            st.session_state["review_key"] = st.session_state.get("review_next_key") or key
        st.session_state["review_message"] = ("success", message)
    except ReviewConflict as conflict:
        st.session_state["review_message"] = ("conflict", str(conflict))
    except WorkbenchError as error:
        st.session_state["review_message"] = ("error", str(error))


def set_status(page: int, seq: int) -> None:
    """Move a page to the status chosen in its selectbox, against the status sequence the reviewer saw."""
    target = st.session_state.get("review_page_status")
    try:
        done = review.set_page_status(store, doc_id, page, target, reviewer=reviewer, seq=seq)
        st.session_state["review_message"] = ("success", f"Page {page}: {done.status.value.replace('_', ' ')}.")
    except ReviewConflict as conflict:
        st.session_state["review_message"] = ("conflict", str(conflict))
    except WorkbenchError as error:
        st.session_state["review_message"] = ("error", str(error))


def move(key: str | None) -> None:
    """Make `key` the current flag (Previous / Next)."""
    if key:
        st.session_state["review_key"] = key


# Filters
pages = [p.number for p in document.pages]
with st.expander("Filter the queue", expanded=False):
    columns = st.columns(4)
    page_filter = columns[0].selectbox(
        "Page", [None, *pages], format_func=lambda p: "all" if p is None else str(p), key="review_filter_page"
    )
    categories = columns[1].multiselect(
        "Category", [c.value for c in FlagCategory], format_func=lambda c: c.replace("_", " "),
        key="review_filter_categories",
    )
    confidence = columns[2].slider("Confidence", 0.0, 1.0, (0.0, 1.0), step=0.05, key="review_filter_confidence")
    status = columns[3].selectbox("Status", ["open", "decided", "all"], key="review_filter_status")

try:
    flags_by_page = components.document_flags(collection, document)
    queue = review.queue(
        (flag for page_flags in flags_by_page.values() for flag in page_flags),
        review.decision_history(store, doc_id),
        review.QueueFilter.of(
            pages=page_filter,
            categories=categories,
            min_confidence=confidence[0],
            max_confidence=confidence[1],
            status=None if status == "all" else status,
        ),
    )
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

st.progress(queue.fraction, text=f"{queue.decided} of {queue.flags} flags decided · reviewer: {reviewer}")
kind, message = st.session_state.pop("review_message", (None, None))
if kind == "success":
    st.success(message)
elif kind == "conflict":
    st.warning(f"Another reviewer decided first. {message}")
elif kind == "error":
    st.error(message)

if not queue.items:
    st.info("No flag matches the filters." if queue.flags else "This document has no flags.")
    st.button("Undo my last decision", key="review_undo", on_click=act, args=("undo", "", 0), shortcut="U")
    st.stop()

keys = [item.key for item in queue.items]
if st.session_state.get("review_key") not in keys:
    st.session_state["review_key"] = keys[0]
index = keys.index(st.session_state["review_key"])
try:
    # The version the next decision must be made against, read fresh for this one flag.
    state = review.flag_state(store, doc_id, keys[index])
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
flag = state.flag
st.session_state["review_next_key"] = keys[index + 1] if index + 1 < len(keys) else None

st.subheader(f"Flag {index + 1} of {len(queue.items)} · page {flag.page} · {flag.category.value.replace('_', ' ')}")
st.caption(
    f"confidence {flag.confidence:.2f} · source {flag.source.value} · "
    + ("open" if state.decision is None else f"decided by {state.decision.reviewer}: {state.decision.action.value}"
       + (f" {state.decision.text!r}" if state.decision.text is not None else ""))
)

page = components.compare_page(
    str(collection.home), doc_id, flag.page, components.document_checksum(collection, document)
)
left, right = st.columns([3, 2])
with left:
    scan = document.pages[flag.page - 1].scan
    box = views.flag_box(flag)
    if scan is not None and scan.exists() and box is not None:
        try:
            image = components.scan_image(str(scan), document.pages[flag.page - 1].sha256)
        except WorkbenchError as error:
            st.error(str(error))
        else:
            crop, region = components.crop_around(image, box)
            styles = [components.BoxStyle(components.shift_box(b, region), components.SELECTED_COLOUR, 3)
                      for b in flag.boxes]
            st.image(components.draw_boxes(crop, styles), caption="The scan around the flagged word")
    elif scan is None:
        st.caption("No scan for this page: the text alone.")
    else:
        st.caption("No scan region for this flag (the OCR has no word boxes here).")
    if page.ocr is not None:
        ocr = views.ocr_in_context(page.ocr.text, flag.start, flag.end)
        st.markdown("**OCR**")
        st.html(components.context_html(ocr.before, ocr.text, ocr.after))
    gold = views.gold_in_context(page, flag) if page.ocr is not None else None
    if gold is not None:
        st.markdown("**Gold**")
        st.html(components.context_html(gold.before, gold.text, gold.after, css="wb-ins"))

with right:
    suggestions = list(flag.suggestions)
    choice, choice_key, edit_key = None, f"review_choice_{flag.key}", f"review_edit_text_{flag.key}"
    if suggestions:
        choice = st.radio("Suggestions (best first)", suggestions, format_func=views.suggestion_label, key=choice_key)
    else:
        st.caption("No suggestion: keep the OCR or enter the right text.")
    buttons = st.columns(2)
    buttons[0].button("Accept", key="review_accept", type="primary", disabled=choice is None, shortcut="A",
                      on_click=act, args=(DecisionAction.ACCEPT.value, flag.key, state.version, choice_key))
    buttons[1].button("Keep OCR", key="review_keep", shortcut="K",
                      on_click=act, args=(DecisionAction.KEEP_OCR.value, flag.key, state.version))
    st.text_input("Your reading", value=choice or flag.text, key=edit_key)
    buttons = st.columns(2)
    buttons[0].button("Save edit", key="review_edit", shortcut="E",
                      on_click=act, args=(DecisionAction.EDIT.value, flag.key, state.version, edit_key))
    buttons[1].button("Gold is wrong", key="review_gold_wrong", shortcut="G",
                      help="The OCR (or your reading) is right and the gold is not: records it as a gold erratum.",
                      on_click=act, args=(DecisionAction.GOLD_WRONG.value, flag.key, state.version, edit_key))
    all_action = st.selectbox("Apply to all identical as", [DecisionAction.ACCEPT.value, DecisionAction.KEEP_OCR.value],
                              format_func=lambda a: a.replace("_", " "), key="review_all_action")
    alike = queue.alike(flag, reading=choice if all_action == DecisionAction.ACCEPT.value else None)
    st.session_state["review_alike"] = {s.key: s.version for s in alike}
    st.button(f"Apply to all {len(alike)} identical", key="review_apply_all",
              disabled=state.decision is not None or not alike,
              on_click=act, args=("apply_all", flag.key, state.version, choice_key))
    buttons = st.columns(3)
    buttons[0].button("Previous", key="review_prev", shortcut="P", disabled=index == 0,
                      on_click=move, args=(keys[index - 1] if index else None,))
    buttons[1].button("Next", key="review_next", shortcut="N", disabled=index + 1 >= len(keys),
                      on_click=move, args=(st.session_state["review_next_key"],))
    buttons[2].button("Undo", key="review_undo", shortcut="U", on_click=act, args=("undo", flag.key, state.version))
    page_now = review.page_state(store, doc_id, flag.page)
    choices = sorted(s.value for s in review.PAGE_TRANSITIONS[page_now.status])
    columns = st.columns([3, 2])
    columns[0].selectbox(
        f"Page {flag.page} is {page_now.status.value.replace('_', ' ')}"
        + (f" ({page_now.reviewer})" if page_now.reviewer else "") + "; move it to",
        choices, format_func=lambda s: s.replace("_", " "), key="review_page_status",
    )
    columns[1].button("Set page status", key="review_set_page_status", on_click=set_status,
                      args=(flag.page, page_now.seq))
    st.caption("Shortcuts: A accept · K keep OCR · E save edit · G gold is wrong · N next · P previous · U undo")
