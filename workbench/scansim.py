"""The scan simulator: gold pages typed as a 1974 typewriter would, photocopied, scanned, with layout truth.

A page goes through three pure steps, each seeded so the same seed gives byte-identical output:

1. `typeset_page` wraps the gold body the way a typist did (pica, 65 characters a line, words hyphenated
   at line ends by a hyphenation dictionary) and lays out the page's markings where the gold puts them.
2. `type_page` strikes every character onto an ink map with typewriter wobble and uneven ribbon ink, adds
   the rubber stamp, the pen strike-through and the handwritten note, and records each line's box.
3. `wear_page` photocopies and scans the ink map according to a `WearProfile` (ink bleed, fading, broken
   strokes, toner specks, uneven background, skew, scanner blur and noise) and moves the boxes with the skew.

The layout truth is PAGE XML (2019 schema, the OCR-D ground-truth format) beside each image:
`page_xml` writes it and `load_layout` reads it back as a `PageLayout`. How markings are recorded:

    body paragraph      TextRegion type="paragraph" (or "heading"), production="typewritten"
    classification      TextRegion type="header"/"footer", custom="marking {kind:classification; ...}"
    struck class.       same, kind:struck_classification, and TextStyle strikethrough="true" on its line
    downgrading code    TextRegion type="footer", kind:downgrading_code
    page number         TextRegion type="page-number", kind:page_number
    stamp               TextRegion type="other", production="other", kind:declassification_stamp
    handwritten note    TextRegion type="marginalia", production="handwritten-cursive", kind:handwritten_annotation

Why one module of about 1,000 lines: the three steps hand each other private records (the typeset lines
with their character positions, the ink map with its line boxes, one seeded random stream per page), and
the byte-identical output for a seed is the contract the tests hold the whole pipeline to. Split, each
step would have to publish the others' internals; it is a tool for making test scans, not part of the
review path, so its size costs the workbench nothing at run time.

Line-end hyphens are kept in the line text; each TextLine that ends in one says which kind in its custom
attribute: `hyphen {kind:soft;}` (the typist split a word) or `hyphen {kind:hard;}` (a compound's own hyphen).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import pyphen
from lxml import etree
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter, zoom

from workbench.corpus import write_manifest
from workbench.errors import CorpusError, WorkbenchError
from workbench.fsutil import atomic_write_bytes, sha256_file
from workbench.models import Box, Document, GoldPage, Marking, MarkingKind, PageRef

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
PAGE_SCHEMA_LOCATION = f"{PAGE_NS} {PAGE_NS}/pagecontent.xsd"
# A fixed time stamp: regenerating the same scans must give the same files (reproducible-builds habit).
PAGE_XML_TIME = "1970-01-01T00:00:00"
CREATOR = "workbench scansim 1"

PAGE_INCHES = (8.5, 11.0)  # US Letter
MARGIN_INCHES = 1.0
CHARS_PER_INCH = 10  # pica
LINES_PER_INCH = 6
LINE_CHARS = 65  # 6.5 inches of pica between 1-inch margins
PARAGRAPH_INDENT = 5  # the typist's tab stop, in characters
DEFAULT_DPI = 300
DEFAULT_SEED = 1974

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
TYPE_FONT = "NimbusMonoPS-Regular.otf"  # Courier clone from fonts-urw-base35: 12 pt is exactly 10 cpi
STAMP_FONT = "NimbusSans-Bold.otf"
STAMP_SMALL_FONT = "NimbusSans-Regular.otf"
HAND_FONT = "Z003-MediumItalic.otf"  # calligraphic script: the closest installed face to a pen note


@dataclass(frozen=True, slots=True)
class WearProfile:
    """How hard photocopying and scanning were on the page. Lengths are pixels at 300 dpi."""

    name: str
    bleed: float = 0.6  # toner spread: Gaussian sigma of the ink
    gain: float = 1.0  # ink gain after spreading; above 1 thickens strokes
    fade: float = 0.0  # depth of large faded zones, 0..1
    dropout: float = 0.0  # share of stroke area lost to broken toner, 0..1
    copy_threshold: float = 0.35  # ink level the copier turns half-dark; higher loses faint strokes
    speckle: int = 0  # stray toner specks per page
    speckle_size: float = 1.5  # largest speck radius
    background: float = 0.0  # darkness of the uneven copier background, 0..1
    skew: float = 0.0  # largest skew in degrees, either way
    blur: float = 0.5  # scanner optics: Gaussian sigma
    noise: float = 2.0  # scanner noise: sigma in gray levels
    white: float = 238.0  # scanner white point: paper at or above it becomes 255


WEAR_PROFILES: dict[str, WearProfile] = {
    "clean": WearProfile("clean", bleed=0.5, gain=1.1, speckle=25, skew=0.25, blur=0.5, noise=2.0),
    "typical": WearProfile(
        "typical",
        bleed=0.9,
        gain=1.15,
        fade=0.4,
        dropout=0.08,
        copy_threshold=0.4,
        speckle=450,
        speckle_size=2.2,
        background=0.1,
        skew=0.8,
        blur=0.9,
        noise=3.0,
    ),
    "poor": WearProfile(
        "poor",
        bleed=1.2,
        gain=1.2,
        fade=0.55,
        dropout=0.15,
        copy_threshold=0.45,
        speckle=1200,
        speckle_size=2.8,
        background=0.2,
        skew=1.5,
        blur=1.2,
        noise=4.0,
    ),
}
VARIANT_PROFILES = {"": "typical", "typical": "typical", "clean": "clean", "poor": "poor"}

REGION_TYPES = {
    MarkingKind.CLASSIFICATION: None,  # header or footer by zone
    MarkingKind.STRUCK_CLASSIFICATION: None,
    MarkingKind.DOWNGRADING_CODE: "footer",
    MarkingKind.DECLASSIFICATION_STAMP: "other",
    MarkingKind.HANDWRITTEN_ANNOTATION: "marginalia",
    MarkingKind.PAGE_NUMBER: "page-number",
}


# ---------------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class TypedLine:
    """One line as the typist set it: text, starting column and row (characters and lines from the margins)."""

    text: str
    column: int
    row: int
    region: int
    hyphen: str | None = None  # "soft" (word split by the typist), "hard" (compound's own hyphen) or None


@dataclass(frozen=True, slots=True)
class TypedRegion:
    """A block of the page: a body paragraph or heading, or one marking."""

    index: int
    kind: str  # "paragraph", "heading" or a MarkingKind value
    marking: Marking | None = None


@dataclass(frozen=True, slots=True)
class LayoutLine:
    """A line of the layout truth: its exact text, its box (and quadrilateral) on the scan, and its region."""

    text: str
    box: Box
    polygon: tuple[tuple[int, int], ...]
    region_id: str
    region_type: str
    kind: str | None = None  # the MarkingKind value for markings, None for body text
    hyphen: str | None = None
    struck: bool = False
    zone: str | None = None  # the marking's Zone value and placement, as the gold gives them
    placement: str | None = None

    @property
    def is_marking(self) -> bool:
        """True for a marking's line (classification, stamp, page number, note), False for body text."""
        return self.kind is not None


