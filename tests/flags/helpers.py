"""Small builders for hand-made OCR pages and gold pages."""

from __future__ import annotations

from workbench.models import Box, GoldPage, Marking, MarkingKind, OcrPage, OcrWord, Zone


def ocr_page(text: str, *, number: int = 1, document: str = "doc", conf: dict[str, float] | None = None) -> OcrPage:
    """An OCR page of `text` whose words have boxes laid out by line (40 px a line) and confidence 95.

    `conf` overrides the confidence of the words with the given text.
    """
    words = []
    line_top = 300
    position = 0
    for line_number, line in enumerate(text.split("\n")):
        x = 300
        column = 0
        for piece in line.split(" "):
            if piece:
                start = position + column
                words.append(
                    OcrWord(
                        text=piece,
                        start=start,
                        end=start + len(piece),
                        conf=(conf or {}).get(piece, 95.0),
                        box=Box(x + column * 25, line_top, x + (column + len(piece)) * 25, line_top + 30),
                        line=line_number,
                    )
                )
            column += len(piece) + 1
        position += len(line) + 1
        line_top += 40
    return OcrPage(document=document, number=number, text=text, words=tuple(words))


def marking(text: str, kind: MarkingKind, placement: str) -> Marking:
    """A marking at `placement` (its zone follows from the placement)."""
    zone = Zone.TOP if placement.startswith("top") else Zone.BOTTOM
    return Marking(text=text, kind=kind, zone=zone, placement=placement)


def gold_page(body: str, *markings: Marking, number: int = 1) -> GoldPage:
    """A gold page of `body` with `markings`."""
    return GoldPage(number=number, body=body, markings=tuple(markings))
