"""What every OCR reader shares: words grouped in lines, and one way of turning them into page text.

Every source (Tesseract's own hOCR, vendor ALTO or PAGE XML, plain text) is first read into `SourceLine`s
in reading order; `assemble_page` then builds the page text and the `OcrWord` records pointing into it,
so that offsets are exact by construction whatever the source was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from workbench.errors import InputError
from workbench.models import Box, OcrWord

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SourceWord:
    """A word as the source gives it: text, confidence (0-100 or None) and box on the scan."""

    text: str
    conf: float | None = None
    box: Box | None = None
    # The source element the word was read from (an ALTO String, a PAGE Word, an hOCR ocrx_word, or the line
    # whose text it was split from), so that corrections can be written back into that element.
    node: object = field(default=None, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of words; `block` and `paragraph` are any hashable ids of the enclosing elements."""

    words: tuple[SourceWord, ...]
    block: object = None
    paragraph: object = None


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page read from an OCR source: its text (lines kept) and words with offsets into it.

    `format` names the source format ("hocr", "alto", "page", "text"); `details` holds what the source
    says about itself (format version, producing software) for the record stored with the OCR. `nodes`
    holds each word's source element (`SourceWord.node`), in the order of `words`.
    """

    text: str
    words: tuple[OcrWord, ...]
    format: str
    details: dict = field(default_factory=dict, compare=False, hash=False)
    nodes: tuple = field(default=(), compare=False, hash=False)


def assemble_page(lines: list[SourceLine], *, format: str, details: dict | None = None) -> ReadPage:
    """Build the page text from lines of words: words joined by one space, lines by a newline, and a
    blank line wherever the paragraph or block changes. Line, paragraph and block ids count from 1.

    Words are cleaned of surrounding whitespace (inner runs become one space); empty words and lines
    without words are dropped, so the text never holds stray blank lines.
    """
    parts: list[str] = []
    words: list[OcrWord] = []
    nodes: list[object] = []
    position = 0
    line_no = paragraph_no = block_no = 0
    last_group: tuple[object, object] | None = None
    for line in lines:
        cleaned = [(text, word) for word in line.words if (text := _SPACE.sub(" ", word.text).strip())]
        if not cleaned:
            continue
        group = (line.block, line.paragraph)
        if last_group is None or line.block != last_group[0]:
            block_no += 1
            paragraph_no += 1
        elif group != last_group:
            paragraph_no += 1
        if last_group is not None:
            separator = "\n" if group == last_group else "\n\n"
            parts.append(separator)
            position += len(separator)
        last_group = group
        line_no += 1
        for index, (text, word) in enumerate(cleaned):
            if index:
                parts.append(" ")
                position += 1
            parts.append(text)
            words.append(
                OcrWord(
                    text=text,
                    start=position,
                    end=position + len(text),
                    conf=word.conf,
                    box=word.box,
                    line=line_no,
                    paragraph=paragraph_no,
                    block=block_no,
                )
            )
            nodes.append(word.node)
            position += len(text)
    text = "".join(parts)
    if text:
        text += "\n"
    return ReadPage(text=text, words=tuple(words), format=format, details=dict(details or {}), nodes=tuple(nodes))


def parse_xml(data: bytes, source: Path | str, *, what: str, keep_comments: bool = False) -> etree._Element:
    """Parse XML safely (no network, no external entities, no DTD loading); one-line InputError naming
    `source` when it is malformed. `keep_comments` keeps comments (a file written back keeps them)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=not keep_comments
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        message = str(error.msg if hasattr(error, "msg") and error.msg else error).splitlines()[0]
        line = getattr(error, "lineno", None)
        where = f" at line {line}" if line else ""
        raise InputError(f"{source}: malformed {what}{where} ({message})") from None
    if root is None:
        raise InputError(f"{source}: malformed {what} (no root element)")
    return root


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace ("{ns}String" -> "String")."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    """An element's namespace URI, or "" when it has none."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def confidence(value: str | None, *, scale: float, source: Path | str, what: str) -> float | None:
    """A confidence attribute as 0-100 (`scale` is what 100 % is in the source); None when absent."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{source}: {what} has a confidence that is not a number ({value!r})") from None
    return round(max(0.0, min(100.0, number * 100.0 / scale)), 3)
