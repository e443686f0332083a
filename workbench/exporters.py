"""Exports of the corrected transcript: plain text (pages separated by a form feed), JSON with the
provenance of every change (flag, decision, reviewer, time), and ALTO v4 XML with the corrected words in the
boxes of the OCR words they came from (coordinates only where the OCR or the scan gives them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from workbench import __version__, iiif, pagexml, tei, writeback
from workbench.corpus import Collection, page_stem
from workbench.errors import InputError
from workbench.fsutil import atomic_write_bytes, atomic_write_text
from workbench.images import image_size
from workbench.models import Box, Decision, Document, OcrPage, OcrWord
from workbench.ocr.importers import declared_page_size
from workbench.ocr.store import load_ocr_pages
from workbench.store import LineEdit, Store, now
from workbench.transcript import (
    Change,
    CorrectedDocument,
    CorrectedPage,
    Rule,
    TranscriptRules,
    correct_document,
    with_final_newline,
)

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
FORMATS = ("txt", "json", "alto", "hocr", "page", "tei", "iiif-annotations")
WRITTEN_BACK_ONLY = ("hocr",)  # formats exported only into the files the pages were imported from


def _decision_json(decision: Decision) -> dict:
    return {
        "id": decision.id,
        "action": decision.action.value,
        "text": decision.text,
        "reviewer": decision.reviewer,
        "time": decision.time,
        "note": decision.note,
        "batch": decision.batch,
    }


def _line_edit_json(edit: LineEdit) -> dict:
    return {
        "id": edit.id,
        "line": edit.line,
        "ocr": edit.ocr,
        "before": edit.before,
        "text": edit.text,
        "reviewer": edit.reviewer,
        "time": edit.time,
        "note": edit.note,
        "version": edit.version,
        "batch": edit.batch,
    }


def _change_json(change: Change) -> dict:
    where = {
        "ocr_span": [change.start, change.end],
        "ocr": change.ocr,
        "replacement": change.replacement,
        "corrected_span": [change.out_start, change.out_end],
        "rule": change.rule,
    }
    if change.line_edit is not None:
        return {"line_edit": change.line_edit.id, "line": change.line_edit.line, **where}
    return {
        "flag": change.flag.key,
        "category": change.flag.category.value,
        "source": change.flag.source.value,
        **where,
        "decision": _decision_json(change.decision),
    }


def to_json(corrected: CorrectedDocument) -> dict:
    """The corrected transcript as a JSON-ready dict: per page the text, every change with its flag and
    decision (who, when) or its line edit, the line edits applied (who, when, before and after), the
    decisions left out with the reason, and those a line edit settled."""
    return {
        "document": corrected.document,
        "title": corrected.title,
        "generated": now(),
        "generator": f"ocr-workbench {__version__}",
        "rules": {rule.value: corrected.rules.enabled(rule) for rule in Rule},
        "pages": [
            {
                "page": page.page,
                "text": page.text,
                "changes": [_change_json(change) for change in page.changes],
                "line_edits": [_line_edit_json(edit) for edit in page.line_edits],
                "skipped": [
                    {"flag": s.flag.key, "reason": s.reason, "decision": _decision_json(s.decision)}
                    for s in page.skipped
                ],
                "settled": [
                    {"flag": s.flag.key, "reason": s.reason, "decision": _decision_json(s.decision)}
                    for s in page.settled
                ],
                "skipped_line_edits": [
                    {**_line_edit_json(s.edit), "reason": s.reason} for s in page.skipped_lines
                ],
            }
            for page in corrected.pages
        ],
        "text": corrected.text,
    }


def _union(boxes: Iterable[Box | None]) -> Box | None:
    result = None
    for box in boxes:
        if box is not None:
            result = box if result is None else result.union(box)
    return result


def _set_box(element, box: Box | None) -> None:
    if box is not None:
        element.set("HPOS", str(box.left))
        element.set("VPOS", str(box.top))
        element.set("WIDTH", str(box.width))
        element.set("HEIGHT", str(box.height))


def _alto_page(layout, page: CorrectedPage, words: Sequence[OcrWord], *, size: tuple[int, int] | None):
    def sub(parent, name: str, **attrs):
        return etree.SubElement(parent, f"{{{ALTO_NS}}}{name}", {k: str(v) for k, v in attrs.items()})

    prefix = f"p{page.page}"
    page_el = sub(layout, "Page", ID=f"page_{page.page}", PHYSICAL_IMG_NR=page.page)
    space = sub(page_el, "PrintSpace")
    if size is not None:
        for element in (page_el, space):
            element.set("WIDTH", str(size[0]))
            element.set("HEIGHT", str(size[1]))
        space.set("HPOS", "0")
        space.set("VPOS", "0")
    else:
        # No scan and no size from the OCR source: the page's size is unknown and is not made up, but
        # the words' boxes (when there are any) still say where the printed area is.
        _set_box(space, _union(w.box for w in words))
    text = page.text
    blocks: list[list[tuple[int, int]]] = [[]]  # runs of non-blank lines; blank lines separate blocks
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append((offset, offset + len(line)))
        elif blocks[-1]:
            blocks.append([])
        offset += len(line) + 1
    counters = {"block": 0, "line": 0, "word": 0}
    for block in (b for b in blocks if b):
        counters["block"] += 1
        block_el = sub(space, "TextBlock", ID=f"{prefix}_b{counters['block']}")
        block_boxes = []
        for line_start, line_end in block:
            counters["line"] += 1
            line_el = sub(block_el, "TextLine", ID=f"{prefix}_l{counters['line']}")
            line_boxes = []
            tokens = list(re.finditer(r"\S+", text[line_start:line_end]))
            for index, token in enumerate(tokens):
                start, end = line_start + token.start(), line_start + token.end()
                src_start, src_end = page.source_span(start, end)
                sources = [w for w in words if w.start < src_end and w.end > src_start]
                changes = page.change_at(start, end)
                box = _union(w.box for w in sources) or _union(
                    b for c in changes if c.flag is not None for b in c.flag.boxes
                )
                counters["word"] += 1
                string = sub(line_el, "String", ID=f"{prefix}_w{counters['word']}", CONTENT=token.group())
                _set_box(string, box)
                if changes:
                    string.set("CS", "true")  # ALTO's correction status: a reviewer changed this word
                elif len(sources) == 1 and sources[0].conf is not None and sources[0].text == token.group():
                    string.set("WC", f"{max(0.0, min(100.0, sources[0].conf)) / 100:.2f}")
                line_boxes.append(box)
                if index < len(tokens) - 1:
                    sub(line_el, "SP")
            line_box = _union(line_boxes)
            _set_box(line_el, line_box)
            block_boxes.append(line_box)
        _set_box(block_el, _union(block_boxes))
    return page_el


def to_alto(
    corrected: CorrectedDocument,
    ocr_pages: Sequence[OcrPage],
    *,
    pages: Sequence[int] | None = None,
    image_sizes: dict[int, tuple[int, int]] | None = None,
    image_names: dict[int, str] | None = None,
) -> bytes:
    """ALTO v4 XML (UTF-8 bytes) of the corrected transcript: one Page per page (or those in `pages`),
    words in the union of the boxes of the OCR words they came from, corrected words marked CS="true"."""

    words = {p.number: p.words for p in ocr_pages}
    chosen = [p for p in corrected.pages if pages is None or p.page in pages]
    root = etree.Element(f"{{{ALTO_NS}}}alto", nsmap={None: ALTO_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{ALTO_NS} {ALTO_SCHEMA}")
    description = etree.SubElement(root, f"{{{ALTO_NS}}}Description")
    etree.SubElement(description, f"{{{ALTO_NS}}}MeasurementUnit").text = "pixel"
    if image_names and len(chosen) == 1 and chosen[0].page in image_names:
        info = etree.SubElement(description, f"{{{ALTO_NS}}}sourceImageInformation")
        etree.SubElement(info, f"{{{ALTO_NS}}}fileName").text = image_names[chosen[0].page]
    processing = etree.SubElement(description, f"{{{ALTO_NS}}}Processing", ID="review")
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingCategory").text = "contentModification"
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingDateTime").text = now()
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingStepDescription").text = (
        f"OCR of {corrected.document} corrected by reviewers' decisions"
    )
    software = etree.SubElement(processing, f"{{{ALTO_NS}}}processingSoftware")
    etree.SubElement(software, f"{{{ALTO_NS}}}softwareName").text = "ocr-workbench"
    etree.SubElement(software, f"{{{ALTO_NS}}}softwareVersion").text = __version__
    layout = etree.SubElement(root, f"{{{ALTO_NS}}}Layout")
    for page in chosen:
        size = (image_sizes or {}).get(page.page)
        _alto_page(layout, page, words.get(page.page, ()), size=size)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _image_sizes(
    document: Document, ocr_pages: Sequence[OcrPage] = ()
) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """Each page's (width, height) in pixels and scan file name: from the scan when there is one, else
    the size the imported OCR declared for the page (no name then); pages with neither are left out."""

    sizes, names = {}, {}
    for ref in document.pages:
        size = image_size(ref.scan) if ref.scan is not None else None
        if size is not None:
            sizes[ref.number] = size
            names[ref.number] = ref.scan.name
    for page in ocr_pages:
        declared = declared_page_size(page)
        if page.number not in sizes and declared is not None:
            sizes[page.number] = declared
    return sizes, names


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export produced: the files written (none when it went to standard output) and the content."""

    format: str
    paths: tuple[Path, ...]
    content: str | bytes
    corrected: CorrectedDocument


