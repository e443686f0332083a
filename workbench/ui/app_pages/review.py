"""Review: the flag queue, the current flag on the scan and in its lines, and the reviewer's decisions.

The place in the queue is in the URL (`flag`, and the filters bound to query parameters), so a reload or a
restarted server opens the same flag. Previous and Next walk every flag the filters keep, decided ones too;
after a decision or a batch the page goes on to the next flag of the chosen status after the one decided,
after Undo back to the flag undone.
"""

from __future__ import annotations

import streamlit as st

from workbench import review, views
from workbench.errors import ReviewConflict, WorkbenchError
from workbench.models import DecisionAction, FlagCategory, FlagSource
from workbench.ocr.store import has_ocr
from workbench.review.decisions import OverrideNeeded
from workbench.review.pages import DONE_STATUSES, OpenFlagsLeft
from workbench.review.state import (
    FlagStatus,
    describe_decision,
    describe_dispute,
    describe_flag,
    describe_settled,
    quoted,
    what_it_did,
)
from workbench.ui import components, session

STATUSES = ("open", "decided", "disputed", "all")
SHORTCUT_SUGGESTIONS = 3  # keys 1-3 accept the first three suggestions
PREVIEW_CROPS = 60  # an apply-to-all preview shows this many scan crops; further occurrences as text only

# A callback ran for this run's click (set by every callback, read once here): see `clicked` below.
acted = st.session_state.pop("review_acted", False)

st.title("Review")
doc_id = components.chosen_document_id()

reviewer = components.require_reviewer("every decision")

collection = views.collection()
try:
    document = components.document(collection, doc_id)
    if not has_ocr(collection, document):
        st.info(f"{doc_id} has no OCR yet: run OCR on the Documents page; its flags come from the OCR.")
        st.stop()
    store = components.review_store()
except WorkbenchError as error:
    st.error(str(error))
    st.stop()


def report(error: WorkbenchError) -> None:
    """Keep an action's refusal for the rerun: a conflict or a refused override as a warning, else an error."""
    kind = "warning" if isinstance(error, ReviewConflict | OverrideNeeded | OpenFlagsLeft) else "error"
    st.session_state["review_message"] = (kind, str(error))


def act(
    kind: str, key: str, version: int, text: str | None = None, text_key: str | None = None, where: str = ""
) -> None:
    """Run one review action against the flag version the reviewer saw; report the outcome on the rerun.

    The text is `text`, or the widget named `text_key` as it is at the click (a callback's arguments were
    bound when the page was last drawn, before the reviewer typed). An override and its note come from the
    flag's override widgets; `where` names the flag in the message.
    """
    st.session_state["review_acted"] = True
    if text_key:
        text = st.session_state.get(text_key)
    override = bool(st.session_state.get(f"review_override_{key}"))
    note = (st.session_state.get(f"review_note_{key}") or "").strip()
    try:
        if kind == "undo":
            batch = review.undo_last(store, doc_id, reviewer=reviewer)
            if batch.lines:  # the last action was a replace across the collection (the Search page)
                st.session_state["review_message"] = (
                    "success", f"Undone: your last replace, on {len(batch.lines)} line(s) at once."
                )
                return
            undone = [event.flag_key for event in batch.decisions]
            st.session_state["review_key"] = key if key in undone else undone[0]
            where = describe_flag(review.flag_state(store, doc_id, st.session_state["review_key"]).flag)
            message = f"Undone: your last decision, on {where}." if len(batch) == 1 else (
                f"Undone: your last action, {len(batch)} decisions at once (back at {where})."
            )
        elif kind == "apply_all":
            shown = st.session_state.pop("review_preview")
            # Exactly the occurrences the preview listed, at the versions shown: any change meanwhile is a
            # conflict, never a silently larger batch.
            batch = review.apply_to_all(
                store, doc_id, shown["key"], action=shown["action"], reviewer=reviewer, text=shown["text"],
                expected=shown["expected"], note=note,
            )
            st.session_state["review_after"] = shown["key"]
            message = f"Saved: {what_it_did(batch.decisions[0])} in all {len(batch)} places."
        else:
            decision = review.decide(
                store, doc_id, key, action=kind, reviewer=reviewer, version=version, text=text, note=note,
                override=override,
            )
            st.session_state["review_after"] = key
            message = f"Saved: you {what_it_did(decision)} on {where}."
        st.session_state["review_message"] = ("success", message)
    except WorkbenchError as error:
        report(error)


