"""Transcribe: every OCR line with its image and its text in an editable field, line after line.

Keyboard first: Enter or Down saves the line and moves to the next (past the last, to the next page), Up
saves and goes back, Esc restores the line as it was. A click on the scan goes to the line under the
pointer. Each save is a line edit (`review.lines`), refused when another reviewer changed the line
meanwhile (their text shown, yours kept). The page and the line live in the URL (`?page=N&line=L`).
"""

from __future__ import annotations

import streamlit as st

from workbench import transcript, views
from workbench.errors import ReviewConflict, WorkbenchError
from workbench.flags.config import config_for
from workbench.ocrlines import hit_test, low_confidence_words
from workbench.review import LineConflict, undo_line
from workbench.ui import components, session

FIELD = "Line text"  # the field's label: the keyboard component finds the field by it
CONTEXT = 2  # lines shown before and after the current one
SCAN_WIDTH = 520  # pixels of the clickable page
LAST_LINE = 10**6  # "the last line" of a page not read yet (any line number is clipped to the page's)

st.title("Transcribe")
doc_id = components.chosen_document_id()
reviewer = components.require_reviewer("every line you correct")

collection = views.collection()
try:
    document = components.document(collection, doc_id)
    store = components.review_store()
except WorkbenchError as error:
    st.error(str(error))
    st.stop()


def _from_url(name: str, upper: int) -> int | None:
    raw = session.place(name)
    return int(raw) if raw is not None and raw.isdigit() and 1 <= int(raw) <= upper else None


# The place comes from the URL on the session's first visit (a reload or a shared link), then from the
# widgets; another document starts at its first line (the URL still names the last document's place then).
if "transcribe_document" not in st.session_state:
    st.session_state["page"] = _from_url("page", document.page_count) or st.session_state.get("page", 1)
    st.session_state["transcribe_line"] = _from_url("line", LAST_LINE) or 1
elif st.session_state["transcribe_document"] != doc_id:
    st.session_state["page"], st.session_state["transcribe_line"] = 1, 1
st.session_state["transcribe_document"] = doc_id
st.session_state["page"] = min(max(1, int(st.session_state.get("page", 1))), document.page_count)

top = st.columns([1, 1, 4])
number = top[0].number_input("Page", 1, document.page_count, key="page")
# The document's checksum once per rerun: everything cached below is keyed on it.
checksum = components.document_checksum(collection, document)
page = components.page_with_ocr(collection, document, number, checksum=checksum)
try:
    flags_by_page = components.document_flags(collection, document, checksum=checksum)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

geometry = components.page_geometry(str(collection.home), doc_id, number, checksum)
page_flags = flags_by_page.get(number, [])
try:
    lines = transcript.page_lines(store, page.ocr)
except WorkbenchError as error:
    st.error(str(error))
    st.stop()
count = len(lines)
st.session_state["transcribe_line"] = min(max(1, int(st.session_state.get("transcribe_line", 1))), count)
number_of_line = top[1].number_input("Line", 1, count, key="transcribe_line")
line = lines[number_of_line - 1]
shape = geometry[number_of_line - 1]
session.mark("page", str(number))
session.mark("line", str(number_of_line))


def field_key() -> str:
    """The key of the line's text field: a new one each time the page loads text into the field, so the
    browser shows that text whatever was typed and not sent (a field keeps unsent typing over new values)."""
    return f"transcribe_text_{st.session_state.get('transcribe_loads', 0)}"


def load(text: str) -> None:
    """Put `text` in the line's field (a fresh field, see `field_key`)."""
    st.session_state["transcribe_loads"] = st.session_state.get("transcribe_loads", 0) + 1
    st.session_state[field_key()] = text


# What the reviewer sees: the field is loaded with the line as it reads now, unless their own text was kept
# after a refusal (then it stays until they save, restore or move on, and a save is made against the
# other reviewer's text they were shown).
seen = (doc_id, number, line.number, line.version, line.text)
if st.session_state.get("transcribe_seen") != seen:
    if not st.session_state.get("transcribe_kept"):
        load(line.text)
    st.session_state["transcribe_seen"] = seen


def go(target: int) -> None:
    """Make line `target` the current one, with its own text in the field: past the page's last line the
    next page's first, before its first the previous page's last (on the first and the last page: stay)."""
    if target > count and number < document.page_count:
        st.session_state["page"], st.session_state["transcribe_line"] = number + 1, 1
    elif target < 1 and number > 1:
        # Clipped to that page's lines when it is shown.
        st.session_state["page"], st.session_state["transcribe_line"] = number - 1, LAST_LINE
    else:
        st.session_state["transcribe_line"] = min(max(1, target), count)
    st.session_state.pop("transcribe_kept", None)


def save(text: str, move: int) -> None:
    """Save the field's text as the line's edit when it differs from what the line read, then move."""
    shown = st.session_state.get("transcribe_seen")
    base_text, version = (shown[4], shown[3]) if shown and shown[:3] == seen[:3] else (line.text, line.version)
    if text != base_text:
        try:
            transcript.correct_line(
                collection, store, doc_id, number, line.number, text, reviewer=reviewer, expect=base_text,
                version=version, ocr=page.ocr,
            )
        except LineConflict as conflict:
            # Refused: the other reviewer's text is shown, the reviewer's own stays in the field.
            load(text)
            st.session_state["transcribe_kept"] = True
            theirs = conflict.current.text if conflict.current is not None else None
            st.session_state["transcribe_message"] = ("conflict", str(conflict), theirs)
            return
        except WorkbenchError as error:
            load(text)
            st.session_state["transcribe_kept"] = True
            st.session_state["transcribe_message"] = ("error", str(error), None)
            return
        st.session_state["transcribe_message"] = ("success", f"Line {line.number} saved.", None)
    go(line.number + move)