@dataclass(frozen=True, slots=True)
class PageLayout:
    """The layout truth of one scan: its size and every line in reading order."""

    image_filename: str
    width: int
    height: int
    lines: tuple[LayoutLine, ...]

    @property
    def text(self) -> str:
        """The whole page's text in reading order, one line per layout line, markings included."""
        return "\n".join(line.text for line in self.lines)

    @property
    def joined_text(self) -> str:
        """The page's text with the typist's line-end splits joined ("posses-" + "sion" -> "possession").

        Compounds broken after their own hyphen keep it ("US-" + "Japan" -> "US-Japan"); other line ends
        become a space. Whitespace-folded, this is the gold's `full_text`.
        """
        parts = []
        for line in self.lines:
            if line.hyphen == "soft":
                parts.append(line.text[:-1])
            elif line.hyphen == "hard":
                parts.append(line.text)
            else:
                parts.append(line.text + "\n")
        return "".join(parts).rstrip("\n")

    @property
    def body_lines(self) -> tuple[LayoutLine, ...]:
        """The typed body's lines (headings included), in reading order."""
        return tuple(line for line in self.lines if not line.is_marking)

    @property
    def marking_lines(self) -> tuple[LayoutLine, ...]:
        """The markings' lines, in reading order."""
        return tuple(line for line in self.lines if line.is_marking)


@dataclass(frozen=True, slots=True)
class SimulatedPage:
    """One simulated scan: the 8-bit grayscale image (dpi recorded) and its layout truth."""

    image: Image.Image
    layout: PageLayout
    dpi: int

    def png_bytes(self) -> bytes:
        """The image as PNG bytes with its resolution recorded; identical for identical pages."""
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", dpi=(self.dpi, self.dpi), optimize=True)
        return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Typesetting: pure text layout in characters and rows


@cache
def _hyphenator():
    # Typists kept at least two letters before the hyphen and three after it.
    return pyphen.Pyphen(lang="en_US", left=2, right=3)


_WORD_CORE = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")


def _split_word(word: str, room: int) -> tuple[str, str, str] | None:
    """Split `word` so its first part plus a hyphen fits in `room` characters: (head, tail, kind) or None."""
    if "--" in word:
        return None
    if "-" in word.strip("-"):
        # A compound breaks after its own hyphen, the rightmost that fits.
        cuts = [i + 1 for i, ch in enumerate(word) if ch == "-" and 0 < i < len(word) - 1 and word[i + 1] != "-"]
        cuts = [c for c in cuts if c <= room]
        if cuts:
            return word[: cuts[-1]], word[cuts[-1]:], "hard"
        return None
    match = _WORD_CORE.match(word)
    if not match or len(match.group(2)) < 6:
        return None
    lead, core, _trail = match.groups()
    for position in reversed(_hyphenator().positions(core)):
        head = lead + core[:position]
        if len(head) + 1 <= room:
            return head + "-", word[len(head):], "soft"
    return None


def wrap_paragraph(
    text: str,
    *,
    width: int = LINE_CHARS,
    first_indent: int = 0,
    indent: int = 0,
    hyphenate_gap: int = 8,
) -> list[tuple[str, int, str | None]]:
    """Wrap one paragraph as a typist would: (line text, starting column, hyphen kind) per line.

    A word that does not fit is split at a hyphenation point when that saves at least `hyphenate_gap`
    columns of an otherwise short line; otherwise it moves to the next line.
    """
    lines: list[tuple[str, int, str | None]] = []
    column = first_indent
    current: list[str] = []
    words = text.split()
    position = 0
    while position < len(words):
        word = words[position]
        used = len(" ".join(current))
        needed = used + (1 if current else 0) + len(word)
        if column + needed <= width:
            current.append(word)
            position += 1
            continue
        room = width - column - used - (1 if current else 0)
        split = _split_word(word, room) if room >= hyphenate_gap else None
        if split is not None:
            head, tail, kind = split
            current.append(head)
            lines.append((" ".join(current), column, kind))
            words[position] = tail
        elif current:
            lines.append((" ".join(current), column, None))
        else:  # a word longer than the line: type it anyway, the typist had no choice
            lines.append((word, column, None))
            position += 1
        current = []
        column = indent
    if current:
        lines.append((" ".join(current), column, None))
    return lines


