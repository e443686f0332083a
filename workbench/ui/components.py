"""Widgets and drawings for the workbench pages: each draws something and returns plain values.

The image helpers are pure PIL (they draw on a copy and return it); the HTML helpers escape every piece of
text they place, because OCR output can contain anything, `<script>` included. The widgets and the
cached computations at the bottom are the only parts that touch Streamlit.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import streamlit as st
from PIL import Image, ImageDraw

from workbench import checksums, learning, review, views
from workbench.corpus import Collection, load_manifest
from workbench.errors import WorkbenchError
from workbench.images import open_image
from workbench.linediff import BODY, Line, Piece
from workbench.models import Box, FlagSource
from workbench.ocrlines import ocr_lines
from workbench.report import write_document_report
from workbench.review import refresh_flags, reviewed_flag_source
from workbench.store import database_url, open_store
from workbench.views import (  # noqa: F401  (the view records are part of this module's interface)
    CATEGORY_COLOURS,
    SELECTED_COLOUR,
    WORD_COLOUR,
    BoxStyle,
)


def draw_boxes(image: Image.Image, styles: Iterable[BoxStyle]) -> Image.Image:
    """A colour copy of `image` with every box drawn as an outline; the original is left untouched."""
    canvas = image.convert("RGB")
    if canvas is image:
        canvas = image.copy()
    draw = ImageDraw.Draw(canvas)
    for style in styles:
        box = style.box
        if box.right <= box.left or box.bottom <= box.top:
            continue
        draw.rectangle(
            (box.left, box.top, box.right - 1, box.bottom - 1), outline=style.colour, width=max(1, style.width)
        )
    return canvas


def crop_around(image: Image.Image, box: Box, *, margin_x: int = 240, margin_y: int = 90) -> tuple[Image.Image, Box]:
    """The part of `image` around `box` (margins in pixels, clipped to the page) and that part's Box.

    The returned Box is in page coordinates, so a caller can shift other boxes into the crop.
    """
    region = Box(
        max(0, box.left - margin_x),
        max(0, box.top - margin_y),
        min(image.width, box.right + margin_x),
        min(image.height, box.bottom + margin_y),
    )
    if region.right <= region.left or region.bottom <= region.top:
        region = Box(0, 0, image.width, image.height)
    return image.crop((region.left, region.top, region.right, region.bottom)), region


def shift_box(box: Box, origin: Box) -> Box:
    """`box` expressed in the coordinates of a crop whose top-left corner is `origin`'s."""
    return Box(box.left - origin.left, box.top - origin.top, box.right - origin.left, box.bottom - origin.top)


def scaled_width(image_width: int, zoom_percent: int) -> int:
    """The display width in pixels for a zoom given in percent of the scan's width (at least 50 px)."""
    return max(50, round(image_width * zoom_percent / 100))


# --- HTML -------------------------------------------------------------------------------------------

DIFF_CSS = """
<style>
.wb-diff {font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.85rem; border-collapse: collapse;}
.wb-diff td {vertical-align: top; padding: 1px 6px; white-space: pre-wrap; border-bottom: 1px solid #eee;}
.wb-diff td.wb-n {color: #888; text-align: right;}
.wb-diff tr.wb-marking td {background: #f6f0fa;}
.wb-diff tr.wb-selected td {outline: 2px solid #000;}
.wb-del {background: #ffd7d5; text-decoration: line-through;}
.wb-ins {background: #ccf2d5;}
.wb-sub {background: #ffe9a8;}
.wb-tag {font-size: 0.7rem; color: #6a3d7c;}
.wb-legend span {display: inline-block; padding: 0 6px; margin: 0 4px 4px 0; border-radius: 3px; font-size: 0.8rem;}
.wb-low {text-decoration: underline wavy #D55E00; text-underline-offset: 3px;}
.wb-context td {color: #666;}
</style>
"""


_SEGMENT_CLASS = {"equal": "", "replace": "wb-sub", "insert": "wb-ins", "delete": "wb-del"}