def restore() -> None:
    """Put the line back as it reads in the store (Esc)."""
    load(line.text)
    st.session_state.pop("transcribe_kept", None)
    st.session_state["transcribe_seen"] = seen


def on_key() -> None:
    pressed = components.pressed_key("transcribe_keys")
    if not pressed:
        return
    if pressed.get("restore"):
        restore()
    else:
        save(str(pressed.get("text", "")), int(pressed.get("move", 1)))


def on_button(move: int) -> None:
    save(st.session_state.get(field_key(), ""), move)


def on_scan_click() -> None:
    point = components.clicked_point("transcribe_scan")
    hit = hit_test(geometry, *point) if point is not None else None
    if hit is not None:
        go(hit.line)
        st.session_state["transcribe_caret_word"] = hit.word


def undo() -> None:
    try:
        undo_line(store, doc_id, number, line.number, reviewer=reviewer, version=line.version)
        st.session_state["transcribe_message"] = ("success", f"Line {line.number}: the edit was undone.", None)
        st.session_state.pop("transcribe_kept", None)
    except ReviewConflict as conflict:
        st.session_state["transcribe_message"] = ("conflict", str(conflict), None)
    except WorkbenchError as error:
        st.session_state["transcribe_message"] = ("error", str(error), None)


kind, message, theirs = st.session_state.pop("transcribe_message", (None, None, None))
if kind == "success":
    st.success(message)
elif kind == "conflict":
    st.warning(f"Not saved: another reviewer changed this line first. {message}")
    if theirs is not None:
        st.markdown("**Their text**")
        st.code(theirs, language=None)
    st.caption("Your text is still in the field: press Enter to save it over theirs, or Esc to take theirs.")
elif kind == "error":
    st.error(message)

left, right = st.columns([2, 3])
scan = document.pages[number - 1].scan
has_scan = scan is not None and scan.exists()
with left:
    if has_scan:
        try:
            image = components.scan_image(str(scan), document.pages[number - 1].sha256)
            crop = None
            if shape.box is not None:
                box = (shape.box.left, shape.box.top, shape.box.right, shape.box.bottom)
                crop = components.crop_data_url(str(scan), document.pages[number - 1].sha256, box, 30, 12)
            src = components.scan_data_url(str(scan), document.pages[number - 1].sha256, SCAN_WIDTH)
        except WorkbenchError as error:
            st.error(str(error))
            crop = src = None
        if src is not None:
            marks = [components.BoxStyle(shape.box, components.SELECTED_COLOUR, 3)] if shape.box else []
            components.clickable_scan(
                "transcribe_scan", src, (image.width, image.height), SCAN_WIDTH, marks, on_scan_click
            )
            if any(other.box is not None for other in geometry):
                st.caption("Click a line of the scan to go to it.")
            else:
                st.caption("The OCR of this page has no word boxes: pick the line by its number.")
    else:
        crop = None
        st.info("No scan for this page: the text alone.")

with right:
    if crop is not None:
        st.image(crop, caption=f"Line {line.number} on the scan")
    elif has_scan:
        st.caption("No image for this line (the OCR has no word boxes here).")
    before = [(n.number, n.text) for n in lines[max(0, line.number - 1 - CONTEXT) : line.number - 1]]
    after = [(n.number, n.text) for n in lines[line.number : line.number + CONTEXT]]
    edited = frozenset(n.number for n in lines if n.edited)
    if before:
        st.html(components.context_lines_html(before, edited=edited))
    st.text_input(FIELD, key=field_key(), on_change="ignore")
    st.session_state["transcribe_field"] = field_key()
    runs = st.session_state["transcribe_runs"] = st.session_state.get("transcribe_runs", 0) + 1
    word = st.session_state.pop("transcribe_caret_word", None)
    caret = None
    if word is not None:
        tokens = st.session_state.get(field_key(), "").split(" ")
        caret = sum(len(t) + 1 for t in tokens[: min(word, len(tokens))])
    components.line_keys(
        "transcribe_keys", FIELD, st.session_state.get(field_key(), ""), line.text, runs, on_key, caret=caret
    )
    if after:
        st.html(components.context_lines_html(after, edited=edited))
    low = set(low_confidence_words(shape, config_for(document.lang).low_conf))
    if shape.words:
        st.markdown("**OCR of this line** (words read with low confidence underlined)")
        st.html(components.line_words_html([(w.text, i in low) for i, w in enumerate(shape.words)]))
    on_line = [f for f in page_flags if shape.start <= f.start <= shape.end]
    status = f"edited by {line.edit.reviewer} at {line.edit.time}" if line.edit is not None else "as the OCR reads"
    st.caption(
        f"Line {line.number} of {count} · {status}"
        + (f" · {len(on_line)} flag(s) on this line, settled by your text when you save" if on_line else "")
    )
    buttons = st.columns(4)
    buttons[0].button("Previous line", key="transcribe_prev", on_click=on_button, args=(-1,),
                      disabled=line.number == 1 and number == 1)
    buttons[1].button("Save and next", key="transcribe_save", type="primary", on_click=on_button, args=(1,))
    buttons[2].button("Restore", key="transcribe_restore", on_click=restore)
    buttons[3].button("Undo the line's edit", key="transcribe_undo", on_click=undo, disabled=line.edit is None,
                      help="Withdraw the edit in force on this line (the caption says whose); logged like any edit")
    st.caption("Keys in the field: Enter or ↓ save and go to the next line · ↑ save and go back · Esc restore")
