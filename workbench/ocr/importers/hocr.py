"""hOCR (HTML with ocr_page / ocr_line / ocrx_word classes), as Tesseract and many vendors write it."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import lxml.html
from lxml import etree

from workbench.errors import InputError
from workbench.models import Box
from workbench.ocr.importers.common import (
    ReadPage,
    SourceLine,
    SourceWord,
    assemble_page,
    confidence,
    local_name,
    parse_xml,
)

BLOCK_CLASSES = {"ocr_carea", "ocrx_block", "ocr_column", "ocr_float", "ocr_separator"}
PARAGRAPH_CLASSES = {"ocr_par"}
LINE_CLASSES = {"ocr_line", "ocrx_line", "ocr_header", "ocr_caption", "ocr_textfloat", "ocr_footer"}
WORD_CLASSES = {"ocrx_word"}
_BBOX = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$")


def looks_like_hocr(head: str) -> bool:
    """True when the start of a file is recognisably hOCR."""
    return "ocr_page" in head or "ocrx_word" in head or "ocr_line" in head


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _properties(element: etree._Element) -> dict[str, str]:
    """The hOCR `title` properties: 'bbox 1 2 3 4; x_wconf 96' -> {'bbox': '1 2 3 4', 'x_wconf': '96'}."""
    props = {}
    for part in (element.get("title") or "").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            props[name] = value.strip()
    return props


def _box(props: dict[str, str], source: Path | str) -> Box | None:
    value = props.get("bbox")
    if value is None:
        return None
    match = _BBOX.match(value)
    if not match:
        raise InputError(f"{source}: hOCR bbox is malformed ({value!r})")
    left, top, right, bottom = (round(float(v)) for v in match.groups())
    return Box(left, top, right, bottom)


def is_xhtml(data: bytes) -> bool:
    """True when an hOCR file is XHTML (parsed and written as XML), False for HTML."""
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") or b"xmlns=" in data[:2000]


def _parse(data: bytes, source: Path | str, *, keep_comments: bool = False) -> etree._Element:
    """XHTML hOCR (Tesseract's) is parsed as strict XML so damage is reported; HTML hOCR leniently."""
    if is_xhtml(data):
        return parse_xml(data, source, what="hOCR (XHTML)", keep_comments=keep_comments)
    try:
        return lxml.html.fromstring(data)
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"{source}: malformed hOCR ({error})") from None


def read_hocr(data: bytes, *, source: Path | str) -> list[ReadPage]:
    """Every page (`ocr_page`) of an hOCR file, in order; InputError naming `source` when malformed.

    Confidences come from `x_wconf` (0-100); boxes from `bbox`. A line without `ocrx_word` children is
    split on whitespace into words without boxes.
    """
    return read_hocr_root(data, source=source)[1]


def read_hocr_root(
    data: bytes, *, source: Path | str, keep_comments: bool = False
) -> tuple[etree._Element, list[ReadPage]]:
    """`read_hocr`, also returning the parsed root the pages' word nodes belong to (for writing back)."""
    root = _parse(data, source, keep_comments=keep_comments)
    system = ""
    for meta in root.iter():
        if local_name(meta) == "meta" and meta.get("name") == "ocr-system":
            system = meta.get("content", "")
    pages = [e for e in root.iter() if isinstance(e.tag, str) and "ocr_page" in _classes(e)]
    if not pages:
        if not any(isinstance(e.tag, str) and _classes(e) & (WORD_CLASSES | LINE_CLASSES) for e in root.iter()):
            raise InputError(f"{source}: not hOCR (no ocr_page, ocr_line or ocrx_word elements)")
        pages = [root]
    details = {"format": "hocr"}
    if system:
        details["software"] = system
    return root, [_read_page(page, source, _with_page_size(page, source, details)) for page in pages]


def _with_page_size(page: etree._Element, source: Path | str, details: dict) -> dict:
    """`details` plus the page's size from its `ocr_page` bbox, when it has one."""
    if "ocr_page" not in _classes(page):
        return details
    try:
        box = _box(_properties(page), source)
    except InputError:
        return details  # a page's size is a nicety: a malformed page bbox must not refuse its words
    if box is None or box.right <= 0 or box.bottom <= 0:
        return details
    # The bbox is in the scan's pixels from its top-left corner, so its far corner is the page's size.
    return {**details, "page_size": [box.right, box.bottom]}


def _read_page(page: etree._Element, source: Path | str, details: dict) -> ReadPage:
    lines: list[SourceLine] = []
    counter = itertools.count(1)

    def walk(element: etree._Element, block: object, paragraph: object) -> None:
        loose: list[SourceWord] = []  # words outside any line make one line with their neighbours
        for child in element:
            if not isinstance(child.tag, str):
                continue
            classes = _classes(child)
            if classes & WORD_CLASSES:
                loose.append(_read_word(child, source))
                continue
            if loose:
                lines.append(SourceLine(tuple(loose), block, paragraph))
                loose = []
            if classes & LINE_CLASSES:
                lines.append(_read_line(child, block, paragraph, source))
            elif classes & BLOCK_CLASSES:
                walk(child, next(counter), None)
            elif classes & PARAGRAPH_CLASSES:
                walk(child, block, next(counter))
            else:
                walk(child, block, paragraph)
        if loose:
            lines.append(SourceLine(tuple(loose), block, paragraph))

    walk(page, None, None)
    return assemble_page(lines, format="hocr", details=details)


def _read_line(line: etree._Element, block: object, paragraph: object, source: Path | str) -> SourceLine:
    words = [
        _read_word(e, source) for e in line.iter() if isinstance(e.tag, str) and _classes(e) & WORD_CLASSES
    ]
    if not words:
        words = [SourceWord(token, node=line) for token in "".join(line.itertext()).split()]
    return SourceLine(tuple(words), block, paragraph)


def _read_word(word: etree._Element, source: Path | str) -> SourceWord:
    props = _properties(word)
    return SourceWord(
        text="".join(word.itertext()),
        conf=confidence(props.get("x_wconf"), scale=100, source=source, what="hOCR word"),
        box=_box(props, source),
        node=word,
    )