def accept_group(group) -> None:
    """Accept the ticked members of a learned group as one batch, at the versions the group showed; a member
    decided meanwhile is refused alone and named in the message."""
    st.session_state["review_acted"] = True
    untick = [m.key for m in group.members if not st.session_state.get(group_tick(group, m.key), True)]
    try:
        done = review.accept_group(store, doc_id, group, reviewer=reviewer, untick=untick, lines=edited)
    except WorkbenchError as error:
        report(error)
        return
    refused = " ".join(f"Refused: {r.reason}" for r in done.refused)
    if done.batch.decisions:
        st.session_state["review_after"] = done.batch.decisions[0].flag_key
        saved = f"Saved: {len(done.batch)} suggestion(s) of the group {group.label} accepted at once (Undo takes " \
                f"them back together); {len(untick)} left open."
        st.session_state["review_message"] = ("warning" if refused else "success", f"{saved} {refused}".strip())
    else:
        st.session_state["review_message"] = ("warning", refused or "Nothing ticked: nothing saved.")


def group_tick(group, key: str) -> str:
    """The key of a learned group member's checkbox (by the group's label: the groups' order changes)."""
    return f"review_group_{group.label}_{key}"


def preview_all(key: str, action: str, text: str | None, expected: dict[str, int]) -> None:
    """Show the occurrences an apply-to-all would decide, before anything is written."""
    st.session_state["review_acted"] = True
    st.session_state["review_preview"] = {"key": key, "action": action, "text": text, "expected": expected}


def cancel_preview() -> None:
    st.session_state["review_acted"] = True
    st.session_state.pop("review_preview", None)


def set_status(page: int, seq: int, confirm_key: str) -> None:
    """Move a page to the status chosen in its selectbox, against the status sequence the reviewer saw;
    `confirm_key` names the checkbox that confirms open flags."""
    st.session_state["review_acted"] = True
    target = st.session_state.get("review_page_status")
    try:
        done = review.set_page_status(
            store, doc_id, page, target, reviewer=reviewer, seq=seq,
            despite_open_flags=bool(st.session_state.get(confirm_key)), source=source, lines=edited,
        )
        left = f", with {done.open_flags} flags open" if done.open_flags and done.status in DONE_STATUSES else ""
        st.session_state["review_message"] = ("success", f"Page {page} is now {done.status.label}{left}.")
    except WorkbenchError as error:
        report(error)


def move(key: str | None) -> None:
    """Make `key` the current flag (Previous / Next)."""
    st.session_state["review_acted"] = True
    if key:
        st.session_state["review_key"] = key


def clicked(label: str, key: str, callback, args: tuple = (), **options) -> bool:
    """A button that runs `callback(*args)` when clicked, also when the click reaches a new session.

    A tab left open across a server restart (or an expired session) sends its click to a session that
    never drew the button: Streamlit then runs no callback, but the button still reads as pressed. Such a
    click is carried out here, on the flag the URL names, and the page redrawn, so it is never dropped
    silently; if the flag changed meanwhile the action says why it was refused.
    """
    pressed = st.button(label, key=key, on_click=callback, args=args, **options)
    if pressed and not acted:
        callback(*args)
        st.rerun()
    return pressed


def reading(suggestion: str | None) -> str:
    """A suggestion in a button's label: quoted, or "(delete)" for the deletion an empty one means."""
    return views.suggestion_label(suggestion) if suggestion == "" else quoted(suggestion)


def scan_crop(flag, *, margin_x: int = 240, margin_y: int = 90):
    """The scan around a flag with its words outlined, or a sentence saying why there is none."""
    ref = document.pages[flag.page - 1]
    box = views.flag_box(flag)
    if ref.scan is None:
        return "No scan for this page: the text alone."
    if not ref.scan.exists() or box is None:
        return "No scan region for this flag (the OCR has no word boxes here)."
    image = components.scan_image(str(ref.scan), ref.sha256)
    crop, region = components.crop_around(image, box, margin_x=margin_x, margin_y=margin_y)
    styles = [components.BoxStyle(components.shift_box(b, region), components.SELECTED_COLOUR, 3) for b in flag.boxes]
    return components.draw_boxes(crop, styles)