def _export_pages(corrected: CorrectedDocument, pages: dict[int, bytes], out: Path | str | None) -> ExportResult:
    """PAGE XML files, one a page: into `out` as a folder (page-NNN.page.xml), or a one-page document to
    `out` as a file or to standard output."""
    as_folder = out is not None and (str(out).endswith(("/", "\\")) or Path(out).is_dir())
    if len(pages) != 1 and not as_folder:
        raise InputError(
            f"export {corrected.document}: PAGE XML holds one page a file and the document has {len(pages)}; "
            "give --out FOLDER/"
        )
    paths = []
    if out is not None:
        for number, content in pages.items():
            path = Path(out) / f"{page_stem(number)}.page.xml" if as_folder else Path(out)
            atomic_write_bytes(path, content)
            paths.append(path)
    return ExportResult(format="page", paths=tuple(paths), content=next(iter(pages.values())), corrected=corrected)


def export(
    collection: Collection,
    store: Store,
    document_id: str,
    *,
    format: str,
    out: Path | str | None = None,
    rules: TranscriptRules | None = None,
    into_source: bool = False,
) -> ExportResult:
    """Export a document's corrected transcript as txt, json or alto.

    With `out` None nothing is written; `content` holds the whole document (the CLI prints it). When `out`
    is an existing folder or ends with a slash, one file per page goes there (page-NNN.txt /
    page-NNN.alto.xml) plus the whole document (DOC.txt / DOC.json / DOC.alto.xml); otherwise the whole
    document is written to `out`. Every file is written atomically.

    `into_source` (alto, hocr, page): the files the pages were imported from, with only the corrected words
    changed (`workbench.writeback`); several files go into `out` as a folder.
    """
    if format not in FORMATS:
        raise InputError(f"export {document_id}: unknown format {format!r} ({', '.join(FORMATS)})")
    if into_source and format not in writeback.SOURCE_FORMATS:
        raise InputError(f"export {document_id}: --into-source takes {', '.join(writeback.SOURCE_FORMATS)}")
    if format in WRITTEN_BACK_ONLY and not into_source:
        raise InputError(f"export {document_id}: {format} is written back into the imported files only (--into-source)")
    document = collection.document(document_id)

    ocr_pages = load_ocr_pages(collection, document)
    corrected = correct_document(collection, store, document_id, rules=rules, ocr_pages=ocr_pages)
    if into_source:
        written = writeback.write_back(collection, corrected, ocr_pages, format)
        paths = writeback.save_written(document_id, written, out)
        return ExportResult(format=format, paths=tuple(paths), content=written[0].content, corrected=corrected)
    sizes, names = _image_sizes(document, ocr_pages) if format in ("alto", "page", "tei") else ({}, {})
    if format == "page":  # PAGE XML holds one page a file
        return _export_pages(
            corrected, pagexml.document_pages(collection, store, document_id, ocr_pages, sizes=sizes, names=names),
            out,
        )

    def whole() -> str | bytes:
        if format == "txt":
            return corrected.text
        if format == "json":
            return json.dumps(to_json(corrected), indent=2, ensure_ascii=False) + "\n"
        if format == "tei":
            return tei.to_tei(corrected, ocr_pages, image_sizes=sizes, image_names=names)
        if format == "iiif-annotations":
            page = iiif.annotation_page(collection, store, document_id, ocr_pages)
            return json.dumps(page, indent=2, ensure_ascii=False) + "\n"
        return to_alto(corrected, ocr_pages, image_sizes=sizes, image_names=names)

    content = whole()
    paths: list[Path] = []
    if out is not None:
        as_folder = str(out).endswith(("/", "\\")) or Path(out).is_dir()
        out = Path(out)
        suffix = {
            "txt": ".txt", "json": ".json", "alto": ".alto.xml", "tei": ".tei.xml",
            "iiif-annotations": ".annotations.json",
        }[format]
        if as_folder:
            if format == "txt":
                for page in corrected.pages:
                    path = out / f"{page_stem(page.page)}.txt"
                    atomic_write_text(path, with_final_newline(page.text))
                    paths.append(path)
            elif format == "alto":
                for page in corrected.pages:
                    path = out / f"{page_stem(page.page)}.alto.xml"
                    atomic_write_bytes(
                        path, to_alto(corrected, ocr_pages, pages=[page.page], image_sizes=sizes, image_names=names)
                    )
                    paths.append(path)
            target = out / f"{document_id}{suffix}"
        else:
            target = out
        if isinstance(content, bytes):
            atomic_write_bytes(target, content)
        else:
            atomic_write_text(target, content)
        paths.append(target)
    return ExportResult(format=format, paths=tuple(paths), content=content, corrected=corrected)
