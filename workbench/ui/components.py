"""Widgets and drawings for the workbench pages: each draws something and returns plain values.

The image helpers are pure PIL (they draw on a copy and return it); the HTML helpers escape every piece of
text they place, because OCR output can contain anything, `<script>` included. Only the small `*_widget`
functions at the bottom touch Streamlit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from workbench.models import Box, FlagCategory

# One colour per flag category, chosen to stay apart for the common colour-vision deficiencies
# (Okabe-Ito palette plus two greys); the legend on the Compare page uses the same table.
CATEGORY_COLOURS: dict[str, str] = {
    FlagCategory.STAMP_NOISE.value: "#CC79A7",
    FlagCategory.BROKEN_HYPHENATION.value: "#E69F00",
    FlagCategory.STRAY_CHAR.value: "#56B4E9",
    FlagCategory.MISREAD_WORD.value: "#D55E00",
    FlagCategory.SPLIT_WORD.value: "#009E73",
    FlagCategory.MERGED_WORDS.value: "#0072B2",
    FlagCategory.MISSING_TEXT.value: "#F0E442",
    FlagCategory.CASE_OR_PUNCTUATION.value: "#7F7F7F",
}
WORD_COLOUR = "#B0B0B0"  # an unflagged word
SELECTED_COLOUR = "#000000"  # the selected line or the word under review


@dataclass(frozen=True, slots=True)
class BoxStyle:
    """One rectangle to draw: where, in which colour, how thick (pixels of the original scan)."""

    box: Box
    colour: str
    width: int = 2


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
</style>
"""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text and how it differs: "equal", "replace", "insert" (OCR only) or "delete" (gold only)."""

    text: str
    tag: str = "equal"


_SEGMENT_CLASS = {"equal": "", "replace": "wb-sub", "insert": "wb-ins", "delete": "wb-del"}


def segments_html(segments: Sequence[Segment]) -> str:
    """HTML spans for a run of segments, every text escaped; differing runs carry a CSS class."""
    parts = []
    for segment in segments:
        text = html.escape(segment.text)
        css = _SEGMENT_CLASS.get(segment.tag, "")
        parts.append(f'<span class="{css}">{text}</span>' if css else text)
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class DiffRowView:
    """One row of the line-by-line diff: an OCR line beside the gold text it was aligned with."""

    number: int
    ocr: tuple[Segment, ...]
    gold: tuple[Segment, ...]
    label: str = "body"  # "body" or the kind of marking the gold text belongs to


def diff_table_html(rows: Sequence[DiffRowView], *, selected: int | None = None) -> str:
    """A table of OCR lines beside their gold text, differences highlighted character by character.

    Rows whose gold is a marking (stamp, classification, page number) are shaded and labelled, so body
    text and markings can be told apart; the `selected` line is outlined.
    """
    out = [DIFF_CSS, '<table class="wb-diff"><tr><th>#</th><th>OCR</th><th>gold</th><th></th></tr>']
    for row in rows:
        classes = []
        if row.label != "body":
            classes.append("wb-marking")
        if selected is not None and row.number == selected:
            classes.append("wb-selected")
        css = f' class="{" ".join(classes)}"' if classes else ""
        tag = "" if row.label == "body" else f'<span class="wb-tag">{html.escape(row.label)}</span>'
        out.append(
            f'<tr{css} id="line-{row.number}"><td class="wb-n">{row.number}</td>'
            f"<td>{segments_html(row.ocr)}</td><td>{segments_html(row.gold)}</td><td>{tag}</td></tr>"
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


# --- Streamlit widgets ------------------------------------------------------------------------------


def team_authenticator():
    """A streamlit-authenticator sign-in over the team credentials file (hashed passwords only)."""
    import streamlit_authenticator

    from workbench import views

    config = views.load_team_config(views.credentials_path())
    return streamlit_authenticator.Authenticate(
        config.credentials,
        config.cookie_name,
        config.cookie_key,
        config.cookie_expiry_days,
        auto_hash=False,
    )


def reviewer_name_widget() -> str:
    """The session's reviewer name; asks for it once (local mode) and returns "" until it is given."""
    import streamlit as st

    if st.session_state.get("reviewer"):
        return st.session_state["reviewer"]
    with st.form("reviewer_form"):
        name = st.text_input("Your name (recorded with each decision)", key="reviewer_name", max_chars=80)
        if st.form_submit_button("Start reviewing", key="reviewer_start") and name.strip():
            st.session_state["reviewer"] = name.strip()
            st.rerun()
    return ""