# Filters: bound to the URL's query parameters, so a reload or a shared link keeps them.
pages = [p.number for p in document.pages]
with st.expander("Filter the queue", expanded=False):
    columns = st.columns(4)
    page_filter = columns[0].selectbox(
        "Page", [None, *pages], format_func=lambda p: "all" if p is None else str(p), key="review_filter_page",
        bind="query-params",
    )
    categories = columns[1].multiselect(
        "Category", [c.value for c in FlagCategory], format_func=lambda c: c.replace("_", " "),
        key="review_filter_categories", bind="query-params",
    )
    confidence = columns[2].slider(
        "Confidence", 0.0, 1.0, (0.0, 1.0), step=0.05, key="review_filter_confidence", bind="query-params"
    )
    status = columns[3].selectbox(
        "Status", STATUSES, key="review_filter_status", bind="query-params",
        help="Which flags the queue goes to after a decision; Previous and Next walk all flags the other "
        "filters keep, decided ones too.",
    )

try:
    source = review.reviewed_flag_source(collection, document)
    checksum = components.document_checksum(collection, document)  # once per rerun: the caches below use it
    flags_by_page = components.document_flags(collection, document, checksum=checksum)
    # The line edits in force settle the flags of their lines (read afresh: a line edit on Transcribe, or
    # its undo, shows here at once).
    edited = components.edited_lines(collection, document, checksum=checksum)
    wanted = review.QueueFilter.of(
        pages=page_filter, categories=categories, min_confidence=confidence[0], max_confidence=confidence[1],
        status=status if status in ("open", "decided") else None, disputed=status == "disputed",
    )
    # The walk: every flag the filters keep, of any status (the status filter picks where to land).
    walk = review.queue(
        (flag for page_flags in flags_by_page.values() for flag in page_flags),
        review.decision_history(store, doc_id),
        wanted.but(status=None, disputed=False),
        lines=edited,
    )
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
disputed = walk.disputed
decided, live = walk.decided, walk.flags  # each a walk over every flag: once per rerun

st.progress(
    decided / live if live else 1.0,
    text=f"{decided} of {live} flags decided"
    + (f" ({walk.settled} settled by line edits)" if edited and walk.settled else "")
    + f" · {len(disputed)} disputed · reviewer: {reviewer}",
)
kind, message = st.session_state.pop("review_message", (None, None))
if kind == "success":
    st.success(message)
elif kind == "warning":
    st.warning(message)
elif kind == "error":
    st.error(message)
mine = [s for s in disputed if reviewer in s.dispute.reviewers]
if mine:
    st.warning(
        f"{len(mine)} flag(s) you decided are disputed with another reviewer: choose Status “disputed” to see "
        "them. A third reviewer settles a dispute, or one of you agrees with the other."
    )

# Learned groups: the open no-gold flags whose top suggestion a confusion the reviewers taught explains, or
# of a category whose deletion they kept accepting, each member shown with its line, ticked by default;
# nothing is decided until the reviewer accepts.
groups = (
    review.learned_groups(store, doc_id, language=document.lang, states=walk.states)
    if source is FlagSource.HEURISTIC else ()
)
if groups:
    # Keyed, so that it stays open while the reviewer unticks members (each tick reruns the page, and a
    # message above it coming or going would otherwise remount it closed).
    with st.expander(f"Learned groups: {len(groups)} (accept the ticked flags of one at once)",
                     key="review_groups_open", on_change="rerun"):
        for number, group in enumerate(groups, start=1):
            with st.container(border=True):
                st.markdown(f"**{group.describe()}**")
                places = views.occurrences_in_context(collection, document, [m.state.flag for m in group.members])
                for member, place in zip(group.members, places, strict=True):
                    row = st.columns([1, 8])
                    row[0].checkbox("accept", value=True, key=group_tick(group, member.key),
                                    label_visibility="collapsed")
                    row[1].caption(f"page {place.flag.page}, line {place.line}: {quoted(place.flag.text)} → "
                                   f"{reading(member.suggestion)}")
                    with row[1]:
                        st.html(components.context_html(place.context.before, place.context.text,
                                                         place.context.after))
                ticked = sum(bool(st.session_state.get(group_tick(group, m.key), True)) for m in group.members)
                clicked(f"Accept the {ticked} ticked", f"review_group_accept_{number}", accept_group, (group,),
                        type="primary", disabled=not ticked)

if not walk.items:
    st.info("No flag matches the filters." if live else "This document has no flags.")
    clicked("Undo my last decision", "review_undo", act, ("undo", "", 0), shortcut="U")
    st.stop()

