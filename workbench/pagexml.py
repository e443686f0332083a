"""PAGE XML (the 2019-07-15 schema) of any document: one file per page, its physical lines as the reviewers
corrected them (`transcript.page_lines`), in regions of the page's OCR blocks, with the OCR words' boxes.

Markings are the regions PAGE has for them: a declassification stamp a `GraphicRegion` of type stamp and a
handwritten annotation one of type handwritten-annotation (each holding a `TextRegion` with the text read in
it), a page number a `TextRegion` of type page-number, a classification line a header or a footer. A line is
a marking when stamp-noise flags cover most of it; which kind of marking is the one of the gold's markings it
resembles most, on a page with gold, else a stamp (a page number: a line that reads as one).

Coordinates come from the OCR; where it gave none the schema's required `Coords` are "0,0 0,0" (unknown),
never made up, and a page without a scan or a declared size has imageWidth and imageHeight 0.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from rapidfuzz import fuzz

from workbench import __version__
from workbench.corpus import Collection, page_stem
from workbench.flags.stamps import PAGE_NUMBER
from workbench.models import Box, Flag, FlagCategory, GoldPage, MarkingKind, OcrPage
from workbench.ocrlines import ocr_lines
from workbench.review import flag_states
from workbench.store import Store, now
from workbench.transcript import TranscribedLine, page_lines

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PAGE_SCHEMA = f"{PAGE_NS} {PAGE_NS}/pagecontent.xsd"
UNKNOWN_POINTS = "0,0 0,0"

# (PAGE element, its type) for each kind of marking; classification lines are typed or stamped headers
# and footers, so their type follows where they sit.
REGIONS: dict[MarkingKind, tuple[str, str]] = {
    MarkingKind.DECLASSIFICATION_STAMP: ("GraphicRegion", "stamp"),
    MarkingKind.HANDWRITTEN_ANNOTATION: ("GraphicRegion", "handwritten-annotation"),
    MarkingKind.PAGE_NUMBER: ("TextRegion", "page-number"),
    MarkingKind.CLASSIFICATION: ("TextRegion", "header"),
    MarkingKind.STRUCK_CLASSIFICATION: ("TextRegion", "header"),
    MarkingKind.DOWNGRADING_CODE: ("TextRegion", "footer"),
}
BODY = ("TextRegion", "paragraph")


@dataclass(frozen=True, slots=True)
class PageLine:
    """One physical line for the PAGE file: its number, text as corrected, OCR text, box, words and region."""

    number: int
    text: str
    ocr: str
    box: Box | None
    words: tuple[tuple[str, Box | None], ...]
    block: int
    region: tuple[str, str]


def marking_kinds(page: OcrPage, flags: Sequence[Flag], gold: GoldPage | None) -> dict[int, MarkingKind]:
    """The lines of a page that are markings, and which kind (see the module's docstring). Pure."""
    kinds: dict[int, MarkingKind] = {}
    marked = [f for f in flags if f.category is FlagCategory.STAMP_NOISE and f.page == page.number]
    markings = gold.markings if gold else ()
    lines = ocr_lines(page)
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        covered = sum(max(0, min(f.end, line.end) - max(f.start, line.start)) for f in marked)
        if covered * 2 > len(line.text):  # mostly marking: a stamp's piece of a body line leaves it body
            # Markings on the same half of the page first (read before the body or after it), then the one
            # whose text holds the line's best (OCR reads stamps in pieces).
            upper = line.number <= len(lines) / 2
            near = [m for m in markings if m.before_body == upper] or list(markings)
            rows = [(m, row) for m in near for row in m.text.splitlines() if row.strip()]
            if not rows:
                kinds[line.number] = MarkingKind.DECLASSIFICATION_STAMP
                continue
            marking = max(rows, key=lambda item: (fuzz.partial_ratio(item[1], text), fuzz.ratio(item[1], text)))[0]
            kind = marking.kind
            if kind in (MarkingKind.CLASSIFICATION, MarkingKind.STRUCK_CLASSIFICATION) and not marking.before_body:
                kind = MarkingKind.DOWNGRADING_CODE  # a classification line at the foot: a footer
            kinds[line.number] = kind
        elif PAGE_NUMBER.match(text) and any(c.isdigit() for c in text):
            kinds[line.number] = MarkingKind.PAGE_NUMBER
    return kinds


def page_lines_for_export(
    page: OcrPage, lines: Sequence[TranscribedLine], kinds: dict[int, MarkingKind]
) -> list[PageLine]:
    """The non-empty physical lines of a page with their boxes, words and regions. A marking line keeps the
    text read in it even when the transcript drops it: the stamp is on the page. Pure."""
    layout = {line.number: line for line in ocr_lines(page)}
    result = []
    for line in lines:
        geometry = layout[line.number]
        kind = kinds.get(line.number)
        text = line.text if (kind is None or line.text.strip()) else line.ocr
        if not text.strip():
            continue
        tokens = text.split()
        ocr_words = geometry.words
        if len(ocr_words) == len(tokens):  # word for word (the text may differ): each keeps its OCR box
            words = tuple((token, w.box) for token, w in zip(tokens, ocr_words, strict=True))
        else:
            words = ()  # the reviewer's words do not pair with the OCR's: the line's text alone
        block = ocr_words[0].block if ocr_words else 0
        result.append(
            PageLine(line.number, text, line.ocr, geometry.box, words, block, REGIONS[kind] if kind else BODY)
        )
    return result


def _points(box: Box | None) -> str:
    if box is None:
        return UNKNOWN_POINTS
    right, bottom = max(box.left, box.right - 1), max(box.top, box.bottom - 1)  # PAGE points are inclusive
    return f"{box.left},{box.top} {right},{box.top} {right},{bottom} {box.left},{bottom}"


def _union(boxes) -> Box | None:
    known = [b for b in boxes if b is not None]
    return functools.reduce(Box.union, known) if known else None


def to_page_xml(
    document: str,
    number: int,
    lines: Sequence[PageLine],
    *,
    image_name: str,
    size: tuple[int, int] | None,
) -> bytes:
    """One page as PAGE XML 2019 (UTF-8 bytes): regions of consecutive lines of the same kind (body lines
    also of the same OCR block), each line's corrected text first and the OCR's reading after it when they
    differ."""

    def sub(parent, tag: str, **attrs):
        return etree.SubElement(parent, f"{{{PAGE_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})

    root = etree.Element(f"{{{PAGE_NS}}}PcGts", nsmap={None: PAGE_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", PAGE_SCHEMA)
    root.set("pcGtsId", f"{document}-p{number}")
    metadata = sub(root, "Metadata")
    stamp = now().split(".")[0]
    sub(metadata, "Creator").text = f"ocr-workbench {__version__}"
    sub(metadata, "Created").text = stamp
    sub(metadata, "LastChange").text = stamp
    sub(metadata, "MetadataItem", type="processingStep", name="ocr-correction", value="OCR corrected by reviewers",
        date=stamp)
    if size is None:
        boxes = [line.box for line in lines if line.box is not None]
        size = (max(b.right for b in boxes), max(b.bottom for b in boxes)) if boxes else (0, 0)
    page = sub(root, "Page", imageFilename=image_name, imageWidth=size[0], imageHeight=size[1])
    groups: list[list[PageLine]] = []
    for line in lines:
        last = groups[-1][-1] if groups else None
        adjacent = last is not None and line.number == last.number + 1 and last.region == line.region
        # body lines by the OCR's blocks; a marking's lines together whatever blocks the OCR cut it into
        if adjacent and (last.block == line.block or line.region != BODY):
            groups[-1].append(line)
        else:
            groups.append([line])
    order = sub(page, "ReadingOrder")
    ordered = sub(order, "OrderedGroup", id=f"p{number}_ro")
    for index, group in enumerate(groups, start=1):
        element, kind = group[0].region
        region_id = f"p{number}_r{index}"
        sub(ordered, "RegionRefIndexed", index=index - 1, regionRef=region_id)
        box = _union(line.box for line in group)
        region = sub(page, element, id=region_id, type=kind)
        sub(region, "Coords", points=_points(box))
        text_region = region
        if element != "TextRegion":  # a graphic region holds its text in a text region of its own
            text_region = sub(region, "TextRegion", id=f"{region_id}_text", type="other")
            sub(text_region, "Coords", points=_points(box))
        for line in group:
            line_id = f"p{number}_l{line.number}"
            line_el = sub(text_region, "TextLine", id=line_id)
            sub(line_el, "Coords", points=_points(line.box))
            for position, (token, word_box) in enumerate(line.words, start=1):
                word = sub(line_el, "Word", id=f"{line_id}_w{position}")
                sub(word, "Coords", points=_points(word_box))
                sub(sub(word, "TextEquiv"), "Unicode").text = token
            sub(sub(line_el, "TextEquiv", index=1), "Unicode").text = line.text
            if line.ocr != line.text:  # the OCR's reading kept as the second choice
                sub(sub(line_el, "TextEquiv", index=2, comments="OCR"), "Unicode").text = line.ocr
        sub(sub(text_region, "TextEquiv"), "Unicode").text = "\n".join(line.text for line in group)
    if not groups:
        page.remove(order)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def document_pages(
    collection: Collection,
    store: Store,
    document_id: str,
    ocr_pages: Sequence[OcrPage],
    *,
    sizes: dict[int, tuple[int, int]],
    names: dict[int, str],
) -> dict[int, bytes]:
    """Every page of a document as PAGE XML, by page number: the lines as the store's decisions and line
    edits make them, markings from its stamp-noise flags and (with gold) the gold's markings. `sizes` and
    `names` are the pages' image sizes and scan names where known."""
    document = collection.document(document_id)
    golds = {g.number: g for g in collection.gold_pages(document)} if collection.has_gold(document) else {}
    flags = [state.flag for state in flag_states(store, document_id)]
    result = {}
    for ocr in ocr_pages:
        kinds = marking_kinds(ocr, flags, golds.get(ocr.number))
        lines = page_lines_for_export(ocr, page_lines(store, ocr), kinds)
        result[ocr.number] = to_page_xml(
            document_id, ocr.number, lines, image_name=names.get(ocr.number, page_stem(ocr.number)),
            size=sizes.get(ocr.number),
        )
    return result
