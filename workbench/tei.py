"""TEI P5 of the corrected transcript: the page images and their lines as a `facsimile`, the text with every
correction as `choice`/`sic`/`corr`.

- `facsimile`: one `surface` a page (its scan as `graphic`, the page's size where known) holding one `zone`
  a line of the OCR, with the line's box where the OCR gave one;
- `text`: a `pb` a page pointing to its surface, an `lb` at every physical line pointing to its zone, a
  blank OCR line starting a new `p`;
- each change the reviewers made: `<choice><sic>OCR</sic><corr resp="#r1" change="#c-d12">text</corr>`;
  `resp` names the reviewer (a `respStmt` in the header), `change` the `change` in the `revisionDesc` that
  says when (TEI's `corr` has no date of its own; `change/@when` is the date and `@who` the reviewer).
Every `#` link in the file resolves to an `xml:id` in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from workbench import __version__
from workbench.models import Box, OcrPage
from workbench.ocrlines import ocr_lines
from workbench.store import now
from workbench.transcript import Change, CorrectedDocument, CorrectedPage

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _sub(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{TEI_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _coordinates(box: Box | None) -> dict[str, int]:
    if box is None:
        return {}
    return {"ulx": box.left, "uly": box.top, "lrx": box.right, "lry": box.bottom}


def zone_id(page: int, line: int) -> str:
    """The xml:id of the zone of OCR line `line` of page `page`."""
    return f"p{page}-l{line}"


def _who(change: Change) -> tuple[str, str, str]:
    """(reviewer, time, key of the change's event) of an applied change."""
    if change.line_edit is not None:
        return change.line_edit.reviewer, change.line_edit.time, f"c-l{change.line_edit.id}"
    return change.decision.reviewer, change.decision.time, f"c-d{change.decision.id}"


class _Writer:
    """Appends text and elements to the current paragraph, keeping mixed content in order."""

    def __init__(self, body, page: CorrectedPage, zones: set[int]):
        self.body, self.page, self.zones = body, page, zones
        self.paragraph = None
        self.new_paragraph = False

    def _target(self):
        if self.paragraph is None or self.new_paragraph:
            self.paragraph = _sub(self.body, "p")
            self.new_paragraph = False
        return self.paragraph

    @staticmethod
    def text_into(parent, text: str) -> None:
        if not text:
            return
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def line(self, number: int, parent=None) -> None:
        """The start of OCR line `number`: an lb pointing to its zone; a blank line ends the paragraph."""
        if number not in self.zones:
            if parent is None:
                self.new_paragraph = self.paragraph is not None
            return
        _sub(parent if parent is not None else self._target(), "lb", facs=f"#{zone_id(self.page.page, number)}")

    def ocr_text(self, text: str, start: int, parent=None) -> None:
        """OCR text from offset `start`, an lb at each of its line breaks."""
        position = start
        for part in re.split("(\n)", text):
            if part == "\n":
                if parent is not None or not self.new_paragraph:  # kept as white space too, for plain readers
                    self.text_into(parent if parent is not None else self._target(), "\n")
                self.line(self.page.ocr_text.count("\n", 0, position + 1) + 1, parent)
            elif part:
                self.text_into(parent if parent is not None else self._target(), part)
            position += len(part)

    def choice(self, change: Change, ids: dict[str, str]) -> None:
        choice = _sub(self._target(), "choice")
        sic = _sub(choice, "sic")
        self.ocr_text(change.ocr, change.start, sic)
        reviewer, _, key = _who(change)
        # the corrected text's own line breaks are the reading's, not the page's: spaces in the corr
        _sub(choice, "corr", change.replacement.replace("\n", " ") or None, resp=f"#{ids[reviewer]}", change=f"#{key}")


def to_tei(
    corrected: CorrectedDocument,
    ocr_pages: Sequence[OcrPage],
    *,
    image_sizes: dict[int, tuple[int, int]] | None = None,
    image_names: dict[int, str] | None = None,
) -> bytes:
    """The corrected document as TEI P5 XML (UTF-8 bytes); see the module's docstring."""
    ocr_by_number = {p.number: p for p in ocr_pages}
    changes = [c for page in corrected.pages for c in page.changes]
    reviewers = sorted({_who(c)[0] for c in changes})
    ids = {name: f"r{index}" for index, name in enumerate(reviewers, start=1)}

    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    header = _sub(root, "teiHeader")
    description = _sub(header, "fileDesc")
    titles = _sub(description, "titleStmt")
    _sub(titles, "title", corrected.title or corrected.document)
    for name in reviewers:
        statement = _sub(titles, "respStmt", **{XML_ID: ids[name]})
        _sub(statement, "resp", "correction of the OCR")
        _sub(statement, "name", name)
    _sub(_sub(description, "publicationStmt"), "p", f"Exported by ocr-workbench {__version__} on {now()}")
    _sub(_sub(description, "sourceDesc"), "p", f"The OCR of document {corrected.document}, corrected by reviewers")
    if changes:
        listing = _sub(_sub(header, "revisionDesc"), "listChange")
        seen = set()
        for change in changes:
            reviewer, when, key = _who(change)
            if key in seen:
                continue
            seen.add(key)
            what = (
                f"line {change.line_edit.line} of page {change.line_edit.page} transcribed"
                if change.line_edit is not None
                else f"{change.decision.action.value} on flag {change.flag.key} ({change.flag.category.value})"
            )
            _sub(listing, "change", what, **{XML_ID: key, "when": when, "who": f"#{ids[reviewer]}"})

    facsimile = _sub(root, "facsimile")
    body = _sub(_sub(root, "text"), "body")
    for page in corrected.pages:
        ocr = ocr_by_number[page.page]
        size = (image_sizes or {}).get(page.page)
        surface_attrs = {XML_ID: f"p{page.page}", "n": page.page}
        if size is not None:
            surface_attrs.update(ulx=0, uly=0, lrx=size[0], lry=size[1])
        surface = _sub(facsimile, "surface", **surface_attrs)
        name = (image_names or {}).get(page.page)
        if name is not None:
            graphic = {"url": name}
            if size is not None:
                graphic.update(width=f"{size[0]}px", height=f"{size[1]}px")
            _sub(surface, "graphic", **graphic)
        zones = set()
        for line in ocr_lines(ocr):
            if line.text.strip():
                zones.add(line.number)
                _sub(surface, "zone", **{XML_ID: zone_id(page.page, line.number), **_coordinates(line.box)})
        _sub(body, "pb", n=page.page, facs=f"#p{page.page}")
        writer = _Writer(body, page, zones)
        writer.line(1)
        for piece in page.pieces:
            if piece.change is None:
                writer.ocr_text(piece.text, piece.src_start)
            else:
                writer.choice(page.changes[piece.change], ids)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