def _is_heading(paragraph: str) -> bool:
    """Headings and letterhead: short lines without closing punctuation, not a numbered paragraph."""
    lines = [line.strip() for line in paragraph.split("\n")]
    return all(
        line and len(line) <= 80 and line[-1] not in ".,;:!?)\"'" and not line[0].isdigit() and line[0] != "-"
        for line in lines
    )


def typeset_body(body: str) -> tuple[list[TypedRegion], list[TypedLine]]:
    """The body's regions and lines: indented paragraphs, centred headings, list items with hanging indent.

    Rows count from the top margin; paragraphs are separated by one blank row. A page that starts in
    the middle of a sentence (lower-case first letter) continues the previous page's paragraph unindented.
    """
    regions: list[TypedRegion] = []
    lines: list[TypedLine] = []
    row = 0
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip("\n")) if p.strip()]
    for number, paragraph in enumerate(paragraphs):
        index = len(regions)
        heading = _is_heading(paragraph)
        regions.append(TypedRegion(index, "heading" if heading else "paragraph"))
        continued = number == 0 and paragraph[:1].islower()
        for part in paragraph.split("\n"):
            part = " ".join(part.split())
            if heading:
                for text, _col, hyphen in wrap_paragraph(part, hyphenate_gap=LINE_CHARS):
                    lines.append(TypedLine(text, (LINE_CHARS - len(text)) // 2, row, index, hyphen))
                    row += 1
                continue
            if part.startswith("- "):
                wrapped = wrap_paragraph(part, first_indent=PARAGRAPH_INDENT, indent=PARAGRAPH_INDENT + 2)
            else:
                first = 0 if continued else PARAGRAPH_INDENT
                wrapped = wrap_paragraph(part, first_indent=first, indent=0)
            for text, col, hyphen in wrapped:
                lines.append(TypedLine(text, col, row, index, hyphen))
                row += 1
            continued = True  # only a paragraph's first part is indented
        row += 1
    return regions, lines


# ---------------------------------------------------------------------------------------------------------
# Fonts and glyphs


def find_font(name: str) -> Path:
    """The path of an installed font file; WorkbenchError naming the Debian package when it is missing."""
    for folder in FONT_DIRS:
        if folder.is_dir():
            found = sorted(folder.rglob(name))
            if found:
                return found[0]
    raise WorkbenchError(
        f"scan simulator: font {name} not found under {', '.join(map(str, FONT_DIRS))} "
        "(install fonts-urw-base35: run bin/setup)"
    )


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font(name)), size)


@dataclass(frozen=True, slots=True)
class _Glyph:
    ink: np.ndarray  # float32 coverage 0..1
    dx: int  # offset of the ink's left edge from the pen position
    dy: int  # offset of the ink's top edge from the baseline