# Where in the queue (`review.place_in_queue`): on a new session the flag the URL names; after a decision
# the next flag of the chosen status; changed filters land on a flag they admit.
if "review_key" not in st.session_state:
    st.session_state["review_key"] = session.place("flag")
filters = (page_filter, tuple(categories), tuple(confidence), status)
refiltered = st.session_state.get("review_filters", filters) != filters
st.session_state["review_filters"] = filters
st.session_state["review_key"] = review.place_in_queue(
    walk, wanted, st.session_state["review_key"], after=st.session_state.pop("review_after", None),
    refiltered=refiltered,
)
if not any(wanted.admits_status(s) for s in walk.items):
    st.info(f"No {status} flag matches the filters; Previous and Next walk the {len(walk.items)} flags they keep.")
items = walk.items
index = next(i for i, item in enumerate(items) if item.key == st.session_state["review_key"])
session.mark("flag", items[index].key)
try:
    # The version the next decision must be made against, read fresh for this one flag.
    state = review.flag_state(store, doc_id, items[index].key, lines=edited)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
flag = state.flag
where = describe_flag(flag)

st.subheader(f"Flag {index + 1} of {len(items)} · page {flag.page} · {flag.category.value.replace('_', ' ')}")
found_by = "comparing the OCR with the gold" if flag.source is FlagSource.GOLD else "the no-gold flagger"
if state.settled_by is not None:
    # The reviewer's text of the line says what it reads: the transcript applies no decision of this flag.
    set_aside = f" (the decision before it is set aside: {describe_decision(state.decision)})" if state.decision else ""
    now = f"{describe_settled(state.settled_by)}{set_aside}"
elif state.decision is not None:
    now = f"decided: {describe_decision(state.decision)}"
else:
    now = "open"
st.caption(f"confidence {flag.confidence:.2f} · found by {found_by} · {now}")
if state.dispute is not None:
    st.warning(f"This flag is {describe_dispute(state.dispute)}")

shown = st.session_state.get("review_preview")
if shown is not None and shown["key"] != flag.key:
    st.session_state.pop("review_preview")  # the reviewer moved on: a preview belongs to its flag
elif shown is not None:
    listed = [s.flag for s in walk.states if s.key in shown["expected"]]
    what = f"accept {reading(shown['text'])}" if shown["action"] == DecisionAction.ACCEPT.value else "keep the OCR"
    with st.container(border=True):  # above the flag, where the reviewer's eyes are after the click
        st.markdown(f"**{what.capitalize()} in these {len(listed)} places?** Nothing is saved until you apply.")
        for number, item in enumerate(views.occurrences_in_context(collection, document, listed)):
            row = st.columns([2, 3])
            if number < PREVIEW_CROPS:
                try:
                    crop = scan_crop(item.flag, margin_x=160, margin_y=24)
                except WorkbenchError as error:
                    crop = str(error)
                if isinstance(crop, str):
                    row[0].caption(crop)
                else:
                    row[0].image(crop)
            row[1].markdown(f"page {item.flag.page}, line {item.line}")
            with row[1]:
                st.html(components.context_html(item.context.before, item.context.text, item.context.after))
        if len(listed) > PREVIEW_CROPS:
            st.caption(f"Scan crops of the first {PREVIEW_CROPS} places; the others are listed by their text.")
        buttons = st.columns(2)
        with buttons[0]:
            clicked(f"Apply to these {len(listed)}", "review_apply_confirm", act,
                    ("apply_all", flag.key, state.version), type="primary")
        with buttons[1]:
            clicked("Cancel", "review_apply_cancel", cancel_preview)

