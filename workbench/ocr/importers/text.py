"""Plain text OCR: the text as read, with words found between whitespace (no boxes, no confidences)."""

from __future__ import annotations

from workbench.ocr.importers.common import ReadPage, SourceLine, SourceWord, assemble_page


def read_text(text: str) -> list[ReadPage]:
    """The pages of a plain text file: form feeds separate pages, blank lines separate paragraphs.

    Line breaks are kept as they are; runs of spaces inside a line become one space, since a plain
    text file carries no layout the workbench could point into anyway.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = text.split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()  # a form feed after the last page does not start another one
    return [_read_page(chunk) for chunk in chunks]


def _read_page(text: str) -> ReadPage:
    lines = []
    paragraph = 0
    for row in text.split("\n"):
        if not row.strip():
            paragraph += 1
            continue
        lines.append(SourceLine(tuple(SourceWord(token) for token in row.split()), paragraph, paragraph))
    return assemble_page(lines, format="text", details={"format": "text"})