@cache
def _glyph(char: str, size: int) -> _Glyph:
    font = _font(TYPE_FONT, size)
    pad = size
    canvas = Image.new("L", (size * 2 + pad, size * 2), 0)
    ImageDraw.Draw(canvas).text((pad // 2, size * 3 // 2), char, font=font, fill=255, anchor="ls")
    array = np.asarray(canvas, dtype=np.float32) / 255.0
    rows = np.flatnonzero(array.max(axis=1) > 0)
    cols = np.flatnonzero(array.max(axis=0) > 0)
    if rows.size == 0:
        return _Glyph(np.zeros((0, 0), np.float32), 0, 0)
    ink = array[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1].copy()
    ink.setflags(write=False)
    return _Glyph(ink, int(cols[0]) - pad // 2, int(rows[0]) - size * 3 // 2)


# ---------------------------------------------------------------------------------------------------------
# Geometry helpers


def _rng(seed: int, *stream: int | str) -> np.random.Generator:
    """An independent random stream for (seed, stream...): the same inputs always give the same numbers."""
    words = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF]
    for part in stream:
        if isinstance(part, str):
            words.extend(hashlib.sha256(part.encode()).digest()[:8])
        else:
            words.append(int(part) & 0xFFFFFFFF)
    return np.random.default_rng(np.random.SeedSequence(words))


def _quad(box: tuple[float, float, float, float]) -> tuple[tuple[float, float], ...]:
    """The corner points of a box whose right and bottom are exclusive (points are pixel positions)."""
    left, top, right, bottom = box
    return ((left, top), (right - 1, top), (right - 1, bottom - 1), (left, bottom - 1))


def _rotate_points(points, angle: float, center: tuple[float, float], offset=(0.0, 0.0)):
    """Points turned `angle` degrees counter-clockwise about `center` as PIL's Image.rotate turns pixels."""
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    cx, cy = center
    ox, oy = offset
    return tuple(
        (cx + ox + (x - cx) * cos + (y - cy) * sin, cy + oy - (x - cx) * sin + (y - cy) * cos) for x, y in points
    )


def _box_of(points, width: int, height: int) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Box(
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(width, math.ceil(max(xs)) + 1),
        min(height, math.ceil(max(ys)) + 1),
    )


def _clip_points(points, width: int, height: int) -> tuple[tuple[int, int], ...]:
    return tuple(
        (min(width - 1, max(0, round(x))), min(height - 1, max(0, round(y)))) for x, y in points
    )


# ---------------------------------------------------------------------------------------------------------
# Typing: ink on paper


@dataclass(frozen=True, slots=True)
class _DrawnLine:
    text: str
    quad: tuple[tuple[float, float], ...]
    region: int
    kind: str | None
    region_type: str
    hyphen: str | None = None
    struck: bool = False
    marking: Marking | None = None


@dataclass(frozen=True, slots=True)
class _TypedPage:
    ink: np.ndarray
    lines: tuple[_DrawnLine, ...]
    regions: tuple[TypedRegion, ...]


class _Typewriter:
    """Strikes characters onto an ink map with per-character wobble and uneven ribbon ink."""

    def __init__(self, ink: np.ndarray, dpi: int, rng: np.random.Generator):
        self.ink = ink
        self.dpi = dpi
        self.scale = dpi / 300
        self.size = round(12 * dpi / 72)  # 12 pt
        self.pitch = dpi / CHARS_PER_INCH
        self.rng = rng

    def type_line(self, text: str, x: float, baseline: float, *, strength: float = 1.0) -> tuple[float, ...]:
        """Type `text` from pen position (x, baseline); returns the ink's box (left, top, right, bottom)."""
        rng = self.rng
        left = top = math.inf
        right = bottom = -math.inf
        drift = rng.normal(0, 0.04)  # the ribbon's ink changes slowly along a line
        for index, char in enumerate(text):
            if char == " ":
                continue
            glyph = _glyph(char, self.size)
            if glyph.ink.size == 0:
                continue
            jitter_x = rng.normal(0, 0.5 * self.scale)
            jitter_y = rng.normal(0, 0.6 * self.scale)
            if rng.random() < 0.03:  # a type bar that lands high or low
                jitter_y += rng.choice((-1, 1)) * 2.0 * self.scale
            intensity = strength * float(np.clip(rng.normal(0.9 + drift, 0.07), 0.45, 1.0))
            if char in ".,:;'\"-":  # small faces punch harder through the ribbon
                intensity = min(1.0, intensity + 0.1)
            patch = glyph.ink * intensity
            roll = rng.random()
            if roll < 0.06:  # a slug striking unevenly: one half of the letter lighter
                ramp = np.linspace(0.45, 1.0, patch.shape[0], dtype=np.float32)[:, None]
                patch = patch * (ramp if roll < 0.03 else ramp[::-1])
            px = round(x + index * self.pitch + jitter_x) + glyph.dx
            py = round(baseline + jitter_y) + glyph.dy
            self._stamp(patch, px, py)
            left, top = min(left, px), min(top, py)
            right, bottom = max(right, px + patch.shape[1]), max(bottom, py + patch.shape[0])
        return (left, top, right, bottom)

    def _stamp(self, patch: np.ndarray, px: int, py: int) -> None:
        height, width = self.ink.shape
        x0, y0 = max(px, 0), max(py, 0)
        x1, y1 = min(px + patch.shape[1], width), min(py + patch.shape[0], height)
        if x0 >= x1 or y0 >= y1:
            return
        view = self.ink[y0:y1, x0:x1]
        np.maximum(view, patch[y0 - py: y1 - py, x0 - px: x1 - px], out=view)


def _low_frequency(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """A smooth random field in 0..1 varying over about `cell` pixels."""

    height, width = shape
    small = rng.random((max(2, math.ceil(height / cell)) + 3, max(2, math.ceil(width / cell)) + 3))
    field = zoom(small.astype(np.float32), cell, order=3, mode="reflect", grid_mode=True)
    field = field[:height, :width]
    low, high = float(field.min()), float(field.max())
    return (field - low) / max(high - low, 1e-6)


def _draw_stamp(typed: _Typewriter, marking: Marking, anchor: tuple[float, float], rng) -> list[_DrawnLine]:
    """The boxed rubber stamp, turned a little and inked unevenly, with its top-right corner at `anchor`."""
    scale = typed.dpi / 300
    texts = marking.text.split("\n")
    big = _font(STAMP_FONT, round(46 * scale))
    small = _font(STAMP_SMALL_FONT, round(30 * scale))
    fonts = [big] + [small] * (len(texts) - 1)
    pad = round(22 * scale)
    gap = round(10 * scale)
    widths = [font.getlength(text) for font, text in zip(fonts, texts, strict=True)]
    heights = [font.getbbox(text, anchor="ls")[3] - font.getbbox(text, anchor="ls")[1] for font, text in
               zip(fonts, texts, strict=True)]
    ascents = [-font.getbbox("DE", anchor="ls")[1] for font in fonts]
    width = round(max(widths) + 2 * pad)
    height = round(sum(ascents) + gap * (len(texts) - 1) + 2 * pad + max(heights) - max(ascents) + 4 * scale)
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    border = max(1, round(4 * scale))
    draw.rectangle((border, border, width - 1 - border, height - 1 - border), outline=255, width=border)
    boxes = []
    y = pad
    for font, text, ascent in zip(fonts, texts, ascents, strict=True):
        line_width = font.getlength(text)
        x = (width - line_width) / 2
        draw.text((x, y + ascent), text, font=font, fill=255, anchor="ls")
        left, top, right, bottom = draw.textbbox((x, y + ascent), text, font=font, anchor="ls")
        boxes.append((left, top, right, bottom))
        y += ascent + gap
    angle = float(rng.uniform(1.5, 3.0)) * (1 if rng.random() < 0.5 else -1)
    turned = canvas.rotate(angle, resample=Image.BICUBIC, expand=True)
    ink = np.asarray(turned, dtype=np.float32) / 255.0
    # Rubber stamps ink unevenly: a smooth field of pressure, pale on one side.
    pressure = 0.35 + 0.65 * _low_frequency(rng, ink.shape, 40 * scale)
    ink = ink * pressure * 0.85
    left = round(anchor[0] - ink.shape[1])
    top = round(anchor[1])
    typed._stamp(ink, left, top)
    center = (width / 2, height / 2)
    offset = (turned.width / 2 - width / 2 + left, turned.height / 2 - height / 2 + top)
    return [
        _DrawnLine(text, _rotate_points(_quad(box), angle, center, offset), -1, marking.kind.value, "other")
        for text, box in zip(texts, boxes, strict=True)
    ]


def _draw_hand(typed: _Typewriter, marking: Marking, at: tuple[float, float], rng) -> _DrawnLine:
    """A pen note in a script face, a bit tilted, at pen position `at`."""
    scale = typed.dpi / 300
    font = _font(HAND_FONT, round(70 * scale))
    left, top, right, bottom = font.getbbox(marking.text, anchor="ls")
    pad = round(10 * scale)
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text(
        (pad - left, pad - top), marking.text, font=font, fill=255, anchor="ls", stroke_width=max(1, round(scale))
    )
    angle = float(rng.uniform(4, 10))
    turned = canvas.rotate(angle, resample=Image.BICUBIC, expand=True)
    ink = np.asarray(turned, dtype=np.float32) / 255.0 * 0.8
    x, y = round(at[0]), round(at[1] - turned.height)
    typed._stamp(ink, x, y)
    rows = np.flatnonzero(ink.max(axis=1) > 0.2)
    cols = np.flatnonzero(ink.max(axis=0) > 0.2)
    quad = _quad((x + cols[0], y + rows[0], x + cols[-1] + 1, y + rows[-1] + 1))
    return _DrawnLine(marking.text, quad, -1, marking.kind.value, "marginalia")


def _strike(ink: np.ndarray, quad, scale: float, rng) -> None:
    """A pen line drawn through a typed line, a little slanted."""
    (left, top), _, (right, bottom), _ = quad
    middle = (top + bottom) / 2 + 2 * scale
    canvas = Image.new("L", (ink.shape[1], ink.shape[0]), 0)
    slope = rng.normal(0, 2 * scale)
    start = (left - 12 * scale, middle + slope)
    end = (right + 12 * scale, middle - slope)
    ImageDraw.Draw(canvas).line([start, end], fill=230, width=max(1, round(4 * scale)))
    np.maximum(ink, np.asarray(canvas, dtype=np.float32) / 255.0, out=ink)


def check_fits(gold: GoldPage, body_lines: list[TypedLine] | None = None) -> None:
    """Raise CorpusError when the page's body needs more typed lines than fit between the margins."""
    if body_lines is None:
        body_lines = typeset_body(gold.body)[1]
    rows = body_lines[-1].row + 1 if body_lines else 0
    room = int((PAGE_INCHES[1] - 2 * MARGIN_INCHES) * LINES_PER_INCH)
    if rows > room:
        raise CorpusError(f"gold page {gold.number}: the body needs {rows} typed lines but a page holds {room}")


def type_page(gold: GoldPage, *, dpi: int = DEFAULT_DPI, seed: int = DEFAULT_SEED) -> _TypedPage:
    """Type one gold page: the ink map (0 = paper, 1 = full ink) and every line's box, before any wear."""
    width, height = round(PAGE_INCHES[0] * dpi), round(PAGE_INCHES[1] * dpi)
    ink = np.zeros((height, width), dtype=np.float32)
    rng = _rng(seed, "type", gold.number)
    typed = _Typewriter(ink, dpi, rng)
    margin = MARGIN_INCHES * dpi
    line_height = dpi / LINES_PER_INCH
    ascent = 0.72 * line_height  # baseline below the top of a row
    regions, body_lines = typeset_body(gold.body)
    check_fits(gold, body_lines)
    drawn: list[_DrawnLine] = []

    def centred_x(text: str) -> float:
        return margin + (LINE_CHARS - len(text)) / 2 * typed.pitch

    top_markings = [m for m in gold.markings if m.before_body]
    bottom_markings = [m for m in gold.markings if not m.before_body]
    all_regions = list(regions)

    def marking_region(marking: Marking) -> str:
        region_type = REGION_TYPES[marking.kind] or ("header" if marking.before_body else "footer")
        all_regions.append(TypedRegion(len(all_regions), marking.kind.value, marking))
        return region_type

    # Top markings: typed lines in the top margin, the note in the corner.
    top_rows = [m for m in top_markings if m.kind is not MarkingKind.HANDWRITTEN_ANNOTATION]
    for marking in top_markings:
        region_type = marking_region(marking)
        if marking.kind is MarkingKind.HANDWRITTEN_ANNOTATION:
            line = _draw_hand(typed, marking, (0.45 * dpi, 0.7 * dpi), rng)
        else:
            row = top_rows.index(marking)
            baseline = (0.5 + 0.25 * row) * dpi
            box = typed.type_line(marking.text, centred_x(marking.text), baseline)
            line = _DrawnLine(marking.text, _quad(box), 0, marking.kind.value, region_type, struck=marking.struck)
            if marking.struck:
                _strike(ink, line.quad, dpi / 300, rng)
        drawn.append(replace(line, region=len(all_regions) - 1, region_type=region_type, marking=marking))

    for line in body_lines:
        baseline = margin + line.row * line_height + ascent
        box = typed.type_line(line.text, margin + line.column * typed.pitch, baseline)
        region_type = regions[line.region].kind
        drawn.append(_DrawnLine(line.text, _quad(box), line.region, None, region_type, hyphen=line.hyphen))

    # Bottom markings: typed lines under the body, then the stamp below them at the right.
    body_bottom = margin + (body_lines[-1].row + 1) * line_height if body_lines else margin
    typed_bottom = [m for m in bottom_markings if m.kind is not MarkingKind.DECLASSIFICATION_STAMP]
    stamps = [m for m in bottom_markings if m.kind is MarkingKind.DECLASSIFICATION_STAMP]
    first_baseline = max(body_bottom + 0.3 * dpi, (10.45 if not stamps else 9.6) * dpi - 0.25 * dpi * (
        len(typed_bottom) - 1))
    for marking in bottom_markings:
        region_type = marking_region(marking)
        if marking.kind is MarkingKind.DECLASSIFICATION_STAMP:
            last = max((d.quad[2][1] for d in drawn if d.kind and not d.kind.startswith("hand")), default=body_bottom)
            lines = _draw_stamp(typed, marking, (width - 0.6 * dpi, last + 0.12 * dpi), rng)
            drawn.extend(replace(d, region=len(all_regions) - 1, marking=marking) for d in lines)
            continue
        row = typed_bottom.index(marking)
        baseline = first_baseline + 0.25 * dpi * row
        box = typed.type_line(marking.text, centred_x(marking.text), baseline)
        line = _DrawnLine(marking.text, _quad(box), len(all_regions) - 1, marking.kind.value, region_type,
                          struck=marking.struck, marking=marking)
        if marking.struck:
            _strike(ink, line.quad, dpi / 300, rng)
        drawn.append(line)
    return _TypedPage(ink, tuple(drawn), tuple(all_regions))


# ---------------------------------------------------------------------------------------------------------
# Wear: photocopy and scan


def wear_page(
    ink: np.ndarray, profile: WearProfile, *, dpi: int, rng: np.random.Generator
) -> tuple[Image.Image, float]:
    """Photocopy and scan an ink map: the 8-bit grayscale scan and the skew angle it was scanned at (degrees)."""

    scale = dpi / 300
    shape = ink.shape
    toner = gaussian_filter(ink, profile.bleed * scale) * profile.gain if profile.bleed > 0 else ink * profile.gain
    if profile.fade > 0:
        toner *= 1 - profile.fade * _low_frequency(rng, shape, 260 * scale) ** 2
    if profile.dropout > 0:
        grain = gaussian_filter(rng.standard_normal(shape).astype(np.float32), 1.1 * scale)
        cut = np.quantile(grain[::7, ::7], 1 - profile.dropout)
        spread = max(float(grain[::7, ::7].std()) * 0.25, 1e-6)
        toner *= np.clip((cut - grain) / spread, 0, 1)
    # The copier's contrast curve: faint strokes vanish, solid ones saturate.
    steep = 9.0
    dark = 1 / (1 + np.exp(-steep * (toner - profile.copy_threshold)))
    floor = 1 / (1 + math.exp(steep * profile.copy_threshold))
    dark = np.clip((dark - floor) / (1 - floor), 0, 1)
    if profile.speckle:
        dark = np.maximum(dark, _speckle(rng, shape, profile.speckle, profile.speckle_size * scale))
    if profile.background > 0:
        cloud = profile.background * _low_frequency(rng, shape, 500 * scale) ** 1.5
        dark = dark + cloud * (1 - dark)
    paper = 246.0
    gray = paper * (1 - dark) + 20.0 * dark
    if profile.blur > 0:
        gray = gaussian_filter(gray, profile.blur * scale)
    # Sensor noise shows in the darker tones; scanners flatten it in the highlights, which also keeps
    # the committed PNGs small.
    shadow = np.sqrt(np.clip(1 - gray / paper, 0, 1))
    gray = gray + rng.standard_normal(shape).astype(np.float32) * profile.noise * (0.15 + shadow)
    gray = (gray - 20.0) / (profile.white - 20.0) * 255.0
    image = Image.fromarray(np.clip(np.rint(gray), 0, 255).astype(np.uint8), mode="L")
    angle = float(rng.uniform(-profile.skew, profile.skew)) if profile.skew else 0.0
    if angle:
        image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    return image, angle


def _speckle(rng: np.random.Generator, shape: tuple[int, int], count: int, size: float) -> np.ndarray:
    """Stray toner: `count` dots up to `size` pixels in radius, a few of them in small clusters."""
    canvas = Image.new("L", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(canvas)
    ys = rng.uniform(0, shape[0], count)
    xs = rng.uniform(0, shape[1], count)
    radii = size * rng.random(count) ** 2 + 0.6
    shades = rng.uniform(0.5, 1.0, count)
    clustered = rng.random(count) < 0.15
    for x, y, radius, shade, cluster in zip(xs, ys, radii, shades, clustered, strict=True):
        dots = 1 + (int(rng.integers(2, 6)) if cluster else 0)
        for _ in range(dots):
            cx = x + (rng.normal(0, 3 * radius) if cluster else 0)
            cy = y + (rng.normal(0, 3 * radius) if cluster else 0)
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=int(255 * shade))
    return np.asarray(canvas, dtype=np.float32) / 255.0


# ---------------------------------------------------------------------------------------------------------
# The whole page


def simulate_page(
    gold: GoldPage,
    *,
    wear: WearProfile | str = "typical",
    dpi: int = DEFAULT_DPI,
    seed: int = DEFAULT_SEED,
    image_filename: str | None = None,
) -> SimulatedPage:
    """Type, copy and scan one gold page: the image and its layout truth, the same for the same seed.

    The typing depends only on `seed` and the page (every variant is a copy of the same typed sheet);
    the wear depends on the seed, the page and the wear profile's name.
    """
    profile = WEAR_PROFILES[wear] if isinstance(wear, str) else wear
    typed = type_page(gold, dpi=dpi, seed=seed)
    image, angle = wear_page(typed.ink, profile, dpi=dpi, rng=_rng(seed, "wear", profile.name, gold.number))
    width, height = image.size
    center = (width / 2, height / 2)
    lines = []
    for line in typed.lines:
        quad = _rotate_points(line.quad, angle, center) if angle else line.quad
        polygon = _clip_points(quad, width, height)
        region_id = f"r{line.region + 1:02d}" if line.region >= 0 else "r00"
        lines.append(
            LayoutLine(
                text=line.text,
                box=_box_of(polygon, width, height),
                polygon=polygon,
                region_id=region_id,
                region_type=line.region_type,
                kind=line.kind,
                hyphen=line.hyphen,
                struck=line.struck,
                zone=line.marking.zone.value if line.marking else None,
                placement=line.marking.placement if line.marking else None,
            )
        )
    filename = image_filename or f"page-{gold.number:03d}.png"
    return SimulatedPage(image, PageLayout(filename, width, height, tuple(lines)), dpi)


# ---------------------------------------------------------------------------------------------------------
# PAGE XML


def _points(points) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def _custom(name: str, **values: str) -> str:
    return f"{name} {{" + " ".join(f"{key}:{value};" for key, value in values.items()) + "}"


def page_xml(layout: PageLayout) -> bytes:
    """The layout truth as PAGE XML (2019-07-15 schema): regions in reading order, lines with text and coords."""
    E = f"{{{PAGE_NS}}}"
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(E + "PcGts", nsmap={None: PAGE_NS, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", PAGE_SCHEMA_LOCATION)
    metadata = etree.SubElement(root, E + "Metadata")
    etree.SubElement(metadata, E + "Creator").text = CREATOR
    etree.SubElement(metadata, E + "Created").text = PAGE_XML_TIME
    etree.SubElement(metadata, E + "LastChange").text = PAGE_XML_TIME
    etree.SubElement(metadata, E + "Comments").text = (
        "Layout truth of a simulated scan. Marking regions carry custom=\"marking {kind:...;}\"."
    )
    page = etree.SubElement(
        root,
        E + "Page",
        imageFilename=layout.image_filename,
        imageWidth=str(layout.width),
        imageHeight=str(layout.height),
    )
    grouped: dict[str, list[LayoutLine]] = {}
    for line in layout.lines:
        grouped.setdefault(line.region_id, []).append(line)
    order = etree.SubElement(page, E + "ReadingOrder")
    group = etree.SubElement(order, E + "OrderedGroup", id="ro")
    for index, region_id in enumerate(grouped):
        etree.SubElement(group, E + "RegionRefIndexed", index=str(index), regionRef=region_id)
    for region_id, lines in grouped.items():
        first = lines[0]
        attributes = {"id": region_id, "type": first.region_type}
        if first.is_marking:
            values = {"kind": first.kind}
            if first.zone:
                values.update(zone=first.zone, placement=first.placement or "")
            attributes["custom"] = _custom("marking", **values)
            production = {
                MarkingKind.HANDWRITTEN_ANNOTATION.value: "handwritten-cursive",
                MarkingKind.DECLASSIFICATION_STAMP.value: "other",
            }.get(first.kind, "typewritten")
        else:
            production = "typewritten"
        attributes["production"] = production
        region = etree.SubElement(page, E + "TextRegion", **attributes)
        corners = [p for line in lines for p in line.polygon]
        box = _box_of(corners, layout.width, layout.height)
        etree.SubElement(region, E + "Coords", points=_points(
            _clip_points(_quad((box.left, box.top, box.right, box.bottom)), layout.width, layout.height)
        ))
        for number, line in enumerate(lines, start=1):
            line_attributes = {"id": f"{region_id}_l{number:02d}"}
            if line.hyphen:
                line_attributes["custom"] = _custom("hyphen", kind=line.hyphen)
            element = etree.SubElement(region, E + "TextLine", **line_attributes)
            etree.SubElement(element, E + "Coords", points=_points(line.polygon))
            equiv = etree.SubElement(element, E + "TextEquiv")
            etree.SubElement(equiv, E + "Unicode").text = line.text
            if line.struck:
                etree.SubElement(element, E + "TextStyle", strikethrough="true")
        equiv = etree.SubElement(region, E + "TextEquiv")
        etree.SubElement(equiv, E + "Unicode").text = "\n".join(line.text for line in lines)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_CUSTOM_VALUE = re.compile(r"(\w+)\s*\{([^}]*)\}")


def _parse_custom(text: str | None) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for name, body in _CUSTOM_VALUE.findall(text or ""):
        pairs = (item.split(":", 1) for item in body.split(";") if ":" in item)
        result[name] = {key.strip(): value.strip() for key, value in pairs}
    return result


def load_layout(path: Path) -> PageLayout:
    """Read a PAGE XML layout truth back: every text line in reading order; CorpusError naming the file."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: layout truth not found")
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise CorpusError(f"{path}: layout truth is not well-formed XML ({error.msg})") from None
    ns = {"pc": PAGE_NS}
    page = tree.find("pc:Page", ns)
    if page is None:
        raise CorpusError(f"{path}: not a PAGE XML file (no Page element in {PAGE_NS})")
    try:
        width, height = int(page.get("imageWidth")), int(page.get("imageHeight"))
    except (TypeError, ValueError):
        raise CorpusError(f"{path}: Page lacks a valid imageWidth/imageHeight") from None
    regions = {region.get("id"): region for region in page.iterfind("pc:TextRegion", ns)}
    refs = sorted(page.iterfind("pc:ReadingOrder//pc:RegionRefIndexed", ns), key=lambda r: int(r.get("index")))
    ordered = [regions[r.get("regionRef")] for r in refs if r.get("regionRef") in regions]
    ordered += [r for r in regions.values() if r not in ordered]
    lines = []
    for region in ordered:
        marking = _parse_custom(region.get("custom")).get("marking", {})
        kind = marking.get("kind")
        for element in region.iterfind("pc:TextLine", ns):
            coords = element.find("pc:Coords", ns)
            text = element.findtext("pc:TextEquiv/pc:Unicode", default=None, namespaces=ns)
            if coords is None or text is None:
                raise CorpusError(f"{path}: TextLine {element.get('id')!r} lacks Coords or TextEquiv")
            try:
                points = tuple(
                    (int(x), int(y)) for x, y in (pair.split(",") for pair in coords.get("points", "").split())
                )
            except ValueError:
                raise CorpusError(f"{path}: TextLine {element.get('id')!r} has malformed points") from None
            if not points:
                raise CorpusError(f"{path}: TextLine {element.get('id')!r} has no points")
            style = element.find("pc:TextStyle", ns)
            lines.append(
                LayoutLine(
                    text=text,
                    box=_box_of(points, width, height),
                    polygon=points,
                    region_id=region.get("id"),
                    region_type=region.get("type", ""),
                    kind=kind,
                    hyphen=_parse_custom(element.get("custom")).get("hyphen", {}).get("kind"),
                    struck=style is not None and style.get("strikethrough") == "true",
                    zone=marking.get("zone"),
                    placement=marking.get("placement"),
                )
            )
    image_filename = page.get("imageFilename", "")
    return PageLayout(image_filename, width, height, tuple(lines))


def layout_path(scan: Path) -> Path:
    """The layout truth beside a scan: page-001.png -> page-001.xml."""
    return Path(scan).with_suffix(".xml")


# ---------------------------------------------------------------------------------------------------------
# Documents


def synthesize_document(
    collection,
    doc_id: str,
    *,
    seed: int = DEFAULT_SEED,
    dpi: int = DEFAULT_DPI,
    pages: list[int] | None = None,
    wear: str | None = None,
    progress=None,
) -> Document:
    """Simulate the scans of a document with gold: images, PAGE XML, and the manifest's names and checksums.

    The wear profile comes from the manifest's `variant` (clean, typical, poor) unless `wear` names one.
    Every page is checked to fit before anything is written; each file is written atomically.
    """
    document = collection.document(doc_id)
    profile_name = wear or VARIANT_PROFILES.get(document.variant)
    if wear is not None and wear not in WEAR_PROFILES:
        known = ", ".join(sorted(WEAR_PROFILES))
        raise CorpusError(f"synth {doc_id}: unknown wear profile {wear!r} (use one of {known})")
    if profile_name not in WEAR_PROFILES:
        raise CorpusError(
            f"{document.manifest_path}: variant {document.variant!r} has no wear profile "
            f"(use one of {', '.join(sorted(WEAR_PROFILES))})"
        )
    gold_pages = collection.gold_pages(document)
    wanted = sorted(set(pages)) if pages else [p.number for p in document.pages]
    for number in wanted:
        if not 1 <= number <= document.page_count:
            raise CorpusError(f"{document.manifest_path}: no page {number} (the document has {document.page_count})")
    for number in wanted:  # refuse before writing anything
        try:
            check_fits(gold_pages[number - 1])
        except CorpusError as error:
            gold_file = collection.gold_dir(document.gold) / f"page-{number:03d}.txt"
            raise CorpusError(f"{gold_file}: {error}") from None

    folder = collection.document_dir(doc_id)
    refs = {p.number: p for p in document.pages}
    for number in wanted:
        gold = gold_pages[number - 1]
        scan = folder / f"page-{number:03d}.png"
        page = simulate_page(gold, wear=profile_name, dpi=dpi, seed=seed, image_filename=scan.name)
        atomic_write_bytes(scan, page.png_bytes())
        atomic_write_bytes(layout_path(scan), page_xml(page.layout))
        refs[number] = PageRef(doc_id, number, scan, sha256_file(scan))
        # The manifest follows every page, so an interrupted run leaves names and checksums that match.
        document = replace(document, pages=tuple(refs[n] for n in sorted(refs)))
        write_manifest(document, document.manifest_path)
        if progress is not None:
            progress(number, scan)
    return document