page = components.compare_page(
    str(collection.home), doc_id, flag.page, checksum
)
left, right = st.columns([3, 2])
with left:
    try:
        crop = scan_crop(flag)
    except WorkbenchError as error:
        st.error(str(error))
    else:
        if isinstance(crop, str):
            st.caption(crop)
        else:
            st.image(crop, caption="The scan around the flagged word")
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
    top = suggestions[0] if suggestions else None
    edit_key = f"review_edit_text_{flag.key}"
    if state.decision is not None and state.decision.reviewer != reviewer:
        st.checkbox(
            f"Override {state.decision.reviewer}'s decision", key=f"review_override_{flag.key}",
            help="Deciding over another reviewer's decision is recorded as an override; the flag is then "
            "shown as disputed until a third reviewer settles it or one of you agrees.",
        )
        st.text_input("Why you decide differently (kept with the override)", key=f"review_note_{flag.key}")
    if suggestions:
        st.markdown("**Suggestions** (best first; a click or its number key accepts it)")
        for number, suggestion in enumerate(suggestions, start=1):
            clicked(
                f"{number} · {views.suggestion_label(suggestion)}", f"review_pick_{number}", act,
                (DecisionAction.ACCEPT.value, flag.key, state.version, suggestion, None, where),
                shortcut=str(number) if number <= SHORTCUT_SUGGESTIONS else None,
            )
    else:
        st.caption("No suggestion: keep the OCR or type the right text.")
    buttons = st.columns(2)
    with buttons[0]:
        clicked(f"Accept {reading(top)}" if top is not None else "Accept", "review_accept", act,
                (DecisionAction.ACCEPT.value, flag.key, state.version, top, None, where), type="primary",
                disabled=top is None,
                shortcut="A")
    with buttons[1]:
        clicked("Keep OCR", "review_keep", act,
                (DecisionAction.KEEP_OCR.value, flag.key, state.version, None, None, where), shortcut="K")
    st.text_input("Your reading", value=top if top is not None else flag.text, key=edit_key)
    buttons = st.columns(2)
    with buttons[0]:
        clicked("Save edit", "review_edit", act,
                (DecisionAction.EDIT.value, flag.key, state.version, None, edit_key, where), shortcut="E")
    with buttons[1]:
        clicked("Gold is wrong", "review_gold_wrong", act,
                (DecisionAction.GOLD_WRONG.value, flag.key, state.version, None, edit_key, where), shortcut="G",
                help="The OCR (or your reading) is right and the gold is not: records it as a gold erratum.")
    open_here = state.status is FlagStatus.OPEN
    keep_alike = walk.alike(flag)
    accept_alike = walk.alike(flag, reading=top, among=keep_alike) if top is not None else ()
    clicked(f"All {len(accept_alike)} identical: accept {reading(top)}…", "review_apply_all", preview_all,
            (flag.key, DecisionAction.ACCEPT.value, top, {s.key: s.version for s in accept_alike}),
            disabled=not open_here or len(accept_alike) < 2, help="Lists every place first; nothing is saved yet.")
    clicked(f"All {len(keep_alike)} identical: keep the OCR…", "review_keep_all", preview_all,
            (flag.key, DecisionAction.KEEP_OCR.value, None, {s.key: s.version for s in keep_alike}),
            disabled=not open_here or len(keep_alike) < 2, help="Lists every place first; nothing is saved yet.")
    buttons = st.columns(3)
    with buttons[0]:
        clicked("Previous", "review_prev", move, (items[index - 1].key if index else None,), shortcut="P",
                disabled=index == 0)
    with buttons[1]:
        clicked("Next", "review_next", move, (items[index + 1].key if index + 1 < len(items) else None,),
                shortcut="N", disabled=index + 1 >= len(items))
    with buttons[2]:
        clicked("Undo", "review_undo", act, ("undo", flag.key, state.version), shortcut="U")

    page_now = review.page_state(store, doc_id, flag.page)
    choices = sorted(s.value for s in review.PAGE_TRANSITIONS[page_now.status])
    columns = st.columns([3, 2])
    target = columns[0].selectbox(
        f"Page {flag.page} is {page_now.status.label}" + (f" ({page_now.reviewer})" if page_now.reviewer else "")
        + "; move it to", choices, format_func=lambda s: s.replace("_", " "), key="review_page_status",
    )
    done = review.PageStatus(target) in DONE_STATUSES
    on_page = [s for s in walk.states if s.flag.page == flag.page and not s.stale] if done else []
    still_open = sum(1 for s in on_page if s.status is FlagStatus.OPEN)
    # One checkbox per page, status and count: a confirmation given once never carries over to another.
    confirm_key = f"review_status_confirm_{flag.page}_{target}_{still_open}"
    if done and still_open:
        st.checkbox(
            f"Yes, mark page {flag.page} {target.replace('_', ' ')} with {still_open} of {len(on_page)} flags "
            "open (the number is recorded)", key=confirm_key,
        )
    with columns[1]:
        clicked("Set page status", "review_set_page_status", set_status, (flag.page, page_now.seq, confirm_key))
    st.caption(
        "Keys: 1-3 accept that suggestion · A accept the first · K keep the OCR · E save your reading · "
        "G gold is wrong · N next · P previous · U undo"
    )