def pieces_html(pieces: Sequence[Piece]) -> str:
    """HTML spans for one side of a line, every text escaped; differing pieces carry a CSS class and the
    flag categories over them as a tooltip."""
    parts = []
    for piece in pieces:
        text = html.escape(piece.shown)
        css = _SEGMENT_CLASS.get(piece.tag, "")
        if not css:
            parts.append(text)
            continue
        title = html.escape(", ".join(c.replace("_", " ") for c in piece.categories), quote=True)
        attributes = f' title="{title}"' if title else ""
        parts.append(f'<span class="{css}"{attributes}>{text}</span>')
    return "".join(parts)


def diff_table_html(rows: Sequence[Line], *, selected: int | None = None) -> str:
    """A table of OCR lines beside their gold text (`linediff` lines), differences highlighted.

    Rows whose gold is a marking (stamp, classification, page number) are shaded and labelled, so body
    text and markings can be told apart; the `selected` line is outlined.
    """
    out = [DIFF_CSS, '<table class="wb-diff"><tr><th>#</th><th>OCR</th><th>gold</th><th></th></tr>']
    for row in rows:
        if row.blank and row.number != selected:
            continue  # a blank line of the OCR with nothing aligned to it
        classes = []
        if row.label != BODY:
            classes.append("wb-marking")
        if selected is not None and row.number == selected:
            classes.append("wb-selected")
        css = f' class="{" ".join(classes)}"' if classes else ""
        tag = "" if row.label == BODY else f'<span class="wb-tag">{html.escape(row.label.replace("_", " "))}</span>'
        out.append(
            f'<tr{css} id="line-{row.number}"><td class="wb-n">{row.number}</td>'
            f"<td>{pieces_html(row.ocr)}</td><td>{pieces_html(row.gold)}</td><td>{tag}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def legend_html(colours: dict[str, str] | None = None) -> str:
    """A row of coloured labels, one per flag category."""
    colours = CATEGORY_COLOURS if colours is None else colours
    spans = "".join(
        f'<span style="border: 2px solid {html.escape(colour)}">{html.escape(name.replace("_", " "))}</span>'
        for name, colour in colours.items()
    )
    return f'{DIFF_CSS}<div class="wb-legend">{spans}</div>'


def context_html(before: str, text: str, after: str, *, css: str = "wb-sub") -> str:
    """A line with one span highlighted (the flagged text in its context), all parts escaped."""
    return (
        f'{DIFF_CSS}<div class="wb-diff" style="white-space: pre-wrap">{html.escape(before)}'
        f'<span class="{css}">{html.escape(text) or "&#8203;"}</span>{html.escape(after)}</div>'
    )


def line_words_html(words: Sequence[tuple[str, bool]]) -> str:
    """A line's OCR words, those read with low confidence marked (`(text, low)` pairs), all escaped."""
    parts = [
        f'<span class="wb-low" title="read with low confidence">{html.escape(text)}</span>' if low
        else html.escape(text)
        for text, low in words
    ]
    return f'{DIFF_CSS}<div class="wb-diff">{" ".join(parts) or "&#8203;"}</div>'


def context_lines_html(lines: Sequence[tuple[int, str]], *, edited: frozenset[int] = frozenset()) -> str:
    """The lines around the one being transcribed: number and text, greyed; edited lines say so."""
    rows = "".join(
        f'<tr><td class="wb-n">{number}</td><td>{html.escape(text) or "&#8203;"}</td>'
        f'<td class="wb-tag">{"edited" if number in edited else ""}</td></tr>'
        for number, text in lines
    )
    return f'{DIFF_CSS}<table class="wb-diff wb-context">{rows}</table>'


# --- the clickable scan and the line editor's keys ---------------------------------------------------
# Both are st.components.v2 components: built into Streamlit (no frontend build, no new dependency), they
# send a click's position and the editor's keys back to Python as trigger values, which plain st.image
# and st.text_input cannot; Streamlit's own button shortcuts do not fire while a text field has focus.

_SCAN_JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const root = parentElement.querySelector(".wb-scan");
  const img = parentElement.querySelector("img");
  if (img.getAttribute("src") !== data.src) img.setAttribute("src", data.src);
  img.style.width = data.display + "px";
  root.style.width = data.display + "px";
  root.querySelectorAll(".wb-mark").forEach((el) => el.remove());
  const scale = data.display / data.width;
  for (const mark of data.marks) {
    const el = document.createElement("div");
    el.className = "wb-mark";
    el.style.left = mark.box[0] * scale - 3 + "px";
    el.style.top = mark.box[1] * scale - 3 + "px";
    el.style.width = (mark.box[2] - mark.box[0]) * scale + 6 + "px";
    el.style.height = (mark.box[3] - mark.box[1]) * scale + 6 + "px";
    el.style.borderColor = mark.colour;
    root.appendChild(el);
  }
  img.onclick = (event) => {
    const rect = img.getBoundingClientRect();
    const factor = data.width / rect.width;
    setTriggerValue("click", {
      x: (event.clientX - rect.left) * factor,
      y: (event.clientY - rect.top) * factor,
      at: Date.now(),
    });
  };
}
"""
_SCAN_HTML = '<div class="wb-scan"><img alt="the scan of this page: click a line to go to it"></div>'
_SCAN_CSS = """
.wb-scan {position: relative; line-height: 0;}
.wb-scan img {cursor: crosshair; display: block;}
.wb-mark {position: absolute; border: 3px solid #000; pointer-events: none; box-sizing: border-box;}
"""

_KEYS_JS = """
export default function ({ data, setTriggerValue }) {
  const selector = `input[aria-label="${data.label}"]`;
  const previous = window.__workbenchLineKeys;
  if (previous) document.removeEventListener("keydown", previous, true);
  const moves = { Enter: 1, ArrowDown: 1, ArrowUp: -1 };
  let waiting = false;  // a key was sent: the next one waits for the page it asked for (this runs again then)
  const act = (input, key) => {
    waiting = true;
    const restore = key === "Escape";
    if (restore) {
      // Back on screen at once, so that a key pressed before the page answers reads the line, not the typing.
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(input, data.original);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    setTriggerValue("key", { move: restore ? 0 : moves[key], restore, text: input.value, at: Date.now() });
  };
  const handler = (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches(selector) || event.isComposing) return;
    if (!(event.key in moves) && event.key !== "Escape") return;
    if (event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
    // Ours alone: Streamlit would commit the field on Enter and clear nothing on Escape.
    event.preventDefault();
    event.stopImmediatePropagation();
    if (waiting) {
      // Kept for the line the page is about to show (the last such key wins), never sent with this one's text.
      window.__workbenchLinePending = event.key;
      return;
    }
    act(input, event.key);
  };
  window.__workbenchLineKeys = handler;
  document.addEventListener("keydown", handler, true);
  // The field gets the focus once it shows this rerun's text (Streamlit may fill it after this runs); a key
  // pressed while the page was answering then acts on it.
  let tries = 0;
  const focus = () => {
    const input = document.querySelector(selector);
    if (!input || (input.value !== data.text && tries < 40)) {
      tries += 1;
      if (tries <= 40) setTimeout(focus, 50);
      return;
    }
    if (document.activeElement !== input) input.focus();
    const caret = data.caret === null || data.caret === undefined ? input.value.length : data.caret;
    input.setSelectionRange(caret, caret);
    const pending = window.__workbenchLinePending;
    window.__workbenchLinePending = undefined;
    if (pending && !waiting) act(input, pending);
  };
  focus();
}
"""


@st.cache_resource(show_spinner=False)
def _scan_component():
    return st.components.v2.component("workbench_scan", html=_SCAN_HTML, css=_SCAN_CSS, js=_SCAN_JS)


@st.cache_resource(show_spinner=False)
def _keys_component():
    return st.components.v2.component("workbench_line_keys", html="<span></span>", js=_KEYS_JS)


def image_data_url(image: Image.Image, display_width: int) -> str:
    """`image` scaled to `display_width` pixels wide, as a JPEG data URL (what the clickable scan shows)."""
    scaled = image.convert("RGB")
    if scaled.width > display_width:
        scaled = scaled.resize((display_width, max(1, round(image.height * display_width / image.width))))
    buffer = io.BytesIO()
    scaled.save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def clickable_scan(
    key: str,
    src: str,
    size: tuple[int, int],
    display_width: int,
    marks: Sequence[BoxStyle],
    on_click: Callable[[], None],
) -> None:
    """The scan (`src`, a data URL of an image of `size` pixels) shown `display_width` wide with `marks`
    outlined; a click calls `on_click`, which reads the point with `clicked_point(key)`."""
    _scan_component()(
        key=key,
        data={
            "src": src,
            "width": size[0],
            "height": size[1],
            "display": display_width,
            "marks": [
                {"box": [m.box.left, m.box.top, m.box.right, m.box.bottom], "colour": m.colour} for m in marks
            ],
        },
        on_click_change=on_click,
        height="content",
    )


def clicked_point(key: str) -> tuple[float, float] | None:
    """The point (scan pixels) of the click that reran the page, from the clickable scan `key`."""
    value = _trigger(key, "click")
    if not value:
        return None
    return float(value["x"]), float(value["y"])


def line_keys(
    key: str, label: str, text: str, original: str, run: int, on_key: Callable[[], None], *, caret: int | None = None
) -> None:
    """Keyboard for the text field labelled `label`: Enter or Down, Up and Esc call `on_key` (read with
    `pressed_key(key)`), Esc after putting `original` back in the field; a key pressed while the page is
    still answering the one before waits for the line it shows (never sent with a stale line). The field
    gets the focus once it shows `text`, the caret at `caret` (default: the end). `run` must differ from
    one rerun to the next (it re-arms the keys)."""
    _keys_component()(
        key=key, data={"label": label, "text": text, "original": original, "caret": caret, "run": run},
        on_key_change=on_key, height=0,
    )


def pressed_key(key: str) -> dict | None:
    """The key press that reran the page: {"move": 1 | -1 | 0, "restore": bool, "text": the field's text}."""
    return _trigger(key, "key")


def _trigger(key: str, name: str):
    result = st.session_state.get(key)
    if result is None:
        return None
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


# --- Streamlit widgets ------------------------------------------------------------------------------


def reviewer_name_widget() -> str:
    """The session's reviewer name; asks for it once (local mode) and returns "" until it is given."""
    if st.session_state.get("reviewer"):
        return st.session_state["reviewer"]
    with st.form("reviewer_form"):
        name = st.text_input("Your name (recorded with each decision)", key="reviewer_name", max_chars=80)
        if st.form_submit_button("Start reviewing", key="reviewer_start") and name.strip():
            st.session_state["reviewer"] = name.strip()
            st.rerun()
    return ""


def require_reviewer(recorded_with: str) -> str:
    """The session's reviewer name; until one is given, the name form and a line saying it is recorded with
    `recorded_with` (e.g. "every decision"), and this run of the page ends there."""
    reviewer = reviewer_name_widget()
    if not reviewer:
        st.info(f"Give your name once for this browser session; it is recorded with {recorded_with}.")
        st.stop()
    return reviewer


# --- cached computations ----------------------------------------------------------------------------
# Keyed on the collection folder, the document and a checksum of its files, so a review action (which
# changes only the store) reruns without recomputing; any change to OCR or gold changes the key.
# Flags, page comparisons and scans are kept with st.cache_resource although they are data: they are
# immutable (frozen records; images are only ever copied before drawing), and st.cache_data would
# unpickle a fresh copy of e.g. 10,000 flags on every rerun, which is most of a review action's time on
# a 500-page document.


@st.cache_resource(show_spinner=False)
def _open_store(url: str):
    return open_store(url)


def chosen_document_id() -> str:
    """The id of the document chosen in the sidebar; stops the page with a hint when none is chosen."""
    doc_id = st.session_state.get("document")
    if not doc_id:
        st.info("No document chosen: pick one in the sidebar, or add one on the Documents page.")
        st.stop()
    return doc_id


@st.cache_resource(show_spinner=False, max_entries=32)
def _document(path: str, manifest: bytes):
    return load_manifest(Path(path))


def document(collection, doc_id: str):
    """`collection.document(doc_id)`, kept while its manifest reads the same: reading the file is cheap,
    checking a 500-page manifest's every page is not (~10 ms, on every rerun). The Document is frozen."""
    path = collection.manifest_path(doc_id)
    try:
        manifest = path.read_bytes()
    except OSError:
        return collection.document(doc_id)  # the one-line CorpusError naming the file
    return _document(str(path), manifest)


def review_store():
    """The review store for WORKBENCH_DB, one per URL per process (it holds a thread-safe Engine only)."""

    return _open_store(database_url())


def document_checksum(collection, document) -> str:
    """A checksum of everything a document's computed views depend on: manifest, OCR, gold and markings."""
    return checksums.document_checksum(collection, document)


@st.cache_resource(show_spinner=False, max_entries=256)
def compare_page(home: str, doc_id: str, number: int, checksum: str):
    """`views.compare_page`, cached on the document's checksum."""

    collection = Collection(Path(home))
    return views.compare_page(collection, collection.document(doc_id), number)


def page_with_ocr(collection, document, number: int, *, checksum: str | None = None):
    """The page's comparison (`compare_page`, cached); stops the page with a one-line message when it cannot
    be read or has no OCR yet. `checksum` is the document's (`document_checksum`) when the caller has it."""
    try:
        checksum = checksum or document_checksum(collection, document)
        page = compare_page(str(collection.home), document.id, number, checksum)
    except WorkbenchError as error:
        st.error(str(error))
        st.stop()
    if page.ocr is None:
        st.warning(f"Page {number} has no OCR yet: run OCR on the Documents page.")
        st.stop()
    return page


@st.cache_resource(show_spinner="Finding the likely OCR errors of this document (once per change of its files)",
                   max_entries=8)
def _flags(home: str, doc_id: str, checksum: str):
    collection = Collection(Path(home))
    return views.document_flags(collection, collection.document(doc_id))


@st.cache_resource(show_spinner=False, max_entries=8)
def _learned_flags(home: str, doc_id: str, checksum: str, learned: learning.Learned):
    collection = Collection(Path(home))
    return views.learned_flags(collection, collection.document(doc_id), _flags(home, doc_id, checksum), learned)


@st.cache_resource(show_spinner=False)
def _synced_checksums(url: str) -> dict[tuple, float]:
    """(collection, document, checksum, what was learned) whose flags this process has synced into the
    store at `url`, with when (time.monotonic) the store was last seen to hold them."""
    return {}


def document_flags(collection, document, *, checksum: str | None = None) -> dict:
    """The document's flags by page (cached on its checksum), synced to the review store when needed.

    The sync (`review.refresh_flags`) runs once per store, document and checksum, and again when the store
    no longer holds as many live flags of the reviewed set as were computed (the database was replaced or
    reset while the app ran). That count (a scan of the document's flags, ~20 ms on 500 pages) is made at
    most once per `checksums.RECHECK_SECONDS`, the grace the files' checksum has too, not on every rerun.
    No-gold flags are revised by what the store's decisions teach (`learning.learned_for`, read on every
    rerun; the cached flags are revised, not computed again: `views.learned_flags`), so a decision
    re-ranks and raises or drops flags at once, and an undo takes that back. `checksum` is the document's
    (`document_checksum`) when the caller has it.
    """

    checksum = checksum or document_checksum(collection, document)
    url = database_url()
    store = _open_store(url)
    source = reviewed_flag_source(collection, document)
    learned = learning.learned_for(store, document.id) if source is FlagSource.HEURISTIC else None
    flags = _flags(str(collection.home), document.id, checksum)
    if learned:
        flags = _learned_flags(str(collection.home), document.id, checksum, learned)
    synced = _synced_checksums(url)
    token = (str(collection.home), document.id, checksum, learned or None)
    seen = synced.get(token)
    if seen is not None and time.monotonic() - seen < checksums.RECHECK_SECONDS:
        return flags
    computed = sum(len(page_flags) for page_flags in flags.values())
    if seen is None or store.live_flag_count(document.id, source=source) != computed:
        flat = [flag for page_flags in flags.values() for flag in page_flags]
        refresh_flags(collection, store, document.id, use_gold=source is FlagSource.GOLD, flags=flat)
        # The store now holds this set only: going back to an earlier one (an undo unlearns) syncs again.
        for earlier in [other for other in synced if other[:2] == token[:2] and other != token]:
            del synced[earlier]
    synced[token] = time.monotonic()
    return flags


@st.cache_resource(show_spinner=False, max_entries=2048)
def _ocr_text(home: str, doc_id: str, number: int, checksum: str) -> str | None:
    return review.stored_page_text(Collection(Path(home)), doc_id)(number)


def edited_lines(collection, document, *, checksum: str | None = None) -> dict:
    """The document's line edits in force that apply to its OCR, by page (`review.lines_in_force`): read
    from the store on every rerun (one query), so a line edit made on Transcribe or by `workbench correct`
    settles its line's flags on the next rerun and its undo reopens them; the OCR texts of the edited pages
    are cached on the document's checksum (`checksum`, when the caller has it)."""
    home, checksum = str(collection.home), checksum or document_checksum(collection, document)
    return review.lines_in_force(
        review_store(), document.id, lambda number: _ocr_text(home, document.id, number, checksum)
    )


@st.cache_data(show_spinner="Scoring the no-gold flagger against the gold", max_entries=16)
def _flag_evaluation(home: str, doc_id: str, checksum: str) -> dict | None:
    collection = Collection(Path(home))
    return views.flag_evaluation(collection, collection.document(doc_id))


def flag_evaluation(collection, document) -> dict | None:
    """`views.flag_evaluation`, cached on the document's checksum (the no-gold flagger takes seconds)."""
    return _flag_evaluation(str(collection.home), document.id, document_checksum(collection, document))


@st.cache_data(show_spinner=False, max_entries=32)
def _evaluation(home: str, doc_id: str, checksum: str) -> dict | None:
    collection = Collection(Path(home))
    return views.evaluation(collection, collection.document(doc_id))


def evaluation(collection, document) -> dict | None:
    """`views.evaluation` (the OCR scored against the gold), cached on the document's checksum."""
    return _evaluation(str(collection.home), document.id, document_checksum(collection, document))


def write_report(collection, doc_id: str):
    """Write the document's report into reports/DOC (`report.write_document_report`); returns what was written."""

    return write_document_report(collection, doc_id)[1]


@st.cache_resource(show_spinner=False, max_entries=16)
def scan_image(path: str, checksum: str | None) -> Image.Image:
    """A page's scan, opened safely (ScanError naming the file) and cached on its checksum."""

    return open_image(Path(path))


@st.cache_resource(show_spinner=False, max_entries=32)
def boxed_scan_data_url(
    home: str, doc_id: str, number: int, checksum: str, path: str, scan_checksum: str | None, display_width: int
) -> str:
    """A page's scan with every word boxed in its flag category's colour (`views.page_box_styles`), scaled
    for the clickable view, as a data URL; cached on the document's and the scan's checksums."""
    page = compare_page(home, doc_id, number, checksum)
    flags = _flags(home, doc_id, checksum).get(number, [])
    drawn = draw_boxes(scan_image(path, scan_checksum), views.page_box_styles(page.ocr, flags))
    return image_data_url(drawn, display_width)


@st.cache_resource(show_spinner=False, max_entries=512)
def crop_data_url(
    path: str, checksum: str | None, box: tuple[int, int, int, int], margin_x: int, margin_y: int
) -> str:
    """The part of a page's scan around `box` (left, top, right, bottom; `crop_around`) at full resolution,
    as a data URL; cached on the scan's checksum and the box, so a line's crop is cut and encoded once, not
    on every rerun (st.image would encode a PIL image again each time)."""
    crop = crop_around(scan_image(path, checksum), Box(*box), margin_x=margin_x, margin_y=margin_y)[0]
    return image_data_url(crop, crop.width)


@st.cache_resource(show_spinner=False, max_entries=256)
def page_geometry(home: str, doc_id: str, number: int, checksum: str):
    """`ocrlines.ocr_lines` of a page's stored OCR (its lines, words and boxes), cached on the document's
    checksum."""
    return ocr_lines(compare_page(home, doc_id, number, checksum).ocr)


@st.cache_resource(show_spinner=False, max_entries=32)
def scan_data_url(path: str, checksum: str | None, display_width: int) -> str:
    """A page's scan scaled for the clickable view, as a data URL, cached on its checksum and width."""
    return image_data_url(scan_image(path, checksum), display_width)
